"""The rules a county's school table obeys as a whole, whatever reads it: the one reading of a workbook.

``dudao evaluate`` (the command line), ``import_census`` (the command, the upload page, the API) read a
file with :func:`dudao.sheets.reader.read_school_table` and then check it with :func:`check_table`, so a
file is refused by the same rules in the same words on every path: each problem names the sheet, the
row, the column as its header is written in the file, the value as written and a stable rule code, in
Chinese and English. No database here (the import adds what needs one: counties, permissions, locks,
schools registered elsewhere, records already stored).

Rule codes (errors): ``no_rows``, ``missing_column`` (teachers given only per level, but rows that need
the plain column), ``too_long``, ``too_large`` (a figure the census cannot store), ``bad_level``,
``level_required``, ``duplicate_school``, ``mixed_split``, ``inconsistent_school``,
``missing_level_students``, ``missing_level_teachers``, ``students_mismatch``; warnings:
``senior_skipped``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dudao.engine.fields import (
    FIELD_BY_KEY,
    LEVEL_ZH,
    ONE_THROUGH_PARTS,
    SCHOOL_TYPE_ZH,
    TEACHER_FIELDS,
    TYPE_LEVEL,
)
from dudao.engine.problems import InputError, Problem
from dudao.sheets.columns import COLUMN_BY_KEY, allowed_levels
from dudao.sheets.reader import SchoolTable, read_school_table

# What the census stores (checked against the models by a test): a count fits a PostgreSQL integer,
# an area or sum of money 16 digits with 4 decimals; a school code 20 characters, a name 100.
INT_LIMIT = 2_147_483_647
NUMBER_LIMIT = 10.0**12
CODE_MAX_LENGTH = 20
NAME_MAX_LENGTH = 100
STUDENT_PART_FIELDS = ("students_primary", "students_junior", "students_senior")


def _level_zh(level: str) -> str:
    return LEVEL_ZH.get(level, level)


def _text(value: object) -> str:
    """A cell of a text or categorical column: "" for missing."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


@dataclass
class TableRows:
    """The identity columns of a school table as lists of text, one per row (an absent column: all
    its default)."""

    sheet: str
    source_row: list[int]
    codes: list[str]
    names: list[str]
    types: list[str]
    given_levels: list[str]  # "all" where the level is empty or absent
    locations: list[str]
    ownerships: list[str]
    county_codes: list[str]

    @classmethod
    def of(cls, table: SchoolTable) -> TableRows:
        frame = table.frame
        n = len(frame)

        def column(key: str, default: str = "") -> list[str]:
            if key not in frame:
                return [default] * n
            values = frame[key]
            if isinstance(values.dtype, pd.CategoricalDtype):  # enums and county codes: few distinct values
                names = [_text(c) or default for c in values.cat.categories] + [default]  # code -1: missing
                return [names[c] for c in values.cat.codes.tolist()]
            return [_text(v) or default for v in values.tolist()]

        return cls(
            table.sheet, frame["source_row"].tolist() if n else [], column("school_code"), column("school_name"),
            column("school_type"), column("level", "all"), column("location"), column("ownership"),
            column("county_code"),
        )  # fmt: skip


@dataclass
class TableCheck:
    """What :func:`check_table` found: the problems (nothing may be written if there are any), the
    warnings, and each row's level as the census stores it ("senior": a senior part, skipped; None where
    the level is wrong)."""

    rows: TableRows
    levels: list[str | None]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def raise_problems(self) -> None:
        if self.problems:
            raise InputError(sorted_problems(self.problems))


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """In the order of the file: problems of the whole file first, then row by row."""
    return sorted(problems, key=lambda p: -1 if p.row is None else p.row)


def column_name(table: SchoolTable, key: str) -> str:
    """The column's header as written in the file, as the reader's problems name it; for a column the
    file does not have, the template's header with the key (``初中部在校生数 (students_junior)``)."""
    written = table.headers.get(key)
    if written:
        return written
    column = COLUMN_BY_KEY.get(key)
    return f"{column.zh} ({key})" if column is not None else key


def check_table(table: SchoolTable, *, students: bool = True) -> TableCheck:
    """Check ``table`` as a whole (see the module's docstring); nothing is raised. ``students=False``: the
    file need not have the students column (an import updating stored records: it checks that only the
    records it creates lack it, with :func:`missing_students`)."""
    return _Checker(table).run(students=students)


