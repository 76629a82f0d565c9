"""read_school_table: values, canonical codes, and every problem reported at once."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook

from dudao.engine.problems import InputError
from dudao.sheets import read_school_table
from dudao.sheets.columns import HEADER_COLLISIONS, normalize_header

from ._util import HEAD, only, problems_of, write_csv, write_xlsx

GOOD = ["4201020001", "一小", "小学", 500, 30]


def test_header_spellings_do_not_collide() -> None:
    assert HEADER_COLLISIONS == []


def test_normalize_header() -> None:
    assert normalize_header("教学及辅助用房面积（平方米）") == normalize_header("教学及辅助用房面积(平方米)")
    assert normalize_header(" 学校\n名称 ") == "学校名称"
    assert normalize_header("ｓｃｈｏｏｌ＿ｃｏｄｅ") == "school_code"
    assert normalize_header("*学校标识码") == "学校标识码"


# ---------------------------------------------------------------------------------------------
# Values


def test_basic_values_and_codes(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [
                "学校标识码",
                "学校名称",
                "学校类型",
                "学段",
                "城乡类型",
                "办学性质",
                "在校生数",
                "专任教师数",
                "教学及辅助用房面积（平方米）",
            ],
            [4201020001, "  一小 ", "小学", "小学", "城区", "公办", 500, 30.0, 1234.5],
            ["4201020002", "二中", "初级中学", "初中", "镇区", "民办", "600", "４０", "1,234.25"],
            ["4201020003", "三校", "九年一贯制学校", "全校", "乡村", "Public", 700, 50, 0],
        ],
    )
    t = read_school_table(path)
    f = t.frame
    assert t.sheet == "Sheet1"
    assert t.warnings == []
    assert list(f.columns) == [
        "school_code",
        "school_name",
        "school_type",
        "level",
        "location",
        "ownership",
        "students",
        "teachers",
        "teaching_aux_area_m2",
        "source_row",
    ]
    assert t.present == frozenset(f.columns) - {"source_row"}
    assert f["school_code"].tolist() == ["4201020001", "4201020002", "4201020003"]
    assert f["school_name"].tolist() == ["一小", "二中", "三校"]
    assert f["school_type"].tolist() == ["primary", "junior", "nine_year"]
    assert f["level"].tolist() == ["primary", "junior", "all"]
    assert f["location"].tolist() == ["urban", "town", "rural"]
    assert f["ownership"].tolist() == ["public", "private", "public"]
    assert f["students"].tolist() == [500.0, 600.0, 700.0]
    assert f["teachers"].tolist() == [30.0, 40.0, 50.0]
    assert f["teaching_aux_area_m2"].tolist() == [1234.5, 1234.25, 0.0]
    assert f["source_row"].tolist() == [2, 3, 4]
    for key in ("students", "teachers", "teaching_aux_area_m2"):
        assert f[key].dtype == "float64"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１２３", 123.0),
        ("1,234", 1234.0),
        ("1，234", 1234.0),
        ("１，２３４", 1234.0),
        (" 12 ", 12.0),
        ("12.0", 12.0),
        ("1,234,567", 1234567.0),
        ("-0", 0.0),
        ("1e3", 1000.0),
    ],
)
def test_number_text_forms(tmp_path: Path, text: str, expected: float) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", [HEAD, ["1", "x", "小学", text, 1]])
    value = read_school_table(path).frame["students"].iloc[0]
    assert value == expected
    assert math.copysign(1, value) == 1


def test_level_absent_stays_absent_and_empty_level_is_all(tmp_path: Path) -> None:
    t = read_school_table(write_xlsx(tmp_path / "a.xlsx", [HEAD, GOOD]))
    assert "level" not in t.frame.columns and "level" not in t.present
    t = read_school_table(write_xlsx(tmp_path / "b.xlsx", [[*HEAD, "学段"], [*GOOD, None], [*GOOD, "全校"]]))
    assert t.frame["level"].tolist() == ["all", "all"]


def test_optional_text_and_enum_empty_is_empty_string(tmp_path: Path) -> None:
    t = read_school_table(write_xlsx(tmp_path / "a.xlsx", [[*HEAD, "县名称", "城乡类型"], [*GOOD, None, None]]))
    assert t.frame["county_name"].tolist() == [""]
    assert t.frame["location"].tolist() == [""]


def test_header_below_title_english_keys_and_aliases(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["某某县义务教育学校基本情况表"],
            [],
            ["学校代码", "校名", "办学类型", "学生数", "专任\n教师数", "体艺教师数"],
            ["school_code", "school_name", "school_type", "students", "teachers", "pe_art_teachers"],
            [*GOOD, 3],
        ],
    )
    t = read_school_table(path)
    assert t.frame["pe_art_teachers"].tolist() == [3.0]
    assert t.frame["source_row"].tolist() == [5]


def test_english_keys_as_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", [["school_code", "school_name", "school_type", "students"], ["1", "x", "primary", "5"]]
    )
    assert read_school_table(path).frame["students"].tolist() == [5.0]


def test_empty_example_and_note_rows_skipped(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEAD,
            ["示例", "示例小学", "小学", 1, 1],
            ["EXAMPLE", "x", "小学", 1, 1],
            [],
            [None, "  ", None],
            GOOD,
            [],
            ["注：1. 数据截至 9 月 1 日。"],
            ["填表人：张三", None, None, "审核人：李四"],
            ["Note: figures as of September"],
        ],
    )
    t = read_school_table(path)
    assert t.frame["source_row"].tolist() == [6]
    notes = [w for w in t.warnings if w.rule == "note_row"]
    assert [w.row for w in notes] == [8, 9, 10]
    assert notes[0].value == "注：1. 数据截至 9 月 1 日。"
    assert all(w.sheet == "Sheet1" and w.message_zh and w.message_en for w in notes)


def test_unknown_column_warns(tmp_path: Path) -> None:
    t = read_school_table(write_xlsx(tmp_path / "a.xlsx", [[*HEAD, "联系电话"], [*GOOD, "123"]]))
    w = only(t.warnings)
    assert (w.rule, w.row, w.column, w.value) == ("unknown_column", 1, "联系电话", "联系电话")
    assert "联系电话" not in t.frame.columns


def test_first_sheet_with_a_header_is_used(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "封面"
    ws.append(["某某县学校数据"])
    data = wb.create_sheet("数据")
    for row in (HEAD, GOOD):
        data.append(row)
    wb.save(tmp_path / "a.xlsx")
    t = read_school_table(tmp_path / "a.xlsx")
    assert t.sheet == "数据"
    assert read_school_table(tmp_path / "a.xlsx", sheet="数据").frame["students"].tolist() == [500.0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "学校.csv", [HEAD, ["4201020001", "第一小学", "小学", "1,200", "30"]], encoding=encoding
    )
    t = read_school_table(path)
    assert t.sheet == "学校.csv"
    assert t.frame["school_name"].tolist() == ["第一小学"]
    assert t.frame["students"].tolist() == [1200.0]
    assert t.frame["source_row"].tolist() == [2]


def test_csv_gbk_bytes_are_really_gbk(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEAD, GOOD], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert read_school_table(path).frame["school_type"].tolist() == ["primary"]


@pytest.mark.parametrize(
    ("wan", "yuan"),
    [
        (12.34, 123400.0),
        ("12.34", 123400.0),
        (0.0001, 1.0),
        (1234.5678, 12345678.0),
        ("１８０．５", 1805000.0),
        (0.07, 700.0),
        (0.29, 2900.0),
    ],
)
def test_wan_converts_exactly(tmp_path: Path, wan: object, yuan: float) -> None:
    t = read_school_table(write_xlsx(tmp_path / "a.xlsx", [[*HEAD, "教学仪器设备值（万元）"], [*GOOD, wan]]))
    assert t.frame["equipment_value_yuan"].tolist() == [yuan]
    assert "equipment_value_yuan" in t.present and "equipment_value_wan" not in t.present
    assert "equipment_value_wan" not in t.frame.columns


def test_yuan_or_wan_per_row_when_both_columns(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [*HEAD, "教学仪器设备值(元)", "教学仪器设备值(万元)"],
            [*GOOD, 5000, None],
            [*GOOD, None, 1.5],
        ],
    )
    t = read_school_table(path)
    assert t.frame["equipment_value_yuan"].tolist() == [5000.0, 15000.0]


def test_one_through_whole_school_row(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [
                *HEAD,
                "学段",
                "小学部在校生数",
                "初中部在校生数",
                "高中部在校生数",
                "小学部专任教师数",
                "初中部专任教师数",
            ],
            ["1", "九年制", "九年一贯制学校", None, 50, "全校", 300, 200, None, 20, 30],
            ["2", "十二年制", "十二年一贯制学校", 900, 80, None, 300, 200, 400, 20, 30],
            ["3", "分学段", "九年一贯制", 300, 20, "小学", None, None, None, None, None],
            ["4", "小学", "小学", 100, 10, None, None, None, None, None, 0],
        ],
    )
    f = read_school_table(path).frame
    assert f["students"].tolist() == [500.0, 900.0, 300.0, 100.0]
    assert f["students_primary"].tolist() == [300.0, 300.0, 0.0, 0.0]
    assert f["students_senior"].tolist() == [0.0, 400.0, 0.0, 0.0]
    assert f["teachers_primary"].tolist() == [20.0, 20.0, 0.0, 0.0]
    assert f["teachers_junior"].tolist() == [30.0, 30.0, 0.0, 0.0]
    assert not f.isna().any().any()


def test_column_empty_on_every_row_is_absent(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [*HEAD, "室内体育用房面积", "小学部在校生数", "教学仪器设备值(元)", "教学仪器设备值(万元)", "图书"],
            [*GOOD, None, None, None, 1.5, None],
            [*GOOD, "  ", None, None, 2, None],
        ],
    )
    t = read_school_table(path)
    assert [(w.rule, w.row, w.column) for w in t.warnings] == [
        ("empty_column", 1, "室内体育用房面积"),
        ("empty_column", 1, "图书"),
    ]
    assert t.present == {"school_code", "school_name", "school_type", "students", "teachers", "equipment_value_yuan"}
    assert t.frame["equipment_value_yuan"].tolist() == [15000.0, 20000.0]
    both_empty = write_xlsx(tmp_path / "b.xlsx", [[*HEAD, "教学仪器设备值(元)", "教学仪器设备值(万元)"], [*GOOD]])
    t = read_school_table(both_empty)
    assert [(w.rule, w.column) for w in t.warnings] == [("empty_column", "教学仪器设备值(元)")]
    assert "equipment_value_yuan" not in t.present


def test_students_column_is_never_dropped(tmp_path: Path) -> None:
    p = only(problems_of(write_xlsx(tmp_path / "a.xlsx", [HEAD, ["1", "x", "小学", None, 1]])))
    assert (p.rule, p.row, p.column) == ("empty_value", 2, "在校生数")


def test_no_nan_anywhere(tmp_path: Path) -> None:
    t = read_school_table(write_xlsx(tmp_path / "a.xlsx", [[*HEAD, "小学部在校生数", "县名称"], [*GOOD, None, None]]))
    assert not t.frame.isna().any().any()


# ---------------------------------------------------------------------------------------------
# Problems in cells


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEAD,
            ["1", "a", "小学", "五百", 30],
            GOOD,
            ["3", "c", "小学", 500, -2],
            ["4", "d", "幼儿园", 500, 30],
        ],
    )
    problems = problems_of(path)
    assert [(p.rule, p.sheet, p.row, p.column, p.value) for p in problems] == [
        ("not_a_number", "Sheet1", 2, "在校生数", "五百"),
        ("negative", "Sheet1", 4, "专任教师数", "-2"),
        ("unknown_value", "Sheet1", 5, "学校类型", "幼儿园"),
    ]


@pytest.mark.parametrize(
    ("cell", "rule"),
    [
        ("12人", "not_a_number"),
        ("—", "not_a_number"),
        ("1,23", "not_a_number"),
        ("nan", "not_a_number"),
        ("inf", "not_a_number"),
        (True, "not_a_number"),
        (-1, "negative"),
        ("－3", "negative"),
        (12.5, "not_whole"),
        ("12.5", "not_whole"),
        ("#DIV/0!", "formula_error"),
    ],
)
def test_bad_number(tmp_path: Path, cell: object, rule: str) -> None:
    p = only(problems_of(write_xlsx(tmp_path / "a.xlsx", [HEAD, ["1", "x", "小学", cell, 1]])))
    assert (p.rule, p.sheet, p.row, p.column) == (rule, "Sheet1", 2, "在校生数")
    assert p.value == str(cell)


def test_whole_number_float_is_fine_and_area_may_be_fractional(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [[*HEAD, "体育运动场馆面积"], ["1", "x", "小学", 12.0, 1, 12.5]])
    f = read_school_table(path).frame
    assert (f["students"].iloc[0], f["sports_area_m2"].iloc[0]) == (12.0, 12.5)


def test_empty_number_says_enter_zero(tmp_path: Path) -> None:
    p = only(problems_of(write_xlsx(tmp_path / "a.xlsx", [HEAD, GOOD, ["1", "x", "小学", 10, None]])))
    assert (p.rule, p.row, p.column, p.value) == ("empty_value", 3, "专任教师数", None)
    assert "0" in p.message_zh and "0" in p.message_en


def test_empty_required_text(tmp_path: Path) -> None:
    problems = problems_of(write_xlsx(tmp_path / "a.xlsx", [HEAD, ["1", "  ", None, 10, 1]]))
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("empty_value", 2, "学校名称"),
        ("empty_value", 2, "学校类型"),
    ]


def test_unknown_value_lists_accepted(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [[*HEAD, "城乡类型"], [*GOOD, "郊区"]])
    p = only(problems_of(path))
    assert (p.rule, p.row, p.column, p.value) == ("unknown_value", 2, "城乡类型", "郊区")
    assert "城区" in p.message_zh and "乡村" in p.message_zh and "urban" in p.message_en


def test_not_applicable_and_empty_per_level(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [
                *HEAD,
                "学段",
                "小学部在校生数",
                "初中部在校生数",
                "高中部在校生数",
                "初中部体育、艺术(美术、音乐)专任教师数",
            ],
            ["1", "小学", "小学", 100, 10, None, 100, None, None, None],
            ["2", "分学段", "九年一贯制", 100, 10, "初中", None, None, None, 4],
            ["3", "九年", "九年一贯制", None, 10, "全校", 60, 40, 5, None],
        ],
    )
    problems = problems_of(path)
    assert [(p.rule, p.row, p.column, p.value) for p in problems] == [
        ("not_applicable", 2, "小学部在校生数", "100"),
        ("not_applicable", 3, "初中部体育、艺术(美术、音乐)专任教师数", "4"),
        ("not_applicable", 4, "高中部在校生数", "5"),
        ("empty_value", 4, "初中部体育、艺术(美术、音乐)专任教师数", None),
    ]


def test_students_empty_on_whole_row_without_parts(tmp_path: Path) -> None:
    p = only(problems_of(write_xlsx(tmp_path / "a.xlsx", [HEAD, ["1", "九年", "九年一贯制", None, 10]])))
    assert (p.rule, p.row, p.column) == ("empty_value", 2, "在校生数")


def test_both_units_on_one_row(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [*HEAD, "教学仪器设备值(元)", "教学仪器设备值(万元)"],
            [*GOOD, 5000, 0.5],
            [*GOOD, None, None],
        ],
    )
    problems = problems_of(path)
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("both_units", 2, "教学仪器设备值(万元)"),
        ("empty_value", 3, "教学仪器设备值(元)"),
    ]
    assert problems[0].value == "5000 / 0.5"


def test_formula_without_cached_value(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [HEAD, ["1", "x", "小学", "=100+200", 10], ["2", "y", "小学", 5, None]])
    problems = problems_of(path)
    assert [(p.rule, p.row, p.column, p.value) for p in problems] == [
        ("formula_not_calculated", 2, "在校生数", "=100+200"),
        ("empty_value", 3, "专任教师数", None),
    ]
    assert "WPS" in problems[0].message_zh and "Excel" in problems[0].message_en


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_formula_calculated_by_a_real_client(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "src.xlsx", [HEAD, ["1", "x", "小学", "=100+200", "=D2/10"]])
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    f = read_school_table(out / "src.xlsx").frame
    assert (f["students"].iloc[0], f["teachers"].iloc[0]) == (300.0, 30.0)


# ---------------------------------------------------------------------------------------------
# Problems in the header


def test_missing_and_duplicate_columns_and_row_problems_together(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["学校代码", "学校类型", "在校生数", "学生数", "学校名 称X"],
            ["1", "小学", "x", 5, "a"],
        ],
    )
    problems = problems_of(path)
    assert [(p.rule, p.row, p.column, p.value) for p in problems] == [
        ("duplicate_column", 1, "学生数", "学生数"),
        ("missing_column", 1, "school_name", None),
        ("not_a_number", 2, "在校生数", "x"),
    ]
    assert "学校名称" in problems[1].message_zh and "学校名 称X" in problems[1].message_zh


def test_no_header(tmp_path: Path) -> None:
    p = only(problems_of(write_xlsx(tmp_path / "a.xlsx", [["甲", "乙"], [1, 2]])))
    assert p.rule == "no_header"
    p = only(problems_of(write_xlsx(tmp_path / "b.xlsx", [["甲", "乙"], [1, 2]], sheet="表1"), sheet="表1"))
    assert (p.rule, p.sheet) == ("no_header", "表1")


# ---------------------------------------------------------------------------------------------
# Problems with the file


def test_file_not_found(tmp_path: Path) -> None:
    p = only(problems_of(tmp_path / "none.xlsx"))
    assert p.rule == "file_not_found" and p.value == str(tmp_path / "none.xlsx")


def test_text_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_text("学校标识码,学校名称\n", encoding="utf-8")
    assert only(problems_of(path)).rule == "not_xlsx"


def test_corrupt_zip(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert only(problems_of(path)).rule == "not_xlsx"


def test_xls(tmp_path: Path) -> None:
    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    p = only(problems_of(path))
    assert p.rule == "xls_not_supported" and ".xlsx" in p.message_zh and ".xlsx" in p.message_en
    renamed = tmp_path / "b.xlsx"
    renamed.write_bytes(path.read_bytes())
    assert only(problems_of(renamed)).rule == "xls_not_supported"


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    assert only(problems_of(path)).rule == "unknown_format"


def test_no_such_sheet_lists_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [HEAD, GOOD], sheet="学校")
    p = only(problems_of(path, sheet="数据"))
    assert (p.rule, p.sheet, p.value) == ("no_such_sheet", "数据", "数据")
    assert "学校" in p.message_zh and "学校" in p.message_en


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024 + 1)
    assert only(problems_of(path)).rule == "file_too_large"


def test_binary_csv(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "a.xlsx", [HEAD, GOOD])
    path = tmp_path / "a.csv"
    path.write_bytes(xlsx.read_bytes())
    assert only(problems_of(path)).rule == "not_csv"


def test_total_row_skipped_with_warning(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx", [HEAD, GOOD, [None, "合 计", None, 500, 30], ["4201020009", "合计", "小学", 1, 1]]
    )
    t = read_school_table(path)
    assert t.frame["source_row"].tolist() == [2, 4]
    w = only(t.warnings)
    assert (w.rule, w.row, w.value) == ("total_row", 3, "合 计")


def test_merged_text_cells_apply_to_every_row_they_cover(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["学校标识码", "学校名称", "学校类型", "城乡类型", "在校生数"])
    ws.append(["1", "甲小学", "小学", "乡村", 100])
    ws.append(["2", "乙小学", "小学", None, 200])
    ws.append(["3", "丙小学", "小学", None, 300])
    ws.merge_cells("D2:D4")  # 城乡类型 written once for three village schools, as counties do
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    table = read_school_table(path)
    assert list(table.frame["location"]) == ["rural", "rural", "rural"]


def test_a_merged_figure_is_named_not_guessed(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["学校标识码", "学校名称", "学校类型", "在校生数", "体育运动场馆面积(平方米)"])
    ws.append(["1", "甲小学", "小学", 100, 5000])
    ws.append(["2", "乙小学", "小学", 200, None])
    ws.merge_cells("E2:E3")  # one sports ground shared by two schools: which share is whose?
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as info:
        read_school_table(path)
    merged = [p for p in info.value.problems if p.rule == "merged_cell"]
    assert len(merged) == 1 and merged[0].row == 2 and "合并单元格" in merged[0].message_zh
