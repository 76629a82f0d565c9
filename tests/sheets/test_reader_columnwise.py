"""The reader's column-wise path gives exactly what the per-cell parser gives: the same frame (values,
dtypes, categories), the same warnings, and on a bad file the same problems in the same order and
words. Each case is read both ways, as CSV (text cells: the numpy path) and as .xlsx (typed cells)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.engine.fields import ONE_THROUGH_PARTS
from dudao.engine.problems import InputError
from dudao.sheets.cells import PLAIN, cell_number, plain_numbers
from dudao.sheets.reader import read_school_table

from ._util import write_csv, write_xlsx

HEADER = [
    "学校标识码", "学校名称", "学校类型", "学段", "城乡类型", "在校生数", "小学部在校生数", "初中部在校生数",
    "高中部在校生数", "专任教师数", "小学部专任教师数", "初中部专任教师数", "教学及辅助用房面积",
    "教学仪器设备值(元)", "教学仪器设备值(万元)", "图书",
]  # fmt: skip


# A whole-school nine-year row's per-level figures.
PARTS = {"小学部在校生数": "60", "初中部在校生数": "40", "小学部专任教师数": "5", "初中部专任教师数": "3"}


def read_both(path: Path) -> tuple[Any, Any]:
    """(column-wise, per-cell): each a SchoolTable or the InputError's problems."""
    out = []
    for columnwise in (True, False):
        try:
            out.append(read_school_table(path, per_cell=not columnwise))
        except InputError as e:
            out.append(e.problems)
    return out[0], out[1]


def assert_same(path: Path) -> Any:
    fast, slow = read_both(path)
    if isinstance(slow, list):
        assert isinstance(fast, list), f"per-cell: {[p.text('en') for p in slow][:5]}; column-wise read the file"
        assert fast == slow
        return slow
    assert not isinstance(fast, list), [p.text("en") for p in fast][:5]
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    for key in fast.frame:  # -0.0 == 0.0 would pass assert_frame_equal
        if fast.frame[key].dtype == "float64":
            signs = [math.copysign(1, v) for v in fast.frame[key]]
            assert signs == [math.copysign(1, v) for v in slow.frame[key]], key
    assert (fast.present, fast.sheet, fast.warnings, fast.headers) == (
        slow.present, slow.sheet, slow.warnings, slow.headers,
    )  # fmt: skip
    return fast


def both_formats(tmp_path: Path, rows: list[list[Any]]) -> list[Path]:
    as_text = [["" if v is None else str(v) for v in row] for row in rows]
    return [write_csv(tmp_path / "t.csv", as_text), write_xlsx(tmp_path / "t.xlsx", rows)]


def row(code: str, name: str = "学校", school_type: str = "小学", level: str = "", **figures: Any) -> list[Any]:
    """A HEADER row: plain defaults, ``figures`` by the header (in HEADER) they go under."""
    values: dict[str, Any] = {"在校生数": "100", "专任教师数": "8", "教学及辅助用房面积": "1200.5",
                              "教学仪器设备值(元)": "350000", "图书": "4000"}  # fmt: skip
    values.update(figures)
    return [code, name, school_type, level, "城区", *(values.get(h, "") for h in HEADER[5:])]


NUMBER_CELLS = [
    "12", "0", "007", "12.0", "12.50", "0.1", "1234567.891", "123456789012345", "1234567890123456",
    "12345678901234567890", "9" * 400, "１２", "１２．５", "1,234", "1，234", "１，２３４", "1,234.5", "1,23",
    " 12 ", "\t7", "12 ", "1e3", "1E-2", "-0", "+5", ".5", "5.", "1.2.3", "12人", "—", "nan", "inf", "#DIV/0!",
    "#n/a", "", "  ", "\u3000", "－3", "-3", "٣", "1\n2",
]  # fmt: skip


@pytest.mark.parametrize("column", ["在校生数", "教学及辅助用房面积", "教学仪器设备值(元)", "教学仪器设备值(万元)"])
def test_tricky_figures_among_plain_rows(tmp_path: Path, column: str) -> None:
    unit = {"教学仪器设备值(元)": ""} if "万元" in column else {}
    kind = "int" if column == "在校生数" else "number"
    rows = [row(f"42010200{i:02}", **{column: cell, **unit}) for i, cell in enumerate(NUMBER_CELLS)]
    for path in both_formats(tmp_path, [HEADER, *rows[:3], *rows, *rows[:3]]):
        problems = assert_same(path)  # every problem, in order
        assert len(problems) >= 12
    valid = [r for r, cell in zip(rows, NUMBER_CELLS, strict=True)
             if cell.strip() and not isinstance(cell_number(kind, cell), str)]  # fmt: skip
    for path in both_formats(tmp_path, [HEADER, *valid]):
        assert len(assert_same(path).frame) == len(valid) >= 15  # every value


