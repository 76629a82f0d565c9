"""In the browser: 学位预警 and 达标预测 of 示范县 with a new housing estate in 城关镇, on a laptop (1366 × 768)
and a phone (390 × 844): the towns' charts drawn, no JavaScript error, no horizontal page overflow.
Screenshots in /tmp/seats-shots/ (and the usual artifacts) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser

from dudao.orgs.models import Region, SchoolYear
from dudao.planning.models import KnownChange
from tests.e2e.conftest import STANDARD, log_in, phone_page, screenshot
from tests.personas import YEAR, World
from tests.planning.test_seats_pages import stored  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/seats-shots")
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def estate(world: World, stored) -> World:  # noqa: F811
    hexi = Region.objects.create(code="139901101", name="河西镇", level="town", parent=world.county)
    SchoolYear.objects.filter(school__code__in=("1399010011", "1399010013"), year=YEAR).update(town=hexi)
    KnownChange.objects.create(county=world.county, name="新城小区", school=world.primary, level="primary",
                               from_year=2027, pupils=300)  # fmt: skip
    return world


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_planning_pages_draw(browser: Browser, live_server: object, estate: World, viewport: dict) -> None:
    SHOTS.mkdir(exist_ok=True)
    with phone_page(browser, live_server, viewport) as page:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, estate.county_supervisor)
        for name in ("seats", "projected"):
            page.goto(reverse(f"planning:{name}", args=[estate.county.code, YEAR, STANDARD]))
            page.wait_for_load_state("networkidle")
            if name == "seats":
                charts = page.locator(".town-charts .chart canvas")
                assert charts.count() == 3  # 城关镇, 河西镇 and the schools without a town
            tag = f"{name}-{viewport['width']}x{viewport['height']}"
            screenshot(page, SHOTS / f"{tag}.png", always=True)
            screenshot(page, SHOTS / f"{tag}-first-screen.png", full_page=False, always=True)
            width = page.evaluate("window.innerWidth")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert width == viewport["width"] and scroll <= width, (name, width, scroll)
        assert errors == []
