"""Menus per role, the county subnav on every county page and the school switcher, through HTTP."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dudao.census.actions import save_record
from dudao.evaluation.actions import evaluate_county
from dudao.orgs.models import Membership, Role
from dudao.surveys import actions as surveys
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import PASSWORD, SYSTEM, YEAR, World, client_for
from tests.rectification.conftest import make_rect, plan_of, task_for

STANDARD = "national-2017"


def menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-menu".*?</nav>', html, re.S)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(0)) if nav else []


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (
            "county_supervisor",
            ["工作台", "县域总览", "规划测算", "整改督办", "自查自评与迎检", "工作简报", "后台任务", "机构与账号"],
        ),
        ("observer", ["工作台", "县域总览", "规划测算", "整改督办", "自查自评与迎检", "后台任务", "机构与账号"]),
        ("city_inspector", ["工作台", "各县对比", "整改督办", "自查自评与迎检", "工作简报", "后台任务", "机构与账号"]),
        ("province_inspector", ["工作台", "各县对比", "整改督办", "自查自评与迎检", "后台任务", "机构与账号"]),
        ("department_clerk", ["工作台", "我的任务"]),
        ("school_clerk", ["工作台", "本校填报"]),  # nothing that would be empty for them
    ],
)
def test_each_role_sees_what_it_can_use(world: World, person: str, expected: list[str]) -> None:
    client = client_for(getattr(world, person))
    page = client.get(reverse("password_change")).content.decode()
    assert menu(page) == expected
    for link in re.findall(r'<nav class="main-menu".*?</nav>', page, re.S)[0].split('href="')[1:]:
        response = client.get(link.split('"')[0], follow=True)
        assert response.status_code == 200, (person, link)


def test_the_latest_year_links_check_access(world: World) -> None:
    save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 500})
    clerk = client_for(world.school_clerk)
    assert clerk.get(reverse("school_latest", args=[world.primary.code])).url == reverse(
        "census:school", args=[world.primary.code, YEAR]
    )
    assert clerk.get(reverse("school_latest", args=[world.junior.code])).status_code == 404
    city = client_for(world.city_inspector)
    assert city.get(reverse("region_latest", args=[world.city.code])).url == reverse(
        "overview:region", args=[world.city.code, YEAR, STANDARD]
    )
    assert city.get(reverse("region_latest", args=[world.county.code])).status_code == 404  # not a city
    assert city.get(reverse("region_latest", args=[world.other_province.code])).status_code == 404


def county_pages(world: World, survey_pk: int, run_pk: int, task_pk: int) -> dict[str, str]:
    code = world.county.code
    return {
        "census": reverse("census:completeness", args=[code, YEAR]),
        "items": reverse("evaluation:items", args=[code, YEAR, STANDARD]),
        "run": reverse("evaluation:run", args=[run_pk]),
        "rectification": reverse("rectification:dashboard", args=[code]),
        "task": reverse("rectification:task", args=[task_pk]),
        "surveys": reverse("surveys:county", args=[code]),
        "survey": reverse("surveys:survey", args=[survey_pk]),
        "reports": reverse("reports:county", args=[code, YEAR, STANDARD]),
        "draws": reverse("reports:draws", args=[code, YEAR, STANDARD]),
    }


def test_the_county_subnav_is_on_every_county_page(world: World) -> None:
    save_record(SYSTEM, world.primary, YEAR, "primary", {k: v for k, v in PRIMARY.items() if k != "school_type"})
    save_record(SYSTEM, world.junior, YEAR, "junior", {k: v for k, v in JUNIOR.items() if k != "school_type"})
    run = evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    rect = make_rect(world)
    task = task_for(plan_of(world), rect.finance)
    survey = surveys.create_survey(world.county_supervisor, world.county, YEAR, "调查")
    pages = county_pages(world, survey.pk, run.pk, task.pk)
    for person in (world.county_supervisor, world.city_inspector):
        client = client_for(person)
        for name, url in pages.items():
            page = client.get(url).content.decode()
            assert 'id="county-nav"' in page, (person.username, name)
            assert reverse("overview:county", args=[world.county.code, YEAR, STANDARD]) in page, name
    current = client_for(world.county_supervisor).get(pages["census"]).content.decode()
    assert re.search(r'aria-current="page">填报进度<', current)
    clerk_page = client_for(rect.finance_clerk).get(pages["task"]).content.decode()
    assert 'id="county-nav"' not in clerk_page  # a department's clerk does not see the county's pages


def test_a_clerk_of_several_schools_switches_between_them(world: World) -> None:
    clerk = User.objects.create_user("城关镇填报员", password=PASSWORD)
    for school in (world.primary, world.junior):
        Membership.objects.create(user=clerk, role=Role.SCHOOL_CLERK, school=school)
    page = client_for(clerk).get(reverse("census:school", args=[world.primary.code, YEAR])).content.decode()
    nav = re.search(r'<nav class="subnav" id="school-nav".*?</nav>', page, re.S).group(0)
    assert re.search(r'aria-current="page">示范县第一小学<', nav)
    assert f'href="{reverse("census:school", args=[world.junior.code, YEAR])}">示范县第一中学<' in nav
    assert (
        'id="school-nav"'
        not in client_for(world.school_clerk)
        .get(reverse("census:school", args=[world.primary.code, YEAR]))
        .content.decode()
    )  # one school: nothing to switch