@pytest.mark.parametrize(
    "cells",
    [
        {"学段": "全校", **PARTS},
        {"学段": "", "在校生数": "", **PARTS},
        {"学段": "", "在校生数": "", **PARTS, "小学部在校生数": "60.0", "初中部在校生数": "1,040"},
        {"学段": "全校", **PARTS, "小学部在校生数": ""},
        {"学段": "全校", "高中部在校生数": "7", "小学部在校生数": "60", "初中部在校生数": "40"},
        {"学段": "小学"},
        {"学段": "小学", "小学部在校生数": "0"},
        {"学段": "小学", "小学部在校生数": "0.0", "初中部专任教师数": " 0 "},
        {"学段": "小学", "小学部在校生数": "5"},
        {"学段": "高中"},
        {"学段": "幼儿园"},
        {"学段": "#REF!"},
    ],
)  # fmt: skip
@pytest.mark.parametrize("school_type", ["九年一贯制", "十二年一贯制", "完全中学", "小学"])
def test_per_level_columns_and_students_as_the_sum_of_parts(
    tmp_path: Path, cells: dict[str, str], school_type: str
) -> None:
    figures = {k: v for k, v in cells.items() if k != "学段"}
    rows = [HEADER, row("4201020001"), row("4201020002", school_type=school_type, level=cells["学段"], **figures)]
    for path in both_formats(tmp_path, rows):
        assert_same(path)


@pytest.mark.parametrize(
    ("yuan", "wan"),
    [("5000", ""), ("", "1.5"), ("", "0.07"), ("", "0.29"), ("", "１８０．５"), ("", "1,234.5678"),
     ("", "12345678901234.5"), ("5000", "0.5"), ("", ""), ("", "x"), ("x", "1"), ("", "-1"), ("", " 2 ")],
)  # fmt: skip
def test_yuan_and_wan(tmp_path: Path, yuan: str, wan: str) -> None:
    rows = [HEADER, row("4201020001"), row("4201020002", **{"教学仪器设备值(元)": yuan, "教学仪器设备值(万元)": wan})]
    for path in both_formats(tmp_path, rows):
        assert_same(path)


def test_wan_only_column(tmp_path: Path) -> None:
    header = ["学校标识码", "学校名称", "学校类型", "在校生数", "教学仪器设备值（万元）"]
    rows = [header, ["1", "a", "小学", "5", "0.07"], ["2", "b", "小学", "6", "12.34"], ["3", "c", "小学", "7", "1e2"]]
    for path in both_formats(tmp_path, rows):
        t = assert_same(path)
        assert t.frame["equipment_value_yuan"].tolist() == [700.0, 123400.0, 1000000.0]
        assert t.headers["equipment_value_yuan"] == "教学仪器设备值（万元）"


@pytest.mark.parametrize(
    "extra",
    [
        [],
        [[]],
        [["", "", ""]],
        [["  ", "\u3000"]],
        [["注：数据截至9月1日"]],
        [["填表人：张三", "", "", "审核人：李四"]],
        [["", "", "", "Note: as of September"]],
        [["", "合 计", "", "500"]],
        [["4201020077", "合计", "小学", "1", "1"]],
        [["合计", "", "", "1"]],
        [["Total", "x"]],
        [["sum"]],
        [["示例", "示例小学", "小学", "1"]],
        [["EXAMPLE", "x", "小学"]],
        [["4201020078", "备注小学", "小学", "5", "", "", "", "", "", "1", "", "", "5", "1", "", "1"]],
        [["4201020079", "Sumner School", "小学", "5", "", "", "", "", "", "1", "", "", "5", "1", "", "1"]],
        [["4201020080", "注", "小学"]],
        [["", "4201020081", "小学"]],
        [["4201020082"]],
        [["4201020083", "长行", "小学", "", "城区", "5", "", "", "", "1", "", "", "5", "1", "", "1", "多余", "更多"]],
    ],
)
def test_empty_note_total_example_short_and_long_rows(tmp_path: Path, extra: list[list[str]]) -> None:
    rows = [HEADER, row("4201020001"), *extra, row("4201020002")]
    for path in both_formats(tmp_path, rows):
        assert_same(path)


@pytest.mark.parametrize(
    "cells",
    [
        {0: ""}, {1: ""}, {1: "  "}, {1: "#N/A"}, {1: " #VALUE! "}, {1: "学校#1"}, {2: ""}, {2: "幼儿园"},
        {2: " 小 学 "}, {2: "PRIMARY"}, {2: "#NAME?"}, {4: ""}, {4: "郊区"}, {4: "ＵＲＢＡＮ"}, {0: " 4201020009 "},
        {1: "\u3000名称\u3000"},
    ],
)  # fmt: skip
def test_text_and_enum_cells(tmp_path: Path, cells: dict[int, str]) -> None:
    bad = row("4201020002")
    for i, v in cells.items():
        bad[i] = v
    for path in both_formats(tmp_path, [HEADER, row("4201020001"), bad, row("4201020003")]):
        assert_same(path)


