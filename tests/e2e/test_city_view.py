"""In the browser: the city inspector compares the city's counties, sorts them on the page and drills
down to a county's cockpit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.e2e.conftest import STANDARD, log_in
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e


def county_order(page: Page) -> list[str]:
    return page.locator("#county-table tbody tr[data-county]").evaluate_all("rows => rows.map(r => r.dataset.county)")


def test_the_city_sees_its_counties_sorts_and_drills_down(page: Page, census: World) -> None:
    log_in(page, census.city_inspector)
    page.goto(reverse("overview:region", args=[census.city.code, YEAR, STANDARD]))
    assert census.city.name in page.locator("#region-title").inner_text()
    counties = page.locator("#county-table")
    shown = counties.locator(f'tr[data-county="{census.county.code}"]').inner_text()
    assert census.county.name in shown and "未达标" in shown
    assert "未评估" in counties.locator(f'tr[data-county="{census.neighbour.code}"]').inner_text()
    assert census.other_county.name not in page.locator("main").inner_text()  # another province's county

    # Sorting happens on the page: no new document is loaded (a marker on window survives).
    page.evaluate("window.__noReload = true")
    header = counties.locator('thead th[data-key="code"] a.sort')
    header.click()
    first = county_order(page)
    header.click()
    assert county_order(page) == list(reversed(first)) and len(first) == 2
    assert page.evaluate("window.__noReload") is True
    assert counties.locator('thead th[data-key="code"]').get_attribute("aria-sort") in ("ascending", "descending")

    with page.expect_navigation():
        counties.get_by_role("link", name=census.county.name).click()
    assert census.county.name in page.locator("#cockpit-title").inner_text()
