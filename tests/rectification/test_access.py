"""Every role × every rectification page, own and other unit: the exact status. A department clerk
sees their own department's tasks (and those it cooperates on); any other task is a 404, whether
reached by a list or by guessing the URL. Adding a page means adding a row."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from dudao.rectification import actions
from dudao.rectification.models import Task, TaskEvidence
from tests.personas import SYSTEM, client_for
from tests.rectification.conftest import PDF, Rect, plan_of, task_for
from tests.worlds import build_shared, copy_for_test

PEOPLE = [
    "province_inspector", "city_inspector", "county_supervisor", "department_clerk", "school_clerk", "observer",
    "neighbour_supervisor", "neighbour_clerk", "hr_clerk", "personnel_clerk", "bureau_clerk", "town_clerk",
]  # fmt: skip
COUNTY_HOMED = ["county_supervisor", "observer", "neighbour_supervisor"]  # "my tasks" takes them to the county
COUNTY_VIEW = {"province_inspector": 200, "city_inspector": 200, "county_supervisor": 200, "observer": 200}
COUNTY_REVIEW_POST = {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 400}


@dataclass
class Setup:
    rect: Rect
    finance_task: Task  # 财政局 leads, 人社局 cooperates
    section_task: Task  # 教育局人事科 leads (the bureau's clerk answers for its sections too)
    evidence: TaskEvidence


def make_setup(rect: Rect) -> Setup:
    plan = plan_of(rect.world)
    finance = task_for(plan, rect.finance, cooperating=[rect.hr])
    section = task_for(plan, rect.personnel, title="核定教师编制")
    report = actions.report_progress(
        SYSTEM, finance, "资金已拨付", 50, files=[SimpleUploadedFile("拨付文件.pdf", PDF)]
    )  # fmt: skip
    return Setup(rect, finance, section, report.evidence.get())


@pytest.fixture(scope="module")
def shared_setup(
    request: pytest.FixtureRequest, shared_rect: Rect | None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Setup, Path] | None:
    """The plan, tasks and evidence file, built once for the module's tests (tests/worlds.py)."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media):
        built = build_shared(request, "setup", make_setup, shared_rect) if shared_rect else None
    return (built, media) if built else None


@pytest.fixture
def setup(rect: Rect, shared_setup: tuple[Setup, Path] | None, world_copies: dict, settings, tmp_path) -> Setup:
    if shared_setup is None:
        settings.MEDIA_ROOT = tmp_path
        return make_setup(rect)
    settings.MEDIA_ROOT = shared_setup[1]
    return copy_for_test(shared_setup[0], world_copies)


def person(s: Setup, name: str):
    return getattr(s.rect, name, None) or getattr(s.rect.world, name)


def county_page(name: str, code: str = "county") -> tuple:
    return ("get", lambda s: reverse(f"rectification:{name}", args=[getattr(s.rect.world, code).code]))


