"""``dudao seats`` on files: a county's school table (with classrooms) and its enrolment history; the
学位预警 and each projected year's verdicts as JSON (hand-computed where the history keeps pupils as they
are), the pages' tables as .xlsx, and the file problems in both languages (nothing written)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from dudao.engine.fields import FIELD_BY_KEY
from tests.engine.schools import JUNIOR, PRIMARY
from tests.planning.test_forecast_command import write

KEYS = ["school_code", "school_name", "school_type", *[k for k in PRIMARY if k != "school_type"], "teachers",
        "classrooms"]  # fmt: skip
# 一小: 1000 pupils in 20 rooms (900 seats: 100 short); 二小: 500 pupils, 12 rooms (540); 一中: 500 pupils,
# 10 classes and no classroom count (500 seats, estimated). Classes are given by every school (the template
# asks for them on every row); classrooms may be left empty.
SCHOOLS = [
    {**PRIMARY, "school_code": "P1", "school_name": "一小", "students": 1000, "teachers_above_qualification": 50,
     "backbone_teachers": 12, "pe_art_teachers": 10, "teaching_aux_area_m2": 5000, "sports_area_m2": 8000,
     "equipment_value_yuan": 2_200_000, "multimedia_classrooms": 24, "teachers": 60, "classrooms": 20, "classes": 22},
    {**PRIMARY, "school_code": "P2", "school_name": "二小", "teachers": 30, "classrooms": 12, "classes": 12},
    {**JUNIOR, "school_code": "J1", "school_name": "一中", "teachers": 40, "classes": 10},
]  # fmt: skip


def school_table(path: Path) -> Path:
    keys = [*KEYS, "classes"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([FIELD_BY_KEY[k].zh if k in FIELD_BY_KEY else k for k in keys])
    zh_type = {"primary": "小学", "junior": "初中"}
    for s in SCHOOLS:
        sheet.append([zh_type[s[k]] if k == "school_type" else s.get(k) for k in keys])
    workbook.save(path)
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    # One year of history: the forecast keeps each school's pupils as they are (its naive method).
    enrolment = write(tmp_path / "enrolment.xlsx", [
        ["P1", "一小", "城关镇", 2025, "小学", *([None] * 9), 1000],
        ["P2", "二小", "城关镇", 2025, "小学", *([None] * 9), 500],
        ["J1", "一中", "北镇", 2025, "初中", *([None] * 9), 500],
    ])  # fmt: skip
    return school_table(tmp_path / "schools.xlsx"), enrolment


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seats", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_with_the_warning_list_and_projected_verdicts(files: tuple[Path, Path]) -> None:
    schools, enrolment = files
    out, _err = run(str(schools), "--enrolment", str(enrolment), "--year", "2025")
    data = json.loads(out)
    assert data["years"] == list(range(2025, 2032)) and data["warning_years"] == 3
    capacity = {(s["school_code"], s["basis"]): s["capacity"] for s in data["schools"]}
    assert capacity == {("P1", "classrooms"): 900, ("P2", "classrooms"): 540, ("J1", "classes"): 500}
    warnings = [(w["scope"], w["school_code"] or w["town"], w["first_year"], w["gap"]) for w in data["warnings"]]
    # 一小 100 short from today; 城关镇 (一小 + 二小): 1500 pupils for 1440 seats, 60 short; 一中 exactly full.
    assert warnings == [("school", "P1", 2025, 100), ("town", "城关镇", 2025, 60)]
    staffing = [t for t in data["teachers"] if t["school_code"] == "P1" and t["basis"] == "staffing"]
    assert {(t["needed"], t["now"], t["shortfall"]) for t in staffing} == {(53, 60, 0)}  # 1000 / 19 = 52.6
    # The same pupils every year: each year's verdicts are today's.
    levels = data["projected"]["levels"]
    assert len({json.dumps(v, sort_keys=True) for v in levels.values()}) == 1 and "2031" in levels
    assert data["projected"]["schools"] == [] and data["problems"] == []
    assert data["planning"]["figures"]["staffing.students_per_post.junior"] == {
        "value": 13.5, "confirmation": "memory", "source": ["P3"]
    }  # fmt: skip


def test_xlsx_holds_the_pages_tables(files: tuple[Path, Path], tmp_path: Path) -> None:
    schools, enrolment = files
    out_path = tmp_path / "seats.xlsx"
    run(str(schools), "--enrolment", str(enrolment), "--year", "2025", "--format", "xlsx", "--out", str(out_path))
    workbook = openpyxl.load_workbook(out_path)
    assert "学位预警" in workbook.sheetnames and "逐年达标预测" in workbook.sheetnames
    rows = list(workbook["学位预警"].iter_rows(values_only=True))
    assert any(r[1] == "一小" and r[4] == 2025 and r[5] == 100 for r in rows), rows


def test_a_bad_school_table_is_refused_with_its_problems(files: tuple[Path, Path], tmp_path: Path) -> None:
    _schools, enrolment = files
    bad = tmp_path / "bad.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["学校名称", "在校生数"])
    sheet.append(["一小", -5])
    workbook.save(bad)
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("seats", str(bad), "--enrolment", str(enrolment), "--year", "2025", "--lang", "en", stderr=err)
    assert err.getvalue().strip()
