"""In the browser: every page each persona can open — the pages the access matrices list as 200 for
them, plus the work home and the notification pages — at 1366 × 768 and on a 390 × 844 phone, with a
screenshot of each kept in ``var/test-artifacts/e2e/<persona>/``, and an accessibility check (axe-core,
committed under tests/e2e/vendor/): no serious or critical violation, colour contrast included.
On the phone every page also fits (no sideways scrolling, no table cell cut)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from dudao.briefings.actions import call_briefings, submit_briefing
from dudao.briefings.models import BriefingCall
from dudao.census.models import CensusRecord
from dudao.rectification import actions
from dudao.surveys import actions as surveys
from tests.census import test_page_access_matrix as census_matrix
from tests.e2e.conftest import ARTIFACTS, STANDARD, log_in, screenshot
from tests.e2e.visual import PHONE, fits_phone
from tests.overview import test_access_county_pages as county_matrix
from tests.overview import test_access_region as region_matrix
from tests.personas import SYSTEM, YEAR, World
from tests.rectification import test_access as rectification_matrix
from tests.rectification.conftest import PDF, make_rect, plan_of, task_for

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 768}
PERSONAS = ["province_inspector", "city_inspector", "county_supervisor", "department_clerk", "school_clerk"]
SERIOUS = ("serious", "critical")
# Files, not pages: a download the browser saves.
NOT_PAGES = ("evidence file", "export")
FILE_ENDINGS = (".xlsx", ".csv", ".zip", ".docx", ".pdf")


def matrix_pages(person: str, world: World, setup: rectification_matrix.Setup) -> dict[str, str]:
    """The pages the access matrices let ``person`` open (GET, 200), by the matrices' names."""
    record = CensusRecord.objects.filter(school=world.primary).first()
    out: dict[str, str] = {}
    for name, (method, url, expected) in census_matrix.PAGES.items():
        if method == "get" and expected.get(person) == 200:
            out[f"census {name}"] = url(world, record)
    for name, (url, expected) in county_matrix.PAGES.items():
        if expected.get(person) == 200:
            out[f"overview {name}"] = url(world)
    for name, (method, url, expected) in region_matrix.PAGES.items():
        if method == "get" and expected.get(person) == 200:
            out[f"overview {name}"] = url(world)
    for name, (method, url, expected) in rectification_matrix.PAGES.items():
        if method == "get" and expected.get(person) == 200 and not any(n in name for n in NOT_PAGES):
            out[f"rectification {name}"] = url(setup)
    return {name: url for name, url in out.items() if not url.split("?")[0].endswith(FILE_ENDINGS)}


def own_pages(person: str, world: World, survey_pk: int) -> dict[str, str]:
    """What the matrices leave out: the work home, notifications, and a county's other pages."""
    out = {
        "work home": "/",
        "notification settings": reverse("notifications:preferences"),
        "password": reverse("password_change"),
        "evaluation settings": reverse("evaluation:settings", args=[STANDARD, "hebei"]),
    }
    if person in ("province_inspector", "city_inspector"):
        call = BriefingCall.objects.get(city=world.city)
        out |= {"briefing calls": reverse("briefings:city", args=[world.city.code]),
                "briefing call": reverse("briefings:call", args=[call.pk])}  # fmt: skip
    if person in ("province_inspector", "city_inspector", "county_supervisor"):
        code = world.county.code
        out |= {
            "balance of 示范县": reverse("overview:balance", args=[code, YEAR, STANDARD]),
            "what-if of 示范县": reverse("overview:whatif", args=[code, YEAR, STANDARD]),
            "county items of 示范县": reverse("evaluation:items", args=[code, YEAR, STANDARD]),
            "surveys of 示范县": reverse("surveys:county", args=[code]),
            "the survey": reverse("surveys:survey", args=[survey_pk]),
            "reports": reverse("reports:home"),
            "reports of 示范县": reverse("reports:county", args=[code, YEAR, STANDARD]),
            "report texts of 示范县": reverse("reports:practice", args=[code, YEAR, STANDARD]),
            "briefing of 示范县": reverse("briefings:county", args=[code, timezone.localdate().strftime("%Y-%m")]),
            "evidence of 示范县 by indicator": reverse("evidence:by_indicator", args=[code, YEAR, STANDARD]),
            "births of 示范县": reverse("planning:births", args=[code]),
            "enrolment forecast of 示范县": reverse("planning:forecast", args=[code, YEAR, STANDARD]),
            "seats of 示范县": reverse("planning:seats", args=[code, YEAR, STANDARD]),
            "projected compliance of 示范县": reverse("planning:projected", args=[code, YEAR, STANDARD]),
        }
    if person == "county_supervisor":
        out["a new known change of 示范县"] = reverse("planning:change_new", args=[world.county.code])
    return out


