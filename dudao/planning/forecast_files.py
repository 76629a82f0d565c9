"""The files ``dudao forecast`` reads: enrolment history, births and known changes as county offices keep
them in Excel or CSV, read by the project's bounded reader (:func:`dudao.sheets.table.read_table`) into the
frames of :class:`dudao.engine.forecast.ForecastInputs` (docs/forecast-json.md, "Input files").

* **Enrolment** (在校生历史): one row per school, school year and level — 学校标识码, 学校名称, 乡镇（街道）,
  学年, 学段 (小学/初中; may be left empty where the grades say it), 一年级在校生数 … 九年级在校生数 (the census
  template's headers; empty for grades the school does not have) and 在校生数 (the level's total, read where
  no grade is given). A one-through school may give grades 1–9 in one row: 1–6 are its primary level,
  7–9 its junior level.
* **Births** (出生人口): 乡镇（街道） (empty or 全县: the county as a whole), 出生年份, 出生人口数.
* **Known changes** (已知变化): 名称, 乡镇（街道）, 学校标识码 (empty: the town's schools), 学段, 起始年份,
  每年新增入学人数.

Every problem of a file is listed at once, with its sheet, row, column as written, value and rule, in Chinese
and English (:class:`~dudao.engine.problems.InputError`); rules beyond the reader's: ``no_figures``,
``level_required``, ``grade_not_in_level``, ``duplicate_row``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from dudao.engine.fields import FIELD_BY_KEY, GRADE_FIELDS
from dudao.engine.forecast import BIRTHS_COLUMNS, CHANGES_COLUMNS, ENROLMENT_COLUMNS, GRADES, ForecastInputs
from dudao.engine.problems import InputError, Problem
from dudao.planning.importing import BIRTHS_COLUMNS as BIRTHS_SPECS
from dudao.planning.importing import COUNTY_WIDE
from dudao.sheets.table import ColumnSpec, Table, read_table

LEVEL_CHOICES = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}
GRADE_NAMES = ("一", "二", "三", "四", "五", "六", "七", "八", "九")
TOWN = ColumnSpec("town", "乡镇（街道）", "text", ("乡镇", "乡镇名称", "街道", "town"))

ENROLMENT_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec("school_code", "学校标识码", "text", ("学校代码", "school_code"), required=True),
    ColumnSpec("school_name", "学校名称", "text", ("校名", "school_name")),
    TOWN,
    ColumnSpec("year", "学年", "int", ("年份", "年度", "year"), required=True),
    ColumnSpec("level", "学段", "enum", ("level",), choices={**LEVEL_CHOICES, "": ("",)}),
    *(ColumnSpec(key, FIELD_BY_KEY[key].zh, "int", FIELD_BY_KEY[key].aliases) for key in GRADE_FIELDS),
    ColumnSpec("students", "在校生数", "int", ("在校学生数", "students")),
)
CHANGES_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec("name", "名称", "text", ("项目名称", "小区名称", "name"), required=True),
    TOWN,
    ColumnSpec("school_code", "学校标识码", "text", ("学校代码", "school_code")),
    ColumnSpec("level", "学段", "enum", ("level",), required=True, choices=LEVEL_CHOICES),
    ColumnSpec("from_year", "起始年份", "int", ("起始年", "from_year"), required=True),
    ColumnSpec("pupils", "每年新增入学人数", "int", ("新增入学人数", "pupils"), required=True),
)


def _problem(table: Table, rule: str, zh: str, en: str, row: int, key: str | None, value: Any = None) -> Problem:
    column = table.headers.get(key, key) if key else None
    return Problem(rule, zh, en, sheet=table.sheet, row=row, column=column, value=None if value is None else str(value))


def _levels(table: Table, row: Any) -> tuple[list[tuple[str, list[tuple[int, int]]]], list[Problem]]:
    """One enrolment row as (level, [(grade, students), …]) — grade 0 for a total — or its problems."""
    given = {g: row[f"grade_{g}"] for g in range(1, 10) if row[f"grade_{g}"] is not None}
    level = row["level"] or None
    if not given:
        if row["students"] is None:
            zh, en = "既没有分年级人数，也没有在校生数", "neither grades nor a total given"
            return [], [_problem(table, "no_figures", zh, en, row.row, "students")]
        if level is None:
            zh, en = "只填在校生数时须填写学段（小学/初中）", "a row with only a total needs its level (小学/初中)"
            return [], [_problem(table, "level_required", zh, en, row.row, "level")]
        return [(level, [(0, int(row["students"]))])], []
    out = []
    for name, grades in GRADES.items():
        if any(g in given for g in grades):
            if level is not None and level != name:
                g = next(g for g in grades if g in given)
                zh = f"学段为“{LEVEL_CHOICES[level][0]}”，却填写了{GRADE_NAMES[g - 1]}年级"
                en = f"the level is {level} but grade {g} is given"
                return [], [_problem(table, "grade_not_in_level", zh, en, row.row, f"grade_{g}", given[g])]
            out.append((name, [(g, int(given.get(g, 0))) for g in grades]))
    return out, []


def read_enrolment(path: Path) -> pd.DataFrame:
    table = read_table(path, ENROLMENT_SPECS, strict=False)
    problems = list(table.problems)
    rows: list[tuple[Any, ...]] = []
    seen: dict[tuple[str, int, str], int] = {}
    for row in table.rows:
        if row.invalid:
            continue
        levels, found = _levels(table, row)
        problems += found
        for level, grades in levels:
            key = (row["school_code"], int(row["year"]), level)
            if key in seen:
                zh = f"学校 {key[0]} {key[1]} 学年{LEVEL_CHOICES[level][0]}与第 {seen[key]} 行重复"
                en = f"school {key[0]}, {key[1]}, {level}: the same as row {seen[key]}"
                problems.append(_problem(table, "duplicate_row", zh, en, row.row, "school_code", key[0]))
                continue
            seen[key] = row.row
            town = row["town"] or ""
            rows += [(key[0], row["school_name"] or "", town, key[1], level, g, n) for g, n in grades]
    if problems:
        raise InputError(problems)
    return pd.DataFrame(rows, columns=list(ENROLMENT_COLUMNS))


def read_births(path: Path) -> pd.DataFrame:
    table = read_table(path, BIRTHS_SPECS)  # the births page's columns (dudao.planning.importing)
    rows = [("" if (r["town"] or "") == COUNTY_WIDE else r["town"], r["year"], r["births"]) for r in table.rows]
    return pd.DataFrame(rows, columns=list(BIRTHS_COLUMNS))


def read_changes(path: Path) -> pd.DataFrame:
    table = read_table(path, CHANGES_SPECS)
    rows = [
        (r["name"], r["town"] or "", r["school_code"] or "", r["level"], r["from_year"], r["pupils"])
        for r in table.rows
    ]
    return pd.DataFrame(rows, columns=list(CHANGES_COLUMNS))


def _where(path: Path, sheet: str | None) -> str:
    """A problem's sheet named with its file (a .csv's one sheet is the file)."""
    return f"{path.name} {sheet}" if sheet and sheet != path.name else path.name


def read_inputs(enrolment: Path, births: Path | None = None, changes: Path | None = None) -> ForecastInputs:
    """The three files as the forecast's inputs; the problems of every file given, all at once."""
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    readers = (
        ("enrolment", enrolment, read_enrolment),
        ("births", births, read_births),
        ("changes", changes, read_changes),
    )
    for name, path, reader in readers:
        if path is None:
            continue
        try:
            frames[name] = reader(path)
        except InputError as error:  # each problem names its file with its sheet
            problems += [replace(p, sheet=_where(path, p.sheet)) for p in error.problems]
    if problems:
        raise InputError(problems)
    return ForecastInputs(**frames)
