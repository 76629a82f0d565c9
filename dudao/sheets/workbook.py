"""The one reader of the spreadsheets people send us: .xlsx (.xlsm) and .csv, within bounds.

:func:`open_workbook` checks the file (found, a known type, not over the size limit, what its first
bytes say it is) and opens it; :meth:`Workbook.read` gives one sheet's cells as Python values, the way
a person sees them in Excel:

* ``rows``: row ``r`` (1-based, as Excel numbers it) is ``rows[r - 1]``, a sequence of cell values —
  ``str``, ``int``, ``float``, ``bool``, ``datetime``/``time`` (a number formatted as a date or time,
  including the Chinese built-in formats such as 2025年9月1日), an Excel error as its text
  (``"#DIV/0!"``), ``None`` for an empty cell; trailing empty cells and rows are not there. A CSV's
  cells are all ``str`` (``text_only``), a short row's missing cells read as ``""``.
* ``formulas``: the cells holding a formula with no calculated value (saved by a program that does
  not calculate), by (row, 0-based column), with the formula's text (``=A1+B1``). A formula *with*
  its value is just its value.
* ``merged``: merged ranges as 0-based (first row, first column, last row, last column), inclusive.

The .xlsx is read in one streaming pass per part (:mod:`dudao.sheets.ooxml`: the zip and XML bounds)
— shared strings, number formats (which numbers are dates), then the sheet's cells, formulas and
merged ranges together. A cell's text is at most 32,767 characters (Excel's limit) and a formula's
8,192; the area of a sheet that holds data (last row × last column) at most ``Limits.cells``, so a
stray value at row 1,000,000, column XFD cannot make the readers above build a billion empty cells.
``max_rows`` stops reading a sheet after that row (the header scan). A CSV is decoded as UTF-8 (with
or without BOM), GB18030 (GBK) or UTF-16, at most 1,048,576 rows (Excel's).

Rule codes: ``file_not_found``, ``unknown_format``, ``xls_not_supported``, ``file_too_large``,
``not_xlsx``, ``not_csv``, ``bad_encoding``, ``too_many_sheets``, ``too_many_cells``,
``cell_too_long``, and the package and XML bounds of :mod:`dudao.sheets.ooxml`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from dudao.sheets.limits import (
    EXCEL_MAX_CELL_CHARS,
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    Limits,
    current_limits,
    shown_bytes,
)
from dudao.sheets.ooxml import NOT_VALID, Package, StopReading, XmlHandler, refuse

Format = Literal["xlsx", "csv"]
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
EXCEL_MAX_FORMULA_CHARS = 8_192
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx
# Built-in number formats that are dates or times in the Chinese (and other East Asian) editions of
# Excel, which write them by id only: 27–36 and 50–58 (2025年9月1日, 9月1日, 12时30分 …).
CJK_DATE_FORMAT_IDS = frozenset([*range(27, 37), *range(50, 59)])
R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class Sheet:
    name: str
    rows: list[Sequence[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    text_only: bool = False  # a CSV: every cell is a str


class Workbook:
    """An opened .xlsx or .csv (see the module's docstring); close it, or use it as a context manager."""

    def __init__(self, name: str, kind: Format, sheet_names: list[str]) -> None:
        self.name, self.kind, self.sheet_names = name, kind, sheet_names

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, sheet: str, max_rows: int | None = None) -> Sheet:
        raise NotImplementedError

    def close(self) -> None:
        pass


def fail(rule: str, zh: str, en: str, value: str | None = None) -> NoReturn:
    refuse(rule, zh, en, value)


