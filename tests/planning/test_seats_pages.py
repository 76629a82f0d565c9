"""学位预警 (planning:seats) and 达标预测 (planning:projected) through HTTP, as the personas see them:
capacities and gaps hand-computed from the stored census (classrooms × 45 / 50), the same figures in the
downloads, the towns' chart data beside its table, each future year evaluated by the engine; errors as a
message or a 404, never a 500; English."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from dudao.census.actions import save_record
from dudao.census.models import CensusRecord
from dudao.orgs.models import SchoolYear
from dudao.planning.models import KnownChange
from tests.evaluation.test_stored_evaluation import store_county
from tests.personas import SYSTEM, YEAR, World, client_for, evaluate

STANDARD = "national-2017"
CJK = re.compile(r"[\u4e00-\u9fff]")
# 示范县 (tests/evaluation/test_stored_evaluation.py) with rooms: school code → (classrooms, classes).
ROOMS = {
    "1399010001": (20, None),  # 第一小学, 1000 pupils: 20 × 45 = 900 seats, 100 short today
    "1399010011": (None, 6),  # 河西小学, 200 pupils: 6 classes × 45 = 270 (estimated)
    "1399010012": (12, None),  # 东关小学, 500 pupils: 540
    "1399010002": (20, None),  # 第一中学, 900 pupils: 20 × 50 = 1000
    "1399010013": (None, None),  # 河西中学: no capacity
    # 九年一贯制, 500 + 300 pupils, 16 rooms: 10 primary rooms (450 seats, 50 short), 6 junior (300 seats)
    "1399010003": (16, None),
}
TOWN_SCHOOLS = ("1399010001", "1399010012", "1399010002")  # in 城关镇; the others name no town


def url(world: World, name: str = "planning:seats", year: int = YEAR, standard: str = STANDARD) -> str:
    return reverse(name, args=[world.county.code, year, standard])


def rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), response
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def stored(world: World) -> None:
    records = store_county(world)
    for code, (classrooms, classes) in ROOMS.items():
        record = records[code]
        figures = {k: v for k, v in (("classrooms", classrooms), ("classes", classes)) if v is not None}
        if figures:
            save_record(SYSTEM, record.school, YEAR, record.level, figures, expected_version=record.version)
    SchoolYear.objects.filter(school__code__in=TOWN_SCHOOLS, year=YEAR).update(town=world.town)
    evaluate(world.county)


def test_the_warning_list_with_hand_computed_gaps(world: World, stored) -> None:
    page = client_for(world.county_supervisor).get(url(world), {"download": "warnings", "format": "csv"})
    table = rows(page)
    assert table[0] == ["范围", "学校或乡镇", "乡镇", "学段", "首次超容年份", "当年缺口（学位）", "当年预测在校生",
                        "容量（学位）", "最大缺口（学位）", "最大缺口年份"]  # fmt: skip
    # One year of history: the forecast keeps today's pupils (its naive method), so the gaps stay as today's.
    assert table[1:] == [
        ["学校", "示范县第一小学", "城关镇", "小学", "2025", "100", "1000", "900", "100", "2025"],
        ["乡镇", "城关镇", "城关镇", "小学", "2025", "60", "1500", "1440", "60", "2025"],
        ["学校", "示范县城关九年一贯制学校", "", "小学", "2025", "50", "500", "450", "50", "2025"],
    ]


def test_the_warning_list_sorts(world: World, stored) -> None:
    client = client_for(world.county_supervisor)
    by_name = rows(client.get(url(world), {"sort": "name", "download": "warnings", "format": "csv"}))
    assert [r[1] for r in by_name[1:]] == sorted(r[1] for r in by_name[1:])
    by_gap = rows(client.get(url(world), {"sort": "gap", "download": "warnings", "format": "csv"}))
    assert [int(r[5]) for r in by_gap[1:]] == [100, 60, 50]
    assert client.get(url(world), {"sort": "nonsense"}).status_code == 404
    assert client.get(url(world), {"years": "9"}).status_code == 404
    assert client.get(url(world), {"scenario": "huge"}).status_code == 404


def test_capacity_per_school_and_its_basis(world: World, stored) -> None:
    table = rows(client_for(world.observer).get(url(world), {"download": "schools", "format": "csv"}))
    head = table[0]
    assert head[:6] == ["学校", "乡镇", "学段", "教室数", "容量依据", "容量（学位）"]
    assert head[6:] == [f"{y}年缺口" for y in range(2025, 2032)]
    got = {(r[0], r[2]): (r[3], r[4], r[5], r[6]) for r in table[1:]}
    assert got == {
        ("示范县第一小学", "小学"): ("20.0", "普通教室数", "900", "100"),
        ("示范县河西小学", "小学"): ("6.0", "班级数（估算）", "270", "-70"),
        ("示范县东关小学", "小学"): ("12.0", "普通教室数", "540", "-40"),
        ("示范县城关九年一贯制学校", "小学"): ("10.0", "普通教室数", "450", "50"),
        ("示范县第一中学", "初中"): ("20.0", "普通教室数", "1000", "-100"),
        ("示范县河西中学", "初中"): ("", "无数据", "", ""),
        ("示范县城关九年一贯制学校", "初中"): ("6.0", "普通教室数", "300", "0"),
    }


def test_each_towns_chart_has_the_numbers_of_the_towns_table(world: World, stored) -> None:
    client = client_for(world.county_supervisor)
    html = client.get(url(world)).text
    match = re.search(r'<script id="seats-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["years"] == list(range(2025, 2032))
    town = next(t for t in data["towns"] if t["name"] == "城关镇")
    primary = next(s for s in town["series"] if s["level"] == "primary")
    assert primary["pupils"] == [1500] * 7 and primary["capacity"] == [1440] * 7
    assert f'id="{town["id"]}"' in html
    towns = rows(client.get(url(world), {"download": "towns", "format": "csv"}))
    in_table = [(r[2], r[3], r[4]) for r in towns[1:] if r[0] == "城关镇" and r[1] == "小学"]
    assert in_table == [(str(y), "1500", "1440") for y in range(2025, 2032)]
    summary = rows(client.get(url(world), {"download": "town-summary", "format": "csv"}))
    assert ["城关镇", "小学", "1440", *["1500"] * 7, "2025"] in summary
    assert "vendor/echarts/echarts.min.js" in html and "dudao/seats.js" in html


def test_teacher_demand_by_the_staffing_ratio(world: World, stored) -> None:
    client = client_for(world.county_supervisor)
    totals = rows(client.get(url(world), {"download": "teacher-totals", "format": "csv"}))
    staffing = {r[0]: r[2:] for r in totals[1:] if r[1] == "教职工编制（按师生比）"}
    # Primary: 1000/19 → 53, 200/19 → 11, 500/19 → 27, 500/19 → 27 (nine-year part): 118 posts every year
    # (the pupils stay); full-time teachers 60 + 14 + 30 + 30 = 134, so no shortfall.
    assert staffing["小学"] == ["134", *["118"] * 7, "0"]
    # Junior: 900/13.5 → 67, 300/13.5 → 23, 300/13.5 → 23: 113; teachers 70 + 25 + 25 = 120.
    assert staffing["初中"] == ["120", *["113"] * 7, "0"]
    wide = rows(client.get(url(world), {"download": "teacher-totals", "format": "csv"}))
    assert wide[0][:3] == ["学段", "测算口径", "现有（人）"] and wide[0][3] == "2025年需要"
    per_school = rows(client.get(url(world), {"download": "teachers", "format": "csv"}))
    l5_free = {r[2] for r in per_school[1:]}
    assert l5_free == {"教职工编制（按师生比）", "L1 所需教师", "L2 所需教师", "L3 所需教师"}


def test_the_settings_name_the_unconfirmed_ratios(world: World, stored) -> None:
    html = client_for(world.county_supervisor).get(url(world)).text
    settings = text(html[html.index('id="seats-settings"') :])
    assert "小学标准班额（人）： 45" in settings or "小学标准班额（人）：45" in settings
    assert settings.count("未经核实") == 2


def test_projected_compliance_equal_to_today_when_pupils_stay(world: World, stored) -> None:
    client = client_for(world.county_supervisor)
    verdicts = rows(client.get(url(world, "planning:projected"), {"download": "verdicts", "format": "csv"}))
    assert [r[0] for r in verdicts[1:]] == [str(y) for y in range(2025, 2032)]
    today = verdicts[1][2:]
    assert all(r[2:] == today for r in verdicts[2:])  # the same pupils give today's result every year
    changes = rows(client.get(url(world, "planning:projected"), {"download": "schools", "format": "csv"}))
    assert changes[1:] == [["无"]] or len(changes) == 1


def test_a_housing_estate_makes_a_school_fail_in_a_later_year(world: World, stored) -> None:
    # 800 more pupils a year into 第一小学 from 2027 (a new estate). Its 60 teachers, 5000 m² … stay.
    KnownChange.objects.create(county=world.county, name="新城小区", school=world.primary, level="primary",
                               from_year=2027, pupils=800)  # fmt: skip
    client = client_for(world.county_supervisor)
    changes = rows(client.get(url(world, "planning:projected"), {"download": "schools", "format": "csv"}))
    first = {r[0]: r for r in changes[1:]}
    assert "示范县第一小学" in first, changes
    row = first["示范县第一小学"]
    assert row[2] == "转为未达标" and int(row[3]) >= 2027 and int(row[5]) > 1000
    summary = text(client.get(url(world, "planning:projected")).text)
    # 河西小学 fails today (L5 at 80 % of the standard), so the primary level fails already.
    assert "当年资源配置已不达标" in summary
    assert f"1 所学校（学段）将由达标转为未达标，最早在{row[3]}年" in summary
    # Each CV that turns to failing is named with its first year, its CV then and the limit.
    cvs = rows(client.get(url(world, "planning:projected"), {"download": "cvs", "format": "csv"}))
    head, named = cvs[0], 0
    for r in cvs[1:]:
        over = [y for y, v in zip(head[3:], r[3:], strict=True) if v and float(v) > float(r[2])]
        if over and float(r[3]) <= float(r[2]):  # passing today, failing later
            assert f"{r[0]} {r[1]}的差异系数{over[0]}年起超过限值" in summary
            named += 1
    assert named >= 1  # the estate's pupils spread 第一小学's figures from the others'
    warnings = rows(client.get(url(world), {"download": "warnings", "format": "csv"}))
    school = next(r for r in warnings[1:] if r[1] == "示范县第一小学")
    assert int(school[8]) > 100  # the largest gap grows with the estate


def test_english(world: World, stored) -> None:
    client = client_for(world.county_supervisor)
    client.post(reverse("set_language"), {"language": "en"})
    for name in ("planning:seats", "planning:projected"):
        html = client.get(url(world, name)).text
        # The settings name their sources by their titles (documents' names: data, as written).
        end = html.index('id="seats-settings"') if 'id="seats-settings"' in html else len(html)
        body = text(html[html.index("<main") : end])
        left = {c for c in CJK.findall(body)}
        names = "".join(["示范县第一小学示范县河西小学示范县东关小学示范县城关九年一贯制学校",
                         "示范县第一中学示范县河西中学城关镇教督〔2017〕6号"])  # fmt: skip
        assert left <= set(names) | set("小学初中"), (name, sorted(left - set(names)))


def test_no_census_is_a_message_not_a_500(world: World) -> None:
    client = client_for(world.county_supervisor)
    seats = client.get(url(world))
    assert seats.status_code == 200 and 'id="seats-error"' in seats.text
    projected = client.get(url(world, "planning:projected"))
    assert projected.status_code == 200 and 'id="projected-error"' in projected.text
    assert client.get(url(world), {"download": "warnings"}).status_code == 404


def test_who_sees_the_pages(world: World, stored) -> None:
    for user, status in ((world.province_inspector, 200), (world.observer, 200), (world.school_clerk, 404),
                         (world.neighbour_supervisor, 404)):  # fmt: skip
        for name in ("planning:seats", "planning:projected"):
            assert client_for(user).get(url(world, name)).status_code == status, (user, name)
    assert client_for(None).get(url(world)).status_code == 302
    assert client_for(world.county_supervisor).get(url(world, year=1990)).status_code == 404
    assert client_for(world.county_supervisor).get(url(world, standard="nope")).status_code == 404


def test_the_records_are_not_changed_by_a_visit(world: World, stored) -> None:
    before = list(CensusRecord.objects.values_list("pk", "version"))
    client_for(world.county_supervisor).get(url(world))
    client_for(world.county_supervisor).get(url(world, "planning:projected"))
    assert list(CensusRecord.objects.values_list("pk", "version")) == before


def test_the_api_gives_the_commands_json(world: World, stored) -> None:
    client = client_for(world.observer)
    api = f"/api/v1/planning/seats/{world.county.code}/{YEAR}"
    body = client.get(api).json()
    warnings = [(w["scope"], w["school_code"] or w["town"], w["first_year"], w["gap"]) for w in body["warnings"]]
    assert warnings == [
        ("school", "1399010001", 2025, 100),
        ("town", "城关镇", 2025, 60),
        ("school", "1399010003", 2025, 50),
    ]
    capacity = {(s["school_code"], s["level"]): s["capacity"] for s in body["schools"]}
    assert capacity[("1399010003", "primary")] == 450 and capacity[("1399010013", "junior")] is None
    levels = body["projected"]["levels"]
    assert sorted(levels) == [str(y) for y in range(2025, 2032)] and body["projected"]["schools"] == []
    assert client.get(api, {"years": "1"}).json()["warning_years"] == 1
    assert client.get(api, {"years": "0"}).status_code == 400
    assert client.get(api, {"standard": "nope"}).status_code == 400
    assert client_for(world.neighbour_supervisor).get(api).status_code == 404
    empty = client_for(world.county_supervisor).get(f"/api/v1/planning/seats/{world.county.code}/{YEAR - 5}")
    assert empty.status_code == 404 and empty.json()["code"] == "no_enrolment"


def test_a_run_without_its_inputs_is_told_not_a_500(world: World, stored) -> None:
    from dudao.evaluation.models import EvaluationRun

    EvaluationRun.objects.create(county=world.county, year=YEAR, standard_id=STANDARD, standard_version="test",
                                 data_version="-", result={}, passed=None)  # fmt: skip
    page = client_for(world.county_supervisor).get(url(world, "planning:projected"))
    assert page.status_code == 200 and "没有保存评估所用的数据" in page.text
    api = client_for(world.county_supervisor).get(f"/api/v1/planning/seats/{world.county.code}/{YEAR}")
    assert api.status_code == 200 and api.json()["projected"] is None
