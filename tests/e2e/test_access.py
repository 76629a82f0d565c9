"""In the browser: a school clerk of another county cannot reach the first county's pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.e2e.conftest import FAILING_SCHOOL, STANDARD, log_in
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e


def county_pages(world: World) -> list[str]:
    """Every page of 示范县, of one of its schools, and the view of its city (which shows the county)."""
    county, school = world.county.code, world.primary.code
    pages = [
        ("overview:county", county), ("overview:schools", county), ("overview:balance", county),
        ("overview:whatif", county), ("overview:school", school), ("overview:region", world.city.code),
    ]  # fmt: skip
    return [
        reverse("census:completeness", args=[county, YEAR]),
        reverse("census:school", args=[school, YEAR]),
        reverse("evaluation:items", args=[county, YEAR, STANDARD]),
        *(reverse(name, args=[code, YEAR, STANDARD]) for name, code in pages),
    ]


def test_a_clerk_of_another_county_sees_only_a_not_found_page(page: Page, census: World) -> None:
    log_in(page, census.neighbour_clerk)
    assert "邻县第一小学" in page.locator("#my-schools").inner_text()  # the work home lists their school
    for url in county_pages(census):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        assert page.locator("h1").inner_text() == "找不到该页面", url
        text = page.locator("body").inner_text()
        for secret in ("示范县", FAILING_SCHOOL[1], census.primary.code, "达标", "差异系数"):
            assert secret not in text, (url, secret)
        assert page.get_by_role("link", name="返回首页").is_visible()
