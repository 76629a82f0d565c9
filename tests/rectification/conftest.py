"""Fixtures for rectification: 示范县's departments and clerks on top of the ``world`` personas, a
stored census whose evaluation has shortfalls, and helpers to log in and to make tasks.

    示范县财政局 (world.finance, clerk 财政联络员)      示范县人力资源和社会保障局 (clerk 人社联络员)
    示范县编办                                          示范县发展和改革局, 示范县住房和城乡建设局
    示范县教育局 (clerk 教育局联络员) › 示范县教育局人事科 (clerk 人事科联络员), 示范县教育局装备中心
    城关镇人民政府 (the town of world.town, clerk 城关镇联络员)
    邻县财政局 (the neighbour's, clerk 邻县财政联络员)

示范县第一小学 is short of PE/art teachers (L3, gap 3 persons) and teaching space (L4, gap 250 m²)
and fails the per-school rule; 示范县第一中学 meets everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User

from dudao.census.actions import save_record
from dudao.orgs.models import Department, Membership, Role, SchoolYear
from dudao.rectification import actions
from dudao.rectification.models import Task, WorkPlan
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import PASSWORD, SYSTEM, YEAR, World, client_for
from tests.worlds import build_shared, copy_for_test

STANDARD = "national-2017"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class Rect:
    world: World
    finance: Department
    hr: Department
    staffing: Department
    development: Department
    housing: Department
    bureau: Department
    personnel: Department
    equipment: Department
    town_government: Department
    neighbour_finance: Department
    finance_clerk: User
    hr_clerk: User
    bureau_clerk: User
    personnel_clerk: User
    town_clerk: User
    neighbour_clerk: User


def _clerk(username: str, department: Department, email: str = "") -> User:
    user = User.objects.create_user(username, password=PASSWORD, email=email)
    Membership.objects.create(user=user, role=Role.DEPARTMENT_CLERK, department=department)
    return user


@pytest.fixture(scope="module")
def shared_rect(request: pytest.FixtureRequest, shared_world: World | None) -> Rect | None:
    """The module's ``rect`` on its shared world (tests/worlds.py); None where the module does not share it."""
    return build_shared(request, "rect", make_rect, shared_world) if shared_world else None


@pytest.fixture
def rect(world: World, shared_rect: Rect | None, world_copies: dict[int, Any]) -> Rect:
    return copy_for_test(shared_rect, world_copies) if shared_rect else make_rect(world)


def make_rect(world: World) -> Rect:
    """The departments and clerks above, on ``world``."""
    county = world.county
    dept = {
        kind: Department.objects.create(county=county, name=name, kind=kind)
        for name, kind in (
            ("示范县人力资源和社会保障局", "hr"), ("示范县编办", "staffing"), ("示范县发展和改革局", "development"),
            ("示范县住房和城乡建设局", "housing"), ("示范县教育局", "education"), ("城关镇人民政府", "town"),
        )
    }  # fmt: skip
    personnel = Department.objects.create(
        county=county, name="示范县教育局人事科", kind="education_section", parent=dept["education"]
    )
    equipment = Department.objects.create(
        county=county, name="示范县教育局装备中心", kind="education_section", parent=dept["education"]
    )
    neighbour_finance = Department.objects.create(county=world.neighbour, name="邻县财政局", kind="finance")
    SchoolYear.objects.filter(school__county=county).update(town=world.town)
    world.finance_clerk_email = "finance@example.cn"
    User.objects.filter(pk=world.department_clerk.pk).update(email="finance@example.cn")
    return Rect(
        world=world, finance=world.finance, hr=dept["hr"], staffing=dept["staffing"],
        development=dept["development"], housing=dept["housing"], bureau=dept["education"], personnel=personnel,
        equipment=equipment, town_government=dept["town"], neighbour_finance=neighbour_finance,
        finance_clerk=world.department_clerk, hr_clerk=_clerk("人社联络员", dept["hr"], "hr@example.cn"),
        bureau_clerk=_clerk("教育局联络员", dept["education"]), personnel_clerk=_clerk("人事科联络员", personnel),
        town_clerk=_clerk("城关镇联络员", dept["town"]), neighbour_clerk=_clerk("邻县财政联络员", neighbour_finance),
    )  # fmt: skip


def figures(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**{k: v for k, v in base.items() if k != "school_type"}, **changes}


@pytest.fixture(scope="module")
def shared_census(request: pytest.FixtureRequest, shared_world: World | None) -> bool:
    """The module's ``census`` entered once on its shared world (tests/worlds.py)."""
    return shared_world is not None and build_shared(request, "census", enter_census, shared_world) is not None


@pytest.fixture
def census(world: World, shared_census: bool) -> None:
    """示范县第一小学 short of PE/art teachers and teaching space; 示范县第一中学 meets everything."""
    if not shared_census:
        enter_census(world)


def enter_census(world: World) -> World:
    save_record(SYSTEM, world.primary, YEAR, "primary", figures(PRIMARY, pe_art_teachers=2, teaching_aux_area_m2=2000))
    save_record(SYSTEM, world.junior, YEAR, "junior", figures(JUNIOR))
    return world


login = client_for  # the one login helper (tests.personas.client_for) under the name older tests import


def plan_of(world: World, title: str = "示范县推进义务教育优质均衡发展工作方案") -> WorkPlan:
    return actions.create_plan(
        SYSTEM, world.county, title, YEAR, doc_no="示政办〔2025〕17号", goal="2027年通过国家评估"
    )


def task_for(
    plan: WorkPlan, department: Department, days: int = 90, title: str = "完成城区学校扩容", **kw: Any
) -> Task:
    """A task made as the system; ``days`` may be negative (the deadline is then written directly,
    as the past cannot be chosen through the action)."""
    deadline = actions.today() + dt.timedelta(days=max(days, 0))
    task = actions.create_task(SYSTEM, plan, actions.TaskSpec(title, department, deadline, **kw))
    if days < 0:
        Task.objects.filter(pk=task.pk).update(deadline=actions.today() + dt.timedelta(days=days))
        task.refresh_from_db()
    return task
