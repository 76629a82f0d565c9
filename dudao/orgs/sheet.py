"""Reading and writing the administration's spreadsheets (the school register, accounts) by column
specs — the seam where the shared spec-driven reader plugs in.

:func:`read_table` is the one function that turns a file into typed rows or an
:class:`~dudao.engine.problems.InputError` listing every problem (sheet, row as the user sees it,
column as its header is written, value, rule, in Chinese and English). It stands on the file checks of
:mod:`dudao.sheets.reader` (size, format, .xls refused, CSV encodings). Its interface — ``ColumnSpec``,
``read_table(path, columns, sheet=, example_key=)`` returning ``Table(sheet, rows, headers,
warnings)`` of ``Row`` (``row.row``, ``row["key"]``) — is that of the generic reader being built in
``dudao.sheets.table``; when it lands, this module's reading is replaced by it and nothing else changes.

:func:`write_template` writes the matching template: Chinese headers (row 1), the English keys (row 2,
skipped on reading), an example row marked 示例 (skipped), drop-down lists for the enumerations, a
note on each header and a sheet of instructions.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dudao.engine.problems import InputError, Problem
from dudao.sheets.columns import normalize_header
from dudao.sheets.reader import CSV_SUFFIXES, _check_file, _load_csv

Kind = Literal["text", "enum"]
HEADER_SCAN_ROWS = 10
EXAMPLE = "示例"
NOTE_PREFIXES = ("注", "备注", "说明", "填表", "制表", "审核", "联系人", "负责人", "note")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its key, the template's Chinese header, English for the template's notes, other
    headers accepted, whether the column must be there and its cells filled, enum choices (code ->
    spellings, the first shown), a length limit, and a note for the template."""

    key: str
    zh: str
    kind: Kind = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False
    nonempty: bool | None = None
    choices: Mapping[str, Sequence[str]] | None = None
    max_length: int | None = None
    en: str = ""
    note: str = ""
    example: str = ""

    @property
    def may_be_empty(self) -> bool:
        return not (self.required if self.nonempty is None else self.nonempty)


@dataclass
class Row:
    row: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


