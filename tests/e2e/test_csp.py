"""The Content-Security-Policy (issue #13, F7): every page is sent with it, and the pages with charts
(cockpit, school with its history, balance, region, survey results) and the public form draw under
it with no violation in the console. Screenshots at 1366×768 and 390×844 for a person to look at."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page

from dudao.census.actions import save_record
from dudao.evaluation.actions import evaluate_county
from dudao.surveys import actions as surveys
from tests.e2e.conftest import ARTIFACTS, STANDARD, census, log_in, screenshot  # noqa: F401
from tests.engine.schools import PRIMARY
from tests.personas import SYSTEM, YEAR, World
from tests.surveys.helpers import answers, post

pytestmark = pytest.mark.e2e
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def charted(census: World) -> World:  # noqa: F811
    """The census world with last year's figures too (the school page's history chart) and a survey
    with answers (the results page's charts)."""
    world = census
    save_record(SYSTEM, world.primary, YEAR - 1, "primary", {k: v for k, v in PRIMARY.items() if k != "school_type"})
    evaluate_county(SYSTEM, world.county, YEAR - 1, STANDARD)
    world.county.resident_population = 300_000
    world.county.save()
    survey = surveys.create_survey(world.county_supervisor, world.county, YEAR, "2025年示范县社会认可度调查")
    surveys.set_status(world.county_supervisor, survey, "open")
    for overall in ("满意", "比较满意", "一般"):
        data = answers(survey, started=time.time() - 600, overall=overall, town=world.town.code)
        post(Client(), survey, data, REMOTE_ADDR=f"192.0.2.{len(overall)}")
    world.survey = survey  # type: ignore[attr-defined]
    return world


@pytest.fixture
def browse(browser: Browser, live_server: object) -> Iterator[object]:
    contexts = []

    def open_page(size: str, username: str | None) -> tuple[Page, list[str]]:
        context = browser.new_context(locale="zh-CN", viewport=SIZES[size], base_url=live_server.url)  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: violations.append(f"page error: {e}"))
        if username:
            log_in(page, username)
        return page, violations

    yield open_page
    for context in contexts:
        context.close()


def pages(world: World) -> dict[str, tuple[str | None, str, str]]:
    county, school = world.county.code, world.primary.code
    return {
        "cockpit": (world.county_supervisor.username, f"/overview/county/{county}/{YEAR}/{STANDARD}/", "main table"),
        "school": (world.county_supervisor.username, f"/overview/school/{school}/{YEAR}/{STANDARD}/",
                   ".history-chart canvas"),
        "balance": (world.county_supervisor.username, f"/overview/county/{county}/{YEAR}/{STANDARD}/balance/",
                    "canvas"),
        "region": (world.city_inspector.username, f"/overview/region/{world.city.code}/{YEAR}/{STANDARD}/", "table"),
        "survey-results": (world.county_supervisor.username, f"/surveys/{world.survey.pk}/results/", "canvas"),  # type: ignore[attr-defined]
        "survey-form": (None, f"/s/{world.survey.key}/parent/", "form"),  # type: ignore[attr-defined]
    }  # fmt: skip


@pytest.mark.parametrize("size", list(SIZES))
def test_chart_pages_draw_under_the_policy(charted: World, browse, size: str) -> None:
    for name, (username, url, drawn) in pages(charted).items():
        page, violations = browse(size, username)
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, url)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        page.wait_for_load_state("networkidle")
        assert page.locator(drawn).count() > 0, (name, drawn)
        if drawn.endswith("canvas"):  # a chart's tooltip is HTML ECharts writes with style attributes
            box = page.locator(drawn).first.bounding_box()
            assert box is not None
            for step in range(1, 12):
                page.mouse.move(box["x"] + box["width"] * step / 12, box["y"] + box["height"] / 2)
                page.wait_for_timeout(20)
        screenshot(page, ARTIFACTS / f"csp-{name}-{size}.png")
        assert violations == [], (name, violations)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"] + 1, (name, width)  # no sideways scrolling
