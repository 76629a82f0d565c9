"""Read a school data table (.xlsx or .csv) into the canonical fields of ``dudao.engine.fields``.

Every problem in the file is collected and reported at once (``InputError``); each names the sheet,
the row as the user sees it, the column header as written, the value and a stable rule code, in
Chinese and English.

Rule codes — errors: ``file_not_found``, ``unknown_format``, ``xls_not_supported``, ``not_xlsx``,
``not_csv``, ``bad_encoding``, ``file_too_large``, ``no_such_sheet``, ``no_header``,
``missing_column``, ``duplicate_column``, ``empty_value``, ``not_a_number``, ``negative``,
``not_whole``, ``not_applicable``, ``unknown_value``, ``both_units``, ``formula_not_calculated``,
``formula_error``; warnings: ``unknown_column``, ``note_row``, ``total_row``, ``empty_column``.

A numeric column that is empty on every data row is taken as absent (``empty_column`` warning;
silent for per-level columns and the unused one of the 元/万元 pair); ``students`` is never dropped.

A column that describes a count (``Column.requires``: the smallest music room's area describes the
music rooms) does not apply on a row where that count is 0: it may be empty there (read as 0.0), and a
figure other than 0 is ``not_applicable``. Without the count column it applies on every row.

The data rows are read column by column: whole columns are parsed at once (plain numbers with numpy
from the column's bytes, enum spellings once per distinct value) and the per-row rules (which
per-level columns apply, students as the sum of its parts, 元 or 万元) are applied to whole arrays.
A row holding anything the column-wise path does not settle (a bad or empty cell, a formula, a
per-level figure where none applies, ...) goes through the per-cell parser (``_Parser._row``), which
words its problems; so the values and the problems are those of the per-cell parser, only sooner.
"""

from __future__ import annotations

import csv
import gc
import io
import math
import operator
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from dudao.engine.fields import ENUMS, LEVEL_ZH, ONE_THROUGH_PARTS, ONE_THROUGH_TYPES
from dudao.engine.problems import InputError, Problem
from dudao.sheets.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    HEADER_INDEX,
    KEY_NAMES,
    LEVEL_PART_ZH,
    normalize_header,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
HEADER_SCAN_ROWS = 10
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
NOTE_PREFIXES = ("注", "备注", "说明", "填表", "制表", "审核", "负责人", "单位负责人", "note")
EXAMPLE_CODES = frozenset({"示例", "example"})
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx
_YUAN, _WAN = "equipment_value_yuan", "equipment_value_wan"

_TOTAL = re.compile(r"(?:全县|全区|全市|全旗)?(?:合计|总计|小计)|total|subtotal|sum")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")

# Normalised spelling -> canonical code, per enum field.
_ENUM_INDEX: dict[str, dict[str, str]] = {
    key: {normalize_header(name): code for code, names in table.items() for name in (code, *names)}
    for key, table in ENUMS.items()
}


@dataclass
class SchoolTable:
    """The rows of a school data sheet in canonical form.

    ``frame`` has one row per data row; its columns are the canonical keys of the fields present
    (``equipment_value_wan`` is converted to ``equipment_value_yuan``) plus ``source_row``, the
    1-based row number as the user sees it. Numbers are float64 and never NaN: a per-level column
    (``students_primary``, ``teachers_junior``, ...) that does not apply to a row holds 0.0, as does a
    column describing a count that is 0 on the row (``music_room_min_area_m2`` where ``music_rooms``
    is 0), and an empty ``students`` on a whole-school one-through row holds the sum of its level
    parts. Enums are canonical codes (an empty ``level`` is ``"all"``; an empty optional enum or text is ``""``).
    A numeric column empty on every row counts as absent (not in ``frame`` nor ``present``).
    """

    frame: pd.DataFrame
    present: frozenset[str]
    sheet: str
    warnings: list[Problem] = field(default_factory=list)
    # key -> the column's header as written in the file, for the keys in ``present``
    # (``equipment_value_yuan`` read from a 万元 column: that column's header).
    headers: dict[str, str] = field(default_factory=dict)


def read_school_table(path: Path | str, sheet: str | None = None) -> SchoolTable:
    """Read ``path`` (.xlsx/.xlsm or .csv). ``sheet`` names the worksheet; by default the first
    sheet with a recognisable header row is used (ignored for CSV, whose sheet is the file name).

    Raises ``InputError`` with every problem found; warnings are returned on the table.
    """
    return _read(Path(path), sheet, columnwise=True)


def _read(path: Path, sheet: str | None, *, columnwise: bool) -> SchoolTable:
    """``columnwise=False`` parses every data row cell by cell (the reference the column-wise path is
    tested against)."""
    suffix = _check_file(path)
    with _gc_paused():
        loaded = _load_csv(path) if suffix in CSV_SUFFIXES else _load_xlsx(path, sheet)
        return _Parser(loaded, columnwise=columnwise).parse()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a sheet is read: the reader makes a few hundred thousand
    lists and tuples that all stay alive until it returns, and the collector's passes over them cost
    a national CSV about a second for nothing. Re-enabled on the way out if it was enabled."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------------------------
# Loading


@dataclass
class _Sheet:
    name: str
    rows: list[Sequence[Any]]
    # xlsx only: given (row, 0-based column) positions of empty cells, returns those holding a
    # formula, with its text.
    formulas: Callable[[set[tuple[int, int]]], dict[tuple[int, int], str]] | None = None
    header_index: int | None = None
    # xlsx only: merged ranges as 0-based (first row, first column, last row, last column), inclusive.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # CSV: every cell is a str (a missing cell at the end of a short row reads as "").
    text_only: bool = False


def _fail(rule: str, zh: str, en: str, **where: Any) -> NoReturn:
    raise InputError([Problem(rule, zh, en, **where)])


