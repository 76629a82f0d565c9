"""In the browser: the county office computes the cheapest plan on the 达标方案 page and sees it; the page
fits a laptop and a phone (screenshots as every browser test takes them, tests/e2e/conftest.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import FAILING_SCHOOL, STANDARD, log_in, phone_page, screenshot
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e


def test_the_office_computes_a_plan(page: Page, census: World, browser: Browser, live_server: object) -> None:
    log_in(page, census.county_supervisor)
    url = reverse("planning:plan", args=[census.county.code, YEAR, STANDARD])
    page.goto(url)
    expect(page.locator("#cost_sports_area_m2")).to_have_value("800")
    page.get_by_role("button", name="测算").click()
    result = page.locator("#plan-result")
    expect(result).to_contain_text("有可行方案")
    expect(result).to_contain_text(FAILING_SCHOOL[0])
    # 河西小学: 1200 m² for 200 pupils must reach 85 % of 7.5 m² (1275 m²): 75 m² × 800 元
    expect(result).to_contain_text("60000")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366
    page.set_viewport_size({"width": 1366, "height": 768})
    screenshot(page, "plan-1366")
    with phone_page(browser, live_server, {"width": 390, "height": 844}) as phone:
        log_in(phone, census.county_supervisor)
        phone.goto(page.url)
        expect(phone.locator("#plan-result")).to_contain_text("有可行方案")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "plan-390")
