"""A corpus of county workbooks with one defect each, built from the demo county (60 schools, the
template's layout: headers in row 1, keys in row 2, data from row 3) — what people really send: a
column renamed or missing, text in a figure, a level that does not fit, a merged cell, a stray note,
a file saved by another program. Each kind says how every reading must answer: the error rules that
refuse it (none: the file is read, with the warnings listed)."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from dudao.demo.synthetic import demo_county
from dudao.sheets.template import DATA_SHEET, write_rows, write_template

COUNTY = "130135"  # the demo county's code
FIRST = 3  # the spreadsheet row of the first school


@dataclass(frozen=True)
class Kind:
    build: Callable[[Path], Path]  # writes the file into a folder, returns its path
    errors: frozenset[str]  # the rules that refuse it (empty: accepted)
    warnings: frozenset[str] = frozenset()  # rules among the warnings of an accepted file


def demo() -> pd.DataFrame:
    return demo_county().copy()


def row_of(frame: pd.DataFrame, school_type: str) -> int:
    """The index of the first school of a type."""
    return int(frame.index[frame["school_type"] == school_type][0])


def written(folder: Path, frame: pd.DataFrame | None = None, name: str = "示范县.xlsx") -> Path:
    path = folder / name
    write_rows(path, demo() if frame is None else frame)
    return path


def edited(path: Path, edit: Callable[[Any], None]) -> Path:
    """The workbook at ``path`` after ``edit(worksheet)`` (openpyxl, as a person editing in Excel)."""
    wb = load_workbook(path)
    edit(wb[DATA_SHEET])
    wb.save(path)
    return path


def column(ws: Any, key: str) -> int:
    """The 1-based column of a key (row 2 holds the keys)."""
    return next(c.column for c in ws[2] if c.value == key)


def with_cells(
    cells: dict[tuple[int, str], object], frame: Callable[[], pd.DataFrame] = demo
) -> Callable[[Path], Path]:
    """The demo workbook with cells overwritten, by (index of the school, key)."""

    def build(folder: Path) -> Path:
        def edit(ws: Any) -> None:
            for (i, key), value in cells.items():
                ws.cell(row=FIRST + i, column=column(ws, key)).value = value

        return edited(written(folder, frame()), edit)

    return build


def with_frame(change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        frame = demo()
        out = change(frame)
        return written(folder, frame if out is None else out)

    return build


def with_sheet(edit: Callable[[Any], None]) -> Callable[[Path], Path]:
    return lambda folder: edited(written(folder), edit)


def as_csv(change: Callable[[pd.DataFrame], pd.DataFrame | None] = lambda f: None, **options: Any):
    def build(folder: Path) -> Path:
        frame = demo()
        out = change(frame)
        path = folder / "示范县.csv"
        (frame if out is None else out).to_csv(path, index=False, **{"encoding": "utf-8", **options})
        return path

    return build


def raw(name: str, data: Callable[[Path], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data(folder))
        return path

    return build


# -- the defects


def _template(folder: Path) -> Path:
    path = folder / "模板.xlsx"
    write_template(path)
    return path


def _headers_only(folder: Path) -> Path:
    return written(folder, demo().iloc[0:0])


def _rename(key: str, header: str | None, new_key: str | None = None) -> Callable[[Any], None]:
    def edit(ws: Any) -> None:
        ci = column(ws, key)
        if header is not None:
            ws.cell(row=1, column=ci, value=header)
        if new_key is not None:
            ws.cell(row=2, column=ci, value=new_key)

    return edit


def _duplicate_column(ws: Any) -> None:
    ci = ws.max_column + 1
    ws.cell(row=1, column=ci, value="学生数")
    for r in range(3, ws.max_row + 1):
        ws.cell(row=r, column=ci, value=1)


def _header_removed(ws: Any) -> None:
    ws.delete_rows(1, 2)


def _header_too_low(ws: Any) -> None:
    ws.insert_rows(1, 11)
    ws.cell(row=1, column=1, value="示范县义务教育学校基本情况统计表")


def _merge_figure(ws: Any) -> None:
    ci = column(ws, "sports_area_m2")
    letter = get_column_letter(ci)
    ws.merge_cells(f"{letter}{FIRST}:{letter}{FIRST + 1}")


def _merge_location(ws: Any) -> None:
    ci = column(ws, "location")
    letter = get_column_letter(ci)
    ws.merge_cells(f"{letter}{FIRST}:{letter}{FIRST + 2}")  # 城区 written once for three schools


def _trailer(*cells: object) -> Callable[[Any], None]:
    def edit(ws: Any) -> None:
        ws.append([])
        ws.append(list(cells))

    return edit


def _far_cell(ws: Any) -> None:
    ws["XFD1048576"] = "x"


def _formatted_rows(folder: Path) -> Path:
    """The demo workbook with a million empty, formatted rows below the data (a sheet formatted to the end)."""
    path = written(folder)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode()
    rows = "".join(f'<row r="{r}" spans="1:34" s="0" customFormat="1" ht="15"/>' for r in range(100, 1_000_100))
    parts[sheet] = xml.replace("</sheetData>", rows + "</sheetData>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return path


def _padded(folder: Path) -> Path:
    """The demo workbook with a 300 MiB part of spaces (B3: the size once uncompressed)."""
    path = written(folder)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/padding.xml", "w") as out:
        for _ in range(300):
            out.write(b" " * 2**20)
    return path


def _formula_without_value(ws: Any) -> None:
    ws.cell(row=FIRST, column=column(ws, "teachers"), value="=70+2")  # openpyxl saves no calculated value


def _wan_column(ws: Any) -> None:
    ci = ws.max_column + 1
    ws.cell(row=1, column=ci, value="教学仪器设备值（万元）")
    ws.cell(row=FIRST, column=ci, value=180.5)  # beside the 元 figure of the same row


def _shared_code(frame: pd.DataFrame) -> None:
    frame.loc[1, "school_code"] = frame.loc[0, "school_code"]


LEVEL_COLUMNS = [k for k in demo_county().columns if k.endswith(("_primary", "_junior", "_senior"))]


def _by_level(frame: pd.DataFrame, i: int, level: str) -> pd.DataFrame:
    """The whole-school row ``i`` of a nine-year school as its row for one level (the per-level columns
    emptied, the level's figures in the plain columns)."""
    part = frame.loc[[i]].copy()
    part["level"] = level
    for key in ("students", "teachers", "teachers_above_qualification", "backbone_teachers", "pe_art_teachers",
                "senior_title_teachers"):  # fmt: skip
        part[key] = part[f"{key}_{level}"]
    part[LEVEL_COLUMNS] = pd.NA
    return part


def _split_and_whole(frame: pd.DataFrame) -> pd.DataFrame:
    """A nine-year school as a whole-school row and as its primary part too."""
    return pd.concat([frame, _by_level(frame, row_of(frame, "nine_year"), "primary")], ignore_index=True)


def _two_names(frame: pd.DataFrame) -> pd.DataFrame:
    """A nine-year school by level, its two rows naming it differently."""
    i = row_of(frame, "nine_year")
    primary, junior = _by_level(frame, i, "primary"), _by_level(frame, i, "junior")
    junior["school_name"] = junior["school_name"] + "初中部"
    return pd.concat([frame.drop(index=i), primary, junior], ignore_index=True)


def _drop(*keys: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.drop(columns=list(keys))


def _set(i: Callable[[pd.DataFrame], int] | int, key: str, value: object) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        at = i(frame) if callable(i) else i
        frame[key] = frame[key].astype(object)
        frame.loc[at, key] = value

    return change


def _cover_first(folder: Path) -> Path:
    path = written(folder)
    wb = load_workbook(path)
    cover = wb.create_sheet("封面", 0)
    cover.append(["示范县2025年义务教育学校基本情况"])
    wb.save(path)
    return path


def _long(n: int) -> str:
    return "示范县" + "很" * n + "长的小学"


def _truncated(folder: Path) -> bytes:
    return written(folder).read_bytes()[:5000]


def _old_xls(folder: Path) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096


def _csv_bad_bytes(folder: Path) -> bytes:
    return "学校标识码,学校名称\n".encode() + bytes(range(128, 256)) * 10


def _example_row(ws: Any) -> None:
    """The template's example row left in above the data (school code 示例)."""
    ws.insert_rows(FIRST)
    ws.cell(row=FIRST, column=column(ws, "school_code"), value="示例")
    ws.cell(row=FIRST, column=column(ws, "school_name"), value="示例县第一小学")


def _extra_column(ws: Any) -> None:
    ci = ws.max_column + 1
    ws.cell(row=1, column=ci, value="联系电话")
    ws.cell(row=FIRST, column=ci, value="0311-12345678")


def _nine_year_by_type(frame: pd.DataFrame) -> None:
    """A whole-school nine-year row whose students are left empty: the sum of its parts is taken."""
    frame.loc[row_of(frame, "nine_year"), "students"] = pd.NA


KINDS: dict[str, Kind] = {
    # the file itself
    "template_untouched": Kind(_template, frozenset({"no_rows"})),
    "headers_only": Kind(_headers_only, frozenset({"no_rows"})),
    "old_xls_renamed": Kind(raw("示范县.xlsx", _old_xls), frozenset({"xls_not_supported"})),
    "xls_extension": Kind(raw("示范县.xls", _old_xls), frozenset({"xls_not_supported"})),
    "truncated_download": Kind(raw("示范县.xlsx", _truncated), frozenset({"not_xlsx"})),
    "text_named_xlsx": Kind(raw("示范县.xlsx", lambda f: "学校标识码,1\n".encode()), frozenset({"not_xlsx"})),
    "empty_file": Kind(raw("示范县.xlsx", lambda f: b""), frozenset({"not_xlsx"})),
    "pdf_named_csv": Kind(raw("示范县.csv", lambda f: b"PK\x03\x04" + b"\x00" * 64), frozenset({"not_csv"})),
    "word_document": Kind(raw("示范县.docx", lambda f: b"PK\x03\x04"), frozenset({"unknown_format"})),
    "csv_undecodable": Kind(raw("示范县.csv", _csv_bad_bytes), frozenset({"bad_encoding"})),
    "padded_1gib_class": Kind(_padded, frozenset({"part_too_large"})),
    "far_stray_cell": Kind(with_sheet(_far_cell), frozenset({"too_many_cells"})),
    # the header
    "no_students_column": Kind(with_frame(_drop("students")), frozenset({"missing_column"})),
    "students_renamed": Kind(with_sheet(_rename("students", "学生人数")), frozenset({"missing_column"})),
    "students_renamed_both_rows": Kind(
        with_sheet(_rename("students", "学生人数", "pupils")), frozenset({"missing_column"})
    ),
    "school_code_missing": Kind(with_frame(_drop("school_code")), frozenset({"missing_column"})),
    "school_type_renamed": Kind(with_sheet(_rename("school_type", "类别", "kind")), frozenset({"missing_column"})),
    "duplicate_students_column": Kind(with_sheet(_duplicate_column), frozenset({"duplicate_column"})),
    "header_removed": Kind(with_sheet(_header_removed), frozenset({"no_header"})),
    "header_below_row_10": Kind(with_sheet(_header_too_low), frozenset({"no_header"})),
    "teachers_only_by_level": Kind(with_frame(_drop("teachers")), frozenset({"missing_column"})),
    "level_students_column_missing": Kind(with_frame(_drop("students_junior")), frozenset({"missing_level_students"})),
    "level_teachers_column_missing": Kind(with_frame(_drop("teachers_junior")), frozenset({"missing_level_teachers"})),
    # cells
    "students_in_words": Kind(with_cells({(0, "students"): "一千一百零八"}), frozenset({"not_a_number"})),
    "students_with_unit": Kind(with_cells({(0, "students"): "1108人"}), frozenset({"not_a_number"})),
    "negative_teachers": Kind(with_cells({(1, "teachers"): -84}), frozenset({"negative"})),
    "fractional_teachers": Kind(with_cells({(1, "teachers"): 84.5}), frozenset({"not_whole"})),
    "empty_teachers": Kind(with_cells({(1, "teachers"): None}), frozenset({"empty_value"})),
    "empty_school_name": Kind(with_cells({(2, "school_name"): None}), frozenset({"empty_value"})),
    "blank_school_code": Kind(with_cells({(2, "school_code"): "   "}), frozenset({"empty_value"})),
    "unknown_school_type": Kind(with_cells({(3, "school_type"): "幼儿园"}), frozenset({"unknown_value"})),
    "unknown_location": Kind(with_cells({(3, "location"): "郊区"}), frozenset({"unknown_value"})),
    "formula_error": Kind(with_cells({(4, "books"): "#DIV/0!"}), frozenset({"formula_error"})),
    "formula_without_value": Kind(with_sheet(_formula_without_value), frozenset({"formula_not_calculated"})),
    "date_in_a_figure": Kind(with_cells({(5, "computers"): dt.datetime(2025, 9, 1)}), frozenset({"not_a_number"})),
    "true_in_a_figure": Kind(with_cells({(5, "computers"): True}), frozenset({"not_a_number"})),
    "pupils_1e20": Kind(with_cells({(6, "students"): 1e20}), frozenset({"too_large"})),
    "area_1e13": Kind(with_cells({(6, "sports_area_m2"): 1e13}), frozenset({"too_large"})),
    "name_too_long": Kind(with_cells({(7, "school_name"): _long(100)}), frozenset({"too_long"})),
    "code_too_long": Kind(with_cells({(7, "school_code"): "2130010008" * 3}), frozenset({"too_long"})),
    "merged_figure": Kind(with_sheet(_merge_figure), frozenset({"merged_cell"})),  # its second row not "empty"
    "yuan_and_wan": Kind(with_sheet(_wan_column), frozenset({"both_units"})),
    "level_part_where_none": Kind(with_cells({(0, "students_primary"): 1108}), frozenset({"not_applicable"})),
    "digits_beyond_float": Kind(with_cells({(8, "books"): "9" * 400}), frozenset({"not_a_number"})),
    # rows against rows
    "duplicate_school": Kind(with_frame(_shared_code), frozenset({"duplicate_school", "inconsistent_school"})),
    "junior_level_on_a_primary": Kind(with_frame(_set(0, "level", "junior")), frozenset({"bad_level"})),
    "senior_level_on_a_nine_year": Kind(
        with_frame(_set(lambda f: row_of(f, "nine_year"), "level", "senior")), frozenset({"bad_level"})
    ),
    "special_school_without_level": Kind(
        with_frame(_set(lambda f: row_of(f, "special"), "level", pd.NA)), frozenset({"level_required"})
    ),
    "whole_and_split_rows": Kind(with_frame(_split_and_whole), frozenset({"mixed_split"})),
    "one_school_two_names": Kind(with_frame(_two_names), frozenset({"inconsistent_school"})),
    "students_not_the_sum": Kind(
        with_frame(_set(lambda f: row_of(f, "nine_year"), "students", 9999)), frozenset({"students_mismatch"})
    ),
    # accepted: the reading takes them as a person means them
    "cover_sheet_first": Kind(_cover_first, frozenset()),
    "full_width_digits": Kind(with_cells({(0, "students"): "１１０８"}), frozenset()),
    "thousands_separator": Kind(with_cells({(0, "students"): "1,108"}), frozenset()),
    "name_on_two_lines": Kind(with_cells({(0, "school_name"): "示范县\n实验小学"}), frozenset()),
    "contact_line_below": Kind(
        with_sheet(_trailer("联系人：张三", None, "联系电话：0311-12345678", None, "填报日期：2025年9月30日")),
        frozenset(),
        frozenset({"note_row"}),
    ),
    "total_row_below": Kind(
        with_sheet(_trailer(None, "合计", None, None, None, None, None, None, 53000)),
        frozenset(),
        frozenset({"total_row"}),
    ),
    "example_row_left_in": Kind(with_sheet(_example_row), frozenset()),
    "location_merged_down": Kind(with_sheet(_merge_location), frozenset()),
    "unknown_extra_column": Kind(with_sheet(_extra_column), frozenset(), frozenset({"unknown_column"})),
    "million_formatted_rows": Kind(_formatted_rows, frozenset()),
    "whole_row_students_empty": Kind(with_frame(_nine_year_by_type), frozenset()),
    "english_enum_spellings": Kind(with_cells({(0, "school_type"): "primary", (0, "location"): "URBAN"}), frozenset()),
    "level_left_empty": Kind(with_cells({(0, "level"): None}), frozenset()),
    "csv_utf8": Kind(as_csv(), frozenset()),
    "csv_gbk": Kind(as_csv(encoding="gb18030"), frozenset()),
    "csv_semicolons": Kind(as_csv(sep=";"), frozenset()),
    "csv_text_in_a_figure": Kind(as_csv(_set(0, "students", "很多")), frozenset({"not_a_number"})),
}
