"""``dudao forecast`` on files: the hand-computed county of tests/engine/test_forecast.py written as a
county office keeps it (one row per school, year and level with the grade columns; births per town),
its JSON and .xlsx, and precise bilingual problems for a bad file (nothing written)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from dudao.engine.forecast import ForecastInputs, forecast
from tests.engine.test_forecast import BIRTHS, J1, P1, P2, births_frame, enrolment_frame

HEAD = [
    "学校标识码",
    "学校名称",
    "乡镇（街道）",
    "学年",
    "学段",
    *(f"{n}年级在校生数" for n in "一二三四五六七八九"),
    "在校生数",
]


def write(path: Path, rows: list[list[object]], head: list[str] = HEAD) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "在校生"
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def enrolment_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for year, grades in P1.items():
        rows.append(["P1", "一小", "甲镇", year, "小学", *grades, None, None, None, sum(grades)])
    for year, grades in J1.items():
        rows.append(["J1", "一中", "甲镇", year, "", *([None] * 6), *grades, None])  # the level from the grades
    for year, total in P2.items():
        rows.append(["P2", "二小", "甲镇", year, "小学", *([None] * 9), total])
    return rows


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("forecast", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    births = [["甲镇", year, n] for year, n in BIRTHS.items()]
    return write(tmp_path / "enrolment.xlsx", enrolment_rows()), write(
        tmp_path / "births.xlsx", births, ["乡镇（街道）", "出生年份", "出生人口数"]
    )


def test_json_equals_the_engine_on_the_same_figures(files: tuple[Path, Path]) -> None:
    enrolment, births = files
    text, _ = run(str(enrolment), "--births", str(births), "--year", "2025")
    body = json.loads(text)
    expected = forecast(ForecastInputs(enrolment_frame(), births_frame()), 2025)
    assert body == json.loads(expected.to_json())
    j1 = next(s for s in body["schools"] if s["school_code"] == "J1")
    assert j1["method"] == "cohort_transition" and j1["medium"]["2026"] == pytest.approx(100 * 5 / 6 + 170)


def test_xlsx_has_the_page_tables(files: tuple[Path, Path], tmp_path: Path) -> None:
    enrolment, births = files
    out = tmp_path / "forecast.xlsx"
    printed, _ = run(str(enrolment), "--births", str(births), "--year", "2025", "--format", "xlsx", "--out", str(out),
                     "--scenario", "high", "--horizon", "3")  # fmt: skip
    assert printed.strip() == str(out)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [
        "全县和各乡镇在校生预测（高方案）",
        "各校在校生预测（高方案）",
        "各方法回测误差（MAPE）",
    ]
    schools = workbook.worksheets[1]
    head = [c.value for c in schools[1]]
    assert head[6:10] == ["2025年实际", "2026", "2027", "2028"]
    p1 = next(r for r in schools.iter_rows(min_row=2, values_only=True) if r[1] == "P1")
    assert p1[4] == "年级递进+出生人口" and p1[6] == 610 and p1[7] == round(600 * 1.02)


def test_problems_name_sheet_row_column_value_and_rule(tmp_path: Path) -> None:
    rows = enrolment_rows()
    rows[0][4] = "初中"  # grades 1–6 under 初中
    rows[1][5] = "many"  # not a number
    rows[8][4] = ""  # a total without its level
    rows.append(list(rows[2]))  # the same school, year and level twice
    err = StringIO()
    with pytest.raises(CommandError, match="4 处错误"):
        call_command(
            "forecast", str(write(tmp_path / "bad.xlsx", rows)), "--year", "2025", stdout=StringIO(), stderr=err
        )
    lines = err.getvalue().splitlines()
    assert any("bad.xlsx 在校生" in line and "第2行" in line and "[grade_not_in_level]" in line for line in lines)
    assert any("第3行" in line and "列“一年级在校生数”" in line and "many" in line and "[not_a_number]" in line
               for line in lines)  # fmt: skip
    assert any("第10行" in line and "[level_required]" in line for line in lines)
    assert any("第14行" in line and "[duplicate_row]" in line for line in lines)
    with pytest.raises(CommandError, match="problem"):
        call_command("forecast", str(tmp_path / "bad.xlsx"), "--year", "2025", "--lang", "en",
                     stdout=StringIO(), stderr=(en := StringIO()))  # fmt: skip
    where = "sheet 'bad.xlsx 在校生', row 2, column '一年级在校生数'"
    assert f"{where}: the level is junior but grade 1 is given (value '100')" in en.getvalue()


def test_no_base_year_and_xlsx_without_out(files: tuple[Path, Path]) -> None:
    enrolment, _ = files
    with pytest.raises(CommandError, match="1 处错误"):
        run(str(enrolment), "--year", "2030")
    with pytest.raises(CommandError, match="--out"):
        run(str(enrolment), "--year", "2025", "--format", "xlsx")


def test_a_csv_file_and_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("学校标识码,学校名称,乡镇（街道）,学年,学段,在校生数\nA1,甲小,城关镇,2024,小学,310\nA1,甲小,城关镇,2025,小学,abc\n"
                   "A2,乙小,城关镇,2025,,200\n", encoding="utf-8")  # fmt: skip
    err = StringIO()
    with pytest.raises(CommandError, match="2 处错误"):
        call_command("forecast", str(bad), "--year", "2025", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "工作表“bad.csv”，第3行，列“在校生数”：不是数字（只填数字，不要带单位或文字；没有的请填 0）（值：abc）"
        " [not_a_number]",
        "工作表“bad.csv”，第4行，列“学段”：只填在校生数时须填写学段（小学/初中） [level_required]",
    ]
