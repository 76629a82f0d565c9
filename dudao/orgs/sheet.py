"""The administration's spreadsheets (the school register, accounts): read by the project's one
spec-driven reader, :func:`dudao.sheets.table.read_table` (bounded opening of .xlsx/.csv, every problem
with sheet, row, column as written, value and rule, in Chinese and English), and their templates.

:func:`write_template` writes a template matching a list of :class:`~dudao.sheets.table.ColumnSpec`:
Chinese headers (row 1, ``*`` on required ones), the English keys (row 2, skipped on reading), an
example row marked 示例 in the example column (skipped), drop-down lists for the enumerations (from a
hidden sheet), a note on each header (Chinese and English, from :class:`Help`) and a sheet of
instructions. The workbook is saved inert through :mod:`dudao.sheets.writer`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dudao.sheets.table import ColumnSpec, Row, Table, read_table
from dudao.sheets.writer import workbook_bytes

__all__ = ["EXAMPLE", "ColumnSpec", "Help", "Row", "Table", "read_table", "write_template"]

EXAMPLE = "示例"
DATA_ROWS = 2000  # rows below the header given the drop-down lists and the text format
_HEAD = PatternFill("solid", fgColor="DDEBF7")
_HEAD_REQUIRED = PatternFill("solid", fgColor="FCE4D6")


@dataclass(frozen=True)
class Help:
    """What a template says about a column: the note on its header and its example value."""

    note: str = ""  # Chinese
    en: str = ""
    example: str = ""


def write_template(
    columns: Sequence[ColumnSpec],
    helps: Mapping[str, Help],
    sheet: str,
    help_lines: Sequence[tuple[str, str]],
    example_key: str,
) -> bytes:
    """The template workbook as bytes (see the module doc); ``help_lines`` are (Chinese, English)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    lists = wb.create_sheet("选项")
    for ci, spec in enumerate(columns, start=1):
        letter = get_column_letter(ci)
        helped = helps.get(spec.key, Help())
        head = ws.cell(row=1, column=ci, value=spec.zh + ("*" if spec.required else ""))
        head.font = Font(bold=True)
        head.fill = _HEAD_REQUIRED if spec.required else _HEAD
        head.alignment = Alignment(wrap_text=True, vertical="top")
        note = "\n".join(part for part in (helped.note, helped.en) if part)
        if note:
            head.comment = Comment(note, "dudao", width=260, height=120)
        ws.cell(row=2, column=ci, value=spec.key).font = Font(color="808080", italic=True)
        example = EXAMPLE if spec.key == example_key else helped.example
        ws.cell(row=3, column=ci, value=example).font = Font(color="808080")
        ws.column_dimensions[letter].width = max(12, min(40, len(spec.zh) * 2 + 4))
        for row in range(3, DATA_ROWS + 3):
            ws.cell(row=row, column=ci).number_format = "@"  # codes and phones keep their leading zeros
        if spec.kind == "enum" and spec.choices:
            shown = [names[0] for names in spec.choices.values()]
            for ri, value in enumerate(shown, start=1):
                lists.cell(row=ri, column=ci, value=value)
            check = DataValidation(
                type="list", formula1=f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(shown)}",
                allow_blank=True,
            )  # fmt: skip
            check.error = f"请从下拉列表中选择{spec.zh}"
            check.errorTitle = spec.zh
            ws.add_data_validation(check)
            check.add(f"{letter}3:{letter}{DATA_ROWS + 2}")
    ws.freeze_panes = "A3"
    lists.sheet_state = "hidden"
    helps_sheet = wb.create_sheet("说明")
    helps_sheet.column_dimensions["A"].width = 70
    helps_sheet.column_dimensions["B"].width = 70
    for ri, (zh, en) in enumerate(help_lines, start=1):
        for ci, text in enumerate((zh, en), start=1):
            cell = helps_sheet.cell(row=ri, column=ci, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if ri == 1:
                cell.font = Font(bold=True, size=13)
    return workbook_bytes(wb)
