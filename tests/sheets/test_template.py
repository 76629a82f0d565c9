"""write_template: its layout, and that a filled template reads back exactly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from dudao.engine.fields import FIELDS, ITEM_FIELDS, LEVEL_TEACHER_FIELDS
from dudao.sheets import read_school_table, write_rows, write_template
from dudao.sheets.columns import COLUMN_BY_KEY, COLUMNS
from dudao.sheets.template import DATA_SHEET, HELP_SHEET

KEYS = [f.key for f in FIELDS] + [f.key for f in ITEM_FIELDS] + list(LEVEL_TEACHER_FIELDS)
# The county-item figures, as a school fills them in.
ITEMS = {
    "classes": 24,
    "max_class_size": 52,
    "music_rooms": 2,
    "art_rooms": 1,
    "music_room_min_area_m2": 96.5,
    "art_room_min_area_m2": 90,
    "certified_teachers": 69,
    "teachers_rotated": 8,
    "backbone_teachers_rotated": 2,
}


def test_layout(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    wb = load_workbook(path)
    assert wb.sheetnames == [DATA_SHEET, HELP_SHEET] == ["学校数据", "说明"]
    ws = wb[DATA_SHEET]
    assert [c.value for c in ws[1]] == [COLUMN_BY_KEY[k].zh for k in KEYS]
    assert [c.value for c in ws[2]] == KEYS
    assert ws.max_row == 3
    assert ws.freeze_panes == "A3"

    head = {c.value: c for c in ws[1]}
    assert [c.value for c in ws[1]][-10:] == [
        "小学部专任教师数",
        "初中部专任教师数",
        "小学部高于规定学历专任教师数",
        "初中部高于规定学历专任教师数",
        "小学部县级及以上骨干教师数",
        "初中部县级及以上骨干教师数",
        "小学部体育、艺术(美术、音乐)专任教师数",
        "初中部体育、艺术(美术、音乐)专任教师数",
        "小学部中级及以上专业技术职务教师数",
        "初中部中级及以上专业技术职务教师数",
    ]
    for f in (*FIELDS, *ITEM_FIELDS):
        comment = head[f.zh].comment
        assert comment is not None
        if f.note_zh:
            assert f"{f.note_zh} / {f.note_en}" in comment.text
    assert "音乐专用教室数为 0 时留空" in head["最小音乐专用教室面积(平方米)"].comment.text
    assert "一贯制" in head["小学部专任教师数"].comment.text
    assert "whole-school" in head["小学部专任教师数"].comment.text

    key_cell, example = ws.cell(row=2, column=1), ws.cell(row=3, column=KEYS.index("school_code") + 1)
    assert key_cell.font.sz < 11 and key_cell.font.color.rgb.endswith("808080")
    assert example.value == "示例" and example.font.i
    formats = {k: ws.cell(row=3, column=i + 1).number_format for i, k in enumerate(KEYS)}
    assert formats["students"] == "0" and formats["teachers_primary"] == "0"
    assert formats["teaching_aux_area_m2"] == formats["art_room_min_area_m2"] == "0.00"
    assert formats["classes"] == formats["backbone_teachers_rotated"] == "0"
    assert formats["equipment_value_yuan"] == formats["equipment_value_wan"] == "#,##0.00"
    assert formats["school_code"] == "@"
    assert all(ws.column_dimensions[c.column_letter].width >= 10 for c in ws[1])

    text = " ".join(str(c.value) for row in wb[HELP_SHEET].iter_rows() for c in row if c.value)
    for phrase in (
        "一行",
        "全校",
        "万元",
        "平方米",
        "班级数",
        "one row",
        "whole-school",
        "10,000",
        "square metres",
        "county-level items",
    ):
        assert phrase in text


def test_example_row_alone_reads_as_empty(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    t = read_school_table(tmp_path / "t.xlsx")
    assert t.sheet == DATA_SHEET and t.warnings == [] and len(t.frame) == 0
    assert t.present == frozenset(KEYS) - {"equipment_value_wan"}


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    primary = {
        "county_code": "420102",
        "county_name": "某区",
        "school_code": "4201020001",
        "school_name": "第一小学",
        "school_type": "小学",
        "level": "小学",
        "location": "城区",
        "ownership": "公办",
        "students": 1200,
        "teachers": 70,
        "teachers_above_qualification": 66,
        "backbone_teachers": 8,
        "pe_art_teachers": 9,
        "senior_title_teachers": 40,
        "teaching_aux_area_m2": 6500.5,
        "indoor_gym_area_m2": 300,
        "sports_area_m2": 9000,
        "equipment_value_wan": 12.34,
        "multimedia_classrooms": 30,
        "computers": 150,
        "books": 36000,
        **ITEMS,
    }
    nine = {
        **primary,
        "school_code": "4201020002",
        "school_name": "九年一贯制学校",
        "school_type": "九年一贯制学校",
        "level": "全校",
        "location": "乡村",
        "ownership": "民办",
        "students": None,
        "students_primary": 300,
        "students_junior": 200,
        "equipment_value_wan": None,
        "equipment_value_yuan": 1234567.89,
        "art_rooms": 0,  # no art room: its area stays empty
        "art_room_min_area_m2": None,
        **{k: i + 1 for i, k in enumerate(LEVEL_TEACHER_FIELDS)},
    }
    for row in (primary, nine):
        ws.append([row.get(k) for k in KEYS])
    wb.save(path)

    t = read_school_table(path)
    assert t.warnings == []
    f = t.frame
    assert f["source_row"].tolist() == [4, 5]
    assert f["school_code"].tolist() == ["4201020001", "4201020002"]
    assert f["school_type"].tolist() == ["primary", "nine_year"]
    assert f["level"].tolist() == ["primary", "all"]
    assert f["location"].tolist() == ["urban", "rural"]
    assert f["ownership"].tolist() == ["public", "private"]
    assert f["students"].tolist() == [1200.0, 500.0]
    assert f["students_primary"].tolist() == [0.0, 300.0]
    assert "students_senior" not in t.present  # empty on every row: not given
    assert f["equipment_value_yuan"].tolist() == [123400.0, 1234567.89]
    assert f["teaching_aux_area_m2"].tolist() == [6500.5, 6500.5]
    for i, key in enumerate(LEVEL_TEACHER_FIELDS):
        assert f[key].tolist() == [0.0, float(i + 1)]
    assert f["classes"].tolist() == [24.0, 24.0] and f["music_room_min_area_m2"].tolist() == [96.5, 96.5]
    assert f["art_rooms"].tolist() == [1.0, 0.0] and f["art_room_min_area_m2"].tolist() == [90.0, 0.0]
    assert not f.isna().any().any()
    # the optional figures (grades, classrooms) left empty on every row are not given: absent, silently
    optional = {c.key for c in COLUMNS if c.may_be_empty}
    assert not optional & t.present
    assert list(f.columns) == [
        k for k in KEYS if k not in ("equipment_value_wan", "students_senior") and k not in optional
    ] + ["source_row"]


def test_bad_directory(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_template(tmp_path / "missing" / "t.xlsx")


def test_write_rows_reads_back(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "school_code": ["0001", "0002", "0003"],
            "school_name": ["一小", "九年制", "特教"],
            "school_type": ["primary", "nine_year", "special"],
            "level": ["primary", "all", None],
            "location": ["urban", "rural", "town"],
            "students": pd.array([100, 500, 40], dtype="Int64"),
            "students_primary": pd.array([None, 300, None], dtype="Int64"),
            "students_junior": pd.array([None, 200, None], dtype="Int64"),
            "teachers": pd.array([10, 40, 9], dtype="Int64"),
            "teachers_primary": pd.array([None, 25, None], dtype="Int64"),
            "teachers_junior": pd.array([None, 15, None], dtype="Int64"),
            "sports_area_m2": [1000.25, 5000.0, 300.5],
            "equipment_value_yuan": [123456.78, 1e6, 0.0],
            "source_row": [7, 8, 9],
        }
    )
    path = tmp_path / "rows.xlsx"
    write_rows(path, frame)
    ws = load_workbook(path)[DATA_SHEET]
    assert [c.value for c in ws[2]] == [k for k in KEYS if k in frame.columns]
    assert [c.value for c in ws[4]][:5] == ["0002", "九年制", "九年一贯制", "全校", "乡村"]
    t = read_school_table(path)
    assert t.warnings == []
    f = t.frame
    assert f["source_row"].tolist() == [3, 4, 5]
    assert f["school_code"].tolist() == ["0001", "0002", "0003"]
    assert f["school_type"].tolist() == ["primary", "nine_year", "special"]
    assert f["level"].tolist() == ["primary", "all", "all"]
    assert f["students_primary"].tolist() == [0.0, 300.0, 0.0]
    assert f["teachers_junior"].tolist() == [0.0, 15.0, 0.0]
    assert f["sports_area_m2"].tolist() == [1000.25, 5000.0, 300.5]
    assert f["equipment_value_yuan"].tolist() == [123456.78, 1e6, 0.0]
    assert t.present == set(frame.columns) - {"source_row"}
