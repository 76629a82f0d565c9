"""One cell of a spreadsheet as a value: the rules every table reader applies to what people type.

Pure functions over the values :mod:`dudao.sheets.workbook` gives (``str``, ``int``, ``float``,
``bool``, ``datetime``, ``None``): whether a cell is blank, its text, whether it holds an Excel
error, a note or a total word, and a figure as a number with the rule it breaks if it is none
(``not_a_number``, ``negative``, ``not_whole``), one cell at a time (:func:`cell_number`) or a whole
column of plain numbers at once (:func:`plain_numbers`, the fast path of the school table).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

NOTE_PREFIXES = (
    "注", "备注", "说明", "填表", "填报", "制表", "审核", "负责人", "单位负责人", "单位(盖章)",
    "联系人", "联系电话", "电话", "note",
)  # fmt: skip
EXAMPLE_CODES = frozenset({"示例", "example"})
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
TOTAL = re.compile(r"(?:全县|全区|全市|全旗)?(?:合计|总计|小计)|total|subtotal|sum")
# Every word that can make a cell a note, total or example cell (``is_note``, ``TOTAL``,
# ``EXAMPLE_CODES``); a text holding none of them has no such cell.
SPECIAL_WORDS = (*NOTE_PREFIXES, "合计", "总计", "小计", "total", "sum", *EXAMPLE_CODES)
PLAIN = re.compile(r"\d+(?:\.\d+)?")  # ASCII digits, optional decimals: no sign, no separators, no spaces
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def normalize_header(text: object) -> str:
    """Header (or enum value) as compared: NFKC (full-width letters, digits and brackets become
    half-width), no whitespace anywhere, no required-marker asterisks around it, case-folded."""
    s = unicodedata.normalize("NFKC", str(text))
    s = "".join(s.split()).strip("*")
    return s.casefold()


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def text_of(v: Any) -> str:
    """A cell as text: stripped; whole floats without ``.0`` (codes typed as numbers)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def single_line(text: str) -> str:
    """A name on one line: the line breaks of a wrapped cell (Alt+Enter) removed — between Chinese
    characters nothing is left, between Latin words one space."""
    if "\n" not in text and "\r" not in text:
        return text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        out += ("" if not (out[-1].isascii() and line[0].isascii()) else " ") + line
    return out


def is_excel_error(v: Any) -> bool:
    return isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS


def is_note(cells: Sequence[Any]) -> bool:
    """Whether every one of ``cells`` (the filled cells of a row) is a note (注：…, 填表人：…, 联系人：…)."""
    for v in cells:
        if not isinstance(v, str):
            return False
        s = unicodedata.normalize("NFKC", v).strip().casefold()
        if not s.startswith(NOTE_PREFIXES):
            return False
    return True


def special_word(v: Any) -> bool:
    """Whether a cell is a note, total or example word (its row is then looked at as a whole)."""
    if not isinstance(v, str):
        return False
    h = normalize_header(v)
    return h in EXAMPLE_CODES or TOTAL.fullmatch(h) is not None or is_note([v])


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


def cell_number(kind: str, v: Any) -> float | str:
    """A non-empty figure cell as float, or the rule it breaks (``not_a_number``, ``negative``,
    ``not_whole``). ``kind`` is the column's (``"int"`` or ``"number"``)."""
    # Fast path for what nearly every cell holds: a plain, non-negative number.
    if isinstance(v, float | int) and not isinstance(v, bool) and v >= 0 and math.isfinite(v):
        if kind != "int" or float(v).is_integer():
            return float(v)
    elif isinstance(v, str) and PLAIN.fullmatch(v):
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


_DATE_FORMS = (
    re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def cell_date(v: Any) -> dt.date | None:
    """A date cell (a date, or text such as 2025-09-01, 2025/9/1, 2025.9.1, 2025年9月1日, 20250901),
    or None if it is none of these."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str):
        return None
    text = "".join(unicodedata.normalize("NFKC", v).split())
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


# --------------------------------------------------------------------------------------------
# Whole columns


def blank_mask(cells: Sequence[Any], text_only: bool) -> np.ndarray:
    n = len(cells)
    if text_only:
        mask: np.ndarray = (np.fromiter(map(len, cells), dtype=np.intp, count=n) == 0) | np.fromiter(
            map(str.isspace, cells), dtype=bool, count=n
        )
        return mask
    return np.fromiter(map(blank, cells), dtype=bool, count=n)


def word_mask(cells: Sequence[Any], text_only: bool) -> np.ndarray:
    """``special_word`` of every cell; for text, only when the column's text holds one of
    ``SPECIAL_WORDS`` once normalised as ``normalize_header`` does (NFKC, no whitespace, case-folded)."""
    if text_only:
        text = "".join(unicodedata.normalize("NFKC", "\x00".join(cells)).casefold().split())
        if not any(w in text for w in SPECIAL_WORDS):
            return np.zeros(len(cells), dtype=bool)
    return np.fromiter(map(special_word, cells), dtype=bool, count=len(cells))


_MAX_DIGITS = 15  # a mantissa of up to 15 digits is exact in float64 (< 2**53)
_POW10 = 10.0 ** np.arange(_MAX_DIGITS)  # exact


def plain_numbers(cells: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The cells of a column of text that are plain numbers as ``PLAIN`` reads them (ASCII digits,
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