@dataclass
class Table:
    sheet: str
    rows: list[Row]
    headers: dict[str, str]  # key -> the header as written
    warnings: list[Problem] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(path: Path, sheet: str | None, specs: Sequence[ColumnSpec]) -> tuple[str, list[Sequence[Any]], int]:
    """The sheet's name, its rows and the index of its header row."""
    index = _index(specs)
    suffix = _check_file(path)
    if suffix in CSV_SUFFIXES:
        loaded = _load_csv(path)
        found = _find_header(loaded.rows, index)
        if found is None:
            _no_header(path.name, [loaded.name], specs)
        return loaded.name, loaded.rows, found  # type: ignore[return-value]
    not_xlsx = (
        "not_xlsx",
        "文件不是有效的 .xlsx 工作簿（可能已损坏，或是改了扩展名的其他文件）：请在 Excel 或 WPS 中打开并另存为 .xlsx",
        "The file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed): "
        "open it in Excel or WPS and save as .xlsx",
    )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC) or not head.startswith(b"PK"):
        raise InputError([Problem(*not_xlsx, value=path.name)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise InputError([Problem(*not_xlsx, value=path.name)]) from None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            listed = "、".join(f"“{n}”" for n in names)
            raise InputError(
                [
                    Problem(
                        "no_such_sheet",
                        f"工作簿中没有名为“{sheet}”的工作表；现有工作表：{listed}",
                        f"No sheet named {sheet!r}; the sheets are: {', '.join(map(repr, names))}",
                        sheet=sheet,
                        value=sheet,
                    )
                ]
            )
        for name in [sheet] if sheet is not None else names:
            ws = wb[name]
            if not hasattr(ws, "iter_rows"):
                continue
            ws.reset_dimensions()
            rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
            found = _find_header(rows, index)
            if found is not None:
                return name, rows, found
    except InputError:
        raise
    except Exception:
        raise InputError([Problem(*not_xlsx, value=path.name)]) from None
    finally:
        wb.close()
    _no_header(path.name, names, specs)
    raise AssertionError  # not reached


def _index(specs: Sequence[ColumnSpec]) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in specs:
        for name in (spec.key, spec.zh, *spec.aliases):
            index.setdefault(normalize_header(name), spec.key)
    return index


def _find_header(rows: Sequence[Sequence[Any]], index: Mapping[str, str]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = [normalize_header(v) for v in row if _text(v)]
        matched = sum(n in index for n in names)
        if matched >= 2 or (matched and matched == len(names)):
            return i
    return None


def _no_header(filename: str, sheets: list[str], specs: Sequence[ColumnSpec]) -> None:
    shown = [s for s in specs if s.required][:2]
    zh = "".join(f"“{s.zh}”" for s in shown)
    listed = "、".join(f"“{n}”" for n in sheets)
    raise InputError(
        [
            Problem(
                "no_header",
                f"所有工作表（{listed}）的前 {HEADER_SCAN_ROWS} 行中都找不到可识别的表头（如{zh}）；请使用模板的表头",
                f"No sheet ({', '.join(map(repr, sheets))}) has a recognisable header row (such as "
                f"{' / '.join(s.key for s in shown)}) in its first {HEADER_SCAN_ROWS} rows; use the template's headers",
                value=filename,
            )
        ]
    )


def read_table(
    path: Path | str, columns: Sequence[ColumnSpec], *, sheet: str | None = None, example_key: str | None = None
) -> Table:
    """The typed rows of the table ``columns`` describe, or ``InputError`` with every problem."""
    path = Path(path)
    name, rows, header = _rows(path, sheet, columns)
    specs = {s.key: s for s in columns}
    index = _index(columns)
    errors: list[Problem] = []
    warned: list[Problem] = []
    found: dict[str, tuple[int, str]] = {}
    for ci, raw in enumerate(rows[header]):
        written = _text(raw)
        if not written:
            continue
        key = index.get(normalize_header(written))
        if key is None:
            warned.append(
                Problem(
                    "unknown_column",
                    f"无法识别的列“{written}”，已忽略",
                    f"Unknown column {written!r}, ignored",
                    sheet=name,
                    row=header + 1,
                    column=written,
                    value=written,
                )
            )
        elif key in found:
            errors.append(
                Problem(
                    "duplicate_column",
                    f"列“{written}”与“{found[key][1]}”重复",
                    f"Column {written!r} repeats {found[key][1]!r}",
                    sheet=name,
                    row=header + 1,
                    column=written,
                )
            )
        else:
            found[key] = (ci, written)
    for spec in columns:
        if spec.required and spec.key not in found:
            errors.append(
                Problem(
                    "missing_column",
                    f"缺少必填列“{spec.zh}”（{spec.key}）",
                    f"Missing required column {spec.zh} ({spec.key})",
                    sheet=name,
                    row=header + 1,
                    column=spec.zh,
                )
            )
    if errors:
        raise InputError(errors)
    keys = {normalize_header(s.key) for s in columns}
    spellings = {
        s.key: {normalize_header(n): code for code, names in (s.choices or {}).items() for n in (code, *names)}
        for s in columns
        if s.kind == "enum"
    }
    out: list[Row] = []
    for ri in range(header + 1, len(rows)):
        cells = {key: _text(rows[ri][ci]) if ci < len(rows[ri]) else "" for key, (ci, _w) in found.items()}
        filled = [v for v in cells.values() if v]
        number = ri + 1
        if not filled:
            continue
        if all(normalize_header(v) in keys for v in filled):  # the template's row of English keys
            continue
        if example_key and cells.get(example_key) in (EXAMPLE, "example"):
            continue
        if all(v.startswith(NOTE_PREFIXES) for v in filled):
            warned.append(
                Problem("note_row", "备注行，已跳过", "A note row, skipped", sheet=name, row=number, value=filled[0])
            )
            continue
        values: dict[str, Any] = {s.key: "" for s in columns}
        for key, value in cells.items():
            spec, column = specs[key], found[key][1]
            where = {"sheet": name, "row": number, "column": column, "value": value or None}
            if value.startswith("#") and value.endswith(("!", "?", "A")) and value.isupper():
                errors.append(
                    Problem(
                        "formula_error",
                        f"单元格是 Excel 错误值 {value}",
                        f"The cell holds the Excel error {value}",
                        **where,
                    )
                )
                continue
            if not value:
                if not spec.may_be_empty:
                    errors.append(
                        Problem(
                            "empty_value", f"“{spec.zh}”不能为空", f"{spec.zh} ({spec.key}) may not be empty", **where
                        )
                    )
                continue
            if spec.max_length is not None and len(value) > spec.max_length:
                errors.append(
                    Problem(
                        "too_long",
                        f"“{spec.zh}”不能超过 {spec.max_length} 个字",
                        f"{spec.key} is longer than {spec.max_length} characters",
                        **where,
                    )
                )
                continue
            if spec.kind == "enum":
                code = spellings[key].get(normalize_header(value))
                if code is None:
                    allowed = "、".join(names[0] for names in (spec.choices or {}).values())
                    errors.append(
                        Problem(
                            "unknown_value",
                            f"“{value}”不是有效的{spec.zh}，应为：{allowed}",
                            f"{value!r} is not a valid {spec.key}; use one of: {', '.join(spec.choices or {})}",
                            **where,
                        )
                    )
                    continue
                value = code
            values[key] = value
        out.append(Row(number, values))
    if errors:
        raise InputError(errors)
    return Table(name, out, {k: w for k, (_ci, w) in found.items()}, warned)


# --------------------------------------------------------------------------------------------
# Templates

_HEAD = PatternFill("solid", fgColor="DDEBF7")
_HEAD_REQUIRED = PatternFill("solid", fgColor="FCE4D6")
DATA_ROWS = 2000


def write_template(
    columns: Sequence[ColumnSpec], sheet: str, help_lines: Sequence[tuple[str, str]], example_key: str
) -> bytes:
    """The template workbook as bytes (see the module doc); ``help_lines`` are (Chinese, English)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    lists = wb.create_sheet("选项")
    for ci, spec in enumerate(columns, start=1):
        letter = get_column_letter(ci)
        head = ws.cell(row=1, column=ci, value=spec.zh + ("*" if spec.required else ""))
        head.font = Font(bold=True)
        head.fill = _HEAD_REQUIRED if spec.required else _HEAD
        head.alignment = Alignment(wrap_text=True, vertical="top")
        note = spec.note + (f"\n{spec.en}" if spec.en else "")
        if note.strip():
            head.comment = Comment(note.strip(), "dudao", width=260, height=120)
        key = ws.cell(row=2, column=ci, value=spec.key)
        key.font = Font(color="808080", italic=True)
        ws.cell(row=3, column=ci, value=EXAMPLE if spec.key == example_key else spec.example).font = Font(
            color="808080"
        )
        ws.column_dimensions[letter].width = max(12, min(40, len(spec.zh) * 2 + 4))
        for row in range(3, DATA_ROWS + 3):
            ws.cell(row=row, column=ci).number_format = "@"  # codes and phones keep their leading zeros
        if spec.kind == "enum" and spec.choices:
            shown = [names[0] for names in spec.choices.values()]
            for ri, value in enumerate(shown, start=1):
                lists.cell(row=ri, column=ci, value=value)
            ref = f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(shown)}"
            check = DataValidation(type="list", formula1=ref, allow_blank=True)
            check.error = f"请从下拉列表中选择{spec.zh}"
            check.errorTitle = spec.zh
            ws.add_data_validation(check)
            check.add(f"{letter}3:{letter}{DATA_ROWS + 2}")
    ws.freeze_panes = "A3"
    lists.sheet_state = "hidden"
    helps = wb.create_sheet("说明")
    helps.column_dimensions["A"].width = 70
    helps.column_dimensions["B"].width = 70
    for ri, (zh, en) in enumerate(help_lines, start=1):
        for ci, text in enumerate((zh, en), start=1):
            cell = helps.cell(row=ri, column=ci, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if ri == 1:
                cell.font = Font(bold=True, size=13)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
