"""Read a table from a spreadsheet by column specs: the one interface every sheet import stands on.

A table is described by its columns (:class:`ColumnSpec`): a key, the Chinese header the template
writes and the other headers people use, a kind (text, int, number, date, enum with its accepted
values), whether the column must be there and whether its cells may be empty.
:func:`read_table` opens the file (:func:`dudao.sheets.workbook.open_workbook`: .xlsx or .csv,
within the bounds of :mod:`dudao.sheets.limits`), finds the header row, reads every data row and
returns the typed rows — or raises :class:`~dudao.engine.problems.InputError` listing *every*
problem, each with the sheet, the row as the user sees it, the column as its header is written in
the file, the value as written and a stable rule code, in Chinese and English. Nothing is returned
half-read. Example::

    COLUMNS = [
        ColumnSpec("code", "学校标识码", "text", aliases=("学校代码",), required=True),
        ColumnSpec("name", "学校名称", "text", required=True),
        ColumnSpec("kind", "学校类型", "enum", choices={"primary": ("小学", "primary"),
                                                     "junior": ("初中", "初级中学")}),
        ColumnSpec("opened", "建校日期", "date"),
        ColumnSpec("pupils", "在校生数", "int", required=True),
    ]
    table = read_table(path, COLUMNS)            # or read_table(data, COLUMNS, name="学校名录.xlsx")
    for row in table.rows:
        row.row, row["code"], row["pupils"]      # 3, "4201020001", 1200

The reading, step by step (the same for every table):

* **The sheet**: the one named, or the first whose first 10 rows hold a header row — a row of two or
  more known headers (or only known ones). Title rows above it are passed over. A row right below
  the header holding only the columns' keys (``school_code`` …, the template's second row) too.
* **The header**: headers are compared after NFKC (full-width letters and brackets), without spaces,
  ``*`` marks or case. A header no spec knows is a warning (``unknown_column``, its data ignored), a
  column given twice an error (``duplicate_column``), a required column that is not there an error
  (``missing_column``, listing the unknown headers, as a renamed column is the usual cause).
* **The rows**: empty rows are passed over; a row whose filled cells are all notes (注：…, 填表人：…,
  联系人：…) is a warning (``note_row``), as is a total row (合计, 小计 …: ``total_row``); a row whose
  ``example_key`` cell says 示例/example is passed over. A text cell merged down over several rows
  applies to each of them; a merged figure is an error (``merged_cell``): it cannot be split.
* **The cells**, by kind: ``text`` (stripped; a whole number typed as 1200.0 reads 1200), ``int`` and
  ``number`` (``int``/``float``; full-width digits and thousands separators read; ``not_a_number``,
  ``negative``, ``not_whole``), ``date`` (a date cell or 2025-09-01, 2025/9/1, 2025年9月1日:
  ``bad_date``), ``enum`` (a code among ``choices``, any of its spellings: ``unknown_value`` lists
  them). An empty cell is ``None`` (``""`` for text and enum) unless the spec says it may not be empty
  (``empty_value``). A formula without a calculated value is ``formula_not_calculated``, an Excel
  error value ``formula_error``. A spec may bring its own ``parse`` (value -> result, or None when it
  is not one) with the ``invalid`` problem it names.

:class:`TableReader` holds these steps for a reader with rules of its own to build on (the school
table of :mod:`dudao.sheets.reader` does, with its column-wise fast path).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from openpyxl.utils.cell import get_column_letter

from dudao.engine.problems import InputError, Problem
from dudao.sheets.cells import (
    EXAMPLE_CODES,
    TOTAL,
    blank,
    blank_mask,
    cell_date,
    cell_number,
    is_excel_error,
    is_note,
    normalize_header,
    text_of,
    word_mask,
)
from dudao.sheets.limits import Limits
from dudao.sheets.workbook import Format, Sheet, Workbook, open_workbook

Kind = Literal["text", "int", "number", "date", "enum"]
HEADER_SCAN_ROWS = 10


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table (see the module's docstring)."""

    key: str
    zh: str  # the header as the template writes it
    kind: Kind = "text"
    aliases: tuple[str, ...] = ()  # other headers accepted (the key itself always is)
    required: bool = False  # the column must be in the file
    nonempty: bool | None = None  # its cells may not be empty (default: as ``required``)
    # enum: code -> accepted spellings, the first one shown (Chinese); "" among them: empty is fine
    choices: Mapping[str, Sequence[str]] | None = None
    max_length: int | None = None  # text: at most this many characters (``too_long``)
    parse: Callable[[Any], Any] | None = None  # a non-empty cell -> value, None if it is not one
    invalid: tuple[str, str, str] | None = None  # (rule, zh, en) for a cell ``parse`` refuses

    @property
    def may_be_empty(self) -> bool:
        return not (self.required if self.nonempty is None else self.nonempty)