def open_workbook(
    source: Path | str | bytes,
    name: str | None = None,
    *,
    formats: Sequence[Format] = ("xlsx", "csv"),
    limits: Limits | None = None,
) -> Workbook:
    """Open ``source`` (a path, or the file's bytes with its ``name``) as one of ``formats``.
    Raises :class:`~dudao.engine.problems.InputError` (one problem) if it cannot be read within
    ``limits`` (by default :func:`dudao.sheets.limits.current_limits`)."""
    limits = limits or current_limits()
    if not isinstance(source, bytes):
        source = Path(source)
        name = name or source.name
        _check_path(source)
    name = name or "upload"
    suffix = Path(name).suffix.lower()
    accepted = [*(XLSX_SUFFIXES if "xlsx" in formats else ()), *(CSV_SUFFIXES if "csv" in formats else ())]
    if suffix == ".xls" and "xlsx" in formats:
        fail(
            "xls_not_supported",
            "不支持旧版 Excel 97-2003（.xls）格式：请在 Excel 或 WPS 中打开，“另存为”.xlsx 后再导入",
            "The old Excel 97-2003 (.xls) format is not supported: open it in Excel or WPS and save as .xlsx",
            name,
        )
    if suffix not in accepted:
        listed = " 或 ".join(accepted)
        fail(
            "unknown_format",
            f"不支持的文件类型“{suffix or '（无扩展名）'}”：请使用 {listed} 文件",
            f"Unsupported file type {suffix or '(no extension)'!r}: use {' or '.join(accepted)}",
            name,
        )
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    if size > limits.file_bytes:
        fail(
            "file_too_large",
            f"文件过大（{shown_bytes(size)}），上限为 {shown_bytes(limits.file_bytes)}；请删除无关的工作表、图片，"
            "或拆分后分别导入",
            f"The file is too large ({shown_bytes(size, 'en')}; the limit is {shown_bytes(limits.file_bytes, 'en')}): "
            "remove unrelated sheets and images, or split it",
            name,
        )
    head = source[:8] if isinstance(source, bytes) else _head(source)
    if suffix in CSV_SUFFIXES:
        return _CsvWorkbook(name, source if isinstance(source, bytes) else source.read_bytes(), limits)
    return _XlsxWorkbook(name, source, head, limits)


def _check_path(path: Path) -> None:
    shown = str(path)
    if path.is_dir():
        fail("file_not_found", f"“{path.name}”是文件夹，不是文件", f"{path.name!r} is a folder, not a file", shown)
    if not path.is_file():
        fail("file_not_found", f"找不到文件：{shown}", f"File not found: {shown}", shown)


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(8)


# --------------------------------------------------------------------------------------------
# .xlsx


class _XlsxWorkbook(Workbook):
    def __init__(self, name: str, source: Path | bytes, head: bytes, limits: Limits) -> None:
        if head.startswith(OLE_MAGIC):
            fail(
                "xls_not_supported",
                "这是旧版 .xls 文件（或设置了打开密码的文件），只是扩展名为 .xlsx：请在 Excel 或 WPS 中打开，"
                "取消密码，“另存为”.xlsx 后再导入",
                "This is an old .xls file (or a password-protected one) named .xlsx: open it in Excel or WPS, "
                "remove any password and save as .xlsx",
                name,
            )
        if not head.startswith(b"PK"):
            refuse(*NOT_VALID["xlsx"], value=name)
        self.package = Package(source, name, "xlsx", limits)
        try:
            self._open()
        except BaseException:
            self.package.close()
            raise
        super().__init__(name, "xlsx", list(self.parts))

    def _open(self) -> None:
        package = self.package
        main = next((r.part for r in package.relationships("") if r.type == "officeDocument" and r.part), None)
        if main is None or main not in package.parts:
            package.not_valid()
        book = _WorkbookXml(package.limits.sheets, package.name)
        package.parse(main, book)
        rels = {r.id: r for r in package.relationships(main)}
        self.parts: dict[str, str] = {}  # sheet name -> worksheet part (chart sheets left out)
        for sheet_name, rid in book.sheets:
            rel = rels.get(rid)
            if rel is None or rel.part is None or rel.part not in package.parts:
                package.not_valid()
            if rel.type == "worksheet":
                self.parts[sheet_name] = rel.part
        self.epoch = MAC_EPOCH if book.date1904 else WINDOWS_EPOCH
        self.strings_part = next((r.part for r in rels.values() if r.type == "sharedStrings"), None)
        self.styles_part = next((r.part for r in rels.values() if r.type == "styles"), None)
        self._strings: list[str] | None = None
        self._styles: _Styles | None = None

    def close(self) -> None:
        self.package.close()

    def _shared(self) -> tuple[list[str], _Styles]:
        if self._strings is None:
            strings = _SharedStrings()
            if self.strings_part and self.strings_part in self.package.parts:
                self.package.parse(self.strings_part, strings)
            self._strings = strings.items
        if self._styles is None:
            self._styles = _Styles()
            if self.styles_part and self.styles_part in self.package.parts:
                self.package.parse(self.styles_part, self._styles)
        return self._strings, self._styles

    def read(self, sheet: str, max_rows: int | None = None) -> Sheet:
        strings, styles = self._shared()
        handler = _SheetXml(sheet, strings, styles.dates(), self.epoch, max_rows, self.package.limits.cells)
        self.package.parse(self.parts[sheet], handler)
        return Sheet(sheet, handler.finish(), handler.formulas, handler.merged)