def test_a_clean_csv_never_reaches_the_per_cell_parser(tmp_path: Path) -> None:
    rows = [HEADER, *(row(f"42010200{i:02}") for i in range(30))]
    rows[5] = row("4201020005", **{"在校生数": "1,200"})  # separators, full-width: settled column-wise
    rows[6] = row("4201020006", **{"图书": "１２３"})
    rows[7] = row("4201020007", school_type="九年一贯制", level="", **{"在校生数": "", **PARTS})
    table = read_school_table(write_csv(tmp_path / "clean.csv", rows))
    assert len(table.frame) == 30 and table.per_cell_rows == 0
    assert read_school_table(tmp_path / "clean.csv", per_cell=True).per_cell_rows == 30

    rows[20] = row("4201020020", **{"专任教师数": "八"})
    rows[25] = row("4201020025", **{"小学部在校生数": "3"})
    path = write_csv(tmp_path / "t.csv", rows)
    with pytest.raises(InputError) as info:
        read_school_table(path)
    assert [(p.rule, p.row) for p in info.value.problems] == [("not_a_number", 21), ("not_applicable", 26)]
    assert_same(path)


# A property: on any sheet, both paths agree. Rows are built consistent (per-level figures only where
# they apply, one of 元/万元), then a few cells are replaced by tricky ones, so that many sheets read
# (and values are compared) and many do not (and problems are compared).

COUNTS = ["0", "3", "12", "40", "60", "100", "12.0", "1,200", "１２"]
FIGURES = [*COUNTS, "1200.5", "0.07", "0.1"]
TRICKY = [*NUMBER_CELLS, "注", "合计", "示例", "幼儿园", "高中", "#N/A", "=1+2", "注：说明"]
ONE_THROUGH = {"九年一贯制": ONE_THROUGH_PARTS["nine_year"], "十二年一贯制": ONE_THROUGH_PARTS["twelve_year"],
               "完全中学": ONE_THROUGH_PARTS["complete_middle"]}  # fmt: skip
PART = {"小学部在校生数": "primary", "初中部在校生数": "junior", "高中部在校生数": "senior",
        "小学部专任教师数": "primary", "初中部专任教师数": "junior"}  # fmt: skip


@st.composite
def sheet_row(draw: st.DrawFn, header: list[str] = HEADER) -> list[str]:
    school_type = draw(st.sampled_from(["小学", "初中", "九年一贯制", "十二年一贯制", "完全中学", "primary"]))
    level = draw(st.sampled_from(["", "全校", "小学", "初中"]))
    parts = ONE_THROUGH.get(school_type, ()) if level in ("", "全校") else ()
    code = draw(st.sampled_from(["4201020001", "4201020002", " 4201020003"]))
    name = draw(st.sampled_from(["甲校", "乙校", "备注学校"]))
    cells = [code, name, school_type, level, draw(st.sampled_from(["城区", ""]))]
    for column in header[5:]:
        if column in PART:
            applies = PART[column] in parts
            cells.append(draw(st.sampled_from(COUNTS if applies else ["", "", "0", "0.0", " "])))
        elif column == AREA:  # after ROOMS: empty (or 0) where there is no room
            cells.append(draw(st.sampled_from(["", "", "0", " "] if cells[-1] in ("0", "0.0") else FIGURES)))
        elif column == "在校生数" and parts:
            cells.append(draw(st.sampled_from(["", "100"])))
        elif column == "教学仪器设备值(元)":
            cells.append(draw(st.sampled_from(["", *FIGURES])))
        elif column == "教学仪器设备值(万元)":
            cells.append(draw(st.sampled_from(FIGURES)) if not cells[-1] else "")
        else:
            cells.append(draw(st.sampled_from(FIGURES if column == "教学及辅助用房面积" else COUNTS)))
    for _ in range(draw(st.sampled_from([0] * 12 + [1, 2]))):
        cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(TRICKY))
    return cells[: len(cells) - draw(st.sampled_from([0] * 12 + [1, 3]))]


# The county-item columns: a room count and the smallest room's area, which applies only where the count is not 0.
ROOMS, AREA = "音乐专用教室数(间)", "最小音乐专用教室面积(平方米)"
ITEM_HEADER = [*HEADER, "班级数", ROOMS, AREA, "其中：骨干教师数"]


