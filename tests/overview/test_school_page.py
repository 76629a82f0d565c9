"""The school page (学校详情) through HTTP: each indicator against its threshold with the gap in planning
units, the history over the years with a result, the census records with review status and timeline."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dudao.census import actions as census
from dudao.evaluation.actions import evaluate_county
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.models import Membership, Role, School
from dudao.rectification.actions import generate_items
from dudao.rectification.models import RectificationItem
from tests.engine.schools import PRIMARY
from tests.evaluation.test_stored_evaluation import NINE_YEAR
from tests.overview.test_cockpit import STANDARD, cockpit_url, county_census, figures, section, text
from tests.personas import SYSTEM, YEAR, World, client_for, evaluate


def school_url(school: School, year: int = YEAR, standard: str = STANDARD) -> str:
    return reverse("overview:school", args=[school.code, year, standard])


def row_cells(html: str, table: str, first: str) -> list[str]:
    """The cells of the row of table ``table`` whose first cell starts with ``first``."""
    block = re.search(rf'<table data-table="{table}">.*?</table>', html, re.S).group(0)
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S):
        cells = [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0].startswith(first):
            return cells
    raise AssertionError(f"no row {first!r} in {table}")


@pytest.fixture
def stored(world: World) -> dict[str, School]:
    schools = county_census(world)
    evaluate(world.county)
    return schools


def test_each_indicator_against_its_threshold_with_the_gap(world: World, stored: dict) -> None:
    page = client_for(world.county_supervisor).get(school_url(stored["weak"]))
    assert page.status_code == 200
    run = EvaluationRun.objects.get()
    entry = next(s for s in run.result["schools"] if s["school_code"] == stored["weak"].code)
    l2 = entry["indicators"]["L2"]
    assert (l2["value"], l2["threshold"], l2["met"], l2["gap"]) == (0.4, 1.0, False, 3)
    cells = row_cells(page.text, "indicators-primary", "L2")
    assert cells[2:] == ["0.40", "1.00", "未达标", f"{l2['ratio'] * 100:.1f}%", "缺 3 名县级及以上骨干教师"]
    assert row_cells(page.text, "indicators-primary", "L1")[4:] == ["达标", "119.0%", "无"]
    part = section(page.text, "indicators")
    assert "每校要求：未达标" in text(part) and "6/7 项达标" in text(part)
    for reason in entry["reasons"]:
        assert reason["message_zh"] in page.text
    csv = client_for(world.county_supervisor).get(
        school_url(stored["weak"]) + "?download=indicators-primary&format=csv"
    )
    assert "缺 3 名县级及以上骨干教师" in csv.content.decode("utf-8-sig")


def test_the_history_shows_each_year_with_a_result(world: World, stored: dict) -> None:
    census.save_record(SYSTEM, stored["weak"], YEAR - 1, "primary", figures(PRIMARY, backbone_teachers=1))
    census.save_record(SYSTEM, world.primary, YEAR - 1, "primary", figures(PRIMARY))
    before = evaluate_county(SYSTEM, world.county, YEAR - 1, STANDARD)
    page = client_for(world.county_supervisor).get(school_url(stored["weak"]))
    history = section(page.text, "history")
    then = row_cells(history, "history", str(YEAR - 1))
    now = row_cells(history, "history", str(YEAR))
    old = next(s for s in before.result["schools"] if s["school_code"] == stored["weak"].code)
    assert then[:4] == [str(YEAR - 1), "小学", f"{old['met_count']}/7", "未达标"]
    assert then[5] == f"{old['indicators']['L2']['value']:.2f}" == "0.20"
    assert now[5] == "0.40"
    chart = json.loads(
        re.search(r'<script id="history-data" type="application/json">(.*?)</script>', page.text).group(1)
    )
    assert chart["primary"]["years"] == [str(YEAR - 1), str(YEAR)]
    assert chart["primary"]["series"]["L2"] == [20.0, 40.0]
    assert 'id="history-chart-primary"' in history and "vendor/echarts/echarts.min.js" in history
    # one year alone gives the table, no chart
    alone = client_for(world.county_supervisor).get(school_url(world.junior))
    assert "history-data" not in alone.text and row_cells(alone.text, "history", str(YEAR))


def test_the_census_record_with_review_status_and_timeline(world: World, stored: dict) -> None:
    record = census.submit(SYSTEM, census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {}).record)
    census.return_record(world.county_supervisor, record, "骨干教师人数与花名册不符")
    page = client_for(world.county_supervisor).get(school_url(stored["weak"]))
    block = section(page.text, "census-record")
    assert reverse("census:school", args=[stored["weak"].code, YEAR]) in block and 'id="census-entry-link"' in block
    assert row_cells(block, "census-records", "小学")[1:3] == ["已退回", "1"]
    assert "骨干教师人数与花名册不符" in row_cells(block, "census-records", "小学")[5]
    timeline = re.search(r'<table data-table="timeline-primary">.*?</table>', block, re.S).group(0)
    assert "提交" in timeline and "退回" in timeline and "县督导" in timeline
    assert "本校没有整改事项。" in section(page.text, "rectification")


def test_the_schools_rectification_items_with_their_tasks(world: World, stored: dict) -> None:
    generate_items(world.county_supervisor, world.county, YEAR, STANDARD)
    item = RectificationItem.objects.filter(school=stored["weak"]).first()
    assert item is not None
    block = section(client_for(world.county_supervisor).get(school_url(stored["weak"])).text, "rectification")
    assert item.target in block and reverse("rectification:task", args=[item.task.pk]) in block
    assert "整改中" in block and item.task.department.name in block
    clerk = User.objects.create_user("weak-clerk", password="dudao-test")
    Membership.objects.create(user=clerk, role=Role.SCHOOL_CLERK, school=stored["weak"])
    own = section(client_for(clerk).get(school_url(stored["weak"])).text, "rectification")
    assert item.target in own and "/rectification/task/" not in own  # read here; the task is the county's
    csv = client_for(clerk).get(school_url(stored["weak"]) + "?download=rectification&format=csv")
    assert csv.status_code == 200 and item.target in csv.content.decode("utf-8-sig")


def test_a_nine_year_school_shows_both_level_parts(
    world: World, stored: dict, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        census.save_record(SYSTEM, world.nine_year, YEAR, "all", NINE_YEAR)
    page = client_for(world.county_supervisor).get(school_url(world.nine_year))
    assert 'id="part-primary"' in page.text and 'id="part-junior"' in page.text
    assert "一贯制学校按学段分摊后的数据" in page.text
    assert row_cells(page.text, "census-records", "全校")


def test_a_school_without_data_says_so(world: World, stored: dict) -> None:
    page = client_for(world.county_supervisor).get(school_url(world.nine_year))
    assert page.status_code == 200 and "本校本学年没有可评估的统计数据" in page.text
    assert reverse("census:school", args=[world.nine_year.code, YEAR]) in page.text


def test_nothing_evaluable_is_said_not_a_500(world: World) -> None:
    page = client_for(world.school_clerk).get(school_url(world.primary))
    assert page.status_code == 200 and "没有学校统计数据，无法评估" in section(page.text, "evaluation-error")


def test_from_the_cockpit_to_a_failing_school_to_its_census_form(world: World, stored: dict) -> None:
    county = client_for(world.county_supervisor)
    cockpit = county.get(cockpit_url(world.county))
    link = re.search(r'<a href="([^"]+)">示范县短板小学</a>', section(cockpit.text, "failing-schools")).group(1)
    school = county.get(link)
    assert school.status_code == 200 and '<h1 id="school-title">示范县短板小学' in school.text
    entry = re.search(r'<a id="census-entry-link" href="([^"]+)"', school.text).group(1)
    form = county.get(entry)
    assert form.status_code == 200 and 'name="primary-backbone_teachers"' in form.text


def test_a_clerk_sees_their_school_without_the_county_pages(world: World, stored: dict) -> None:
    page = client_for(world.school_clerk).get(school_url(world.primary))
    assert page.status_code == 200 and "示范县第一小学" in page.text
    assert 'id="county-nav"' not in page.text and cockpit_url(world.county) not in page.text
    county = client_for(world.county_supervisor).get(school_url(world.primary))
    assert 'id="county-nav"' in county.text and cockpit_url(world.county) in county.text


def test_english(world: World, stored: dict) -> None:
    page = client_for(world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en").get(school_url(stored["weak"]))
    assert "County-level-or-above backbone teachers: 3 persons short" in page.text
    assert "Indicators against the standard" in page.text and "Per-school rule: not met" in text(page.text)


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("overview:school", args=["0000000000", YEAR, STANDARD]),
        lambda w: reverse("overview:school", args=[w.primary.code, 1999, STANDARD]),
        lambda w: reverse("overview:school", args=[w.primary.code, YEAR, "national-2099"]),
        lambda w: reverse("overview:school", args=[w.primary.code, YEAR, "preschool-2020"]),
        lambda w: reverse("overview:school", args=[w.primary.code, 2010, STANDARD]),  # no attributes that year
    ],
)
def test_addresses_that_do_not_exist_are_404(world: World, url) -> None:
    assert client_for(world.county_supervisor).get(url(world)).status_code == 404