class _WorkbookXml(XmlHandler):
    def __init__(self, most: int, name: str) -> None:
        self.most, self.name = most, name
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "sheet":
            self.sheets.append((attrs.get("name", ""), attrs.get(R_ID, "")))
            if len(self.sheets) > self.most:
                fail(
                    "too_many_sheets",
                    f"工作簿的工作表超过 {self.most} 个：请删除无关的工作表，或把数据复制到一个新工作簿",
                    f"The workbook has more than {self.most} sheets: delete the unrelated ones, or copy the data "
                    "into a new workbook",
                    self.name,
                )
        elif name == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _TextCollector(XmlHandler):
    """Base for handlers that keep text: at most ``most`` characters per text, else ``too_long``."""

    most = EXCEL_MAX_CELL_CHARS

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.collecting = False

    def collect(self) -> None:
        self.parts, self.size, self.collecting = [], 0, True

    def text(self, data: str) -> None:
        if self.collecting:
            self.size += len(data)
            if self.size > self.most:
                self.too_long()
            self.parts.append(data)

    def collected(self) -> str:
        self.collecting = False
        return "".join(self.parts)

    def too_long(self) -> NoReturn:
        raise NotImplementedError


class _SharedStrings(_TextCollector):
    """Each ``<si>``'s text: its ``<t>`` runs, without phonetic runs (``<rPh>``)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.item: list[str] = []
        self.item_size = 0
        self.phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "t" and not self.phonetic:
            self.collect()
        elif name == "si":
            self.item, self.item_size = [], 0
        elif name == "rPh":
            self.phonetic = True

    def end(self, name: str) -> None:
        if name == "t" and self.collecting:
            text = self.collected()
            self.item_size += len(text)
            if self.item_size > self.most:
                self.too_long()
            self.item.append(text)
        elif name == "si":
            self.items.append("".join(self.item))
        elif name == "rPh":
            self.phonetic = False

    def too_long(self) -> NoReturn:
        fail(
            "cell_too_long",
            f"工作簿中有文字超过 {EXCEL_MAX_CELL_CHARS:,} 个字符（Excel 单元格的上限）："
            "这不像是 Excel 或 WPS 保存的文件",
            f"The workbook holds a text over {EXCEL_MAX_CELL_CHARS:,} characters (Excel's limit for a cell): it was "
            "not saved by Excel or WPS",
        )


class _Styles(XmlHandler):
    """Which cell styles (``s`` of a cell) show a number as a date or time."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.xfs: list[int] = []
        self.in_xfs = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "numFmt":
            try:
                self.custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif name == "cellXfs":
            self.in_xfs = True
        elif name == "xf" and self.in_xfs:
            try:
                self.xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.xfs.append(0)

    def end(self, name: str) -> None:
        if name == "cellXfs":
            self.in_xfs = False

    def dates(self) -> dict[int, bool]:
        """style index -> True for a date or time format, False for a duration ([h]:mm); absent: a number."""
        out: dict[int, bool] = {}
        for i, fmt_id in enumerate(self.xfs):
            code = self.custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
            if code is not None and is_date_format(code):
                out[i] = not is_timedelta_format(code)
            elif code is None and fmt_id in CJK_DATE_FORMAT_IDS:
                out[i] = True
        return out


def _split_ref(ref: str) -> tuple[int, int] | None:
    """ "AB12" -> (12, 27); None if it is no cell reference."""
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    if not 0 < i <= 3 or not ref[i:].isdigit():
        return None
    return int(ref[i:]), column_index_from_string(ref[:i].upper())


