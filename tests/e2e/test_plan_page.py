"""In the browser: the county office computes the cheapest plan on the 达标方案 page and sees it; the page
fits a laptop and a phone (screenshots under /tmp/plan-shots/ when PLAN_SHOTS is set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import FAILING_SCHOOL, STANDARD, log_in, phone_page
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("PLAN_SHOTS", "")) if os.environ.get("PLAN_SHOTS") else None


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
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1366, "height": 768})
        page.screenshot(path=SHOTS / "plan-1366.png", full_page=True)
    with phone_page(browser, live_server, {"width": 390, "height": 844}) as phone:
        log_in(phone, census.county_supervisor)
        phone.goto(page.url)
        expect(phone.locator("#plan-result")).to_contain_text("有可行方案")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        if SHOTS:
            phone.screenshot(path=SHOTS / "plan-390.png", full_page=True)
