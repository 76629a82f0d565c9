"""In the browser: a 360 × 740 phone shows the pages without horizontal page overflow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import ARTIFACTS, FAILING_SCHOOL, log_in
from tests.personas import PASSWORD, YEAR, World

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def phone(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        base_url=live_server.url,  # type: ignore[attr-defined]
    )  # fmt: skip
    yield context.new_page()
    context.close()


def test_the_pages_fit_a_phone(phone: Page, census: World) -> None:
    log_in(phone, census.county_supervisor.username, PASSWORD)
    pages = {
        "landing": phone.url,
        "school": reverse("census:school", args=[FAILING_SCHOOL[0], YEAR]),
        "password": reverse("password_change"),
    }
    for name, url in pages.items():
        phone.goto(url)
        assert phone.evaluate("window.innerWidth") == PHONE["width"]
        assert overflow(phone) <= 0, name
        phone.screenshot(path=ARTIFACTS / f"phone-{name}.png", full_page=True)
    menu = phone.get_by_role("navigation", name="用户菜单")
    for control in (menu.get_by_role("link", name="修改密码"), menu.get_by_role("button", name="退出")):
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 24  # big enough to hit with a finger