def checked(table: SchoolTable) -> TableCheck:
    """:func:`check_table`, raising :class:`InputError` with every problem (warnings go with the result)."""
    result = check_table(table)
    result.raise_problems()
    return result


def read_and_check(
    path: Path | str, sheet: str | None = None, *, students: bool = True
) -> tuple[SchoolTable, TableCheck]:
    """The one reading of a county's file: :func:`read_school_table` and :func:`check_table`. Whatever
    the file holds, the answer is a table or an :class:`InputError`: a file the reader cannot make sense
    of in a way no rule foresaw is ``unreadable_file`` (with the cause chained, for ``--traceback``),
    never a traceback."""
    try:
        table = read_school_table(path, sheet)
        return table, check_table(table, students=students)
    except InputError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, ArithmeticError, AttributeError) as exc:
        name = Path(path).name
        raise InputError([Problem(
            "unreadable_file",
            f"无法读取文件“{name}”：其内容不符合任何已知的格式规则。请在 Excel 或 WPS 中打开，核对后另存为 .xlsx 再试；"
            "如仍不行，请把文件发给系统管理员",
            f"Cannot read {name!r}: its content fits none of the known rules. Open it in Excel or WPS, check it and "
            "save it as .xlsx again; if that does not help, send the file to the administrator",
            value=name,
        )]) from exc  # fmt: skip


def missing_students(table: SchoolTable, row: int | None = None) -> Problem:
    """The file has no students column (``missing_column``), naming the columns it did not recognise
    (a renamed 在校生数 is the usual cause)."""
    unknown = [w.value for w in table.warnings if w.rule == "unknown_column" and w.value]
    hint_zh = f"；无法识别的列：{'、'.join(unknown)}" if unknown else ""
    hint_en = f"; unrecognised columns: {', '.join(unknown)}" if unknown else ""
    return Problem(
        "missing_column",
        f"缺少“在校生数”列（students）：评估和新建的学校记录都须有在校生数{hint_zh}",
        f"The students column (在校生数) is missing: an evaluation, and a school record an import creates, need "
        f"the pupils{hint_en}",
        sheet=table.sheet, row=row, column=column_name(table, "students"),
    )  # fmt: skip


