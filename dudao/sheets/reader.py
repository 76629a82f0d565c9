"""Read a school data table (.xlsx or .csv) into the canonical fields of ``dudao.engine.fields``.

Every problem in the file is collected and reported at once (``InputError``); each names the sheet,
the row as the user sees it, the column header as written, the value and a stable rule code, in
Chinese and English. The file is opened by :func:`dudao.sheets.workbook.open_workbook` (within the
bounds of :mod:`dudao.sheets.limits`) and read by the generic steps of :mod:`dudao.sheets.table`
(header, title, key, note, total and example rows, merged cells, cells by kind); this module adds the
school table's own rules.

Rule codes — errors: those of :mod:`dudao.sheets.workbook` and :mod:`dudao.sheets.ooxml` (the file:
``file_not_found``, ``unknown_format``, ``xls_not_supported``, ``not_xlsx``, ``not_csv``,
``bad_encoding``, ``file_too_large`` and the bounds), ``no_such_sheet``, ``no_header``,
``missing_column``, ``duplicate_column``, ``merged_cell``, ``empty_value``, ``not_a_number``,
``negative``, ``not_whole``, ``not_applicable``, ``unknown_value``, ``both_units``,
``formula_not_calculated``, ``formula_error``; warnings: ``unknown_column``, ``note_row``,
``total_row``, ``empty_column``.

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
``read_school_table(..., per_cell=True)`` reads every row with the per-cell parser (the reference the
column-wise path is tested against).
"""

from __future__ import annotations

import gc
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dudao.engine.fields import ENUMS, ONE_THROUGH_PARTS, ONE_THROUGH_TYPES, TYPE_LEVEL
from dudao.engine.problems import InputError, Problem
from dudao.sheets.cells import (
    EXCEL_ERRORS,
    blank,
    cell_number,
    is_excel_error,
    normalize_header,
    parse_number,
    plain_numbers,
    single_line,
    text_of,
)
from dudao.sheets.columns import COLUMN_BY_KEY, COLUMNS, LEVEL_PART_ZH, SPECS, allowed_levels
from dudao.sheets.limits import Limits
from dudao.sheets.table import TableReader, locate
from dudao.sheets.workbook import Sheet, open_workbook

