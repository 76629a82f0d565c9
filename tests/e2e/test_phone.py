"""In the browser: a 360 × 740 phone shows the pages without horizontal page overflow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import ARTIFACTS, FAILING_SCHOOL, STANDARD, log_in, phone_page, screenshot
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser: Browser, live_server: object) -> Iterator[Page]:
    """A phone 360 CSS pixels wide."""
    with phone_page(browser, live_server, PHONE) as page:
        yield page


def url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None  # a page not built yet


def fits(page: Page, name: str) -> None:
    """No horizontal page overflow: the layout viewport stays the screen's width and nothing is wider
    (wide tables scroll inside their own box). Leaves a screenshot of the first screen."""
    screenshot(page, ARTIFACTS / f"phone-{name}.png", full_page=False)  # the first screen: what a person sees
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert width == PHONE["width"] and scroll <= width, (name, width, scroll)


def test_the_pages_fit_a_phone(phone: Page, census: World) -> None:
    log_in(phone, census.county_supervisor)
    county, school = census.county.code, FAILING_SCHOOL[0]
    pages = {
        "landing": phone.url,
        "cockpit": url("overview:county", county, YEAR, STANDARD),
        "schools": url("overview:schools", county, YEAR, STANDARD),
        "school": url("overview:school", school, YEAR, STANDARD),
        "balance": url("overview:balance", county, YEAR, STANDARD),
        "whatif": url("overview:whatif", county, YEAR, STANDARD),
        "census-school": reverse("census:school", args=[school, YEAR]),
        "password": reverse("password_change"),
    }
    for name, address in pages.items():
        if address is not None:
            phone.goto(address)
            fits(phone, name)
    menu = phone.get_by_role("navigation", name="用户菜单")
    for control in (menu.get_by_role("link", name="修改密码"), menu.get_by_role("button", name="退出")):
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 24  # big enough to hit with a finger

    with phone.expect_navigation():
        menu.get_by_role("button", name="退出").click()
    log_in(phone, census.city_inspector)
    region = url("overview:region", census.city.code, YEAR, STANDARD)
    if region is not None:
        phone.goto(region)
        fits(phone, "city")