class _SheetXml(_TextCollector):
    """One worksheet's cells, formulas without a value, and merged ranges."""

    def __init__(
        self, sheet: str, strings: list[str], dates: dict[int, bool], epoch: Any, max_rows: int | None, cells: int
    ) -> None:
        super().__init__()
        self.sheet, self.strings, self.dates, self.epoch = sheet, strings, dates, epoch
        self.max_rows, self.cells = max_rows, cells
        self.rows: dict[int, dict[int, Any]] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.shared: dict[str, tuple[str, str]] = {}  # shared formula index -> (text, anchor cell)
        self.row_no = 0
        self.col = 0
        self.width = 0  # the last column holding a value
        self.last_row = 0  # the last row holding a value
        self.cell: tuple[str, str | None, str | None] | None = None  # (type, style, ref) of the open <c>
        self.value: str | None = None
        self.formula: str | None = None
        self.formula_attrs: dict[str, str] = {}
        self.inline: list[str] = []
        self.in_inline = self.phonetic = False

    # -- events

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "c":
            self._open_cell(attrs)
        elif name == "v" or (name == "t" and self.in_inline and not self.phonetic):
            self.collect()
        elif name == "row":
            r = attrs.get("r")
            try:
                row_no = self.row_no + 1 if r is None else int(r)
            except ValueError:
                self._damaged()
            self._open_row(row_no)
        elif name == "f":
            self.formula_attrs = attrs
            self.collect()
            self.most = EXCEL_MAX_FORMULA_CHARS
        elif name == "is":
            self.in_inline, self.inline = True, []
        elif name == "rPh":
            self.phonetic = True
        elif name == "mergeCell":
            self._merge(attrs.get("ref", ""))

    def end(self, name: str) -> None:
        if name == "c":
            if self.cell is not None:
                self._close_cell()
        elif name == "v":
            if self.collecting:
                self.value = self.collected()
        elif name == "row":
            pass
        elif name == "t" and self.collecting:
            self.inline.append(self.collected())
        elif name == "f":
            self.formula = self.collected()
            self.most = EXCEL_MAX_CELL_CHARS
        elif name == "is":
            self.in_inline = False
        elif name == "rPh":
            self.phonetic = False

    def _open_row(self, row_no: int) -> None:
        if not 0 < row_no <= EXCEL_MAX_ROWS:
            self._damaged()
        if self.max_rows is not None and row_no > self.max_rows:
            raise StopReading
        self.row_no, self.col = row_no, 0

    def _open_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref is not None:
            where = _split_ref(ref)
            if where is None:
                self._damaged()
            row_no, self.col = where
            if row_no != self.row_no:
                self._open_row(row_no)
        else:
            self.col += 1
        if not 0 < self.col <= EXCEL_MAX_COLUMNS or self.row_no == 0:
            self._damaged()
        self.cell = (attrs.get("t", "n"), attrs.get("s"), ref)
        self.value = self.formula = None
        self.inline = []

    def _close_cell(self) -> None:
        assert self.cell is not None
        kind, style, _ref = self.cell
        self.cell = None
        value = self._value(kind, style)
        if value is None and self.formula is not None:
            self.formulas[(self.row_no, self.col - 1)] = self._formula_text()
        elif value is None:
            return
        if self.row_no > self.last_row or self.col > self.width:
            self.last_row, self.width = max(self.last_row, self.row_no), max(self.width, self.col)
            if self.last_row * self.width > self.cells:
                self._too_many_cells()
        if value is not None:
            self.rows.setdefault(self.row_no, {})[self.col - 1] = value

    def _value(self, kind: str, style: str | None) -> Any:
        if kind == "inlineStr":
            return "".join(self.inline) if self.inline else None
        raw = self.value
        if raw is None or (raw == "" and kind != "str"):
            return None
        if kind == "s":
            index = _whole(raw)
            if index is None or index >= len(self.strings):
                self._damaged()
            return self.strings[index]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return from_ISO8601(raw)  # type: ignore[no-untyped-call]  # types-openpyxl leaves it untyped
            except ValueError:
                return raw
        return self._number(raw, style)

    def _number(self, raw: str, style: str | None) -> Any:
        try:
            number: int | float = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
        except ValueError:
            return raw  # not a number: the readers above name it as written
        if style is not None and self.dates:
            date = self.dates.get(_whole(style) or 0)
            if date is not None:
                try:
                    return from_excel(number, self.epoch, timedelta=not date)
                except (ValueError, OverflowError):
                    return number
        return number

    def _formula_text(self) -> str:
        text = self.formula or ""
        attrs = self.formula_attrs
        here = f"{get_column_letter(self.col)}{self.row_no}"
        if attrs.get("t") == "shared":
            index = attrs.get("si", "")
            if text:
                self.shared[index] = (text, here)
            elif index in self.shared:
                master, anchor = self.shared[index]
                try:  # str(): translate_formula is untyped in types-openpyxl
                    return str(Translator("=" + master, origin=anchor).translate_formula(here))
                except TranslatorError:
                    return "=" + master
        return "=" + text

    def _merge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        a, b = _split_ref(first), _split_ref(last)
        if a is not None and b is not None and (a != b):
            self.merged.append((a[0] - 1, a[1] - 1, b[0] - 1, b[1] - 1))

    # -- refusals

    def too_long(self) -> NoReturn:
        most = self.most
        where = f"{get_column_letter(max(self.col, 1))}{self.row_no}"
        fail(
            "cell_too_long",
            f"工作表“{self.sheet}”的单元格 {where} 超过 {most:,} 个字符（Excel 的上限）："
            "这不像是 Excel 或 WPS 保存的文件",
            f"Cell {where} of sheet {self.sheet!r} is over {most:,} characters (Excel's limit): it was not saved by "
            "Excel or WPS",
        )

    def _too_many_cells(self) -> NoReturn:
        where = f"{get_column_letter(self.col)}{self.row_no}"
        fail(
            "too_many_cells",
            f"工作表“{self.sheet}”的数据区域过大：单元格 {where} 有内容，"
            f"数据区域达 {self.last_row:,} 行 × {self.width:,} 列，"
            f"超过 {self.cells:,} 个单元格的上限；请删除表格以外多余的内容后再导入",
            f"The data area of sheet {self.sheet!r} is too large: cell {where} holds something, making it "
            f"{self.last_row:,} rows × {self.width:,} columns, over the limit of {self.cells:,} cells; delete what "
            "lies outside the table and import again",
        )

    def _damaged(self) -> NoReturn:
        fail(
            "not_xlsx",
            f"工作表“{self.sheet}”的内容已损坏（单元格位置无效）：请在 Excel 或 WPS 中打开并另存为 .xlsx",
            f"Sheet {self.sheet!r} is damaged (an invalid cell position): open the file in Excel or WPS and save "
            "it as .xlsx",
        )

    def finish(self) -> list[Sequence[Any]]:
        out: list[Sequence[Any]] = []
        for row_no in sorted(self.rows):
            while len(out) < row_no - 1:
                out.append(())
            cells = self.rows[row_no]
            row: list[Any] = [None] * (max(cells) + 1)
            for ci, v in cells.items():
                row[ci] = v
            out.append(tuple(row))
        return out