def _check_file(path: Path) -> str:
    shown = str(path)
    if not path.is_file():
        if path.is_dir():
            _fail(
                "file_not_found",
                f"“{path.name}”是文件夹，不是文件",
                f"{path.name!r} is a folder, not a file",
                value=shown,
            )
        _fail("file_not_found", f"找不到文件：{shown}", f"File not found: {shown}", value=shown)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        _fail(
            "xls_not_supported",
            "不支持旧版 Excel 97-2003（.xls）格式：请在 Excel 或 WPS 中打开，“另存为”.xlsx 后再导入",
            "The old Excel 97-2003 (.xls) format is not supported: open it in Excel or WPS and save as .xlsx",
            value=path.name,
        )
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        _fail(
            "unknown_format",
            f"不支持的文件类型“{suffix or '（无扩展名）'}”：请使用 .xlsx 或 .csv 文件",
            f"Unsupported file type {suffix or '(no extension)'!r}: use an .xlsx or .csv file",
            value=path.name,
        )
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        mb = size / 1024 / 1024
        _fail(
            "file_too_large",
            f"文件过大（{mb:.1f} MB），上限为 20 MB；请删除无关的工作表、图片后再导入",
            f"The file is too large ({mb:.1f} MB; the limit is 20 MB): remove unrelated sheets and images",
            value=path.name,
        )
    return suffix


def _load_xlsx(path: Path, sheet: str | None) -> _Sheet:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC):
        _fail(
            "xls_not_supported",
            "这是旧版 .xls 文件（或设置了打开密码的文件），只是扩展名为 .xlsx：请在 Excel 或 WPS 中打开，"
            "取消密码，“另存为”.xlsx 后再导入",
            "This is an old .xls file (or a password-protected one) named .xlsx: open it in Excel or WPS, "
            "remove any password and save as .xlsx",
            value=path.name,
        )
    not_xlsx = (
        "not_xlsx",
        "文件不是有效的 .xlsx 工作簿（可能已损坏，或是改了扩展名的其他文件）：请在 Excel 或 WPS 中打开并另存为 .xlsx",
        "The file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed): "
        "open it in Excel or WPS and save as .xlsx",
    )
    if not head.startswith(b"PK"):
        _fail(*not_xlsx, value=path.name)
    with warnings.catch_warnings():  # openpyxl warns about extensions it does not read; not the user's business
        warnings.simplefilter("ignore")
        return _read_xlsx(path, sheet, not_xlsx)