@dataclass
class Row:
    """A data row: ``row`` is its number as the user sees it; values by key (absent columns: None).
    ``invalid``: the keys whose cell has a problem (its value is None)."""

    row: int
    values: dict[str, Any]
    invalid: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


@dataclass
class Table:
    sheet: str
    rows: list[Row]
    headers: dict[str, str]  # key -> the header as written, for the columns the file has
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # only when read with ``strict=False``
    header_row: int = 1  # the header's row number, as the user sees it


def header_index(specs: Sequence[ColumnSpec]) -> dict[str, str]:
    """Normalised header -> key, for every header and key of ``specs``."""
    index: dict[str, str] = {}
    for spec in specs:
        for name in (spec.key, spec.zh, *spec.aliases):
            norm = normalize_header(name)
            if norm:
                index.setdefault(norm, spec.key)
    return index


def find_header(rows: Sequence[Sequence[Any]], index: Mapping[str, str]) -> int | None:
    """Index of the first of the first 10 rows whose cells are known headers (two or more, or all)."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = [normalize_header(v) for v in row if not blank(v)]
        matched = sum(n in index for n in names)
        if matched >= 2 or (matched and matched == len(names)):
            return i
    return None


def _examples(specs: Sequence[ColumnSpec]) -> tuple[str, str]:
    shown = [s for s in specs if s.required][:2] or list(specs[:2])
    zh = "".join(f"“{s.zh}”" for s in shown)
    return zh, f"{shown[0].zh} / {shown[0].key}" if shown else ""


def locate(workbook: Workbook, sheet: str | None, specs: Sequence[ColumnSpec]) -> tuple[Sheet, int | None]:
    """The sheet to read (``sheet``, or the first with a header row) and its header row's index
    (None when the named sheet has none: the reader then says so)."""
    index = header_index(specs)
    names = workbook.sheet_names
    if sheet is not None and sheet not in names:
        listed = "、".join(f"“{n}”" for n in names)
        raise InputError([Problem(
            "no_such_sheet", f"工作簿中没有名为“{sheet}”的工作表；现有工作表：{listed}",
            f"No sheet named {sheet!r}; the sheets are: {', '.join(map(repr, names))}", sheet=sheet, value=sheet,
        )])  # fmt: skip
    for name in [sheet] if sheet is not None else names:
        head = workbook.read(name, max_rows=HEADER_SCAN_ROWS)
        found = find_header(head.rows, index)
        if found is not None:
            return workbook.read(name), found
        if sheet is not None:
            return head, None
    zh, en = _examples(specs)
    listed = "、".join(f"“{n}”" for n in names)
    raise InputError([Problem(
        "no_header",
        f"所有工作表（{listed}）的前 {HEADER_SCAN_ROWS} 行中都找不到可识别的表头（如{zh}）；请使用数据模板的表头",
        f"No sheet ({', '.join(map(repr, names))}) has a recognisable header row (such as {en}) in its first "
        f"{HEADER_SCAN_ROWS} rows; use the template's headers",
        value=workbook.name,
    )])  # fmt: skip


def read_table(
    source: Path | str | bytes,
    columns: Sequence[ColumnSpec],
    *,
    name: str | None = None,
    sheet: str | None = None,
    formats: Sequence[Format] = ("xlsx", "csv"),
    limits: Limits | None = None,
    example_key: str | None = None,
    strict: bool = True,
) -> Table:
    """Read the table ``columns`` describe from ``source`` (a path, or the bytes of a file called
    ``name``); see the module's docstring. ``example_key``: the column where 示例 marks an example row.

    ``strict=False`` is for a caller with rules of its own, to report every problem at once: the
    problems of the cells are returned on the table (``problems``; each such cell's value is None and
    its key in the row's ``invalid``) instead of raised. Problems with the file or its header are
    raised whatever ``strict`` says."""
    with open_workbook(source, name, formats=formats, limits=limits) as workbook:
        found, header = locate(workbook, sheet, columns)
    reader = TableReader(found, header, columns, example_key=example_key)
    return reader.read(strict=strict)


# --------------------------------------------------------------------------------------------


class TableReader:
    """The steps of reading one sheet by its column specs; problems are collected, not raised, until
    :meth:`raise_problems`. ``columns`` maps each key found to (0-based index, header as written)."""

    def __init__(
        self, sheet: Sheet, header: int | None, specs: Sequence[ColumnSpec], *, example_key: str | None = None
    ) -> None:
        self.sheet, self.header = sheet, header
        self.specs = {s.key: s for s in specs}
        self.order = [s.key for s in specs]
        self.index = header_index(specs)
        self.key_names = frozenset(normalize_header(s.key) for s in specs)
        self.example_key = example_key
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.columns: dict[str, tuple[int, str]] = {}
        self.formulas = sheet.formulas
        self._choices: dict[str, dict[str, str]] = {}  # per enum key: normalised spelling -> code
        self._enum_cache: dict[str, dict[str, str]] = {}  # per enum key: raw cell text -> code

    # -- problems

    def add(
        self, rule: str, zh: str, en: str, row: int | None, column: str | None, value: Any = None, *,
        warning: bool = False,
    ) -> None:  # fmt: skip
        problem = Problem(rule, zh, en, sheet=self.sheet.name, row=row, column=column, value=text_of(value) or None)
        (self.warnings if warning else self.errors).append(problem)

    def cell_problem(self, rule: str, zh: str, en: str, row: int, key: str, value: Any = None) -> None:
        self.add(rule, zh, en, row, self.columns[key][1], value)

    def raise_problems(self) -> None:
        if self.errors:
            raise InputError(self.errors)

    # -- the simple reading (every cell by its kind)

    def read(self, *, strict: bool = True) -> Table:
        rows = self.start()
        if not strict and any(p.rule in ("missing_column", "duplicate_column") for p in self.errors):
            self.raise_problems()  # the caller's own rules need the columns
        data = self.data_rows(rows, self.first_data)
        out = []
        for row_no, row in data:
            values, invalid = {}, []
            for key in self.columns:
                before = len(self.errors)
                values[key] = self.cell(row_no, row, key)
                if len(self.errors) > before:
                    invalid.append(key)
            out.append(Row(row_no, values, frozenset(invalid)))
        if strict:
            self.raise_problems()
        headers = {k: w for k, (_, w) in self.columns.items()}
        header_row = (self.header or 0) + 1
        return Table(self.sheet.name, out, headers, self.warnings, [] if strict else self.errors, header_row)

    def start(self) -> Sequence[Sequence[Any]]:
        """Map the header and return the rows with merged text cells filled in; ``first_data`` is the
        index of the first row after the header (and the key row)."""
        rows = self.sheet.rows
        if self.header is None:
            zh, en = _examples(list(self.specs.values()))
            self.add(
                "no_header",
                f"前 {HEADER_SCAN_ROWS} 行中找不到可识别的表头（如{zh}）；请使用数据模板的表头",
                f"No recognisable header row (such as {en}) in the first {HEADER_SCAN_ROWS} rows; use the "
                "template's headers",
                None,
                None,
            )
            raise InputError(self.errors)
        self.map_header(rows, self.header)
        start = self.header + 1
        if start < len(rows) and self.is_key_row(rows[start]):
            start += 1
        self.first_data = start
        return self.unmerge(rows, start)

    # -- the header

    def map_header(self, rows: Sequence[Sequence[Any]], hi: int) -> None:
        header_row = hi + 1
        unknown: list[str] = []
        for ci, v in enumerate(rows[hi]):
            if blank(v):
                if any(ci < len(r) and not blank(r[ci]) for r in rows[hi + 1 :]):
                    letter = get_column_letter(ci + 1)
                    self.add(
                        "unknown_column", f"第 {letter} 列没有表头，其中的数据已忽略",
                        f"Column {letter} has no header; its data is ignored", header_row, letter, warning=True,
                    )  # fmt: skip
                continue
            written = text_of(v)
            key = self.index.get(normalize_header(v))
            if key is None:
                unknown.append(written)
                self.add(
                    "unknown_column", "无法识别的列，已忽略（请核对表头是否与模板一致）",
                    "Unrecognised column, ignored (check the header against the template)", header_row, written,
                    written, warning=True,
                )  # fmt: skip
            elif key in self.columns:
                first = self.columns[key]
                letter = get_column_letter(first[0] + 1)
                self.add(
                    "duplicate_column",
                    f"列重复：与第 {letter} 列“{first[1]}”是同一项（{key}），请删除其中一列",
                    f"Duplicate column: the same field ({key}) as column {letter} {first[1]!r}; delete one of them",
                    header_row, written, written,
                )  # fmt: skip
            else:
                self.columns[key] = (ci, written)
        hint_zh = f"；无法识别的列：{'、'.join(unknown)}" if unknown else ""
        hint_en = f"; unrecognised columns: {', '.join(unknown)}" if unknown else ""
        for key in self.order:
            spec = self.specs[key]
            if spec.required and key not in self.columns:
                self.add(
                    "missing_column", f"缺少必填列“{spec.zh}”（{key}）{hint_zh}",
                    f"Missing required column {key} ({spec.zh}){hint_en}", header_row, key,
                )  # fmt: skip

    def is_key_row(self, row: Sequence[Any]) -> bool:
        """The row of keys under the header (``school_code`` …, the template's second row): all its cells
        are keys, or two or more and at least half of them (a key renamed along with its header)."""
        names = [normalize_header(v) for v in row if not blank(v)]
        keys = sum(n in self.key_names for n in names)
        return bool(names) and (keys == len(names) or (keys >= 2 and 2 * keys >= len(names)))

    # -- merged cells

    def unmerge(self, rows: Sequence[Sequence[Any]], start: int) -> Sequence[Sequence[Any]]:
        """Merged cells in the data: a text cell merged down (e.g. 城乡类型 for several schools) applies to
        every row it covers; a merged figure cannot be split between rows and is named as a problem."""
        ranges = [m for m in self.sheet.merged if m[2] >= start and m[2] > m[0] and m[0] < len(rows)]
        if not ranges:
            return rows
        grid: list[list[Any]] = [list(r) for r in rows]
        by_index = {ci: (key, written) for key, (ci, written) in self.columns.items()}
        for r1, c1, r2, c2 in ranges:
            r2 = min(r2, len(grid) - 1)
            for ci in range(c1, c2 + 1):
                if ci not in by_index:
                    continue
                key, written = by_index[ci]
                top = grid[r1][c1] if c1 < len(grid[r1]) else None
                if self.specs[key].kind in ("int", "number"):
                    self.add(
                        "merged_cell",
                        f"第{r1 + 1}–{r2 + 1}行的“{written}”是合并单元格：每一行须单独填写数值，请取消合并",
                        f"rows {r1 + 1}–{r2 + 1} of {written!r} are one merged cell: give each row its own "
                        "figure (unmerge the cells)",
                        r1 + 1, written, top,
                    )  # fmt: skip
                # a text applies to every row it covers; a figure is named above, its rows not again as empty
                for ri in range(max(r1, start), r2 + 1):
                    while len(grid[ri]) <= ci:
                        grid[ri].append(None)
                    grid[ri][ci] = top
        return grid

    # -- data rows

    def data_rows(self, rows: Sequence[Sequence[Any]], start: int) -> list[tuple[int, Sequence[Any]]]:
        code_ci = self.columns.get(self.example_key or "", (None,))[0]
        return [(i + 1, rows[i]) for i in range(start, len(rows)) if self.is_data_row(i + 1, rows[i], code_ci)]

    def is_data_row(self, row_no: int, row: Sequence[Any], code_ci: int | None) -> bool:
        """False for an empty, example, note or total row (the last two with a warning)."""
        filled = [v for v in row if not blank(v)]
        if not filled:
            return False
        if is_note(filled):
            self.add("note_row", "备注/说明行，已跳过", "Note row, skipped", row_no, None, filled[0], warning=True)
            return False
        code = normalize_header(text_of(row[code_ci])) if code_ci is not None and code_ci < len(row) else ""
        if code in EXAMPLE_CODES:
            return False
        total = next((v for v in filled[:3] if isinstance(v, str) and TOTAL.fullmatch(normalize_header(v))), None)
        if total is not None and (not code or TOTAL.fullmatch(code)):
            self.add(
                "total_row", "合计行，已跳过（合计由系统计算）", "Total row, skipped (totals are computed)",
                row_no, None, total, warning=True,
            )  # fmt: skip
            return False
        return True

    def data_rows_columnwise(
        self, rows: Sequence[Sequence[Any]], start: int
    ) -> tuple[list[tuple[int, Sequence[Any]]], dict[int, Sequence[Any]]]:
        """``data_rows`` by columns: a row whose first three cells are filled and none of them (nor
        its example-key cell) could be a note, total or example word is a data row; any other row is
        judged by ``is_data_row``, in the order of the file. Also returns the mapped columns' cells
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
            plain &= ~blank_mask(cells, text_only)
        code_ci = self.columns.get(self.example_key or "", (None,))[0]
        for ci in sorted({0, 1, 2, *([code_ci] if code_ci is not None else [])}):
            if ci < width:
                plain &= ~word_mask(columns[ci], text_only)
        for i in np.flatnonzero(~plain).tolist():
            plain[i] = self.is_data_row(start + i + 1, region[i], code_ci)
        kept = np.flatnonzero(plain).tolist()
        data = [(start + i + 1, region[i]) for i in kept]
        every = len(kept) == len(region)
        wanted = sorted(ci for ci, _ in self.columns.values() if ci < width)
        return data, {ci: columns[ci] if every else [columns[ci][i] for i in kept] for ci in wanted}

    # -- cells

    def state(self, row_no: int, row: Sequence[Any], key: str) -> tuple[str, Any]:
        """("value", v), ("empty", None) or ("bad", None) once a problem has been reported."""
        ci = self.columns[key][0]
        v = row[ci] if ci < len(row) else None
        if v is None and not self.formulas:
            return "empty", None
        if self.formulas and (row_no, ci) in self.formulas:
            self.cell_problem(
                "formula_not_calculated",
                "公式没有计算结果（文件是由不计算公式的程序保存的）：请用 Excel 或 WPS 打开该文件并"
                "保存一次，使公式得到计算后再导入",
                "The formula has no calculated value (the file was saved by a program that does "
                "not calculate formulas): open and save the file in Excel/WPS so formulas are "
                "calculated, then import it again",
                row_no, key, self.formulas[(row_no, ci)],
            )  # fmt: skip
            return "bad", None
        if isinstance(v, str) and "#" in v and is_excel_error(v):
            self.cell_problem(
                "formula_error", "公式计算出错，请检查该单元格的公式",
                "The cell's formula gives an error; check the formula",
                row_no, key, v,
            )  # fmt: skip
            return "bad", None
        if blank(v):
            return "empty", None
        return "value", v

    def cell(self, row_no: int, row: Sequence[Any], key: str) -> Any:
        """A cell by its spec: the value, or None (reported) if it is wrong."""
        spec = self.specs[key]
        if spec.kind == "enum":
            return self.enum_cell(row_no, row, key)
        if spec.kind == "text" and spec.parse is None:
            return self.text_cell(row_no, row, key)
        state, v = self.state(row_no, row, key)
        if state == "bad":
            return None
        if state == "empty":
            if not spec.may_be_empty:
                self.empty_value(row_no, key)
            return None
        if spec.parse is not None or spec.kind == "date":
            return self._parsed(row_no, key, v)
        number = self.number(row_no, key, v)
        if number is None or spec.kind != "int":
            return number
        return int(number)

    def _parsed(self, row_no: int, key: str, v: Any) -> Any:
        spec = self.specs[key]
        value = (spec.parse or cell_date)(v)
        if value is None:
            rule, zh, en = spec.invalid or (
                "bad_date", "日期无法识别：请写成 2025-09-01 或 2025年9月1日，或设为日期格式",
                "Not a date: write it as 2025-09-01 or 2025年9月1日, or format the cell as a date",
            )  # fmt: skip
            self.cell_problem(rule, zh, en, row_no, key, _shown(v))
        return value

    def empty_value(self, row_no: int, key: str) -> None:
        if self.specs[key].kind in ("int", "number"):
            self.cell_problem(
                "empty_value", "数值为空：请填写数字，没有的请填 0",
                "The value is empty: enter a number, or 0 if there are none", row_no, key,
            )  # fmt: skip
        else:
            self.cell_problem("empty_value", "必填项为空", "Required value is empty", row_no, key)

    def text_cell(self, row_no: int, row: Sequence[Any], key: str) -> str:
        state, v = self.state(row_no, row, key)
        text = text_of(v) if state == "value" else ""
        spec = self.specs[key]
        if state == "empty" and not spec.may_be_empty:
            self.empty_value(row_no, key)
        if spec.max_length is not None and len(text) > spec.max_length:
            self.cell_problem(
                "too_long", f"内容过长（最多 {spec.max_length} 个字）",
                f"Too long (at most {spec.max_length} characters)",
                row_no, key, text,
            )  # fmt: skip
        return text

    def choices(self, key: str) -> dict[str, str]:
        index = self._choices.get(key)
        if index is None:
            table = self.specs[key].choices or {}
            index = self._choices[key] = {
                normalize_header(name): code for code, names in table.items() for name in (code, *names)
            }
        return index

    def enum_cell(self, row_no: int, row: Sequence[Any], key: str) -> str | None:
        """Canonical code, "" for an empty optional value, None if wrong (reported)."""
        state, v = self.state(row_no, row, key)
        if state == "bad":
            return None
        cache = self._enum_cache.setdefault(key, {})
        code = cache.get(v) if isinstance(v, str) else None
        if code is None:
            code = self.choices(key).get(normalize_header(text_of(v)))
            if code is not None and isinstance(v, str):
                cache[v] = code
        if code is not None:
            return code
        if state == "empty":
            if not self.specs[key].may_be_empty:
                self.empty_value(row_no, key)
                return None
            return ""
        zh, en = accepted_values(self.specs[key])
        self.cell_problem(
            "unknown_value", f"无法识别的值；可填：{zh}", f"Unknown value; accepted: {en}", row_no, key, v
        )
        return None

    def number(self, row_no: int, key: str, v: Any) -> float | None:
        number = cell_number(self.specs[key].kind, v)
        if not isinstance(number, str):
            return number
        if number == "not_a_number":
            hint_zh = "（只填数字，不要带单位或文字；没有的请填 0）"
            hint_en = " (digits only, no units or words; enter 0 if there are none)"
            self.cell_problem("not_a_number", f"不是数字{hint_zh}", f"Not a number{hint_en}", row_no, key, _shown(v))
        elif number == "negative":
            self.cell_problem("negative", "不能为负数", "Must not be negative", row_no, key, v)
        else:
            self.cell_problem("not_whole", "应为整数", "Must be a whole number", row_no, key, v)
        return None


def accepted_values(spec: ColumnSpec) -> tuple[str, str]:
    """An enum's accepted values, as listed in its ``unknown_value`` problem (zh, en)."""
    table = spec.choices or {}
    names = [spellings[0] if spellings else code for code, spellings in table.items()]
    optional = any("" in spellings for spellings in table.values())
    zh = "、".join(n for n in names if n) + ("（或留空）" if optional else "")
    en = ", ".join(f"{c} ({n})" for c, n in zip(table, names, strict=True)) + (" or empty" if optional else "")
    return zh, en


def _shown(v: Any) -> Any:
    """A value as written, for a problem: a date cell as its date."""
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date().isoformat()
    return v
