"""Enrolment by grade (一年级 … 九年级在校生数) and classrooms (普通教室数) in the census (issue #14): optional
columns of the template, the import, the form and the API; the grades of a level add up to its pupils (the
census rule table's sum rules, each refusal naming sheet, row, column, value and rule in both languages);
schools that give only their totals stay valid; the engine's results do not change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from dudao.census import actions
from dudao.census.importing import import_census
from dudao.census.models import CensusRecord
from dudao.demo.synthetic import demo_county
from dudao.engine import InputError, county_result, evaluate_table
from dudao.sheets import read_school_table
from dudao.sheets.template import write_rows
from dudao.standards import load
from tests.api.conftest import FIGURES, call
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db

PRIMARY_GRADES = {"grade_1": 160, "grade_2": 170, "grade_3": 165, "grade_4": 168, "grade_5": 170, "grade_6": 167}
BASE = {"teachers": 60, "pe_art_teachers": 10, "teachers_above_qualification": 50, "backbone_teachers": 12}


def rows(world: World, **changes: dict[str, Any]) -> list[dict[str, Any]]:
    """示范县第一小学 by grade, 第一中学 with its total only, the nine-year school as one whole-school row by grade."""
    primary = {"school_code": world.primary.code, "school_name": "示范县第一小学", "school_type": "primary",
               "location": "urban", "ownership": "public", "students": 1000, **BASE, **PRIMARY_GRADES,
               "classrooms": 24}  # fmt: skip
    junior = {"school_code": world.junior.code, "school_name": "示范县第一中学", "school_type": "junior",
              "location": "urban", "ownership": "public", "students": 900, **BASE}  # fmt: skip
    nine = {"school_code": world.nine_year.code, "school_name": "示范县城关九年一贯制学校", "school_type": "nine_year",
            "location": "town", "ownership": "public", "students_primary": 300, "students_junior": 150,
            "teachers_primary": 20, "teachers_junior": 15, "pe_art_teachers_primary": 3, "pe_art_teachers_junior": 2,
            "teachers_above_qualification_primary": 18, "teachers_above_qualification_junior": 14,
            "backbone_teachers_primary": 3, "backbone_teachers_junior": 2, "teachers": 35, "pe_art_teachers": 5,
            "teachers_above_qualification": 32, "backbone_teachers": 5,
            **{f"grade_{g}": 50 for g in range(1, 7)}, "grade_7": 50, "grade_8": 50, "grade_9": 50}  # fmt: skip
    out = [primary, junior, nine]
    for i, key in enumerate(("primary", "junior", "nine")):
        out[i] = {**out[i], **changes.get(key, {})}
    return out


def workbook(tmp_path: Path, data: list[dict[str, Any]]) -> Path:
    path = tmp_path / "county.xlsx"
    write_rows(path, data)
    return path


def test_grades_and_classrooms_import_and_a_school_with_totals_only_stays_valid(world: World, tmp_path: Path) -> None:
    result = import_census(workbook(tmp_path, rows(world)), YEAR, county=world.county, user=SYSTEM)
    assert result.created == 3
    primary = CensusRecord.objects.get(school=world.primary, year=YEAR)
    assert {k: getattr(primary, k) for k in PRIMARY_GRADES} == PRIMARY_GRADES
    assert (primary.grade_7, primary.classrooms) == (None, 24)
    junior = CensusRecord.objects.get(school=world.junior, year=YEAR)
    assert [getattr(junior, f"grade_{g}") for g in range(1, 10)] == [None] * 9 and junior.classrooms is None
    whole = CensusRecord.objects.get(school=world.nine_year, year=YEAR, level="all")
    assert [getattr(whole, f"grade_{g}") for g in range(1, 10)] == [50] * 9


def test_grades_that_do_not_add_up_are_refused_with_every_problem_and_nothing_is_written(
    world: World, tmp_path: Path
) -> None:
    bad = rows(
        world,
        primary={"grade_6": 100},  # 933, not 1000
        junior={"grade_2": 5, "grade_8": 300},  # a junior school with a grade 2; 7–9 (300) not 900
        nine={"grade_9": 40},  # 140, not the junior part's 150
    )
    with pytest.raises(InputError) as caught:
        import_census(workbook(tmp_path, bad), YEAR, county=world.county, user=SYSTEM)
    found = [(p.sheet, p.row, p.column, p.value, p.rule, p.message_zh, p.message_en) for p in caught.value.problems]
    assert found == [
        ("学校数据", 3, "在校生数", "1000", "grades_primary_sum",
         "一至六年级在校生数之和（933）不等于在校生数（1000）；分年级人数之和须等于本学段在校生数",
         "grades 1–6 add up to 933, not to the students (1000): the grades must add up to the level's students"),
        ("学校数据", 4, "在校生数", "900", "grades_junior_sum",
         "七至九年级在校生数之和（300）不等于在校生数（900）；分年级人数之和须等于本学段在校生数",
         "grades 7–9 add up to 300, not to the students (900): the grades must add up to the level's students"),
        ("学校数据", 4, "二年级在校生数", "5", "grades_outside_junior",
         "初中学段的记录不能有一至六年级在校生（本列为 5 人），请留空或填 0",
         "a junior record cannot have pupils in grades 1–6 (5 given): leave it empty or enter 0"),
        ("学校数据", 5, "初中部在校生数", "150", "grades_whole_junior_sum",
         "七至九年级在校生数之和（140）不等于初中部在校生数（150）",
         "grades 7–9 add up to 140, not to the junior part's students (150)"),
    ]  # fmt: skip
    assert not CensusRecord.objects.exists()


def test_the_form_and_the_api_refuse_grades_that_do_not_add_up(world: World) -> None:
    with pytest.raises(actions.CensusError) as caught:
        actions.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 1000, **PRIMARY_GRADES, "grade_1": 1})
    assert caught.value.code == "impossible_values"
    assert "一至六年级在校生数之和（841）不等于在校生数（1000）" in caught.value.message_zh
    saved = actions.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 1000, **PRIMARY_GRADES})
    assert saved.record.grade_1 == 160
    only_total = actions.save_record(SYSTEM, world.junior, YEAR, "junior", {"students": 900, "classrooms": 20})
    assert only_total.record.grade_7 is None and only_total.warnings == []


def test_the_engine_ignores_grades_and_classrooms() -> None:
    frame = demo_county(2025)
    extra = frame.assign(grade_1=frame["students"] // 6, classrooms=30)
    standard = load("national-2017")
    plain = county_result(evaluate_table(frame, standard)).to_dict()
    with_grades = county_result(evaluate_table(extra, standard)).to_dict()
    assert with_grades == plain


def test_the_template_has_the_grade_and_classroom_columns_and_a_filled_one_reads_back(
    world: World, tmp_path: Path
) -> None:
    out = tmp_path / "template.xlsx"
    call_command("template", str(out))
    headers = [c.value for c in next(load_workbook(out)["学校数据"].iter_rows(max_row=1))]
    assert {"一年级在校生数", "六年级在校生数", "七年级在校生数", "九年级在校生数", "普通教室数(间)"} <= set(headers)
    table = read_school_table(workbook(tmp_path, rows(world)))
    assert table.frame["grade_1"].tolist()[0] == 160 and pd.isna(table.frame["grade_1"].tolist()[1])
    assert table.headers["grade_1"] == "一年级在校生数" and table.warnings == []


def test_the_api_takes_grades_and_refuses_them_when_they_do_not_add_up(world: World) -> None:
    clerk = client_for(world.school_clerk)
    url = f"/census/records/{world.primary.code}/{YEAR}/primary"
    refused = call(clerk, "PUT", url, {"values": {**FIGURES, **PRIMARY_GRADES, "grade_6": 0}})
    assert refused.status_code == 422  # as every figure the rule table refuses
    body = refused.json()
    assert body["code"] == "impossible_values"
    assert "一至六年级在校生数之和（833）不等于在校生数（1000）" in body["message_zh"]
    assert "grades 1–6 add up to 833, not to the students (1000)" in body["message_en"]
    created = call(clerk, "PUT", url, {"values": {**FIGURES, **PRIMARY_GRADES, "classrooms": 24}})
    assert created.status_code == 201
    values = created.json()["record"]["values"]
    assert [values[f"grade_{g}"] for g in range(1, 10)] == [*PRIMARY_GRADES.values(), None, None, None]
    assert values["classrooms"] == 24
