"""The generic sheet reader (dudao.sheets.table.read_table): a table described by column specs, read from
.xlsx or .csv into typed rows, or every problem named by sheet, row, column as written, value and rule
in Chinese and English."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from dudao.engine.problems import InputError, Problem
from dudao.sheets.table import ColumnSpec, read_table

from ._util import write_csv, write_xlsx

SCHOOLS = [
    ColumnSpec("code", "学校标识码", "text", aliases=("学校代码",), required=True),
    ColumnSpec("name", "学校名称", "text", required=True, max_length=20),
    ColumnSpec("kind", "学校类型", "enum", choices={"primary": ("小学", "primary"), "junior": ("初中", "初级中学")}),
    ColumnSpec("opened", "建校日期", "date"),
    ColumnSpec("pupils", "在校生数", "int", required=True),
    ColumnSpec("area", "占地面积", "number"),
    ColumnSpec("stage", "学段", "enum", choices={"primary": ("小学",), "all": ("全校", "")}),
]
HEADER = ["学校标识码", "学校名称", "学校类型", "建校日期", "在校生数", "占地面积"]


def problems(source: Path | bytes, columns: list[ColumnSpec] = SCHOOLS, **kwargs: Any) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_table(source, columns, **kwargs)
    for p in info.value.problems:
        assert p.rule and p.message_zh and p.message_en and p.message_zh != p.message_en
    return info.value.problems


def where(found: list[Problem]) -> list[tuple[Any, ...]]:
    return [(p.rule, p.sheet, p.row, p.column, p.value) for p in found]


def test_typed_rows_from_xlsx_and_csv(tmp_path: Path) -> None:
    rows = [
        ["某县学校名录"],  # a title row above the header
        ["学校代码", "学校名称", "学校类型", "建校日期", "在校生数", "占地面积"],
        ["code", "name", "kind", "opened", "pupils", "area"],  # the keys, as the template's second row
        ["4201020001", " 第一小学 ", "小学", dt.datetime(1956, 9, 1), 1200, 20000.5],
        ["示例", "示例小学", "小学", "", 1, 1],
        [],
        [4201020002, "第二中学", "初级中学", "2001年9月1日", "１，２００", ""],
        ["注：数据截至9月1日"],
    ]
    xlsx = read_table(write_xlsx(tmp_path / "名录.xlsx", rows, sheet="名录"), SCHOOLS, example_key="code")
    csv_rows = [["" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else str(v)) for v in r]
                for r in rows]  # fmt: skip
    csv = read_table(write_csv(tmp_path / "名录.csv", csv_rows), SCHOOLS, example_key="code")
    for table in (xlsx, csv):
        assert [r.row for r in table.rows] == [4, 7]
        first, second = (r.values for r in table.rows)
        assert first == {"code": "4201020001", "name": "第一小学", "kind": "primary", "opened": dt.date(1956, 9, 1),
                         "pupils": 1200, "area": 20000.5}  # fmt: skip
        assert second == {"code": "4201020002", "name": "第二中学", "kind": "junior", "opened": dt.date(2001, 9, 1),
                          "pupils": 1200, "area": None}  # fmt: skip
        assert isinstance(first["pupils"], int)
        assert table.headers["code"] == "学校代码" and table.header_row == 2
        assert [(w.rule, w.row) for w in table.warnings] == [("note_row", 8)]
    assert xlsx.sheet == "名录" and csv.sheet == "名录.csv"


def test_bytes_with_a_name_read_like_a_path(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, ["1", "甲", "小学", None, 5, None]])
    from_bytes = read_table(path.read_bytes(), SCHOOLS, name="上传.xlsx")
    assert from_bytes.rows == read_table(path, SCHOOLS).rows


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    rows = [
        [*HEADER, "联系电话"],
        ["1", "", "幼儿园", "下半年", "三百", "-5", "123"],
        ["2", "名" * 21, "小学", "2025-02-30", 12.5, "#DIV/0!"],
        ["3", "丙", "小学", None, None, None],
    ]
    found = problems(write_xlsx(tmp_path / "a.xlsx", rows, sheet="表"))
    assert where(found) == [
        ("empty_value", "表", 2, "学校名称", None),
        ("unknown_value", "表", 2, "学校类型", "幼儿园"),
        ("bad_date", "表", 2, "建校日期", "下半年"),
        ("not_a_number", "表", 2, "在校生数", "三百"),
        ("negative", "表", 2, "占地面积", "-5"),
        ("too_long", "表", 3, "学校名称", "名" * 21),
        ("bad_date", "表", 3, "建校日期", "2025-02-30"),
        ("not_whole", "表", 3, "在校生数", "12.5"),
        ("formula_error", "表", 3, "占地面积", "#DIV/0!"),
        ("empty_value", "表", 4, "在校生数", None),
    ]
    assert "小学、初中" in found[1].message_zh and "primary (小学), junior (初中)" in found[1].message_en
    assert "0" in found[-1].message_zh  # an empty figure: "enter 0 if there are none"


def test_the_header_problems_name_the_renamed_column(tmp_path: Path) -> None:
    rows = [["学校标识码", "学校名称", "学生人数", "学校名称"], ["1", "甲", "5", "乙"]]
    found = problems(write_xlsx(tmp_path / "a.xlsx", rows))
    assert where(found) == [
        ("duplicate_column", "Sheet1", 1, "学校名称", "学校名称"),
        ("missing_column", "Sheet1", 1, "pupils", None),
    ]
    assert "在校生数" in found[1].message_zh and "学生人数" in found[1].message_zh
    assert "学生人数" in found[1].message_en


def test_an_enum_that_may_be_empty_lists_it(tmp_path: Path) -> None:
    rows = [[*HEADER, "学段"], ["1", "甲", "小学", None, 5, None, ""], ["2", "乙", "小学", None, 5, None, "高中"]]
    found = problems(write_xlsx(tmp_path / "a.xlsx", rows))
    assert where(found) == [("unknown_value", "Sheet1", 3, "学段", "高中")]
    assert "（或留空）" in found[0].message_zh and "or empty" in found[0].message_en


def test_formulas_without_values_and_merged_cells(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for row in (HEADER, ["1", "甲", "小学", None, "=100+200", 5], ["2", "乙", None, None, 300, 6],
                ["3", "丙", None, None, 7, None]):  # fmt: skip
        ws.append(row)
    ws.merge_cells("C2:C4")  # 学校类型 written once for three schools: applies to each
    ws.merge_cells("F3:F4")  # one area for two schools: cannot be split
    path = tmp_path / "m.xlsx"
    wb.save(path)
    found = problems(path)
    assert where(found) == [
        ("merged_cell", "Sheet", 3, "占地面积", "6"),
        ("formula_not_calculated", "Sheet", 2, "在校生数", "=100+200"),
    ]
    table = read_table(path, SCHOOLS, strict=False)
    assert [r["kind"] for r in table.rows] == ["primary"] * 3


def test_not_strict_returns_the_cell_problems_with_the_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, ["1", "甲", "小学", None, "x", 1], ["2", "乙", "小学", None, 3, 2]])
    table = read_table(path, SCHOOLS, strict=False)
    assert where(table.problems) == [("not_a_number", "Sheet1", 2, "在校生数", "x")]
    assert [r.invalid for r in table.rows] == [frozenset({"pupils"}), frozenset()]
    assert table.rows[0]["pupils"] is None and table.rows[1]["pupils"] == 3
    missing = write_xlsx(tmp_path / "b.xlsx", [["学校标识码", "学校名称"], ["1", "甲"]])
    assert [p.rule for p in problems(missing, strict=False)] == ["missing_column"]  # the file's: raised


def test_a_spec_may_bring_its_own_reading(tmp_path: Path) -> None:
    def quarter(v: Any) -> int | None:
        text = str(v).strip().upper()
        return int(text[1]) if len(text) == 2 and text[0] == "Q" and text[1] in "1234" else None

    columns = [ColumnSpec("task", "任务", required=True), ColumnSpec("when", "季度", "text", required=True,
               parse=quarter, invalid=("bad_quarter", "季度应为 Q1–Q4", "the quarter is Q1 to Q4"))]  # fmt: skip
    path = write_xlsx(tmp_path / "a.xlsx", [["任务", "季度"], ["建校", "q3"], ["招聘", "三季度"], ["采购", None]])
    found = problems(path, columns)
    assert where(found) == [("bad_quarter", "Sheet1", 3, "季度", "三季度"), ("empty_value", "Sheet1", 4, "季度", None)]
    assert read_table(path, columns, strict=False).rows[0]["when"] == 3


def test_the_sheet_is_found_or_named(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "封面"
    wb.active.append(["学校名录"])
    data = wb.create_sheet("名录")
    for row in (HEADER, ["1", "甲", "小学", None, 5, None]):
        data.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    content = buffer.getvalue()
    assert read_table(content, SCHOOLS, name="a.xlsx").sheet == "名录"
    assert where(problems(content, name="a.xlsx", sheet="学校")) == [("no_such_sheet", "学校", None, None, "学校")]
    (only,) = problems(content, name="a.xlsx", sheet="封面")
    assert (only.rule, only.sheet) == ("no_header", "封面") and "学校标识码" in only.message_zh
    empty = write_xlsx(tmp_path / "e.xlsx", [["甲", "乙"], [1, 2]])
    (only,) = problems(empty)
    assert only.rule == "no_header" and "Sheet1" in only.message_zh


@pytest.mark.parametrize(
    ("name", "data", "rule"),
    [
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls_not_supported"),
        ("a.txt", b"x", "unknown_format"),
        ("a.xlsx", b"just text", "not_xlsx"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "xls_not_supported"),
        ("a.csv", b"PK\x03\x04rest", "not_csv"),
        ("a.csv", b"\xff\xfe\x00\xd8", "bad_encoding"),
    ],
)
def test_a_file_that_is_no_table(name: str, data: bytes, rule: str) -> None:
    (only,) = problems(data, name=name)
    assert only.rule == rule and only.value == name


def test_the_formats_a_reader_takes(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, ["1", "甲", "小学", "", "5", ""]])
    (only,) = problems(path, formats=("xlsx",))
    assert only.rule == "unknown_format" and ".xlsx" in only.message_zh
