"""Write the .xlsx input template county offices fill in (read back by ``read_school_table``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from wcwidth import wcswidth

from dudao.engine.fields import LEVEL_ZH, LOCATION_ZH, OWNERSHIP_ZH, SCHOOL_TYPE_ZH
from dudao.sheets.columns import COLUMNS, Column
from dudao.sheets.writer import save_workbook, workbook_bytes

DATA_SHEET = "学校数据"
HELP_SHEET = "说明"
_ENUM_ZH = {"school_type": SCHOOL_TYPE_ZH, "level": LEVEL_ZH, "location": LOCATION_ZH, "ownership": OWNERSHIP_ZH}
DATA_ROWS = 2000  # rows below the header given enum drop-downs

# The template's example row (row 3); the reader skips it by its school_code.
EXAMPLE: dict[str, str | int | float] = {
    "county_code": "420102",
    "county_name": "示例县",
    "school_code": "示例",
    "school_name": "示例县第一小学",
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
    "equipment_value_wan": 180.5,
    "multimedia_classrooms": 30,
    "computers": 150,
    "books": 36000,
    "classes": 24,
    "max_class_size": 52,
    "music_rooms": 2,
    "art_rooms": 2,
    "music_room_min_area_m2": 96.5,
    "art_room_min_area_m2": 90,
    "certified_teachers": 70,
    "teachers_rotated": 8,
    "backbone_teachers_rotated": 2,
}

_GREY = "808080"
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_FILL_REQUIRED = PatternFill("solid", fgColor="FCE4D6")
_FILL_LEVEL = PatternFill("solid", fgColor="EDEDED")


def number_format(col: Column) -> str:
    """The Excel number format of a column."""
    if col.key.startswith("equipment_value"):
        return "#,##0.00"
    if col.kind == "number":
        return "0.00"
    if col.kind == "int":
        return "0"
    if col.key in ("county_code", "school_code"):
        return "@"  # text, so codes keep their leading zeros
    return "General"


def _comment(col: Column) -> str:
    parts = []
    if col.required:
        parts.append("必填 / required")
    if col.note_zh or col.note_en:
        parts.append(f"{col.note_zh} / {col.note_en}")
    if not parts:
        parts.append("可选 / optional")
    return f"{col.zh}（{col.key}）\n" + "\n".join(parts)


def _enum_list(key: str) -> str | None:
    names = {
        "school_type": SCHOOL_TYPE_ZH.values(),
        "level": LEVEL_ZH.values(),
        "location": LOCATION_ZH.values(),
        "ownership": OWNERSHIP_ZH.values(),
    }.get(key)
    return None if names is None else '"' + ",".join(names) + '"'


def _cell_value(col: Column, value: Any) -> object:
    """A canonical value as written to the sheet: enum codes as their Chinese names, NA as empty."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    if col.kind == "enum":
        return _ENUM_ZH[col.key].get(str(value), value)
    if col.kind == "text":
        return str(value)
    number = float(value)
    return int(number) if col.kind == "int" and number.is_integer() else number