def _read_xlsx(path: Path, sheet: str | None, not_xlsx: tuple[str, str, str]) -> _Sheet:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        _fail(*not_xlsx, value=path.name)
    try:
        names = list(wb.sheetnames)
        if sheet is not None:
            if sheet not in names:
                listed = "、".join(f"“{n}”" for n in names)
                _fail(
                    "no_such_sheet",
                    f"工作簿中没有名为“{sheet}”的工作表；现有工作表：{listed}",
                    f"No sheet named {sheet!r}; the sheets are: {', '.join(map(repr, names))}",
                    sheet=sheet,
                    value=sheet,
                )
            candidates = [sheet]
        else:
            candidates = names
        for name in candidates:
            ws = wb[name]
            if not hasattr(ws, "iter_rows"):  # a chart sheet
                continue
            ws.reset_dimensions()  # some programs write a wrong <dimension>; read what is there
            rows = [tuple(r) for r in ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
            found = _find_header(rows)
            if found is None and sheet is None:
                continue
            if found is not None:
                rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
            xml_path = getattr(ws, "_worksheet_path", None)
            merged = _merged_ranges(path, xml_path) if xml_path else []
            return _Sheet(name, rows, _formula_lookup(path, name, xml_path), found, merged)
    except InputError:
        raise
    except Exception:
        _fail(*not_xlsx, value=path.name)
    finally:
        wb.close()
    listed = "、".join(f"“{n}”" for n in names)
    _fail(
        "no_header",
        f"所有工作表（{listed}）的前 {HEADER_SCAN_ROWS} 行中都找不到可识别的表头（如“学校标识码”"
        "“学校名称”）；请使用数据模板的表头",
        f"No sheet ({', '.join(map(repr, names))}) has a recognisable header row (such as 学校标识码 / "
        f"school_code) in its first {HEADER_SCAN_ROWS} rows; use the template's headers",
        value=path.name,
    )


_MERGE_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(path: Path, xml_path: str) -> list[tuple[int, int, int, int]]:
    """Merged cell ranges of a worksheet, read from its XML (read-only openpyxl does not give them)."""
    with zipfile.ZipFile(path) as archive, archive.open(xml_path.lstrip("/")) as fh:
        xml = fh.read()
    return [
        (int(r1) - 1, column_index_from_string(c1.decode()) - 1, int(r2) - 1, column_index_from_string(c2.decode()) - 1)
        for c1, r1, c2, r2 in _MERGE_REF.findall(xml)
    ]


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _has_formulas(path: Path, xml_path: str) -> bool:
    """Whether the worksheet's XML holds any formula (a quick byte scan, no parsing)."""
    with zipfile.ZipFile(path) as archive, archive.open(xml_path) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _formula_lookup(
    path: Path, sheet: str, xml_path: str | None
) -> Callable[[set[tuple[int, int]]], dict[tuple[int, int], str]]:
    def lookup(positions: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
        try:
            if xml_path is not None and not _has_formulas(path, xml_path):
                return {}
        except (KeyError, OSError, zipfile.BadZipFile):
            pass
        wanted: dict[int, list[int]] = {}
        for r, c in positions:
            wanted.setdefault(r, []).append(c)
        found: dict[tuple[int, int], str] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = load_workbook(path, read_only=True, data_only=False)
                try:
                    ws = wb[sheet]
                    ws.reset_dimensions()
                    for r, row in enumerate(ws.iter_rows(max_row=max(wanted), values_only=True), start=1):
                        for c in wanted.get(r, ()):
                            v = row[c] if c < len(row) else None
                            text = getattr(v, "text", v)  # ArrayFormula / DataTableFormula
                            if isinstance(text, str) and text.startswith("="):
                                found[(r, c)] = text
                finally:
                    wb.close()
        except Exception:  # the workbook was read once already; at worst we miss a formula here
            pass
        return found

    return lookup


def _load_csv(path: Path) -> _Sheet:
    data = path.read_bytes()
    name = path.name
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if data.startswith((b"PK\x03\x04", _OLE_MAGIC)) or (not utf16 and b"\x00" in data[:4096]):
        _fail(
            "not_csv",
            "文件不是文本格式的 CSV（可能是改了扩展名的 Excel 工作簿）：请另存为 .xlsx 或“CSV（逗号分隔）”",
            "The file is not a text CSV (perhaps an Excel workbook renamed): save it as .xlsx or as CSV "
            "(comma delimited)",
            value=name,
        )
    encodings = ("utf-16",) if utf16 else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _fail(
            "bad_encoding",
            "无法识别 CSV 文件的文字编码（支持 UTF-8 和 GBK/GB18030）：请另存为 .xlsx",
            "Cannot decode the CSV file (UTF-8 and GBK/GB18030 are supported): save it as .xlsx",
            value=name,
        )
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count)
    if not first.count(delimiter):
        delimiter = ","
    try:
        rows: list[Sequence[Any]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        _fail("not_csv", f"CSV 文件格式有误：{exc}", f"Malformed CSV file: {exc}", value=name)
    return _Sheet(name, rows, None, _find_header(rows[:HEADER_SCAN_ROWS]), text_only=True)


# --------------------------------------------------------------------------------------------
# Cells


def _column(key: str, values: list[Any]) -> pd.Series | list[Any]:
    """Figures as float64; codes with few distinct values (enums, county) as categoricals."""
    kind = COLUMN_BY_KEY[key].kind
    if kind in ("int", "number"):
        return pd.Series(values, dtype="float64")
    if kind == "enum" or key in ("county_code", "county_name"):
        return pd.Series(values, dtype="category")
    return values


_PLAIN = re.compile(r"\d+(?:\.\d+)?")  # ASCII digits, optional decimals: no sign, no separators, no spaces


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text(v: Any) -> str:
    """A cell as text: stripped; whole floats without ``.0`` (codes typed as numbers)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _is_excel_error(v: Any) -> bool:
    return isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS


def _find_header(rows: Sequence[Sequence[Any]]) -> int | None:
    """Index of the first row whose cells are known headers (two or more, or all of them)."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = [normalize_header(v) for v in row if not _blank(v)]
        matched = sum(n in HEADER_INDEX for n in names)
        if matched >= 2 or (matched and matched == len(names)):
            return i
    return None


def _is_note(cells: list[Any]) -> bool:
    for v in cells:
        if not isinstance(v, str):
            return False
        s = unicodedata.normalize("NFKC", v).strip().casefold()
        if not s.startswith(NOTE_PREFIXES):
            return False
    return True


def parse_number(value: Any) -> Decimal | None:
    """A cell as a finite Decimal, or None if it is not a number. Text may use full-width digits
    and thousands separators (``1,234``, ``1，234``); units and words are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if not isinstance(value, str):
        return None
    s = unicodedata.normalize("NFKC", value).strip().replace("\u2212", "-")
    if "," in s:
        if not _GROUPED.fullmatch(s):
            return None
        s = s.replace(",", "")
    if not _NUMBER.fullmatch(s):
        return None
    d = Decimal(s)
    return d if math.isfinite(float(d)) else None


def _cell_number(kind: str, v: Any) -> float | str:
    """A non-empty figure cell as float, or the rule it breaks (``not_a_number``, ``negative``,
    ``not_whole``). ``kind`` is the column's (``"int"`` or ``"number"``)."""
    # Fast path for what nearly every cell holds: a plain, non-negative number.
    if isinstance(v, float | int) and not isinstance(v, bool) and v >= 0 and math.isfinite(v):
        if kind != "int" or float(v).is_integer():
            return float(v)
    elif isinstance(v, str) and _PLAIN.fullmatch(v):
        number = float(v)
        if (kind != "int" or "." not in v or number.is_integer()) and number != math.inf:
            return number
    d = parse_number(v)
    if d is None:
        return "not_a_number"
    if d < 0:
        return "negative"
    if kind == "int" and d != d.to_integral_value():
        # tolerate binary noise from Excel formulas (e.g. 12.000000000000002)
        if isinstance(v, float) and abs(v - round(v)) <= 1e-9 * max(1.0, abs(v)):
            d = Decimal(round(v))
        else:
            return "not_whole"
    return float(d) + 0.0  # + 0.0 turns -0.0 into 0.0


def _unsettled_where_applies(applies: np.ndarray, values: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """The rows of a figure column that applies on some rows only (``applies``) that the per-cell
    parser must word: empty where it applies, a figure other than 0 where it does not. Its empty
    cells become 0.0 (what a row where it does not apply holds)."""
    unsettled = np.where(applies, empty, ~empty & (values != 0.0))
    values[empty] = 0.0
    return unsettled


def _wan_to_yuan(v: Any) -> float:
    """A valid 万元 cell in yuan, exactly (Decimal: 0.07 万元 is 700 yuan, not 700.0000000000001)."""
    d = parse_number(v)
    assert d is not None
    return float(d * 10000) + 0.0


# --------------------------------------------------------------------------------------------
# Whole columns (the column-wise path of ``_Parser``)

# Every word that can make a cell a note, total or example cell (``_is_note``, ``_TOTAL``,
# ``EXAMPLE_CODES``); a column whose text holds none of them has no such cell.
_WORDS = (*NOTE_PREFIXES, "合计", "总计", "小计", "total", "sum", *EXAMPLE_CODES)


def _blank_mask(cells: Sequence[Any], text_only: bool) -> np.ndarray:
    n = len(cells)
    if text_only:
        return (np.fromiter(map(len, cells), dtype=np.intp, count=n) == 0) | np.fromiter(
            map(str.isspace, cells), dtype=bool, count=n
        )
    return np.fromiter(map(_blank, cells), dtype=bool, count=n)


def _special_word(v: Any) -> bool:
    """Whether a cell is a note, total or example word (its row is then judged by ``_is_data_row``)."""
    if not isinstance(v, str):
        return False
    h = normalize_header(v)
    return h in EXAMPLE_CODES or _TOTAL.fullmatch(h) is not None or _is_note([v])


def _word_mask(cells: Sequence[Any], text_only: bool) -> np.ndarray:
    """``_special_word`` of every cell; for text, only when the column's text holds one of ``_WORDS``
    once normalised as ``normalize_header`` does (NFKC, no whitespace, case-folded)."""
    if text_only:
        text = "".join(unicodedata.normalize("NFKC", "\x00".join(cells)).casefold().split())
        if not any(w in text for w in _WORDS):
            return np.zeros(len(cells), dtype=bool)
    return np.fromiter(map(_special_word, cells), dtype=bool, count=len(cells))


def _isin(values: Sequence[Any], wanted: Sequence[str]) -> np.ndarray:
    """values[i] in wanted, for a column of codes (None where a cell was wrong)."""
    return np.fromiter(map(frozenset(wanted).__contains__, values), dtype=bool, count=len(values))


def _text_column(cells: Sequence[Any], required: bool, text_only: bool) -> tuple[list[str], np.ndarray]:
    """``_text_cell`` of every cell, and where it reports a problem."""
    n = len(cells)
    if text_only:
        texts = list(map(str.strip, cells))
        bad = np.fromiter(map(operator.not_, texts), dtype=bool, count=n) if required else np.zeros(n, dtype=bool)
        if "#" in "".join(texts):
            bad |= np.fromiter((t.upper() in EXCEL_ERRORS for t in texts), dtype=bool, count=n)
        return texts, bad
    texts, bad = [], np.zeros(n, dtype=bool)
    for i, v in enumerate(cells):
        if isinstance(v, str) and "#" in v and _is_excel_error(v):
            bad[i] = True
            texts.append("")
        elif _blank(v):
            bad[i] = required
            texts.append("")
        else:
            texts.append(_text(v))
    return texts, bad


def _enum_code(key: str, v: Any) -> str | None:
    """``_enum_cell`` of a cell: its code, "" for an empty optional cell, None where it reports a problem."""
    if isinstance(v, str) and "#" in v and _is_excel_error(v):
        return None
    code = _ENUM_INDEX[key].get(normalize_header(_text(v)))
    if code is not None:
        return code
    if _blank(v):
        return None if COLUMN_BY_KEY[key].required else ""
    return None


def _enum_column(key: str, cells: Sequence[Any], text_only: bool) -> tuple[list[str | None], np.ndarray]:
    """``_enum_cell`` of every cell (each distinct spelling looked up once), and where it reports a problem."""
    if text_only:
        codes = {v: _enum_code(key, v) for v in set(cells)}
        out = list(map(codes.__getitem__, cells))
        if None not in codes.values():
            return out, np.zeros(len(out), dtype=bool)
    else:
        cache: dict[str, str | None] = {}
        out = [
            (cache[v] if v in cache else cache.setdefault(v, _enum_code(key, v)))
            if isinstance(v, str)
            else _enum_code(key, v)
            for v in cells
        ]
    return out, np.fromiter((c is None for c in out), dtype=bool, count=len(out))


def _number_column(kind: str, cells: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_state`` and ``_number`` of every cell of a figure column: (values, empty, bad), values NaN
    where empty or bad. Plain numbers in text are parsed at once by ``_plain_numbers``; any other
    cell by ``_cell_number``."""
    n = len(cells)
    values = np.full(n, np.nan)
    empty = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    rest: Sequence[int] = range(n)
    if n and all(isinstance(v, str) for v in (cells[0], cells[-1])):
        parsed = _plain_numbers(cells)
        if parsed is not None:
            numbers, empty, plain = parsed
            if kind == "int":
                plain &= numbers == np.floor(numbers)  # "12.0" is whole, "12.5" is not
            values[plain] = numbers[plain]
            rest = np.flatnonzero(~plain & ~empty).tolist()
    for i in rest:
        v = cells[i]
        if v is None:
            empty[i] = True
        elif isinstance(v, str) and "#" in v and _is_excel_error(v):
            bad[i] = True
        elif _blank(v):
            empty[i] = True
        else:
            number = _cell_number(kind, v)
            if isinstance(number, str):
                bad[i] = True
            else:
                values[i] = number
    return values, empty, bad


_MAX_DIGITS = 15  # a mantissa of up to 15 digits is exact in float64 (< 2**53)
_POW10 = 10.0 ** np.arange(_MAX_DIGITS)  # exact


def _plain_numbers(cells: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The cells of a column of text that are plain numbers as ``_PLAIN`` reads them (ASCII digits,
    optionally a dot and digits) of up to 15 digits, all at once from the column's UTF-8 bytes:
    (values, empty, plain). None if a cell is not text or holds a line break.

    A plain number's value is its mantissa M (its digits, an integer below 2**53, so exact in
    float64) divided by 10**k (k digits after the dot, exact): one correctly rounded division, so the
    nearest float to the decimal, which is what ``float(text)`` gives. Empty cells ("") are
    ``empty``; any other cell (spaces, full-width digits, separators, signs, words) is left to the
    per-cell parser."""
    n = len(cells)
    if not n:
        return np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    try:
        text = "\n".join(cells)
    except TypeError:
        return None
    b = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    newline = b == 10
    ends = np.flatnonzero(newline)  # one after each cell's last byte
    if len(ends) != n - 1:
        return None
    ends = np.append(ends, len(b))
    starts = np.empty(n, dtype=np.intp)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    digit = (b >= 48) & (b <= 57)  # ASCII only: the bytes of other characters are all >= 0x80
    dot = b == 46

    def counts(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        before = np.zeros(len(b) + 1, dtype=np.intp)  # before[i]: how many in b[:i]
        np.cumsum(mask, out=before[1:])
        return before[ends] - before[starts], before

    n_digits, digits_before = counts(digit)
    n_dots, _ = counts(dot)
    length = ends - starts
    empty = length == 0
    filled = np.flatnonzero(~empty)
    edges = np.zeros(n, dtype=bool)  # first and last byte are digits
    edges[filled] = digit[starts[filled]] & digit[ends[filled] - 1]
    plain = edges & (n_digits + n_dots == length) & (n_dots <= 1) & (n_digits <= _MAX_DIGITS)

    cell = np.cumsum(newline)  # the cell of each byte (a newline counts with the next cell; never used)
    at = np.flatnonzero(digit)
    at = at[plain[cell[at]]]
    of = cell[at]
    after = digits_before[ends[of]] - digits_before[at + 1]  # digits after this one in its cell
    mantissa = np.bincount(of, weights=(b[at] - 48) * _POW10[after], minlength=n)  # exact sums below 2**53
    scale = np.zeros(n, dtype=np.intp)
    at = np.flatnonzero(dot)
    at = at[plain[cell[at]]]
    scale[cell[at]] = ends[cell[at]] - at - 1
    return mantissa / _POW10[scale], empty, plain


# --------------------------------------------------------------------------------------------
# Parsing


class _Parser:
    def __init__(self, sheet: _Sheet, *, columnwise: bool = True) -> None:
        self.sheet = sheet
        self.columnwise = columnwise
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.columns: dict[str, tuple[int, str]] = {}  # key -> (0-based index, header as written)
        self.formulas: dict[tuple[int, int], str] = {}
        self._enum_cache: dict[str, dict[str, str]] = {}  # raw cell text -> code, per enum column

    # -- problems

    def _add(
        self,
        rule: str,
        zh: str,
        en: str,
        row: int | None,
        column: str | None,
        value: Any = None,
        *,
        warning: bool = False,
    ) -> None:
        problem = Problem(rule, zh, en, sheet=self.sheet.name, row=row, column=column, value=_text(value) or None)
        (self.warnings if warning else self.errors).append(problem)

    def _cell_problem(self, rule: str, zh: str, en: str, row: int, key: str, value: Any = None) -> None:
        self._add(rule, zh, en, row, self.columns[key][1], value)

    # -- structure

    def parse(self) -> SchoolTable:
        rows = self.sheet.rows
        hi = self.sheet.header_index
        if hi is None:
            self._add(
                "no_header",
                f"前 {HEADER_SCAN_ROWS} 行中找不到可识别的表头（如“学校标识码”“学校名称”）；请使用数据模板的表头",
                f"No recognisable header row (such as 学校标识码 / school_code) in the first "
                f"{HEADER_SCAN_ROWS} rows; use the template's headers",
                None,
                None,
            )
            raise InputError(self.errors)
        self._map_header(rows, hi)
        start = hi + 1
        if start < len(rows) and self._is_key_row(rows[start]):
            start += 1
        rows = self._unmerge(rows, start)
        if self.columnwise and not self.errors:
            data, columns = self._data_rows_columnwise(rows, start)
        else:
            data, columns = self._data_rows(rows, start), None
        self._find_formulas(data)
        self._drop_empty_columns(hi + 1, data)
        if columns is not None and data and not self.errors:
            return self._build_columnwise(data, columns)
        return self._build(data)

    def _unmerge(self, rows: list[Sequence[Any]], start: int) -> list[Sequence[Any]]:
        """Merged cells in the data: a text cell merged down (e.g. 城乡类型 for several schools) applies to
        every row it covers; a merged figure cannot be split between schools and is named as a problem."""
        ranges = [m for m in self.sheet.merged if m[2] >= start and m[2] > m[0]]
        if not ranges:
            return rows
        rows = [list(r) for r in rows]
        by_index = {ci: (key, written) for key, (ci, written) in self.columns.items()}
        for r1, c1, r2, c2 in ranges:
            for ci in range(c1, c2 + 1):
                if ci not in by_index:
                    continue
                key, written = by_index[ci]
                top = rows[r1][c1] if c1 < len(rows[r1]) else None
                if COLUMN_BY_KEY[key].kind in ("int", "number"):
                    self._add(
                        "merged_cell",
                        f"第{r1 + 1}–{r2 + 1}行的“{written}”是合并单元格：每所学校须单独填写数值，请取消合并",
                        f"rows {r1 + 1}–{r2 + 1} of {written!r} are one merged cell: give each school its own "
                        "figure (unmerge the cells)",
                        r1 + 1, written, top,
                    )  # fmt: skip
                    continue
                for ri in range(max(r1, start), r2 + 1):
                    while len(rows[ri]) <= ci:
                        rows[ri].append(None)
                    rows[ri][ci] = top
        return rows

    def _map_header(self, rows: list[Sequence[Any]], hi: int) -> None:
        header_row = hi + 1
        unknown: list[str] = []
        for ci, v in enumerate(rows[hi]):
            if _blank(v):
                if any(ci < len(r) and not _blank(r[ci]) for r in rows[hi + 1 :]):
                    letter = get_column_letter(ci + 1)
                    self._add(
                        "unknown_column",
                        f"第 {letter} 列没有表头，其中的数据已忽略",
                        f"Column {letter} has no header; its data is ignored",
                        header_row,
                        letter,
                        warning=True,
                    )
                continue
            written = _text(v)
            key = HEADER_INDEX.get(normalize_header(v))
            if key is None:
                unknown.append(written)
                self._add(
                    "unknown_column",
                    "无法识别的列，已忽略（请核对表头是否与模板一致）",
                    "Unrecognised column, ignored (check the header against the template)",
                    header_row,
                    written,
                    written,
                    warning=True,
                )
            elif key in self.columns:
                first = self.columns[key]
                letter = get_column_letter(first[0] + 1)
                self._add(
                    "duplicate_column",
                    f"列重复：与第 {letter} 列“{first[1]}”是同一项（{key}），请删除其中一列",
                    f"Duplicate column: the same field ({key}) as column {letter} {first[1]!r}; delete one of them",
                    header_row,
                    written,
                    written,
                )
            else:
                self.columns[key] = (ci, written)
        hint_zh = f"；无法识别的列：{'、'.join(unknown)}" if unknown else ""
        hint_en = f"; unrecognised columns: {', '.join(unknown)}" if unknown else ""
        for col in COLUMNS:
            if col.required and col.key not in self.columns:
                self._add(
                    "missing_column",
                    f"缺少必填列“{col.zh}”（{col.key}）{hint_zh}",
                    f"Missing required column {col.key} ({col.zh}){hint_en}",
                    header_row,
                    col.key,
                )

    def _is_key_row(self, row: Sequence[Any]) -> bool:
        names = [normalize_header(v) for v in row if not _blank(v)]
        return bool(names) and all(n in KEY_NAMES for n in names)

    def _data_rows(self, rows: list[Sequence[Any]], start: int) -> list[tuple[int, Sequence[Any]]]:
        code_ci = self.columns.get("school_code", (None,))[0]
        return [(i + 1, rows[i]) for i in range(start, len(rows)) if self._is_data_row(i + 1, rows[i], code_ci)]

    def _is_data_row(self, row_no: int, row: Sequence[Any], code_ci: int | None) -> bool:
        """False for an empty, example, note or total row (the last two with a warning)."""
        filled = [v for v in row if not _blank(v)]
        if not filled:
            return False
        if _is_note(filled):
            self._add("note_row", "备注/说明行，已跳过", "Note row, skipped", row_no, None, filled[0], warning=True)
            return False
        code = normalize_header(_text(row[code_ci])) if code_ci is not None and code_ci < len(row) else ""
        if code in EXAMPLE_CODES:
            return False
        total = next((v for v in filled[:3] if isinstance(v, str) and _TOTAL.fullmatch(normalize_header(v))), None)
        if total is not None and (not code or _TOTAL.fullmatch(code)):
            self._add(
                "total_row",
                "合计行，已跳过（合计由系统计算）",
                "Total row, skipped (totals are computed)",
                row_no,
                None,
                total,
                warning=True,
            )
            return False
        return True

    def _data_rows_columnwise(
        self, rows: list[Sequence[Any]], start: int
    ) -> tuple[list[tuple[int, Sequence[Any]]], dict[int, Sequence[Any]]]:
        """``_data_rows`` by columns: a row whose first three cells are filled and none of them (nor
        its school code) could be a note, total or example word is a data row; any other row is
        judged by ``_is_data_row``, in the order of the file. Also returns the mapped columns' cells
        of the data rows, by 0-based column index."""
        region = rows[start:]
        width = max(map(len, region), default=0)
        if not width:
            return [], {}
        pad = "" if self.sheet.text_only else None
        columns = list(zip(*(r if len(r) == width else (*r, *[pad] * (width - len(r))) for r in region), strict=True))
        text_only = self.sheet.text_only
        plain = np.ones(len(region), dtype=bool)
        for cells in columns[:3]:
            plain &= ~_blank_mask(cells, text_only)
        code_ci = self.columns.get("school_code", (None,))[0]
        for ci in sorted({0, 1, 2, *([code_ci] if code_ci is not None else [])}):
            if ci < width:
                plain &= ~_word_mask(columns[ci], text_only)
        for i in np.flatnonzero(~plain).tolist():
            plain[i] = self._is_data_row(start + i + 1, region[i], code_ci)
        kept = np.flatnonzero(plain).tolist()
        data = [(start + i + 1, region[i]) for i in kept]
        every = len(kept) == len(region)
        wanted = sorted(ci for ci, _ in self.columns.values() if ci < width)
        return data, {ci: columns[ci] if every else [columns[ci][i] for i in kept] for ci in wanted}

    def _find_formulas(self, data: list[tuple[int, Sequence[Any]]]) -> None:
        if self.sheet.formulas is None:
            return
        empty = {
            (row_no, ci) for row_no, row in data for ci, _ in self.columns.values() if ci >= len(row) or row[ci] is None
        }
        if empty:
            self.formulas = self.sheet.formulas(empty)

    def _drop_empty_columns(self, header_row: int, data: list[tuple[int, Sequence[Any]]]) -> None:
        """A numeric column left empty on every row is taken as not given (absent), with a warning —
        except ``students`` (its cells are checked row by row) and the columns that only apply to
        some rows (per-level columns, the unused one of the yuan/万元 pair), which go silently."""
        if not data:
            return
        empty = {
            key
            for key, (ci, _) in self.columns.items()
            if COLUMN_BY_KEY[key].kind in ("int", "number")
            and key != "students"
            and all((ci >= len(row) or _blank(row[ci])) and (row_no, ci) not in self.formulas for row_no, row in data)
        }
        partner = {_YUAN: _WAN, _WAN: _YUAN}
        for key in [k for k in self.columns if k in empty]:
            other = partner.get(key)
            silent = COLUMN_BY_KEY[key].level or (
                other in self.columns and (other not in empty or key == _WAN)  # the pair warns once
            )
            if not silent:
                self._add(
                    "empty_column",
                    "该列全部为空，视为未提供此项数据（如确实没有，请填 0）",
                    "The column is empty on every row and is taken as not given (enter 0 where there are none)",
                    header_row,
                    self.columns[key][1],
                    warning=True,
                )
        for key in empty:
            del self.columns[key]

    # -- rows

    def _build(self, data: list[tuple[int, Sequence[Any]]]) -> SchoolTable:
        # equipment_value_wan is read into equipment_value_yuan
        keys = [
            c.key
            for c in COLUMNS
            if c.key != _WAN and (c.key in self.columns or (c.key == _YUAN and _WAN in self.columns))
        ]
        out: dict[str, list[Any]] = {k: [] for k in keys}
        source_rows: list[int] = []
        for row_no, row in data:
            values = self._row(row_no, row)
            for k in keys:
                out[k].append(values.get(k))
            source_rows.append(row_no)
        if self.errors:
            raise InputError(self.errors)
        frame = pd.DataFrame(
            {
                **{k: _column(k, v) for k, v in out.items()},
                "source_row": pd.Series(source_rows, dtype="int64"),
            }
        )
        return SchoolTable(frame, frozenset(keys), self.sheet.name, self.warnings, self._headers(keys))

    def _build_columnwise(
        self, data: list[tuple[int, Sequence[Any]]], columns: dict[int, Sequence[Any]]
    ) -> SchoolTable:
        """``_build`` by columns (see the module's docstring); rows it cannot settle go through ``_row``."""
        n = len(data)
        text_only = self.sheet.text_only
        pad = "" if text_only else None

        def cells(key: str) -> Sequence[Any]:
            ci = self.columns[key][0]
            return columns[ci] if ci in columns else [pad] * n

        dirty = np.zeros(n, dtype=bool)  # rows for the per-cell parser
        if self.formulas:
            with_formula = {row_no for row_no, _ in self.formulas}
            dirty |= np.fromiter((row_no in with_formula for row_no, _ in data), dtype=bool, count=n)
        out: dict[str, Any] = {}
        for key in self.columns:
            col = COLUMN_BY_KEY[key]
            if col.kind == "text":
                out[key], bad = _text_column(cells(key), col.required, text_only)
                dirty |= bad
            elif col.kind == "enum":
                out[key], bad = _enum_column(key, cells(key), text_only)
                dirty |= bad
        types = out["school_type"]
        whole = _isin(types, ONE_THROUGH_TYPES)
        if "level" in out:
            whole &= _isin(out["level"], ("all",))
        applies = {
            part: whole & _isin(types, [t for t, parts in ONE_THROUGH_PARTS.items() if part in parts])
            for part in LEVEL_PART_ZH
        }
        students_empty = None
        described: dict[str, np.ndarray] = {}  # columns describing a count given in the file: their empty cells
        for key in self.columns:
            col = COLUMN_BY_KEY[key]
            if col.kind not in ("int", "number") or key in (_YUAN, _WAN):
                continue
            values, empty, bad = _number_column(col.kind, cells(key))
            dirty |= bad
            if col.requires in self.columns:
                described[key] = empty  # settled below, once the count is read
            elif col.level:
                dirty |= _unsettled_where_applies(applies[col.level], values, empty)
            elif key == "students":
                students_empty = empty
                dirty |= empty & ~whole  # empty is allowed on a whole-school row: the sum of its parts
            else:
                dirty |= empty
            out[key] = values
        for key, empty in described.items():  # it applies where the count is not 0
            dirty |= _unsettled_where_applies(out[COLUMN_BY_KEY[key].requires] != 0.0, out[key], empty)
        if students_empty is not None and students_empty.any():
            for school_type, parts in ONE_THROUGH_PARTS.items():
                rows = students_empty & whole & _isin(types, (school_type,))
                given = [f"students_{p}" for p in parts if f"students_{p}" in self.columns]
                if not given:
                    dirty |= rows
                    continue
                total = np.zeros(int(rows.sum()))
                for k in given:  # in the order of the parts, as ``_row`` adds them
                    total = total + out[k][rows]
                out["students"][rows] = total
        if _YUAN in self.columns or _WAN in self.columns:
            equipment = np.full(n, np.nan)
            given = np.zeros(n, dtype=np.intp)
            for key in (_YUAN, _WAN):
                if key not in self.columns:
                    continue
                values, empty, bad = _number_column("number", cells(key))
                dirty |= bad
                given += ~empty
                usable = ~empty & ~bad
                if key == _YUAN:
                    equipment[usable] = values[usable]
                else:
                    wan = cells(key)
                    for i in np.flatnonzero(usable).tolist():
                        equipment[i] = _wan_to_yuan(wan[i])
            dirty |= given != 1  # both units, or neither
            out[_YUAN] = equipment

        keys = [
            c.key
            for c in COLUMNS
            if c.key != _WAN and (c.key in self.columns or (c.key == _YUAN and _WAN in self.columns))
        ]
        for i in np.flatnonzero(dirty).tolist():
            row_no, row = data[i]
            values = self._row(row_no, row)
            for k in keys:
                out[k][i] = values.get(k)
        if self.errors:
            raise InputError(self.errors)
        frame = pd.DataFrame(
            {
                **{
                    k: pd.Series(out[k], dtype="float64") if isinstance(out[k], np.ndarray) else _column(k, out[k])
                    for k in keys
                },
                "source_row": pd.Series([row_no for row_no, _ in data], dtype="int64"),
            }
        )
        return SchoolTable(frame, frozenset(keys), self.sheet.name, self.warnings, self._headers(keys))

    def _headers(self, keys: list[str]) -> dict[str, str]:
        headers = {k: self.columns[k][1] for k in keys if k in self.columns}
        if _YUAN in keys and _YUAN not in self.columns:
            headers[_YUAN] = self.columns[_WAN][1]
        return headers

    def _raw(self, row: Sequence[Any], key: str) -> Any:
        ci = self.columns[key][0]
        return row[ci] if ci < len(row) else None

    def _state(self, row_no: int, row: Sequence[Any], key: str) -> tuple[str, Any]:
        """("value", v), ("empty", None) or ("bad", None) once a problem has been reported."""
        ci = self.columns[key][0]
        v = row[ci] if ci < len(row) else None
        if v is None and not self.formulas:
            return "empty", None
        if self.formulas and (row_no, ci) in self.formulas:
            self._cell_problem(
                "formula_not_calculated",
                "公式没有计算结果（文件是由不计算公式的程序保存的）：请用 Excel 或 WPS 打开该文件并"
                "保存一次，使公式得到计算后再导入",
                "The formula has no calculated value (the file was saved by a program that does "
                "not calculate formulas): open and save the file in Excel/WPS so formulas are "
                "calculated, then import it again",
                row_no,
                key,
                self.formulas[(row_no, ci)],
            )
            return "bad", None
        if isinstance(v, str) and "#" in v and _is_excel_error(v):
            self._cell_problem(
                "formula_error",
                "公式计算出错，请检查该单元格的公式",
                "The cell's formula gives an error; check the formula",
                row_no,
                key,
                v,
            )
            return "bad", None
        if _blank(v):
            return "empty", None
        return "value", v

    def _row(self, row_no: int, row: Sequence[Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key in self.columns:
            col = COLUMN_BY_KEY[key]
            if col.kind == "text":
                values[key] = self._text_cell(row_no, row, key)
            elif col.kind == "enum":
                values[key] = self._enum_cell(row_no, row, key)
        school_type = values.get("school_type")
        level = values.get("level", "all")
        known = bool(school_type) and level is not None
        whole = known and school_type in ONE_THROUGH_TYPES and level == "all"
        parts = ONE_THROUGH_PARTS.get(school_type, ()) if whole else ()

        students_empty = False
        described = []
        for key in self.columns:
            col = COLUMN_BY_KEY[key]
            if col.kind not in ("int", "number") or key in (_YUAN, _WAN):
                continue
            if col.requires in self.columns:
                described.append(key)
                continue
            state, v = self._state(row_no, row, key)
            if state == "bad":
                values[key] = math.nan
                continue
            if col.level:
                values[key] = self._where_applies(
                    row_no, key, state, v, None if not known else col.level in parts,
                    lambda key=key, v=v: self._not_applicable(row_no, key, v, school_type, whole),
                )  # fmt: skip
                continue
            if state == "empty":
                if key == "students" and (whole or not known):
                    students_empty = True
                else:
                    self._empty_number(row_no, key)
                values[key] = math.nan
                continue
            number = self._number(row_no, key, v)
            values[key] = math.nan if number is None else number

        if students_empty and whole:
            given = [f"students_{p}" for p in parts if f"students_{p}" in self.columns]
            if given:
                values["students"] = sum(values[k] for k in given)
            else:
                self._cell_problem(
                    "empty_value",
                    "在校生数为空：一贯制学校整校一行时，须填写在校生数或各学段在校生数（如“小学部在校生数”）",
                    "Students is empty: a whole-school one-through row needs the total or the "
                    "per-level students columns (students_primary, ...)",
                    row_no,
                    "students",
                )
        for key in described:
            values[key] = self._described(row_no, row, key, values[COLUMN_BY_KEY[key].requires])
        if _YUAN in self.columns or _WAN in self.columns:
            values[_YUAN] = self._equipment(row_no, row)
        return values

    def _described(self, row_no: int, row: Sequence[Any], key: str, count: float) -> float:
        """A figure describing a count on the row (the smallest music room's area, ``count`` music
        rooms; NaN if the count was wrong): where the count is 0 it does not apply."""
        state, v = self._state(row_no, row, key)
        if state == "bad":
            return math.nan

        def not_applicable() -> None:
            written = self.columns[COLUMN_BY_KEY[key].requires or ""][1]
            self._cell_problem(
                "not_applicable",
                f"本行“{written}”为 0，此列不适用：应留空或填 0",
                f"{written!r} is 0 on this row, so this column does not apply: leave it empty or enter 0",
                row_no,
                key,
                v,
            )

        return self._where_applies(row_no, key, state, v, None if math.isnan(count) else count != 0.0, not_applicable)

    def _where_applies(
        self, row_no: int, key: str, state: str, v: Any, applies: bool | None, not_applicable: Callable[[], None]
    ) -> float:
        """A figure that applies on some rows only (``applies``; None when the row's problem is named
        elsewhere): empty where it does not apply is 0.0, where it does a problem; a figure other than
        0 where it does not apply is a problem (worded by ``not_applicable``)."""
        if state == "empty":
            if applies:
                self._empty_number(row_no, key)
            return math.nan if applies else 0.0
        number = self._number(row_no, key, v)
        if applies is False and number not in (None, 0.0):
            not_applicable()
        return math.nan if number is None else number

    def _text_cell(self, row_no: int, row: Sequence[Any], key: str) -> str:
        state, v = self._state(row_no, row, key)
        text = _text(v) if state == "value" else ""
        if state == "empty" and COLUMN_BY_KEY[key].required:
            self._cell_problem("empty_value", "必填项为空", "Required value is empty", row_no, key)
        return text

    def _enum_cell(self, row_no: int, row: Sequence[Any], key: str) -> str | None:
        """Canonical code, "" for an empty optional value, None if wrong (reported)."""
        state, v = self._state(row_no, row, key)
        if state == "bad":
            return None
        cache = self._enum_cache.setdefault(key, {})
        code = cache.get(v) if isinstance(v, str) else None
        if code is None:
            code = _ENUM_INDEX[key].get(normalize_header(_text(v)))
            if code is not None and isinstance(v, str):
                cache[v] = code
        if code is not None:
            return code
        if state == "empty":
            if COLUMN_BY_KEY[key].required:
                self._cell_problem("empty_value", "必填项为空", "Required value is empty", row_no, key)
                return None
            return ""
        table = ENUMS[key]
        zh_names = [LEVEL_ZH[c] if key == "level" else names[0] for c, names in table.items()]
        zh = "、".join(zh_names) + ("（或留空）" if key == "level" else "")
        en = ", ".join(f"{c} ({n})" for c, n in zip(table, zh_names, strict=True)) + (
            " or empty" if key == "level" else ""
        )
        self._cell_problem(
            "unknown_value", f"无法识别的值；可填：{zh}", f"Unknown value; accepted: {en}", row_no, key, v
        )
        return None

    def _empty_number(self, row_no: int, key: str) -> None:
        self._cell_problem(
            "empty_value",
            "数值为空：请填写数字，没有的请填 0",
            "The value is empty: enter a number, or 0 if there are none",
            row_no,
            key,
        )

    def _number(self, row_no: int, key: str, v: Any) -> float | None:
        number = _cell_number(COLUMN_BY_KEY[key].kind, v)
        if not isinstance(number, str):
            return number
        if number == "not_a_number":
            hint_zh = "（只填数字，不要带单位或文字；没有的请填 0）"
            hint_en = " (digits only, no units or words; enter 0 if there are none)"
            self._cell_problem("not_a_number", f"不是数字{hint_zh}", f"Not a number{hint_en}", row_no, key, v)
        elif number == "negative":
            self._cell_problem("negative", "不能为负数", "Must not be negative", row_no, key, v)
        else:
            self._cell_problem("not_whole", "应为整数", "Must be a whole number", row_no, key, v)
        return None

    def _not_applicable(self, row_no: int, key: str, v: Any, school_type: str | None, whole: bool) -> None:
        level = COLUMN_BY_KEY[key].level or ""
        part = LEVEL_PART_ZH.get(level, level)
        if whole:
            zh = f"该校没有{part}，此列应留空"
            en = f"This school has no {level} part; leave this column empty"
        else:
            zh = (
                f"此列只在含{part}的一贯制学校以整校一行（学段为“全校”或留空）填报时填写；此行应留空"
                "（已分学段的行请直接填在校生数、专任教师数等列）"
            )
            en = (
                f"This column applies only to a one-through school with a {level} part given as one "
                "whole-school row (level all or empty); leave it empty here (rows already split by level "
                "use the plain columns)"
            )
        self._cell_problem("not_applicable", zh, en, row_no, key, v)

    def _equipment(self, row_no: int, row: Sequence[Any]) -> float:
        states = {k: self._state(row_no, row, k) for k in (_YUAN, _WAN) if k in self.columns}
        if any(s == "bad" for s, _ in states.values()):
            return math.nan
        given = {k: v for k, (s, v) in states.items() if s == "value"}
        if len(given) == 2:
            self._cell_problem(
                "both_units",
                "同一行同时填写了“元”和“万元”两列教学仪器设备值：请只填其中一列",
                "Both the yuan and the 万元 equipment value columns are filled on this row: fill only one",
                row_no,
                _WAN,
                f"{_text(given[_YUAN])} / {_text(given[_WAN])}",
            )
            return math.nan
        if not given:
            key = _YUAN if _YUAN in self.columns else _WAN
            self._cell_problem(
                "empty_value",
                "教学仪器设备值为空：请填写数字（“元”或“万元”列之一），没有的请填 0",
                "The equipment value is empty: enter a number (in the yuan or the 万元 column), or 0 if there is none",
                row_no,
                key,
            )
            return math.nan
        ((key, v),) = given.items()
        number = self._number(row_no, key, v)
        if number is None:
            return math.nan
        if key == _WAN:
            return _wan_to_yuan(v)
        return number