@pytest.mark.parametrize("header", [HEADER, ITEM_HEADER], ids=["plain", "item columns"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_sheet_reads_the_same_both_ways(tmp_path: Path, header: list[str], data: st.DataObject) -> None:
    rows = data.draw(st.lists(sheet_row(header), min_size=1, max_size=6), label="rows")
    assert_same(write_csv(tmp_path / "p.csv", [header, *rows]))
    typed = [[_typed(v) for v in r] for r in rows]
    assert_same(write_xlsx(tmp_path / "p.xlsx", [header, *typed]))


def item_row(code: str, rooms: str, area: str, classes: str = "12") -> list[Any]:
    """An ITEM_HEADER row."""
    return [*row(code), classes, rooms, area, "1"]


@pytest.mark.parametrize(
    ("rooms", "area"),
    [("2", "96.5"), ("0", ""), ("0", "0"), ("0", "0.0"), ("0", " "), ("0", "50"), ("0", "-1"), ("0", "x"),
     ("2", ""), ("2", "0"), ("", "50"), ("", ""), ("x", "50"), ("-1", ""), ("1.5", "60"), ("１", "９６"),
     ("0.0", ""), (" 0 ", "\u3000"), ("2", "#N/A"), ("#REF!", "")],
)  # fmt: skip
def test_a_room_area_where_the_school_has_no_room(tmp_path: Path, rooms: str, area: str) -> None:
    rows = [ITEM_HEADER, item_row("4201020001", "1", "60"), item_row("4201020002", rooms, area),
            item_row("4201020003", "0", "")]  # fmt: skip
    for path in both_formats(tmp_path, rows):
        assert_same(path)


@pytest.mark.parametrize("order", ["area first", "no room column", "rooms empty everywhere"])
def test_a_room_area_whatever_the_columns(tmp_path: Path, order: str) -> None:
    header = ["学校标识码", "学校名称", "学校类型", "在校生数", AREA, ROOMS]
    rows = [["4201020001", "甲", "小学", "5", "60", "1"], ["4201020002", "乙", "小学", "5", "", "0"],
            ["4201020003", "丙", "小学", "5", "70", "0"], ["4201020004", "丁", "小学", "5", "", "3"]]  # fmt: skip
    if order == "no room column":
        header, rows = header[:-1], [r[:-1] for r in rows]
    elif order == "rooms empty everywhere":  # the room column is dropped as empty: the area applies on every row
        rows = [[*r[:-1], ""] for r in rows]
    for path in both_formats(tmp_path, [header, *rows]):
        problems = assert_same(path)
        expected = {"area first": [("not_applicable", 4), ("empty_value", 5)]}.get(
            order, [("empty_value", 3), ("empty_value", 5)]
        )
        assert [(p.rule, p.row) for p in problems] == expected


def _typed(v: str) -> Any:
    """A cell as a spreadsheet holds it: plain figures as numbers, the rest as text (no formulas)."""
    if v.startswith("="):
        return v[1:]
    if "\n" in v:
        return v.replace("\n", " ")
    try:
        number = float(v) if "." in v else int(v)
    except ValueError:
        return v or None
    return number if v.strip() == v and v.isascii() and abs(number) < 1e15 else v


@settings(max_examples=300, deadline=None)
@given(st.lists(st.from_regex(r"[0-9]{0,17}(\.[0-9]{0,17})?|[0-9 .,+\-e１٣]{0,6}", fullmatch=True), max_size=40))
def test_plain_numbers_are_parsed_as_float_parses_them(cells: list[str]) -> None:
    parsed = plain_numbers(cells)
    assert parsed is not None
    values, empty, plain = parsed
    for i, cell in enumerate(cells):
        assert empty[i] == (cell == "")
        expected = PLAIN.fullmatch(cell) is not None and cell.isascii() and sum(c.isdigit() for c in cell) <= 15
        assert plain[i] == expected, cell
        if plain[i]:
            assert values[i] == float(cell) and math.copysign(1, values[i]) == 1, cell


@pytest.mark.parametrize("column", ["在校生数", "教学仪器设备值(元)", "教学仪器设备值(万元)"])
def test_digits_beyond_any_float_are_not_a_number(tmp_path: Path, column: str) -> None:
    extra = {"教学仪器设备值(元)": ""} if "万元" in column else {}
    path = write_csv(tmp_path / "t.csv", [HEADER, row("4201020001", **{column: "9" * 400, **extra})])
    problems = assert_same(path)
    assert [(p.rule, p.row, p.column) for p in problems] == [("not_a_number", 2, column)]


def test_plain_numbers_need_one_cell_per_line() -> None:
    assert plain_numbers(["1", "2\n3"]) is None
    assert plain_numbers(["1", None]) is None