def _data_sheet(ws: Worksheet, columns: Sequence[Column] = COLUMNS, rows: list[list[object]] | None = None) -> None:
    header_font = Font(bold=True)
    key_font = Font(color=_GREY, size=8)
    example_font = Font(color=_GREY, italic=True)
    for ci, col in enumerate(columns, start=1):
        letter = get_column_letter(ci)
        fmt = number_format(col)

        head = ws.cell(row=1, column=ci, value=col.zh)
        head.font = header_font
        head.fill = _FILL_REQUIRED if col.required else _FILL_LEVEL if col.level else _FILL
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.border = _BORDER
        comment = Comment(_comment(col), "dudao")
        comment.width, comment.height = 260, 120
        head.comment = comment

        key = ws.cell(row=2, column=ci, value=col.key)
        key.font = key_font
        key.alignment = Alignment(horizontal="center")

        if rows is None:
            example = ws.cell(row=3, column=ci, value=EXAMPLE.get(col.key))
            example.font = example_font
            example.number_format = fmt

        dim = ws.column_dimensions[letter]
        dim.width = max(10, min(26, (wcswidth(col.zh) + 2) / 2 + 2))
        if fmt != "General":
            dim.number_format = fmt  # cells typed into the column take the format

        choices = _enum_list(col.key)
        if choices:
            dv = DataValidation(
                type="list",
                formula1=choices,
                allow_blank=True,
                errorStyle="warning",
                showErrorMessage=True,
                error="请从列表中选择 / choose from the list",
            )
            dv.add(f"{letter}3:{letter}{max(DATA_ROWS, len(rows or ())) + 2}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 48
    ws.freeze_panes = "A3"
    for row in rows or ():
        ws.append(row)


_HELP: tuple[tuple[str, str], ...] = (
    ("学校数据填写说明", "How to fill in the school data"),
    (
        "每所学校填一行（一贯制学校见下）。“学校数据”表第 1 行为中文表头，第 2 行为英文字段名，请勿修改；"
        "第 3 行是示例（学校标识码为“示例”），导入时自动跳过，可保留也可删除。表头批注中有各列说明。",
        "One row per school (one-through schools: see below). Row 1 of 学校数据 holds the Chinese headers and "
        "row 2 the English keys; leave them as they are. Row 3 is an example (school code 示例) that is skipped "
        "on import; keep it or delete it. Each header's comment explains the column.",
    ),
    (
        "表头为橙色的列为必填。可删除不需要的可选列，也可调整列的顺序。",
        "Columns with an orange header are required. Optional columns you do not need may be deleted, and "
        "columns may be reordered.",
    ),
    (
        "一贯制学校（九年一贯制、十二年一贯制、完全中学）两种填法任选其一：",
        "A one-through school (nine-year, twelve-year, complete middle school) is given in one of two ways:",
    ),
    (
        "① 整校一行：学段填“全校”或留空；填写“小学部在校生数”“初中部在校生数”（十二年一贯制、完全中学另填"
        "“高中部在校生数”），“在校生数”可留空（取各学段之和）；教师数按全校填写，并在表格最后的"
        "“小学部……”“初中部……”各教师列中按学段填写；校舍、设备等按全校填写。",
        "① One whole-school row: level 全校 (all) or empty; fill the per-level students columns (students_primary, "
        "students_junior, and students_senior for twelve-year and complete middle schools); students may be "
        "empty (the sum of the levels); teachers are whole-school numbers, split by level in the per-level "
        "teacher columns at the end of the sheet; buildings and equipment are whole-school numbers.",
    ),
    (
        "② 已分学段：每个学段一行，学段填“小学”或“初中”，学校标识码相同；各列填本学段的数字，"
        "“小学部/初中部……”各列留空。",
        "② Already split: one row per level with the same school code, level 小学 (primary) or 初中 (junior); "
        "each column holds that level's numbers; the per-level (小学部/初中部) columns stay empty.",
    ),
    (
        "其他学校的“小学部/初中部……”各列一律留空。",
        "For all other schools the per-level (小学部/初中部) columns stay empty.",
    ),
    (
        "教学仪器设备值：“元”和“万元”两列任选一列填写，同一行不要两列都填。",
        "Equipment value: fill either the yuan (元) or the 10,000-yuan (万元) column, never both on one row.",
    ),
    (
        "单位：人数为人；面积为平方米；教室为间；计算机为台；图书为册；设备值为元或万元。只填数字，不要带单位或文字；"
        "没有的请填 0，不要留空。",
        "Units: persons; square metres; rooms; computers (units); books (volumes); yuan or 10,000 yuan. Enter "
        "digits only, no units or words; enter 0 where there are none, do not leave the cell empty.",
    ),
    (
        "“班级数”至“其中：骨干教师数”各列是县级指标（班额、音乐美术专用教室、教师资格、交流轮岗）所需的数据，"
        "导入年度统计时一并保存；只做资源配置评估时可以删除。音乐（美术）专用教室数为 0 时，"
        "最小音乐（美术）专用教室面积留空。",
        "The columns from classes to backbone_teachers_rotated hold the figures the county-level items need "
        "(class sizes, music and art rooms, certificates, rotation); a census import stores them, and they may "
        "be deleted for an evaluation of resource allocation alone. Leave the smallest music (art) room's "
        "area empty when there is no music (art) room.",
    ),
    (
        "学校类型：" + "、".join(SCHOOL_TYPE_ZH.values()) + "；学段：小学、初中（一贯制整校一行填“全校”或留空）；"
        "城乡类型：城区、镇区、乡村；办学性质：公办、民办。",
        "School type: primary, junior, nine_year, twelve_year, complete_middle, special, teaching_point, "
        "vocational (Chinese names as listed); level: primary, junior (all or empty for a whole-school "
        "one-through row); location: urban, town, rural; ownership: public, private.",
    ),
    (
        "表格下方的“注：”“填表人：”等备注行会被跳过。文件可保存为 .xlsx 或 CSV（UTF-8 或 GBK 编码），不支持旧版 .xls；"
        "含公式的文件请用 Excel 或 WPS 保存后再导入。",
        "Note rows below the table (注：, 填表人：...) are skipped. Save as .xlsx or CSV (UTF-8 or GBK); the old "
        ".xls format is not supported. Files with formulas must be saved in Excel or WPS before import.",
    ),
)


def _help_sheet(ws: Worksheet, extra: Sequence[tuple[str, str]] = ()) -> None:
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["B"].width = 70
    wrap = Alignment(wrap_text=True, vertical="top")
    for ri, (zh, en) in enumerate((*_HELP, *extra), start=1):
        for ci, text in enumerate((zh, en), start=1):
            cell = ws.cell(row=ri, column=ci, value=text)
            cell.alignment = wrap
            if ri == 1:
                cell.font = Font(bold=True, size=13)


def _save(wb: Workbook, target: Path | str | IO[bytes]) -> None:
    """To a path (``save_workbook``) or a binary file object (``workbook_bytes``): made inert either way."""
    if isinstance(target, str | Path):
        save_workbook(wb, target)
    else:
        target.write(workbook_bytes(wb))


def write_template(path: Path | str | IO[bytes]) -> None:
    """Write the input template to ``path`` (.xlsx, or a binary file object): sheet 学校数据 (headers,
    English keys, an example row) and sheet 说明 (instructions in Chinese and English)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA_SHEET
    _data_sheet(ws)
    _help_sheet(wb.create_sheet(HELP_SHEET))
    _save(wb, path)


def write_rows(path: Path | str, rows: pd.DataFrame | Iterable[Mapping[str, object]]) -> None:
    """Write school rows with canonical keys (e.g. a ``SchoolTable.frame`` or the demo county) as a
    filled template at ``path``: the template's layout, but only the columns the rows have (in
    template order), with the rows from row 3 (no example row). Enum codes are written as their
    Chinese names; NA values as empty cells; keys that are not columns (``source_row``) are left
    out. ``read_school_table`` reads the file back."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    keys = set(rows.columns) if isinstance(rows, pd.DataFrame) else {k for r in records for k in r}
    columns = [c for c in COLUMNS if c.key in keys]
    table = [[_cell_value(col, record.get(col.key)) for col in columns] for record in records]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA_SHEET
    _data_sheet(ws, columns, table)
    _help_sheet(wb.create_sheet(HELP_SHEET))
    save_workbook(wb, path)


