"""Births and grade history as county offices keep them in Excel: read, checked whole, planned.

* **Births** (出生人口): one row per town and calendar year — 乡镇（街道）, 出生年份, 出生人口数, 数据来源
  (optional). A town is named as the county's register names it (or by its code); 全县 or an empty town
  is the county as a whole.
* **Grade history** (分年级在校生历史数据, from 学籍 or 事业统计): one row per school and school year — 学校标识码,
  学校名称 (read, not checked), 学年, 一年级在校生数 … 九年级在校生数 (the census template's headers; a grade
  the school does not have left empty), 数据来源 (optional).

The file is read by the generic sheet reader (:func:`dudao.sheets.table.read_table`, within the upload
bounds); every problem of the file — the reader's and the rows' against the county — is listed at once
(sheet, row, column as written, value, rule; Chinese and English: :class:`~dudao.engine.problems.InputError`)
and nothing is written. A file without problems becomes a plan (rows to create, to change, unchanged) that
:mod:`dudao.planning.actions` writes.

Rule codes: the reader's (``unknown_format``, ``file_too_large``, ``no_header``, ``missing_column``,
``not_a_number``, ``negative``, ``not_whole``, ``empty_value`` …) and ``no_rows``, ``unknown_town``,
``bad_year``, ``duplicate_row``, ``unknown_school``, ``no_grades``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.engine.fields import FIELD_BY_KEY, GRADE_FIELDS
from dudao.engine.problems import InputError, Problem
from dudao.orgs.models import Region, School, SchoolYear
from dudao.planning.models import Births, GradeHistory
from dudao.sheets.limits import current_limits
from dudao.sheets.table import ColumnSpec, Table, read_table

__all__ = [
    "BIRTHS_COLUMNS",
    "COUNTY_WIDE",
    "HISTORY_COLUMNS",
    "FilePlan",
    "PlannedRow",
    "plan_births",
    "plan_history",
    "read_births",
    "read_history",
    "school_names",
]

COUNTY_WIDE = "全县"
FIRST_YEAR, LAST_YEAR = MIN_YEAR, MAX_YEAR  # the years the platform keeps (dudao.converters)
SOURCE_LENGTH = 200

BIRTHS_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("town", "乡镇（街道）", "text", ("乡镇", "乡镇名称", "乡镇（街道）名称", "街道", "town"), required=True,
               nonempty=False),
    ColumnSpec("year", "出生年份", "int", ("年份", "年度", "出生年度", "year"), required=True),
    ColumnSpec("births", "出生人口数", "int", ("出生人数", "出生数", "出生人口", "births"), required=True),
    ColumnSpec("source", "数据来源", "text", ("来源", "source"), max_length=SOURCE_LENGTH),
)  # fmt: skip
HISTORY_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("school_code", "学校标识码", "text", ("学校代码", "学校编码", "school_code"), required=True),
    ColumnSpec("school_name", "学校名称", "text", ("校名", "school_name")),
    ColumnSpec("year", "学年", "int", ("年份", "年度", "year"), required=True),
    *(ColumnSpec(key, FIELD_BY_KEY[key].zh, "int", FIELD_BY_KEY[key].aliases) for key in GRADE_FIELDS),
    ColumnSpec("source", "数据来源", "text", ("来源", "source"), max_length=SOURCE_LENGTH),
)


@dataclass(frozen=True)
class PlannedRow:
    """One figure to store: its key (town code or "" / school code, year[, grade]), the figure, old figure."""

    key: tuple[Any, ...]
    label: str  # the town's or school's name, as shown
    year: int
    value: int
    old: int | None
    source: str = ""
    grade: int = 0  # grade history only

    @property
    def action(self) -> str:
        return "create" if self.old is None else "unchanged" if self.old == self.value else "update"


@dataclass
class FilePlan:
    """What importing a file would do (nothing written yet)."""

    kind: str  # "births" or "history"
    filename: str
    sheet: str
    rows: list[PlannedRow] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(r.action == action for r in self.rows)

    @property
    def count_create(self) -> int:
        return self.count("create")

    @property
    def count_update(self) -> int:
        return self.count("update")

    @property
    def count_unchanged(self) -> int:
        return self.count("unchanged")

    def changes(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action != "unchanged"]

    def payload(self) -> str:
        """The checked figures as compact JSON (a preview's confirmation sends them back; they are checked again):
        ``{"sources": [...], "rows": [[key, year, grade, value, source index], ...]}``."""
        sources = list(dict.fromkeys(r.source for r in self.rows))
        index = {source: i for i, source in enumerate(sources)}
        rows = [[*r.key, r.year, r.grade, r.value, index[r.source]] for r in self.rows]
        return json.dumps({"sources": sources, "rows": rows}, ensure_ascii=False, separators=(",", ":"))

    def digest(self) -> str:
        """The figures and what each does to the stored ones (a figure stored meanwhile changes it)."""
        olds = json.dumps([r.old for r in self.rows])
        return hashlib.sha256((self.payload() + olds).encode()).hexdigest()


def _problem(table: Table, rule: str, zh: str, en: str, row: int | None, key: str | None, value: Any) -> Problem:
    column = None if key is None else table.headers.get(key, key)
    return Problem(rule, zh, en, sheet=table.sheet, row=row, column=column,
                   value=None if value is None or value == "" else str(value))  # fmt: skip


def _read(name: str, data: bytes, columns: Sequence[ColumnSpec], example_key: str) -> Table:
    return read_table(data, columns, name=Path(name).name or "upload.xlsx", limits=current_limits(),
                      example_key=example_key, strict=False)  # fmt: skip


def _year_problem(table: Table, row: int, year: int | None, last: int) -> Problem | None:
    if year is None or FIRST_YEAR <= year <= last:
        return None
    zh, en = f"年份 {year} 不在 {FIRST_YEAR}–{last} 年之间", f"year {year} is not between {FIRST_YEAR} and {last}"
    return _problem(table, "bad_year", zh, en, row, "year", year)


def _duplicate(table: Table, row: int, first: int, key: str, value: Any) -> Problem:
    return _problem(table, "duplicate_row", f"与第 {first} 行重复（同一对象、同一年份只能填一行）",
                    f"repeats row {first} (one row per unit and year)", row, key, value)  # fmt: skip


def _no_rows(table: Table) -> Problem:
    return Problem(
        "no_rows", "表中没有数据行", "the sheet holds no data rows", sheet=table.sheet, row=table.header_row + 1
    )


def _towns(county: Region) -> dict[str, Region]:
    """The county's towns by name and by code."""
    towns = Region.objects.filter(parent=county, level=Region.Level.TOWN)
    return {key: t for t in towns for key in (t.name, t.code)}


def read_births(county: Region, name: str, data: bytes, today: dt.date | None = None) -> FilePlan:
    """Check a births file for ``county``; raise :class:`InputError` with every problem found."""
    table = _read(name, data, BIRTHS_COLUMNS, "town")
    last = (today or dt.date.today()).year
    problems = list(table.problems)
    towns = _towns(county)
    rows: list[tuple[Region | None, int, int, str]] = []
    first_row: dict[tuple[Any, ...], int] = {}
    for row in table.rows:
        written = (row["town"] or "").strip()
        town = None if written in ("", COUNTY_WIDE, county.name) else towns.get(written)
        found = len(problems)
        if written not in ("", COUNTY_WIDE, county.name) and town is None:
            problems.append(_problem(
                table, "unknown_town", f"“{county.name}”没有名为“{written}”的乡镇（街道）；全县合计请填“{COUNTY_WIDE}”",
                f"{county.name} has no town called {written!r}; write {COUNTY_WIDE} for the county as a whole",
                row.row, "town", written,
            ))  # fmt: skip
        if (bad := _year_problem(table, row.row, row["year"], last)) is not None:
            problems.append(bad)
        key = (town.code if town else "", row["year"])
        if len(problems) == found and not row.invalid:
            if key in first_row:
                problems.append(_duplicate(table, row.row, first_row[key], "year", row["year"]))
                continue
            first_row[key] = row.row
            rows.append((town, int(row["year"]), int(row["births"]), row["source"] or ""))
    if not table.rows and not problems:
        problems.append(_no_rows(table))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return plan_births(county, [(t.code if t else "", y, n, s) for t, y, n, s in rows], Path(name).name, table.sheet,
                       table.warnings)  # fmt: skip


def plan_births(
    county: Region, figures: Sequence[tuple[str, int, int, str]], filename: str = "", sheet: str = "",
    warnings: Sequence[Problem] = (),
) -> FilePlan:  # fmt: skip
    """The plan for births ``(town code or "", year, births, source)`` of ``county`` (checked again: a
    town that is not the county's is refused)."""
    towns = {t.code: t for t in Region.objects.filter(parent=county, level=Region.Level.TOWN)}
    stored = {
        (b.town.code if b.town else "", b.year): b.births
        for b in Births.objects.filter(county=county).select_related("town")
    }
    plan = FilePlan("births", filename, sheet, warnings=list(warnings))
    for code, year, births, source in figures:
        if (code and code not in towns) or int(births) < 0 or not FIRST_YEAR <= int(year) <= LAST_YEAR:
            raise InputError(
                [Problem("unknown_town", "乡镇（街道）不属于本县", "the town is not the county's", value=code)]
            )
        label = towns[code].name if code else COUNTY_WIDE
        plan.rows.append(PlannedRow((code,), label, int(year), int(births), stored.get((code, int(year))), source))
    return plan


def _grades(table: Table, row: Any) -> dict[int, int]:
    return {g: int(row[key]) for g, key in enumerate(GRADE_FIELDS, start=1) if row[key] is not None}


def read_history(county: Region, name: str, data: bytes, today: dt.date | None = None) -> FilePlan:
    """Check a grade history file for ``county``; raise :class:`InputError` with every problem found."""
    table = _read(name, data, HISTORY_COLUMNS, "school_code")
    last = (today or dt.date.today()).year
    problems = list(table.problems)
    schools = dict(School.objects.filter(county=county).values_list("code", "pk"))
    figures: list[tuple[str, int, int, int, str]] = []
    first_row: dict[tuple[str, int], int] = {}
    for row in table.rows:
        found = len(problems)
        code = (row["school_code"] or "").strip()
        if code not in schools:
            problems.append(_problem(
                table, "unknown_school", f"学校标识码“{code}”不是“{county.name}”的学校",
                f"school code {code!r} is not a school of {county.name}", row.row, "school_code", code,
            ))  # fmt: skip
        if (bad := _year_problem(table, row.row, row["year"], last)) is not None:
            problems.append(bad)
        grades = _grades(table, row)
        if not grades and not row.invalid:
            problems.append(_problem(
                table, "no_grades", "没有填写任何年级的在校生数", "no grade's pupils are given", row.row, None, None
            ))  # fmt: skip
        if len(problems) == found and not row.invalid:
            key = (code, int(row["year"]))
            if key in first_row:
                problems.append(_duplicate(table, row.row, first_row[key], "school_code", code))
                continue
            first_row[key] = row.row
            figures += [(code, key[1], g, n, row["source"] or "") for g, n in grades.items()]
    if not table.rows and not problems:
        problems.append(_no_rows(table))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return plan_history(county, figures, Path(name).name, table.sheet, table.warnings)


def plan_history(
    county: Region, figures: Sequence[tuple[str, int, int, int, str]], filename: str = "", sheet: str = "",
    warnings: Sequence[Problem] = (),
) -> FilePlan:  # fmt: skip
    """The plan for grade figures ``(school code, year, grade, students, source)`` of ``county``'s schools."""
    schools = dict(School.objects.filter(county=county).values_list("code", "pk"))
    names = school_names(county)
    query = GradeHistory.objects.filter(county=county).values_list("school__code", "year", "grade", "students")
    stored = {(code, year, grade): n for code, year, grade, n in query}
    plan = FilePlan("history", filename, sheet, warnings=list(warnings))
    for code, year, grade, students, source in figures:
        if (
            code not in schools
            or not 1 <= int(grade) <= 9
            or int(students) < 0
            or not FIRST_YEAR <= int(year) <= LAST_YEAR
        ):
            raise InputError(
                [Problem("unknown_school", "学校不属于本县", "the school is not the county's", value=code)]
            )
        plan.rows.append(PlannedRow((code,), names.get(code, code), int(year), int(students),
                                    stored.get((code, int(year), int(grade))), source, int(grade)))  # fmt: skip
    return plan


def school_names(county: Region) -> dict[str, str]:
    """The county's schools' latest names, by code."""
    names: dict[str, str] = {}
    for code, name in (
        SchoolYear.objects.filter(school__county=county).order_by("year").values_list("school__code", "name")
    ):
        names[code] = name
    return names


def plan_from_payload(county: Region, kind: str, payload: str) -> FilePlan:
    """A preview's figures sent back with its confirmation, checked again against the county."""
    try:
        data = json.loads(payload)
        sources = [str(s)[:SOURCE_LENGTH] for s in data["sources"]]
        items = [(str(c), int(y), int(g), int(n), sources[int(i)]) for c, y, g, n, i in data["rows"]]
        if kind == "births":
            return plan_births(county, [(c, y, n, s) for c, y, _g, n, s in items])
        return plan_history(county, items)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise InputError(
            [Problem("bad_payload", "预览数据无效，请重新上传", "the preview's data is invalid; upload again")]
        ) from exc