def _whole(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# .csv


class _CsvWorkbook(Workbook):
    def __init__(self, name: str, data: bytes, limits: Limits) -> None:
        super().__init__(name, "csv", [name])
        self.sheet = _read_csv(name, data, limits)

    def read(self, sheet: str, max_rows: int | None = None) -> Sheet:
        return self.sheet


def _lines(text: str, newline: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (no list of them all, no copy of the text)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find(newline, start)
        end = size if end < 0 else end + 1
        yield text[start:end]
        start = end


def _too_many_rows(name: str, rows: int, width: int, limits: Limits) -> NoReturn:
    columns_zh, columns_en = (f"，{width:,} 列", f", {width:,} columns") if width else ("", "")
    fail(
        "too_many_cells",
        f"CSV 文件过大：超过 {EXCEL_MAX_ROWS:,} 行或 {limits.cells:,} 个单元格的上限（第 {rows:,} 行{columns_zh}）；"
        "请拆分后分别导入",
        f"The CSV file is too large: over {EXCEL_MAX_ROWS:,} rows or {limits.cells:,} cells (row {rows:,}"
        f"{columns_en}); split it",
        name,
    )


def _read_csv(name: str, data: bytes, limits: Limits) -> Sheet:
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if data.startswith((b"PK\x03\x04", OLE_MAGIC)) or (not utf16 and b"\x00" in data[:4096]):
        fail(
            "not_csv",
            "文件不是文本格式的 CSV（可能是改了扩展名的 Excel 工作簿）：请另存为 .xlsx 或“CSV（逗号分隔）”",
            "The file is not a text CSV (perhaps an Excel workbook renamed): save it as .xlsx or as CSV "
            "(comma delimited)",
            name,
        )
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        fail(
            "bad_encoding",
            "无法识别 CSV 文件的文字编码（支持 UTF-8 和 GBK/GB18030）：请另存为 .xlsx",
            "Cannot decode the CSV file (UTF-8 and GBK/GB18030 are supported): save it as .xlsx",
            name,
        )
    newline = "\n" if "\n" in text or "\r" not in text else "\r"  # "\r" alone: an old Mac's CSV
    if text.count(newline) > EXCEL_MAX_ROWS:  # more lines than Excel has rows: refused before they are parsed
        _too_many_rows(name, text.count(newline), 0, limits)
    first = next((line for line in _lines(text, newline) if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count)
    if not first.count(delimiter):
        delimiter = ","
    rows: list[Sequence[Any]] = []
    width = 0
    try:
        for row in csv.reader(_lines(text, newline), delimiter=delimiter):
            width = max(width, len(row))
            if len(rows) >= EXCEL_MAX_ROWS or (len(rows) + 1) * width > limits.cells:
                _too_many_rows(name, len(rows) + 1, width, limits)
            rows.append(row)
    except csv.Error as exc:
        fail("not_csv", f"CSV 文件格式有误：{exc}", f"Malformed CSV file: {exc}", name)
    return Sheet(name, rows, text_only=True)
