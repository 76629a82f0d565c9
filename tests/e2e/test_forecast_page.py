"""The forecast page (入学预测) in the browser: its charts draw under the Content-Security-Policy with
no error, at 1366 × 768 and on a 390 × 844 phone (which it fits: no sideways scrolling, no table cell
cut), no serious accessibility violation (axe-core), screenshots kept for a person to look at."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.e2e.conftest import ARTIFACTS, STANDARD, log_in, screenshot
from tests.e2e.test_accessibility import AXE, DESKTOP, axe_problems
from tests.e2e.visual import PHONE, fits_phone
from tests.personas import YEAR, World
from tests.planning.test_forecast_page import history  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e


def test_forecast_page_draws_fits_and_is_accessible(page: Page, world: World, history: None) -> None:  # noqa: F811
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.context.add_init_script(path=str(AXE))
    log_in(page, world.county_supervisor)
    url = reverse("planning:forecast", args=[world.county.code, YEAR, STANDARD])
    for label, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        response = page.goto(url)
        assert response is not None and response.status == 200
        page.wait_for_load_state("networkidle")
        # the county's chart, 城关镇's and that of the school without a town: canvases ECharts drew
        assert page.locator(".forecast-chart canvas").count() == 3
        assert page.locator("#table-forecast-schools tbody tr").count() == 3
        if viewport == PHONE:
            fits_phone(page)
        assert axe_problems(page) == []
        screenshot(page, ARTIFACTS / f"forecast-{label}.png")
    assert violations == []
    page.get_by_role("link", name="高方案").click()
    assert "scenario=high" in page.url
    assert "高方案" in page.locator("#table-forecast-areas .table-title").inner_text()