_YUAN, _WAN = "equipment_value_yuan", "equipment_value_wan"

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
    parts. The optional figures (``Column.may_be_empty``: grades, classrooms) are NaN where not given.
    Enums are canonical codes (an empty ``level`` is ``"all"``; an empty optional enum or text is ``""``).
    A numeric column empty on every row counts as absent (not in ``frame`` nor ``present``).
    """

    frame: pd.DataFrame
    present: frozenset[str]
    sheet: str
    warnings: list[Problem] = field(default_factory=list)
    # key -> the column's header as written in the file, for the keys in ``present``
    # (``equipment_value_yuan`` read from a 万元 column: that column's header).
    headers: dict[str, str] = field(default_factory=dict)
    # How many data rows the per-cell parser read (the column-wise path settles a clean file alone).
    per_cell_rows: int = 0


def read_school_table(
    path: Path | str | bytes,
    sheet: str | None = None,
    *,
    name: str | None = None,
    limits: Limits | None = None,
    per_cell: bool = False,
) -> SchoolTable:
    """Read ``path`` (.xlsx/.xlsm or .csv; or the file's bytes, with its ``name``). ``sheet`` names the
    worksheet; by default the first sheet with a recognisable header row is used (ignored for CSV,
    whose sheet is the file name). ``limits``: the bounds (default: the settings'). ``per_cell``: read
    every row with the per-cell parser (slower; the reference of the column-wise path).

    Raises ``InputError`` with every problem found; warnings are returned on the table.
    """
    with _gc_paused():
        with open_workbook(path, name, limits=limits) as workbook:
            found, header = locate(workbook, sheet, SPECS)
        return _Parser(found, header, columnwise=not per_cell).parse()


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
# Cells and whole columns (the column-wise path of ``_Parser``)


def _column(key: str, values: list[Any]) -> pd.Series | list[Any]:
    """Figures as float64; codes with few distinct values (enums, county) as categoricals."""
    kind = COLUMN_BY_KEY[key].kind
    if kind in ("int", "number"):
        return pd.Series(values, dtype="float64")
    if kind == "enum" or key in ("county_code", "county_name"):
        return pd.Series(values, dtype="category")
    return values


def _unsettled_where_applies(applies: np.ndarray, values: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """The rows of a figure column that applies on some rows only (``applies``) that the per-cell
    parser must word: empty where it applies, a figure other than 0 where it does not. Its empty
    cells become 0.0 (what a row where it does not apply holds)."""
    unsettled = np.where(applies, empty, ~empty & (values != 0.0))
    values[empty] = 0.0
    return unsettled


def _fits(school_type: str, level: str) -> bool:
    """Whether a row's level fits its school type (else the checks name it, and the per-level columns of
    the row are not judged): one of its levels, empty for a type with one level, a one-through school's
    senior part."""
    if level == "all":
        return school_type in ONE_THROUGH_PARTS or school_type in TYPE_LEVEL
    return level in allowed_levels(school_type) or level in ONE_THROUGH_PARTS.get(school_type, ())


def _wan_to_yuan(v: Any) -> float:
    """A valid 万元 cell in yuan, exactly (Decimal: 0.07 万元 is 700 yuan, not 700.0000000000001)."""
    d = parse_number(v)
    assert d is not None
    return float(d * 10000) + 0.0


def _isin(values: Sequence[Any], wanted: Sequence[str]) -> np.ndarray:
    """values[i] in wanted, for a column of codes (None where a cell was wrong)."""
    return np.fromiter(map(frozenset(wanted).__contains__, values), dtype=bool, count=len(values))


def _text_column(cells: Sequence[Any], required: bool, text_only: bool) -> tuple[list[str], np.ndarray]:
    """``text_cell`` of every cell, and where it reports a problem."""
    texts, bad = _texts(cells, required, text_only)
    if any("\n" in t or "\r" in t for t in texts):
        texts = list(map(single_line, texts))
    return texts, bad


def _texts(cells: Sequence[Any], required: bool, text_only: bool) -> tuple[list[str], np.ndarray]:
    n = len(cells)
    if text_only:
        texts = list(map(str.strip, cells))
        bad = np.fromiter(map(operator.not_, texts), dtype=bool, count=n) if required else np.zeros(n, dtype=bool)
        if "#" in "".join(texts):
            bad |= np.fromiter((t.upper() in EXCEL_ERRORS for t in texts), dtype=bool, count=n)
        return texts, bad
    texts, bad = [], np.zeros(n, dtype=bool)
    for i, v in enumerate(cells):
        if isinstance(v, str) and "#" in v and is_excel_error(v):
            bad[i] = True
            texts.append("")
        elif blank(v):
            bad[i] = required
            texts.append("")
        else:
            texts.append(text_of(v))
    return texts, bad


def _enum_code(key: str, v: Any) -> str | None:
    """``_enum_cell`` of a cell: its code, "" for an empty optional cell, None where it reports a problem."""
    if isinstance(v, str) and "#" in v and is_excel_error(v):
        return None
    code = _ENUM_INDEX[key].get(normalize_header(text_of(v)))
    if code is not None:
        return code
    if blank(v):
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
        parsed = plain_numbers(cells)
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
        elif isinstance(v, str) and "#" in v and is_excel_error(v):
            bad[i] = True
        elif blank(v):
            empty[i] = True
        else:
            number = cell_number(kind, v)
            if isinstance(number, str):
                bad[i] = True
            else:
                values[i] = number
    return values, empty, bad


# --------------------------------------------------------------------------------------------
# Parsing


class _Parser(TableReader):
    """The school table's reading on the generic steps of :class:`~dudao.sheets.table.TableReader`, with
    the column-wise fast path and the school rules (see the module's docstring)."""

    def __init__(self, sheet: Sheet, header: int | None, *, columnwise: bool = True) -> None:
        super().__init__(sheet, header, SPECS, example_key="school_code")
        self.columnwise = columnwise
        self.per_cell_rows = 0  # rows the per-cell parser went through (all of them without ``columnwise``)

    def parse(self) -> SchoolTable:
        rows = self.start()
        start = self.first_data
        if self.columnwise and not self.errors:
            data, columns = self.data_rows_columnwise(rows, start)
        else:
            data, columns = self.data_rows(rows, start), None
        self._drop_empty_columns(self.header + 1 if self.header is not None else 1, data)
        if columns is not None and data and not self.errors:
            return self._build_columnwise(data, columns)
        return self._build(data)

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
            and all((ci >= len(row) or blank(row[ci])) and (row_no, ci) not in self.formulas for row_no, row in data)
        }
        partner = {_YUAN: _WAN, _WAN: _YUAN}
        for key in [k for k in self.columns if k in empty]:
            other = partner.get(key)
            silent = (
                COLUMN_BY_KEY[key].level
                or COLUMN_BY_KEY[key].may_be_empty
                or (
                    other in self.columns and (other not in empty or key == _WAN)  # the pair warns once
                )
            )
            if not silent:
                self.add(
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
        keys = self._keys()
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
        return SchoolTable(frame, frozenset(keys), self.sheet.name, self.warnings, self._headers(keys), len(data))

    def _build_columnwise(
        self, data: list[tuple[int, Sequence[Any]]], columns: dict[int, Sequence[Any]]
    ) -> SchoolTable:
        """``_build`` by columns (see the module's docstring); rows it cannot settle go through ``_row``."""
        n = len(data)
        pad = "" if self.sheet.text_only else None

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
                out[key], bad = _text_column(cells(key), col.required, self.sheet.text_only)
                dirty |= bad
            elif col.kind == "enum":
                out[key], bad = _enum_column(key, cells(key), self.sheet.text_only)
                dirty |= bad
        dirty |= self._figure_columns(out, cells)
        if _YUAN in self.columns or _WAN in self.columns:
            out[_YUAN], bad = self._equipment_column(cells, n)
            dirty |= bad

        keys = self._keys()
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
        return SchoolTable(
            frame, frozenset(keys), self.sheet.name, self.warnings, self._headers(keys), int(dirty.sum())
        )

    def _keys(self) -> list[str]:
        """The keys of the table, in the template's order (``equipment_value_wan`` read into ``_yuan``)."""
        return [
            c.key
            for c in COLUMNS
            if c.key != _WAN and (c.key in self.columns or (c.key == _YUAN and _WAN in self.columns))
        ]

    def _figure_columns(self, out: dict[str, Any], cells: Callable[[str], Sequence[Any]]) -> np.ndarray:
        """The figure columns (but equipment) into ``out``, with the per-row rules on whole arrays:
        which per-level columns apply, what a count of 0 leaves out, students as the sum of the parts.
        Returns the rows the per-cell parser must word."""
        n = len(out["school_type"])
        dirty = np.zeros(n, dtype=bool)
        types = out["school_type"]
        whole = _isin(types, ONE_THROUGH_TYPES)
        levels = out["level"] if "level" in out else ["all"] * n
        whole &= _isin(levels, ("all",))
        # a level that does not fit the type (named by the checks): the per-cell parser leaves its per-level
        # columns unjudged
        fits = {pair: _fits(*pair) for pair in set(zip(types, levels, strict=True)) if None not in pair}
        dirty |= np.fromiter(
            (not fits.get(pair, True) for pair in zip(types, levels, strict=True)), dtype=bool, count=n
        )
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
            elif not col.may_be_empty:  # an optional figure's empty cell is simply not given (NaN)
                dirty |= empty
            out[key] = values
        for key, empty in described.items():  # it applies where the count is not 0
            dirty |= _unsettled_where_applies(out[COLUMN_BY_KEY[key].requires or ""] != 0.0, out[key], empty)
        if students_empty is not None and students_empty.any():
            dirty |= self._students_of_parts_columnwise(out, students_empty & whole)
        return dirty

    def _students_of_parts_columnwise(self, out: dict[str, Any], empty_whole: np.ndarray) -> np.ndarray:
        """``_students_of_parts`` on the whole-school rows whose students are empty; returns the rows
        without the parts' columns (the per-cell parser names them)."""
        dirty = np.zeros(len(empty_whole), dtype=bool)
        for school_type, parts in ONE_THROUGH_PARTS.items():
            rows = empty_whole & _isin(out["school_type"], (school_type,))
            given = [f"students_{p}" for p in parts if f"students_{p}" in self.columns]
            if not given:
                dirty |= rows
                continue
            total = np.zeros(int(rows.sum()))
            for k in given:  # in the order of the parts, as ``_row`` adds them
                total = total + out[k][rows]
            out["students"][rows] = total
        return dirty

    def _equipment_column(self, cells: Callable[[str], Sequence[Any]], n: int) -> tuple[np.ndarray, np.ndarray]:
        """The equipment value in yuan from the 元 or the 万元 column, and the rows to word."""
        equipment = np.full(n, np.nan)
        given = np.zeros(n, dtype=np.intp)
        dirty = np.zeros(n, dtype=bool)
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
        return equipment, dirty | (given != 1)  # both units, or neither

    def text_cell(self, row_no: int, row: Sequence[Any], key: str) -> str:
        """The school table's text (codes and names) on one line."""
        return single_line(super().text_cell(row_no, row, key))

    def _headers(self, keys: list[str]) -> dict[str, str]:
        headers = {k: self.columns[k][1] for k in keys if k in self.columns}
        if _YUAN in keys and _YUAN not in self.columns:
            headers[_YUAN] = self.columns[_WAN][1]
        return headers

    def _raw(self, row: Sequence[Any], key: str) -> Any:
        ci = self.columns[key][0]
        return row[ci] if ci < len(row) else None

    def _texts(self, row_no: int, row: Sequence[Any]) -> dict[str, Any]:
        """The row's text and enumeration cells, by key."""
        values: dict[str, Any] = {}
        for key in self.columns:
            col = COLUMN_BY_KEY[key]
            if col.kind == "text":
                values[key] = self.text_cell(row_no, row, key)
            elif col.kind == "enum":
                values[key] = self.enum_cell(row_no, row, key)
        return values

    def _row(self, row_no: int, row: Sequence[Any]) -> dict[str, Any]:
        values = self._texts(row_no, row)
        school_type = values.get("school_type") or ""
        level = values.get("level", "all")
        known = bool(school_type) and level is not None and _fits(school_type, level)
        whole = known and school_type in ONE_THROUGH_TYPES and level == "all"
        parts = ONE_THROUGH_PARTS.get(school_type, ()) if whole else ()
        described = [k for k in self.columns if COLUMN_BY_KEY[k].requires in self.columns]
        students_empty = False
        for key in self.columns:
            if COLUMN_BY_KEY[key].kind in ("int", "number") and key not in (_YUAN, _WAN, *described):
                students_empty |= self._figure(row_no, row, key, values, school_type if known else None, whole)
        if students_empty and whole:
            self._students_of_parts(row_no, values, parts)
        for key in described:
            values[key] = self._described(row_no, row, key, values[COLUMN_BY_KEY[key].requires or ""])
        if _YUAN in self.columns or _WAN in self.columns:
            values[_YUAN] = self._equipment(row_no, row)
        return values

    def _figure(
        self, row_no: int, row: Sequence[Any], key: str, values: dict[str, Any], school_type: str | None, whole: bool
    ) -> bool:
        """A figure of the row into ``values`` (NaN where wrong, reported); ``school_type`` is None when the
        row's type or level is wrong. True for an empty ``students`` left to the sum of the parts."""
        col = COLUMN_BY_KEY[key]
        state, v = self.state(row_no, row, key)
        values[key] = math.nan
        if state == "bad":
            return False
        if col.level:
            parts = ONE_THROUGH_PARTS.get(school_type or "", ()) if whole else ()
            values[key] = self._where_applies(
                row_no, key, state, v, None if school_type is None else col.level in parts,
                lambda: self._not_applicable(row_no, key, v, school_type, whole),
            )  # fmt: skip
            return False
        if state == "empty":
            if key == "students" and (whole or school_type is None):
                return True
            if col.may_be_empty:
                return False
            self.empty_value(row_no, key)
            return False
        number = self.number(row_no, key, v)
        values[key] = math.nan if number is None else number
        return False

    def _students_of_parts(self, row_no: int, values: dict[str, Any], parts: Sequence[str]) -> None:
        """An empty ``students`` on a whole-school row: the sum of its level parts, if the file has them."""
        given = [f"students_{p}" for p in parts if f"students_{p}" in self.columns]
        if given:
            values["students"] = sum(values[k] for k in given)
            return
        self.cell_problem(
            "empty_value",
            "在校生数为空：一贯制学校整校一行时，须填写在校生数或各学段在校生数（如“小学部在校生数”）",
            "Students is empty: a whole-school one-through row needs the total or the "
            "per-level students columns (students_primary, ...)",
            row_no,
            "students",
        )

    def _described(self, row_no: int, row: Sequence[Any], key: str, count: float) -> float:
        """A figure describing a count on the row (the smallest music room's area, ``count`` music
        rooms; NaN if the count was wrong): where the count is 0 it does not apply."""
        state, v = self.state(row_no, row, key)
        if state == "bad":
            return math.nan

        def not_applicable() -> None:
            written = self.columns[COLUMN_BY_KEY[key].requires or ""][1]
            self.cell_problem(
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
                self.empty_value(row_no, key)
            return math.nan if applies else 0.0
        number = self.number(row_no, key, v)
        if applies is False and number not in (None, 0.0):
            not_applicable()
        return math.nan if number is None else number

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
        self.cell_problem("not_applicable", zh, en, row_no, key, v)

    def _equipment(self, row_no: int, row: Sequence[Any]) -> float:
        states = {k: self.state(row_no, row, k) for k in (_YUAN, _WAN) if k in self.columns}
        if any(s == "bad" for s, _ in states.values()):
            return math.nan
        given = {k: v for k, (s, v) in states.items() if s == "value"}
        if len(given) == 2:
            self.cell_problem(
                "both_units",
                "同一行同时填写了“元”和“万元”两列教学仪器设备值：请只填其中一列",
                "Both the yuan and the 万元 equipment value columns are filled on this row: fill only one",
                row_no,
                _WAN,
                f"{text_of(given[_YUAN])} / {text_of(given[_WAN])}",
            )
            return math.nan
        if not given:
            key = _YUAN if _YUAN in self.columns else _WAN
            self.cell_problem(
                "empty_value",
                "教学仪器设备值为空：请填写数字（“元”或“万元”列之一），没有的请填 0",
                "The equipment value is empty: enter a number (in the yuan or the 万元 column), or 0 if there is none",
                row_no,
                key,
            )
            return math.nan
        ((key, v),) = given.items()
        number = self.number(row_no, key, v)
        if number is None:
            return math.nan
        if key == _WAN:
            return _wan_to_yuan(v)
        return number