class _Checker:
    def __init__(self, table: SchoolTable) -> None:
        self.table = table
        self.rows = TableRows.of(table)
        self.n = len(self.rows.source_row)
        self.result = TableCheck(self.rows, [None] * self.n)

    def problem(self, rule: str, zh: str, en: str, i: int | None = None, column: str | None = None,
                value: object = None, *, warning: bool = False) -> None:  # fmt: skip
        """``column`` is a key (``students``); the problem names the column as the file does."""
        problem = Problem(
            rule, zh, en, sheet=self.rows.sheet, row=None if i is None else self.rows.source_row[i],
            column=None if column is None else column_name(self.table, column),
            value=None if value is None or value == "" else str(value),
        )  # fmt: skip
        (self.result.warnings if warning else self.result.problems).append(problem)

    def run(self, *, students: bool) -> TableCheck:
        if students and "students" not in self.table.present:
            self.result.problems.append(missing_students(self.table))
        if self.n == 0:
            self.problem("no_rows", "文件中没有数据行", "The file holds no data rows")
            return self.result
        self._check_rows()
        self._check_teacher_columns()
        self._check_sizes()
        return self.result

    def _check_rows(self) -> None:
        """Levels against school types, duplicates, one form per school, consistent identity."""
        rows, levels = self.rows, self.result.levels
        first_of_school: dict[str, int] = {}
        first_of_key: dict[tuple[str, str], int] = {}
        forms: dict[str, dict[str, int]] = {}  # school -> {"whole"|"split": first row index}
        fine: dict[tuple[str, str], str] = {}  # (type, level given) -> stored level, for pairs without a problem
        for i in range(self.n):
            code, school_type, given = rows.codes[i], rows.types[i], rows.given_levels[i]
            self._check_lengths(i)
            level = fine.get((school_type, given))
            if level is None:
                reported = len(self.result.problems) + len(self.result.warnings)
                level = self._stored_level(i, school_type, given)
                if level is not None and len(self.result.problems) + len(self.result.warnings) == reported:
                    fine[(school_type, given)] = level
            levels[i] = level
            first = first_of_school.setdefault(code, i)
            if first != i:
                self._check_same_school(first, i)
            if level is None:
                continue
            seen = first_of_key.setdefault((code, level), i)
            if seen != i:
                self.problem(
                    "duplicate_school",
                    f"学校标识码“{code}”的{_level_zh(level)}重复（首次出现在第{rows.source_row[seen]}行）",
                    f"School code {code} appears twice for level {level} (first at row {rows.source_row[seen]})",
                    i, "school_code", code,
                )  # fmt: skip
                continue
            if level != "senior":
                self._check_form(forms.setdefault(code, {}), i, level)
        self._check_whole_rows()

    def _check_lengths(self, i: int) -> None:
        code, name = self.rows.codes[i], self.rows.names[i]
        if len(code) > CODE_MAX_LENGTH:
            self.problem(
                "too_long", f"学校标识码过长（最多 {CODE_MAX_LENGTH} 个字符）",
                f"School code too long (at most {CODE_MAX_LENGTH} characters)", i, "school_code", code,
            )  # fmt: skip
        if len(name) > NAME_MAX_LENGTH:
            self.problem(
                "too_long", f"学校名称过长（最多 {NAME_MAX_LENGTH} 个字）",
                f"School name too long (at most {NAME_MAX_LENGTH} characters)", i, "school_name", name,
            )  # fmt: skip

    def _check_form(self, form: dict[str, int], i: int, level: str) -> None:
        """A one-through school comes either as one whole-school row or as rows per level, not both."""
        form.setdefault("whole" if level == "all" else "split", i)
        if len(form) == 2 and i in form.values():
            other = form["whole" if level != "all" else "split"]
            row = self.rows.source_row[other]
            code = self.rows.codes[i]
            self.problem(
                "mixed_split",
                f"学校“{code}”既有整校一行（学段“全校”或空）又有分学段行（第{row}行），只能选一种填法",
                f"School {code} has both a whole-school row and per-level rows (row {row}); use one form",
                i, "level", self.rows.given_levels[i],
            )  # fmt: skip

    def _stored_level(self, i: int, school_type: str, given: str) -> str | None:
        """The level a row is stored under, "senior" for a senior part (skipped), None if wrong."""
        type_zh = SCHOOL_TYPE_ZH.get(school_type, school_type)
        if given == "senior":
            if "senior" in ONE_THROUGH_PARTS.get(school_type, ()):
                self.problem(
                    "senior_skipped", "高中学段不属于义务教育统计，此行未导入",
                    "The senior level is outside the compulsory-education census; the row is not imported",
                    i, "level", LEVEL_ZH["senior"], warning=True,
                )  # fmt: skip
                return "senior"
            level: str | None = None
        elif given == "all":
            if school_type in ONE_THROUGH_PARTS:
                level = "all"
            elif school_type in TYPE_LEVEL:
                level = TYPE_LEVEL[school_type]
            else:
                self.problem(
                    "level_required",
                    f"“{type_zh}”须在“学段”列填写所教学段（小学或初中），每个学段一行",
                    f"A {school_type} school needs its level (primary or junior) in the level column, one row "
                    "per level",
                    i, "level", None,
                )  # fmt: skip
                return None
        else:
            level = given
        if level is None or level not in allowed_levels(school_type):
            fits = "、".join(_level_zh(lv) for lv in allowed_levels(school_type))
            self.problem(
                "bad_level", f"学段“{_level_zh(given)}”与学校类型“{type_zh}”不符；可填：{fits}",
                f"Level {given} does not fit a {school_type} school; accepted: "
                f"{', '.join(allowed_levels(school_type))}", i, "level", _level_zh(given),
            )  # fmt: skip
            return None
        return level

    def _check_same_school(self, first: int, i: int) -> None:
        """Rows of one school (one per level) must agree on what the school is."""
        rows = self.rows
        for key, values in (
            ("county_code", rows.county_codes),
            ("school_name", rows.names),
            ("school_type", rows.types),
            ("location", rows.locations),
            ("ownership", rows.ownerships),
        ):
            if values[i] != values[first]:
                self.problem(
                    "inconsistent_school",
                    f"同一学校（{rows.codes[i]}）各行的“{COLUMN_BY_KEY[key].zh}”不一致"
                    f"（第{rows.source_row[first]}行为“{values[first]}”）",
                    f"Rows of the same school ({rows.codes[i]}) disagree on {key} (row {rows.source_row[first]} "
                    f"has {values[first]!r})",
                    i, key, values[i],
                )  # fmt: skip

    def _check_whole_rows(self) -> None:
        """A whole-school row of a one-through school needs its per-level pupils and teachers, and its
        pupils must add up (the engine splits it by them)."""
        present = self.table.present
        teacher_fields = [f for f in TEACHER_FIELDS if f in present]
        frame = self.table.frame
        numbers = {k: frame[k].to_numpy(dtype=float) for k in ("students", *STUDENT_PART_FIELDS) if k in frame}
        for i in range(self.n):
            if self.result.levels[i] != "all":
                continue
            school_type = self.rows.types[i]
            parts = ONE_THROUGH_PARTS[school_type]
            type_zh = SCHOOL_TYPE_ZH[school_type]
            missing = [f"students_{p}" for p in parts if f"students_{p}" not in present]
            missing_t = [f"{f}_{p}" for f in teacher_fields for p in parts if p != "senior"
                         if f"{f}_{p}" not in present]  # fmt: skip
            for key in missing:
                self.problem(
                    "missing_level_students",
                    f"{type_zh}整校一行须填写“{COLUMN_BY_KEY[key].zh}”，文件中没有该列",
                    f"A whole-school row of a {school_type} school needs {key}; the file has no such column",
                    i, key,
                )  # fmt: skip
            for key in missing_t:
                self.problem(
                    "missing_level_teachers",
                    f"{type_zh}整校一行须分学段填写教师数，文件中没有“{COLUMN_BY_KEY[key].zh}”列",
                    f"A whole-school row of a {school_type} school needs teachers per level; the file has no "
                    f"{key} column",
                    i, key,
                )  # fmt: skip
            if not missing and "students" in numbers:
                total = numbers["students"][i]
                level_sum = sum(numbers[f"students_{p}"][i] for p in parts)
                if abs(total - level_sum) > 1e-9:
                    self.problem(
                        "students_mismatch", f"在校生数 {total:g} 不等于各学段在校生数之和 {level_sum:g}",
                        f"Students {total:g} is not the sum of the per-level students ({level_sum:g})",
                        i, "students", f"{total:g}",
                    )  # fmt: skip

    def _check_teacher_columns(self) -> None:
        """Teachers given only in per-level columns serve the whole-school rows; a single-level row (or a
        row per level) needs the plain column."""
        present = self.table.present
        whole = [lv == "all" for lv in self.result.levels]
        if all(whole):
            return
        first = whole.index(False)
        for key in TEACHER_FIELDS:
            if key not in present and any(f"{key}_{lvl}" in present for lvl in ("primary", "junior")):
                zh = FIELD_BY_KEY[key].zh
                self.problem(
                    "missing_column",
                    f"缺少“{zh}”列：文件只有分学段的{zh}，单学段学校和分学段填报的行须填写该列",
                    f"The column {key} ({zh}) is missing: the file gives it only per level, which serves "
                    "whole-school rows; single-level schools and rows per level need it",
                    first, key,
                )  # fmt: skip

    def _check_sizes(self) -> None:
        """Figures the census cannot store (a unit or digits gone wrong: 1e20 pupils)."""
        frame = self.table.frame
        for key in frame.columns:
            column = COLUMN_BY_KEY.get(key)
            if column is None or column.kind not in ("int", "number"):
                continue
            numbers = frame[key].to_numpy(dtype=float)
            limit = INT_LIMIT if column.kind == "int" else NUMBER_LIMIT
            shown = f"{INT_LIMIT:,}" if column.kind == "int" else "1,000,000,000,000"
            for i in np.flatnonzero(numbers > limit).tolist():
                self.problem(
                    "too_large", f"数值过大（不能超过 {shown}），请核对单位和数字",
                    f"The number is too large (the limit is {shown}); check the unit and the digits",
                    i, key, f"{numbers[i]:.15g}",
                )  # fmt: skip


__all__ = [
    "CODE_MAX_LENGTH", "INT_LIMIT", "NAME_MAX_LENGTH", "NUMBER_LIMIT", "TableCheck", "TableRows", "allowed_levels",
    "check_table", "checked", "column_name", "sorted_problems",
]  # fmt: skip
