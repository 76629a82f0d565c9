"""The county-item columns of the school data sheet (班级数, 最大班额, 音乐/美术专用教室 and their smallest
areas, 持证教师, 交流轮岗): in the template with headers, keys, notes and formats, read back exactly, and
every bad value named by sheet, row, column, value and rule (the same by either reader path)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from dudao.engine.fields import ITEM_FIELDS
from dudao.sheets import read_school_table, write_template
from dudao.sheets.template import DATA_SHEET

from ._util import problems_of, write_csv, write_xlsx
from .test_reader_columnwise import assert_same

ITEM_KEYS = [f.key for f in ITEM_FIELDS]
BASE = {"school_code": "4201020001", "school_name": "第一小学", "school_type": "小学", "level": "小学",
        "location": "城区", "students": 1200, "teachers": 70}  # fmt: skip
ITEMS = {"classes": 24, "max_class_size": 52, "music_rooms": 2, "art_rooms": 0, "music_room_min_area_m2": 96.5,
         "art_room_min_area_m2": None, "certified_teachers": 69, "teachers_rotated": 8,
         "backbone_teachers_rotated": 2}  # fmt: skip


def fill_template(path: Path, rows: list[dict[str, object]]) -> Path:
    """The template as a county fills it in: rows appended under the example row, by key."""
    write_template(path)
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    keys = [c.value for c in ws[2]]
    for values in rows:
        ws.append([values.get(k) for k in keys])
    wb.save(path)
    return path


def test_the_template_has_the_item_columns_with_notes_and_formats(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx")[DATA_SHEET]
    keys = [c.value for c in ws[2]]
    assert keys[keys.index("books") + 1 : keys.index("books") + 10] == ITEM_KEYS  # before the per-level columns
    for f in ITEM_FIELDS:
        ci = keys.index(f.key) + 1
        head = ws.cell(row=1, column=ci)
        assert head.value == f.zh and f"{f.note_zh} / {f.note_en}" in head.comment.text
        assert ws.cell(row=3, column=ci).value is not None  # the example row shows a value
        assert ws.cell(row=3, column=ci).number_format == ("0" if f.kind == "int" else "0.00")
    assert [ws.cell(row=1, column=keys.index(k) + 1).value for k in ("classes", "backbone_teachers_rotated")] == [
        "班级数", "其中：骨干教师数",
    ]  # fmt: skip


def test_a_filled_template_reads_back_with_the_item_figures(tmp_path: Path) -> None:
    second = {**BASE, "school_code": "4201020002", **ITEMS, "art_rooms": 1, "art_room_min_area_m2": 0.07}
    path = fill_template(tmp_path / "t.xlsx", [{**BASE, **ITEMS}, second])

    table = read_school_table(path)

    assert {w.column for w in table.warnings}.isdisjoint(f.zh for f in ITEM_FIELDS)  # other columns left empty
    f = table.frame
    assert f["classes"].tolist() == [24.0, 24.0] and f["max_class_size"].tolist() == [52.0, 52.0]
    assert f["music_room_min_area_m2"].tolist() == [96.5, 96.5]
    assert f["art_rooms"].tolist() == [0.0, 1.0]
    assert f["art_room_min_area_m2"].tolist() == [0.0, 0.07]  # no art room: nothing to describe (0.0, never NaN)
    assert f["backbone_teachers_rotated"].tolist() == [2.0, 2.0]
    assert set(ITEM_KEYS) <= table.present
    assert table.headers["backbone_teachers_rotated"] == "其中：骨干教师数"


def test_item_columns_by_their_english_keys_and_other_spellings(tmp_path: Path) -> None:
    header = ["学校标识码", "学校名称", "学校类型", "在校生数", "教学班数", "最大班额", "音乐教室数",
              "音乐专用教室最小面积", "持证专任教师数", "交流轮岗教师数", "交流轮岗骨干教师数",
              "art_rooms"]  # fmt: skip
    path = write_csv(
        tmp_path / "t.csv", [header, ["1", "甲", "小学", "300", "１２", "45", "1", "62.5", "20", "3", "1", "0"]]
    )
    table = assert_same(path)
    assert table.warnings == []
    assert {k: table.frame[k].tolist() for k in ITEM_KEYS if k in table.present} == {
        "classes": [12.0], "max_class_size": [45.0], "music_rooms": [1.0], "art_rooms": [0.0],
        "music_room_min_area_m2": [62.5], "certified_teachers": [20.0], "teachers_rotated": [3.0],
        "backbone_teachers_rotated": [1.0],
    }  # fmt: skip


HEADER = ["学校标识码", "学校名称", "学校类型", "在校生数", "班级数", "最大班额(人)", "音乐专用教室数(间)",
          "最小音乐专用教室面积(平方米)", "美术专用教室数(间)", "最小美术专用教室面积(平方米)",
          "持教师资格证专任教师数", "本学年交流轮岗教师数", "其中：骨干教师数"]  # fmt: skip
GOOD = ["4201020001", "甲校", "小学", "300", "12", "45", "1", "62.5", "1", "60", "20", "3", "1"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_bad_item_values_are_named_precisely(tmp_path: Path, suffix: str) -> None:
    def bad(code: str, **cells: str) -> list[str]:
        out = [code, *GOOD[1:]]
        for header, value in cells.items():
            out[HEADER.index(header)] = value
        return out

    rows = [
        HEADER,
        GOOD,
        bad("4201020002", 班级数="12.5", **{"最大班额(人)": "-3"}),
        bad("4201020003", **{"音乐专用教室数(间)": "两间", "最小美术专用教室面积(平方米)": "六十平方米"}),
        bad("4201020004", **{"音乐专用教室数(间)": "0", "最小音乐专用教室面积(平方米)": "50"}),
        bad("4201020005", **{"美术专用教室数(间)": "2", "最小美术专用教室面积(平方米)": ""}),
        bad("4201020006", 持教师资格证专任教师数="", **{"其中：骨干教师数": "1.5"}),
        bad("4201020007", **{"音乐专用教室数(间)": "0", "最小音乐专用教室面积(平方米)": ""}),  # fine: no music room
    ]
    path = write_csv(tmp_path / "t.csv", rows) if suffix == "csv" else write_xlsx(tmp_path / "t.xlsx", rows, "学校数据")
    problems = problems_of(path)
    assert assert_same(path) == problems
    sheet = "t.csv" if suffix == "csv" else "学校数据"
    assert [(p.sheet, p.row, p.column, p.value, p.rule) for p in problems] == [
        (sheet, 3, "班级数", "12.5", "not_whole"),
        (sheet, 3, "最大班额(人)", "-3", "negative"),
        (sheet, 4, "音乐专用教室数(间)", "两间", "not_a_number"),
        (sheet, 4, "最小美术专用教室面积(平方米)", "六十平方米", "not_a_number"),
        (sheet, 5, "最小音乐专用教室面积(平方米)", "50", "not_applicable"),
        (sheet, 6, "最小美术专用教室面积(平方米)", None, "empty_value"),
        (sheet, 7, "持教师资格证专任教师数", None, "empty_value"),
        (sheet, 7, "其中：骨干教师数", "1.5", "not_whole"),
    ]
    room = problems[4]
    assert room.message_zh == "本行“音乐专用教室数(间)”为 0，此列不适用：应留空或填 0"
    assert room.message_en == (
        "'音乐专用教室数(间)' is 0 on this row, so this column does not apply: leave it empty or enter 0"
    )
    assert problems[5].message_zh.startswith("数值为空") and "enter a number" in problems[5].message_en


def test_the_item_columns_are_optional(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER[:4], GOOD[:4]])
    table = read_school_table(path)
    assert table.warnings == [] and not set(ITEM_KEYS) & table.present
