"""`dudao evaluate` and `dudao template` as a county office uses them: files in, report out."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from dudao.engine import weighted_cv

KEYS = [
    "school_code", "school_name", "school_type", "level", "location", "ownership", "students", "teachers",
    "teachers_above_qualification", "backbone_teachers", "pe_art_teachers", "senior_title_teachers",
    "teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms", "computers", "books",
]  # fmt: skip

# Three primary schools and two junior schools. 城关一小 meets every primary threshold; 河西小学
# misses L5 (sports area 6.0 m² against 7.5, i.e. 80 % < 85 %) and so fails the per-school rule.
ROWS = [
    ["1001", "城关一小", "小学", "", "城区", "公办", 1000, 60, 50, 12, 10, 30, 5000, 8000, 2500000, 25, 120, 30000],
    ["1002", "河西小学", "小学", "", "乡村", "公办", 200, 14, 10, 2, 2, 5, 1000, 1200, 420000, 5, 20, 5000],
    ["1003", "东关小学", "小学", "", "镇区", "公办", 500, 30, 23, 6, 5, 15, 2400, 4000, 1100000, 12, 60, 15000],
    ["2001", "城关中学", "初中", "", "城区", "公办", 900, 70, 50, 10, 9, 40, 5400, 9500, 2400000, 23, 150, 40000],
    ["2002", "河西中学", "初中", "", "乡村", "公办", 300, 25, 17, 4, 3, 12, 1800, 3200, 800000, 8, 40, 9000],
]  # fmt: skip


def write_csv(path: Path, rows: list[list[object]], keys: list[str] = KEYS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(keys)
        writer.writerows(rows)
    return path


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("evaluate", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_result_matches_hand_computation(tmp_path: Path) -> None:
    result = json.loads(run(str(write_csv(tmp_path / "c.csv", ROWS)), "--format", "json"))
    primary = result["levels"]["primary"]
    # L5 (sports area per pupil) by hand: values 8.0, 6.0, 8.0 with 1000/200/500 pupils.
    # mean = (8000 + 1200 + 4000) / 1700 = 7.764705882...
    l5 = primary["indicators"]["L5"]
    assert l5["mean"] == pytest.approx(13200 / 1700, rel=1e-12)
    assert l5["cv"] == pytest.approx(weighted_cv([8.0, 6.0, 8.0], [1000, 200, 500]), rel=1e-12)
    assert l5["cv_3dp"] == round(l5["cv"], 3)
    assert primary["schools_total"] == 3
    assert primary["schools_passed"] == 2
    hexi = next(s for s in result["schools"] if s["school_name"] == "河西小学")
    assert hexi["passed"] is False
    assert hexi["indicators"]["L5"]["met"] is False
    # 7.5 × 200 = 1500 m² needed, 1200 present: 300 m² to add.
    assert hexi["indicators"]["L5"]["gap"] == 300
    assert {r["rule"] for r in hexi["reasons"]} >= {"indicator_unmet", "unmet_below_share"}
    assert result["areas"]["RA"]["passed"] is False
    assert result["areas"]["GG"]["status"] == "not_assessed"
    assert result["passed"] is False  # a failed area decides, even with others not assessed


def test_text_report_in_chinese_and_english(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", ROWS)
    zh = run(str(path))
    assert "县域义务教育优质均衡发展督导评估办法" in zh
    assert "河西小学" in zh and "需新增 300平方米" in zh
    assert "政府保障程度：未评估" in zh
    en = run(str(path), "--lang", "en")
    assert "Measures for Supervision and Evaluation" in en
    assert "add 300 m²" in en
    assert "Government guarantee: not assessed" in en
    assert "未评估" not in en


def test_bad_file_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][6] = "二百"  # text in a number cell (row 3 of the file)
    rows[3][13] = -5  # negative area (row 5)
    path = write_csv(tmp_path / "bad.csv", rows)
    out = tmp_path / "result.json"
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError, match="2 处错误"):
        call_command("evaluate", str(path), "--format", "json", "--out", str(out), stdout=StringIO(), stderr=err)
    text = err.getvalue()
    assert "第3行" in text and "students" in text and "二百" in text
    assert "第5行" in text and "sports_area_m2" in text
    assert not out.exists()


def test_several_counties_need_a_choice(tmp_path: Path) -> None:
    rows = [["130101", *r] for r in ROWS] + [["130102", "9" + str(r[0]), *r[1:]] for r in ROWS[:2]]
    path = write_csv(tmp_path / "two.csv", rows, ["county_code", *KEYS])
    with pytest.raises(CommandError, match="--county"):
        run(str(path))
    result = json.loads(run(str(path), "--county", "130102", "--format", "json"))
    assert result["county"]["code"] == "130102"
    assert [s["school_name"] for s in result["schools"]] == ["城关一小", "河西小学"]


def test_hebei_profile_excludes_small_teaching_points(tmp_path: Path) -> None:
    point = ["1009", "山后教学点", "教学点", "", "乡村", "公办", 30, 3, 2, 0, 1, 1, 120, 400, 50000, 1, 5, 900]
    path = write_csv(tmp_path / "c.csv", [*ROWS, point])
    national = json.loads(run(str(path), "--format", "json"))
    hebei = json.loads(run(str(path), "--format", "json", "--province", "hebei"))
    assert "山后教学点" in [s["school_name"] for s in national["schools"]]
    assert [e["reason"] for e in hebei["excluded"]] == ["small_teaching_point"]
    assert hebei["standard"]["province"] == "河北省"
    assert national["levels"]["primary"]["schools_total"] == 4
    assert hebei["levels"]["primary"]["schools_total"] == 3


def test_basic_2012_reports_composite_cv(tmp_path: Path) -> None:
    result = json.loads(run(str(write_csv(tmp_path / "c.csv", ROWS)), "--standard", "basic-2012", "--format", "json"))
    primary = result["levels"]["primary"]
    cvs = [primary["indicators"][f"B{i}"]["cv"] for i in range(1, 9)]
    assert primary["composite_cv"] == pytest.approx(sum(cvs) / 8, rel=1e-12)
    assert primary["composite_cv_limit"] == 0.65
    assert primary["schools_passed"] is None


def test_county_items_decide_the_other_areas(tmp_path: Path) -> None:
    items = tmp_path / "items.yaml"
    items.write_text("SR-01: 0.84\nGG-01: true\n", encoding="utf-8")
    result = json.loads(run(str(write_csv(tmp_path / "c.csv", ROWS)), "--items", str(items), "--format", "json"))
    assert result["areas"]["SR"]["passed"] is False
    assert [v["code"] for v in result["vetoes"]] == ["SR-01"]
    assert result["areas"]["GG"]["status"] == "incomplete"
    items.write_text("SR-01: lots\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run(str(write_csv(tmp_path / "c.csv", ROWS)), "--items", str(items))


def test_template_round_trip(tmp_path: Path) -> None:
    template = tmp_path / "schools.xlsx"
    call_command("template", str(template), stdout=open("/dev/null", "w"))
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    keys = [c.value for c in ws[2]]
    assert "学校标识码" in header and "school_code" in keys
    for row in ROWS:
        values = dict(zip(KEYS, row, strict=True))
        ws.append([values.get(k) for k in keys])
    wb.save(template)
    result = json.loads(run(str(template), "--format", "json"))
    assert sorted(s["school_name"] for s in result["schools"]) == sorted(r[1] for r in ROWS)


# LibreOffice CSV filter options: comma, double quote, UTF-8, ..., -1 = every sheet to its own file.
ALL_SHEETS_UTF8 = "44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.mark.libreoffice
def test_xlsx_result_opens_in_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by `make test` (make system-deps)"
    out = tmp_path / "result.xlsx"
    run(str(write_csv(tmp_path / "c.csv", ROWS)), "--format", "xlsx", "--out", str(out))
    result = json.loads(run(str(tmp_path / "c.csv"), "--format", "json"))
    subprocess.run(
        [soffice, "--headless", "--convert-to", f"csv:Text - txt - csv (StarCalc):{ALL_SHEETS_UTF8}",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=120,
        env={**os.environ, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )  # fmt: skip
    sheets = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("result-*.csv")}
    cv_sheet = next(text for name, text in sheets.items() if "差异系数" in name)
    # LibreOffice reads back every CV exactly as computed (numbers stored as numbers, not text).
    rows = list(csv.reader(cv_sheet.splitlines()))[1:]
    read_back = {(row[0], row[1]): float(row[4]) for row in rows}
    labels = {"primary": "小学", "junior": "初中"}
    for level in ("primary", "junior"):
        for code, ind in result["levels"][level]["indicators"].items():
            assert read_back[(labels[level], code)] == pytest.approx(ind["cv"], rel=1e-12, abs=1e-15), (level, code)
    assert any("河西小学" in text for text in sheets.values())