# The columns that say which school and record a row is: locked on the rows a prefilled template fills in.
KEY_COLUMNS = ("county_code", "county_name", "school_code", "school_name", "school_type", "level", "location",
               "ownership", "town")  # fmt: skip
_UNLOCKED, _LOCKED = Protection(locked=False), Protection(locked=True)
_FILL_LOCKED = PatternFill("solid", fgColor="F2F2F2")

_PREFILLED_HELP: tuple[tuple[str, str], ...] = (
    ("本表已预填", "This workbook is prefilled"),
    (
        "已按本单位的学校预填：每所学校（学段）一行；数值为本学年已填报的数据，本学年尚未填报的为上一学年的数据，"
        "请逐项核对并改为本学年的数字。",
        "It lists the unit's schools, one row per school (or level); the figures are this school year's as "
        "entered so far, or last year's where nothing was entered yet: check each and change it to this year's.",
    ),
    (
        "学校标识码、名称、类型、学段、城乡类型、办学性质和乡镇（灰色）受保护，不能修改（工作表保护没有密码：确需修改时，"
        "在 Excel 或 WPS 中选择“审阅 → 撤销工作表保护”）。新增学校请填在最后一行之后。",
        "The school's code, name, type, level, location, ownership and town (grey) are protected (the sheet protection "
        "has no password: where one really must change, use Review → Unprotect Sheet in Excel or WPS). Add a new "
        "school below the last row.",
    ),
)


def _protect_keys(ws: Worksheet, columns: Sequence[Column], filled: int) -> None:
    """Sheet protection without a password: on the ``filled`` rows below the headers the key columns stay
    locked and every other cell is open; below them (new schools) and in every column's empty cells all is
    open. Columns may be resized and rows sorted, filtered or inserted."""
    for ci, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(ci)].protection = _UNLOCKED
        key = col.key in KEY_COLUMNS
        for (cell,) in ws.iter_rows(min_row=3, max_row=filled + 2, min_col=ci, max_col=ci):
            if key:  # grey, and a style of its own (LibreOffice gives a cell without one its column's, unlocked)
                cell.protection, cell.fill = _LOCKED, _FILL_LOCKED
            else:
                cell.protection = _UNLOCKED
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = protection.insertRows = False  # allowed
    protection.sort = protection.autoFilter = False


def write_prefilled(target: Path | str | IO[bytes], rows: Iterable[Mapping[str, object]],
                    notes: Sequence[tuple[str, str]] = ()) -> None:  # fmt: skip
    """The input template with every column, prefilled with ``rows`` (canonical keys, as :func:`write_rows`
    takes them) from row 3 (no example row): numbers as numbers, enums as drop-down lists, the key columns
    of the filled rows protected (:func:`_protect_keys`). ``notes`` (zh, en) are added to the 说明 sheet.
    ``read_school_table`` reads the file back to the same figures."""
    table = [[_cell_value(col, record.get(col.key)) for col in COLUMNS] for record in rows]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA_SHEET
    _data_sheet(ws, COLUMNS, table)
    _protect_keys(ws, COLUMNS, len(table))
    _help_sheet(wb.create_sheet(HELP_SHEET), (*_PREFILLED_HELP, *notes))
    _save(wb, target)