@pytest.fixture
def everything(census: World, settings, tmp_path) -> tuple[World, rectification_matrix.Setup, int]:
    """The evaluated county of the browser tests, its rectification (a task reported with evidence,
    one overdue, one for an education section), notifications and an open survey."""
    settings.MEDIA_ROOT = tmp_path
    rect = make_rect(census)
    plan = plan_of(census)
    finance = task_for(plan, rect.finance, cooperating=[rect.hr], title="落实教育经费“两个只增不减”")
    section = task_for(plan, rect.personnel, title="核定教师编制")
    task_for(plan, rect.finance, days=-35, title="完成示范县河西小学运动场改造")
    report = actions.report_progress(SYSTEM, finance, "资金已拨付", 50, files=[SimpleUploadedFile("拨付.pdf", PDF)])
    census.county.resident_population = 300_000
    census.county.save()
    survey = surveys.create_survey(census.county_supervisor, census.county, YEAR, "2025年社会认可度调查")
    surveys.set_status(census.county_supervisor, survey, "open")
    period = timezone.localdate().strftime("%Y-%m")
    call_briefings(SYSTEM, census.city, period, timezone.localdate() + dt.timedelta(days=7))
    submit_briefing(SYSTEM, census.county, period)
    return census, rectification_matrix.Setup(rect, finance, section, report.evidence.get()), survey.pk


def slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name).strip("-")[:60]


def axe_problems(page: Page) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is drawn now (axe is loaded
    into every page by ``load_axe``: an init script, which the Content-Security-Policy does not block)."""
    assert page.evaluate("typeof window.axe !== 'undefined'"), "axe-core is not loaded"
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:4]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("person", PERSONAS)
def test_every_page_is_accessible_and_fits_a_phone(
    page: Page, everything: tuple[World, rectification_matrix.Setup, int], person: str
) -> None:
    world, setup, survey_pk = everything
    who = getattr(world, person)
    pages = {**own_pages(person, world, survey_pk), **matrix_pages(person, world, setup)}
    folder = ARTIFACTS / person
    folder.mkdir(parents=True, exist_ok=True)
    page.context.add_init_script(path=str(AXE))
    log_in(page, who)
    found: dict[str, list[str]] = {}
    for name, url in pages.items():
        for label, viewport, check in (("1366", DESKTOP, None), ("390", PHONE, fits_phone)):
            page.set_viewport_size(viewport)
            response = page.goto(url)
            assert response is not None and response.status == 200, (person, name, url)
            page.wait_for_load_state("load")
            screenshot(page, folder / f"{slug(name)}-{label}.png")
            problems = axe_problems(page)
            if check is not None:
                try:
                    check(page)
                except AssertionError as misfit:
                    problems.append(str(misfit).splitlines()[0])
            if problems:
                found[f"{name} ({url}) at {label}"] = problems
    assert found == {}, "\n".join(f"{where}:\n  " + "\n  ".join(p) for where, p in found.items())
