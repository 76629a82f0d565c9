"""In the browser: on the what-if page a changed figure recomputes the school's verdict and the county's
figures without a page load, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from dudao.census.models import CensusRecord
from tests.e2e.conftest import FAILING_SCHOOL, SPORTS_BEFORE, SPORTS_FIXED, STANDARD, log_in
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e


def test_a_changed_figure_recomputes_on_the_page(page: Page, census: World) -> None:
    log_in(page, census.county_supervisor)
    whatif = reverse("overview:whatif", args=[census.county.code, YEAR, STANDARD])
    page.goto(f"{whatif}?school={FAILING_SCHOOL[0]}:primary")
    school = page.locator("#whatif-part-primary .verdicts")
    county = page.locator("#whatif-level-primary")
    expect(school).to_contain_text("未达标")
    assert "1 → 1/2" in county.inner_text()

    page.evaluate("window.__noReload = true")
    page.locator("#whatif-sports_area_m2").fill(str(SPORTS_FIXED))
    expect(page.locator("#whatif-changes")).to_contain_text(str(SPORTS_FIXED))
    expect(county).to_contain_text("1 → 2/2")
    assert "未达标 → 达标" in " ".join(school.inner_text().split())
    assert page.evaluate("window.__noReload") is True  # the same document: no reload

    record = CensusRecord.objects.get(school__code=FAILING_SCHOOL[0], year=YEAR)
    assert record.sports_area_m2 == SPORTS_BEFORE and record.version == 1  # nothing saved
