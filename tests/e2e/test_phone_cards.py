"""In the browser, on a 390 × 844 phone: the cockpit, a school's page, the work home and the task list
show their tables as cards — no sideways scrolling of the page, the key column (school, task, county)
and every value (初中结果, 逾期 35 天) whole on the screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import ARTIFACTS, FAILING_SCHOOL, STANDARD, log_in, phone_page, screenshot
from tests.e2e.visual import PHONE, fits_phone
from tests.personas import YEAR, World
from tests.rectification.conftest import make_rect, plan_of, task_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser: Browser, live_server: object) -> Iterator[Page]:
    with phone_page(browser, live_server, PHONE) as page:
        yield page


def look(page: Page, url: str, name: str) -> list[dict]:
    page.goto(url)
    screenshot(page, ARTIFACTS / f"phone-390-{name}.png")
    return fits_phone(page)


def test_tables_are_cards_on_a_phone(phone: Page, census: World) -> None:
    rect = make_rect(census)
    task_for(
        plan_of(census), rect.finance, days=-35, title="落实教育经费“两个只增不减”，一般公共预算教育支出逐年只增不减"
    )
    log_in(phone, census.county_supervisor)
    home = look(phone, "/", "county-home")
    assert any(c["key"] and c["text"].startswith("落实教育经费") for c in home)
    assert any(c["text"] == "逾期 35 天" for c in home)
    cockpit = look(phone, reverse("overview:county", args=[census.county.code, YEAR, STANDARD]), "cockpit")
    assert any(c["text"] == "未达标" for c in cockpit)  # a failing school's verdict, whole
    assert any(c["key"] and c["text"] == FAILING_SCHOOL[1] for c in cockpit)
    school = look(phone, reverse("overview:school", args=[FAILING_SCHOOL[0], YEAR, STANDARD]), "school")
    assert school
    phone.context.clear_cookies()
    log_in(phone, rect.finance_clerk)
    for url, name in (("/", "clerk-home"), (reverse("rectification:mine"), "my-tasks")):
        cells = look(phone, url, name)
        assert any(c["key"] and c["text"].startswith("落实教育经费") for c in cells), name
        assert any(c["text"] == "逾期 35 天" for c in cells), name