PAGES = {
    "dashboard of 示范县": (*county_page("dashboard"), COUNTY_VIEW),
    "items of 示范县": (*county_page("items"), COUNTY_VIEW),
    "plans of 示范县": (*county_page("plans"), COUNTY_VIEW),
    "meetings of 示范县": (*county_page("meetings"), COUNTY_VIEW),
    "liaison of 示范县": (*county_page("liaison"), COUNTY_VIEW),
    "bulletins of 示范县": (*county_page("bulletins"), COUNTY_VIEW),
    "dashboard of 邻县": (
        *county_page("dashboard", "neighbour"),
        {"province_inspector": 200, "city_inspector": 200, "neighbour_supervisor": 200},
    ),
    "dashboard of a city code": (*county_page("dashboard", "city"), {}),
    "dashboard in another province": (*county_page("dashboard", "other_county"), {}),
    "the plan": ("get", lambda s: reverse("rectification:plan", args=[s.finance_task.plan_id]), COUNTY_VIEW),
    "the plan's export": (
        "get", lambda s: reverse("rectification:export_tasks", args=[s.finance_task.plan_id]), COUNTY_VIEW,
    ),
    "财政局's task": (
        "get", lambda s: reverse("rectification:task", args=[s.finance_task.pk]),
        {**COUNTY_VIEW, "department_clerk": 200, "hr_clerk": 200},
    ),
    "人事科's task": (
        "get", lambda s: reverse("rectification:task", args=[s.section_task.pk]),
        {**COUNTY_VIEW, "personnel_clerk": 200, "bureau_clerk": 200},
    ),
    "财政局's evidence file": (
        "get", lambda s: reverse("rectification:evidence", args=[s.evidence.pk]),
        {**COUNTY_VIEW, "department_clerk": 200, "hr_clerk": 200},
    ),
    "report on 财政局's task (empty form)": (
        "post", lambda s: reverse("rectification:report", args=[s.finance_task.pk]),
        {**{k: 403 for k in COUNTY_VIEW}, "department_clerk": 400, "hr_clerk": 403},
    ),
    "report on 人事科's task (empty form)": (
        "post", lambda s: reverse("rectification:report", args=[s.section_task.pk]),
        {**{k: 403 for k in COUNTY_VIEW}, "personnel_clerk": 400, "bureau_clerk": 400},
    ),
    "accept 财政局's task (not reported done)": (
        "post", lambda s: reverse("rectification:accept", args=[s.finance_task.pk]),
        {**COUNTY_REVIEW_POST, "department_clerk": 403, "hr_clerk": 403},
    ),
    "return 财政局's task (no reason)": (
        "post", lambda s: reverse("rectification:return", args=[s.finance_task.pk]),
        {**COUNTY_REVIEW_POST, "department_clerk": 403, "hr_clerk": 403},
    ),
    "edit 财政局's task (a past deadline)": (
        "post", lambda s: reverse("rectification:edit", args=[s.finance_task.pk]),
        {**COUNTY_REVIEW_POST, "department_clerk": 403, "hr_clerk": 403},
    ),
    "generate items for 示范县 (no census)": (
        "post", lambda s: reverse("rectification:generate", args=[s.rect.world.county.code]), COUNTY_REVIEW_POST,
    ),
    "add a task to the plan (empty form)": (
        "post", lambda s: reverse("rectification:add_task", args=[s.finance_task.plan_id]), COUNTY_REVIEW_POST,
    ),
    "issue a bulletin (no dates)": (
        "post", lambda s: reverse("rectification:bulletins", args=[s.rect.world.county.code]), COUNTY_REVIEW_POST,
    ),
    "record a meeting (empty form)": (
        "post", lambda s: reverse("rectification:meetings", args=[s.rect.world.county.code]), COUNTY_REVIEW_POST,
    ),
    "add a leader (empty form)": (
        "post", lambda s: reverse("rectification:liaison_change", args=[s.rect.world.county.code, "leader"]),
        COUNTY_REVIEW_POST,
    ),
    "record a finding (empty form)": (
        "post", lambda s: reverse("rectification:add_item", args=[s.rect.world.county.code]),
        {"province_inspector": 400, "city_inspector": 400, "observer": 403, "county_supervisor": 400},
    ),
    "notifications": ("get", lambda s: reverse("notifications:centre"), dict.fromkeys(PEOPLE, 200)),
    "my tasks": (
        "get", lambda s: reverse("rectification:mine"),
        {**dict.fromkeys(PEOPLE, 200), **dict.fromkeys(COUNTY_HOMED, 302)},
    ),
}  # fmt: skip

DATA = {"edit 财政局's task (a past deadline)": {"deadline": "2000-01-01"}}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("who", PEOPLE)
def test_access_matrix(setup: Setup, who: str, page: str) -> None:
    method, url, expected = PAGES[page]
    client = client_for(person(setup, who))
    args = (url(setup), DATA.get(page, {})) if method == "post" else (url(setup),)
    response = getattr(client, method)(*args)
    assert response.status_code == expected.get(who, 404), (who, page)


def test_nobody_anonymous_gets_in(setup: Setup) -> None:
    for name, (method, url, _) in PAGES.items():
        response = getattr(Client(), method)(url(setup))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_a_clerk_lists_only_their_own_departments_tasks(setup: Setup) -> None:
    client = client_for(setup.rect.finance_clerk)
    page = client.get(reverse("rectification:mine"))
    assert "完成城区学校扩容" in page.text and "核定教师编制" not in page.text
    client.force_login(setup.rect.bureau_clerk)  # the bureau's clerk: its sections' tasks too
    page = client.get(reverse("rectification:mine"))
    assert "核定教师编制" in page.text and "完成城区学校扩容" not in page.text


def test_a_department_clerk_lands_on_their_tasks(setup: Setup) -> None:
    client = client_for(setup.rect.finance_clerk)
    response = client.get(reverse("home"))
    assert response.status_code == 200 and 'id="my-tasks"' in response.text  # the work home lists them
    assert reverse("rectification:task", args=[setup.finance_task.pk]) in response.text
    assert reverse("rectification:task", args=[setup.section_task.pk]) not in response.text
