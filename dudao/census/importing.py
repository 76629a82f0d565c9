"""Import a census file (.xlsx or .csv in the template layout) for one county, or for many counties named
in a ``county_code`` column.

:func:`import_census` reads the file as every path reads a county's file
(:func:`dudao.sheets.checks.read_and_check`: the reader, then the rules of the table as a whole, the
same for ``dudao evaluate``) and checks the *whole* file against what is stored (counties, schools,
locks, permissions, levels) before it writes anything. Any problem raises
:class:`~dudao.engine.problems.InputError` with every problem found (sheet, row, column — named by its
header as written in the file, as the reader names it — value, rule, in Chinese and English) and nothing
is written. Otherwise one transaction upserts by (school code, year, level): unknown schools of the
county are created (``School`` + ``SchoolYear``), the school's attributes for the year are created or
updated (a changed attribute of a stored school year with a :class:`CensusChange` naming the school
year), changed figures are written with one :class:`CensusChange` per changed value, and every created
or changed record gets a :class:`CensusEvent` ``import`` naming the :class:`ImportBatch`. A created or
changed record becomes *submitted* (the county's own import is its submission); an unchanged one keeps
its status. Importing the same file again changes nothing (it is logged as a batch with 0 changes).

A created record's figures are recorded by its ``import`` event and batch, not by one ``CensusChange``
per value (a national import would otherwise write ~30 history rows per school); ``CensusChange`` holds
every *change* to a stored value, with the old and the new value.

The work is column-wise and set-wise, so a 300-school county and a national file take the same path: the
county's schools, school years and records are loaded in a few queries, differences are computed in
memory (stored and new figures compared as ``int``/``Decimal``, so a re-import is a no-op), and rows are
written in batches — on PostgreSQL with ``COPY`` and ``UPDATE ... FROM unnest(...)``, elsewhere with
``bulk_create``/``bulk_update`` (see :func:`_insert`, :func:`_update`; Django's ``bulk_create`` of the
44-column record runs at about 7,600 rows/s on PostgreSQL, ``COPY`` about 8× faster). Records to be
changed are locked and their versions checked before they are written: a record someone changed during
the import is never overwritten (``CensusError`` ``conflict``, nothing written).

Rule codes (errors): the reader's (see ``dudao.sheets.reader``), those of every reading of the file
(``dudao.sheets.checks``: ``no_rows``, ``bad_level``, ``level_required``, ``duplicate_school``,
``mixed_split``, ``inconsistent_school``, ``missing_level_students``, ``missing_level_teachers``,
``students_mismatch``, ``too_large``, ``too_long``, ``missing_column``, ``unreadable_file``) and
``bad_year``, ``county_required``, ``unknown_county``, ``wrong_county``, ``not_permitted``,
``year_locked``, ``other_county``, ``stored_levels_conflict``, ``not_own_school`` and ``register_change`` (a
school clerk's file: only their own schools, and not their register attributes), ``missing_column`` (no students column,
and records to create), and the *impossible* rules of the census rule table (``dudao.census.plausibility``:
``teachers_exceed_students``, ``class_larger_than_school`` ...); warnings: the reader's and
``senior_skipped``, ``school_not_open``, and the table's *unusual* rules (``year_on_year``,
``few_students_per_teacher``, ``pe_art_exceed_teachers`` ...). The table is applied to every record created
or changed — its figures as they will be stored (the file's over the stored ones) against the school's
previous-year record of the same level, for its school type, as the entry form and the API apply it. An
unusual figure does not stop the import; the record then needs an explanation note (情况说明), which its
school page asks for.

The stages, as :meth:`_Import.run` calls them: *read* and check the file (``read_and_check``), *check* it
against what is stored, *plan* (``_plan``: per record the figures it gives or changes, old and new, and its
status before), *check the plan* against the rule table, then *write*. A dry run stops before writing; its
:class:`ImportResult` is the preview (``changes``, ``warnings``, ``back_to_review``), and its
:meth:`ImportResult.digest` lets an import refuse to write anything but what was previewed
(``expected_digest``; docs/adr/0017-import-preview.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.census import readiness
from dudao.census.actions import CensusError
from dudao.census.fields import CENSUS_FIELDS
from dudao.census.models import CensusChange, CensusEvent, CensusRecord, CensusYear, ImportBatch
from dudao.census.plausibility import IMPOSSIBLE, evaluate, figures, rule_table, shown
from dudao.census.setwise import NewRows
from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.engine.fields import LEVEL_ZH, ONE_THROUGH_PARTS, SCHOOL_TYPE_ZH
from dudao.engine.problems import InputError, Problem
from dudao.errors import Both
from dudao.evaluation.refresh import after_change
from dudao.orgs.access import clerk_school_codes, counties_with, region_permissions
from dudao.orgs.models import Region, School, SchoolYear
from dudao.sheets.checks import (
    CODE_MAX_LENGTH,
    INT_LIMIT,
    NAME_MAX_LENGTH,
    NUMBER_LIMIT,
    TableCheck,
    allowed_levels,
    column_name,
    missing_students,
    read_and_check,
    sorted_problems,
)
from dudao.sheets.columns import COLUMN_BY_KEY
from dudao.sheets.reader import SchoolTable

__all__ = ["IMPORTED_FIELDS", "AbsentSchool", "ImportResult", "RecordPlan", "import_census"]

BATCH_SIZE = 2000
_Q = Decimal("0.0001")

# The census figures a school data sheet can carry (the reader's numeric columns), in census order.
IMPORTED_FIELDS: tuple[str, ...] = tuple(f.key for f in CENSUS_FIELDS if f.key in COLUMN_BY_KEY)
_KIND = {f.key: f.kind for f in CENSUS_FIELDS}
# The level part a per-level column describes (students_primary -> primary), None for plain columns.
_PART = {key: COLUMN_BY_KEY[key].level for key in IMPORTED_FIELDS}
# The checks of dudao.sheets.checks know what the census stores.
assert School._meta.get_field("code").max_length == CODE_MAX_LENGTH
assert SchoolYear._meta.get_field("name").max_length == NAME_MAX_LENGTH
_STATUS_ZH = {"closed": "已撤销", "merged": "已合并"}
_ATTRIBUTE_ZH = {"name": "学校名称", "school_type": "学校类型", "location": "城乡类型", "ownership": "办学性质"}
_REGION_LEVEL_ZH = {"province": "省", "city": "市", "county": "县", "town": "乡镇（街道）"}

Action = Literal["create", "update", "unchanged"]
T = TypeVar("T")


@dataclass(frozen=True)
class RecordPlan:
    """One record the import creates or changes (or would, on a dry run): the preview's line."""

    county_code: str
    school_code: str
    school_name: str
    level: str
    source_row: int
    action: Action
    fields: tuple[str, ...]  # the figures given (create) or changed (update)
    # The stored record's status before the import (None: created); a created or changed record becomes
    # submitted, so an approved one goes back to review.
    status: str | None = None
    # update: {figure: (stored, new)}; create: the row's figures (shared with the import, not copied) in
    # the order of ``columns``.
    changed: Mapping[str, tuple[Any, Any]] | None = field(default=None, compare=False, repr=False)
    row: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    columns: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def back_to_review(self) -> bool:
        """An approved record the import changes: it is submitted again and needs a new approval."""
        return self.status == CensusRecord.Status.APPROVED

    def values(self) -> list[tuple[str, Any, Any]]:
        """(figure, stored, new) for each figure given (create: stored is None) or changed, in census order."""
        if self.changed is not None:
            return [(k, *self.changed[k]) for k in self.fields]
        given = dict(zip(self.columns, self.row, strict=True))
        return [(k, None, given[k]) for k in self.fields]

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the API's and the digest's): figures as int, float or None."""
        return {
            "county_code": self.county_code, "school_code": self.school_code, "school_name": self.school_name,
            "level": self.level, "source_row": self.source_row, "action": self.action, "fields": list(self.fields),
            "status": self.status, "back_to_review": self.back_to_review,
            "values": [{"field": k, "old": _plain(o), "new": _plain(n)} for k, o, n in self.values()],
        }  # fmt: skip


@dataclass(frozen=True)
class AbsentSchool:
    """An open school of the county expected in the file (it has a school year in ``year`` or the
    year before) that has no row in it: 未报送 / not submitted."""

    county_code: str
    code: str
    name: str
    year: int  # the school year its name was taken from


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do)."""

    filename: str
    sheet: str
    year: int
    dry_run: bool
    rows: int  # data rows read
    counties: list[str]  # county codes the file covers
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    values_changed: int = 0  # CensusChange rows (values of existing records that changed)
    schools_created: int = 0
    school_years_created: int = 0
    school_years_updated: int = 0
    changes: list[RecordPlan] = field(default_factory=list)  # created and updated records
    not_submitted: list[AbsentSchool] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    batch: ImportBatch | None = None  # None on a dry run
    # The school years the import creates or changes: (school code, attribute, stored, new), stored None
    # for a new school year (attribute "school_year").
    school_year_changes: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)

    @property
    def back_to_review(self) -> list[RecordPlan]:
        """The approved records the import changes (they are submitted again and need a new approval)."""
        return [c for c in self.changes if c.back_to_review]

    def digest(self) -> str:
        """A fingerprint of what the import does and warns about, as a preview shows it: the same file over
        the same stored data gives the same digest; a record, a school year or last year's figures changed
        meanwhile give another (``import_census(..., expected_digest=...)`` refuses to write then)."""
        digest = hashlib.sha256()
        for line in (
            *(json.dumps(c.as_dict(), sort_keys=True, ensure_ascii=False) for c in self.changes),
            *(json.dumps(list(c), ensure_ascii=False) for c in self.school_year_changes),
            *(json.dumps(w.as_dict(), sort_keys=True, ensure_ascii=False) for w in self.warnings),
            json.dumps([self.unchanged, self.schools_created, self.rows, self.counties]),
        ):
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()


def import_census(
    path: Path | str,
    year: int,
    *,
    county: Region | None,
    user: Actor,
    dry_run: bool = False,
    sheet: str | None = None,
    expected_digest: str | None = None,
) -> ImportResult:
    """Import the census file at ``path`` for school year ``year``.

    ``county`` is the county the file belongs to; ``None`` takes each row's county from the file's
    ``county_code`` column. ``user`` is who imports (a person, or the system: ADR 0008); a person needs the
    ``review`` permission on every county of the file: ``PermissionDenied`` before the file is read when they hold
    it on ``county`` (or, without ``county``, on no county at all); a ``not_permitted`` problem for a
    code in the file that is no county they review — and then nothing more is said (not whether the code
    exists, nor its name, nor its locks or schools). A school clerk of schools in ``county`` may import the
    rows of those schools (``not_own_school`` for any other row); their records become submitted as the
    county's do (confirming the preview is the clerk's submission). ``dry_run`` validates and reports what
    would change without writing. Raises ``InputError`` with every problem; then nothing is written.
    ``CensusError`` ``conflict`` if a record to be changed was changed by someone else meanwhile
    (nothing written either); a database that fails (locked, read-only, full) rolls the whole import
    back and is ``CensusError`` ``database_error``. ``expected_digest`` is the :meth:`ImportResult.digest` of
    the preview the user confirmed: if what the import would do differs (the data changed meanwhile),
    ``CensusError`` ``plan_changed`` and nothing is written.
    """
    path = Path(path)
    own: frozenset[str] | None = None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(
            [
                Problem(
                    "bad_year", f"学年“{year}”无效：应为 {MIN_YEAR}–{MAX_YEAR} 之间的年份（学年开始的年份）",
                    f"Invalid school year {year}: give the year it starts, {MIN_YEAR}–{MAX_YEAR}", value=str(year),
                )
            ]
        )  # fmt: skip
    if county is not None:
        if county.level != Region.Level.COUNTY:
            raise InputError(
                [
                    Problem(
                        "unknown_county", f"“{county.name}”（{county.code}）不是县级行政区，只能按县导入",
                        f"{county.name} ({county.code}) is not a county; census files are imported per county",
                        value=county.code,
                    )
                ]
            )  # fmt: skip
        if not is_system(user) and "review" not in region_permissions(user, county):
            own = clerk_school_codes(user, county)  # a school clerk imports their own schools' rows only
            if not own:
                raise PermissionDenied
    elif not is_system(user) and not counties_with(user, "review").exists():
        raise PermissionDenied  # decided before a byte of the file is read: it names no county this user may import
    table, check = read_and_check(path, sheet, students=False)
    job = _Import(path, table, check, year, county, user, own)
    try:
        if dry_run:
            return job.run(write=False)
        with transaction.atomic():
            return job.run(write=True, expected_digest=expected_digest)
    except DatabaseError as exc:  # the transaction is rolled back: nothing of the import was written
        raise database_error(exc) from exc


def database_error(exc: DatabaseError) -> CensusError:
    """A database that failed during an import (locked, read-only, full, gone), said plainly
    (``database_error``; the API answers 503): nothing was written, try again later."""
    text = str(exc).lower()
    if "locked" in text or "lock timeout" in text or "deadlock" in text:
        why_zh, why_en = "数据库正被其他操作占用", "the database is busy with another operation"
    elif "read-only" in text or "readonly" in text or "read only" in text:
        why_zh, why_en = "数据库当前为只读", "the database is read-only"
    elif "disk" in text or "space" in text or "full" in text:
        why_zh, why_en = "数据库所在磁盘已满", "the database's disk is full"
    else:
        why_zh, why_en = "数据库出错", "the database failed"
    return CensusError(
        "database_error",
        gettext_lazy("%(why_zh)s，本次导入未写入任何数据；请稍后再试，如仍不行请联系系统管理员"),
        why_zh=Both(why_zh, why_en),
    )


# --------------------------------------------------------------------------------------------


def _stored_text(value: object) -> str | None:
    return None if value is None else str(value)


def _plain(value: float | Decimal | None) -> int | float | None:
    """A stored figure as plain JSON: int stays int, Decimal("8789.2800") is 8789.28."""
    if value is None or isinstance(value, int):
        return value
    return float(value)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in_chunk() -> int:
    """How many values one ``IN (...)`` query may hold on this database."""
    return min(BATCH_SIZE, (connection.features.max_query_params or BATCH_SIZE) - 1)


def _level_zh(level: str) -> str:
    return LEVEL_ZH.get(level, level)


@dataclass
class _Plan:
    """What the import writes; rows of the file by their index."""

    new_schools: list[tuple[str, int]] = field(default_factory=list)  # (code, county id)
    new_years: list[tuple[str, int, int | None]] = field(default_factory=list)  # (school code, row index, town id)
    changed_years: list[SchoolYear] = field(default_factory=list)
    changed_year_fields: set[str] = field(default_factory=set)
    # (school year id, attribute, old, new): the history of the changed school years
    year_changes: list[tuple[int, str, str | None, str | None]] = field(default_factory=list)
    new_records: list[int] = field(default_factory=list)  # row index
    # (record id, version, row index, {field: (old, new)})
    changed_records: list[tuple[int, int, int, dict[str, tuple[Any, Any]]]] = field(default_factory=list)


class _Import:
    def __init__(
        self,
        path: Path,
        table: SchoolTable,
        check: TableCheck,
        year: int,
        county: Region | None,
        user: Actor,
        own: frozenset[str] | None = None,
    ) -> None:
        self.path, self.table, self.year, self.county, self.user = path, table, year, county, user
        self.own = own  # a school clerk's import: the codes of their schools (None: the whole county)
        self.sheet = table.sheet
        self.problems: list[Problem] = list(check.problems)  # the file's, as every reading finds them
        self.warnings: list[Problem] = [*table.warnings, *check.warnings]
        rows = check.rows
        self.n = len(rows.source_row)
        self.source_row = rows.source_row
        self.codes, self.names, self.types = rows.codes, rows.names, rows.types
        self.given_levels, self.locations, self.ownerships = rows.given_levels, rows.locations, rows.ownerships
        self.county_codes = rows.county_codes
        self.levels: list[str | None] = check.levels  # the stored level ("senior": skipped)
        self.fields = [k for k in IMPORTED_FIELDS if k in table.present]
        # the figures that describe a count (an area where the room count is 0 is not given), by position
        # and the optional ones (a grade left empty is not given), by position
        self.described = [
            j for j, k in enumerate(self.fields) if COLUMN_BY_KEY[k].requires or COLUMN_BY_KEY[k].may_be_empty
        ]
        self.row_county: list[Region | None] = [None] * self.n
        self.schools: dict[str, tuple[int, int]] = {}
        self.records: dict[tuple[int, str], tuple[Any, ...]] = {}
        self.row_values: list[tuple[Any, ...]] = []  # each row's figures in ``self.fields`` order
        self.columns = tuple(self.fields)  # shared by every created record's plan
        self.floats: dict[str, np.ndarray] = {}  # each figure's column as stored, as floats (NaN: not given)
        self._school_year_codes: dict[int, str] = {}  # school year id -> school code, of the changed ones

    # -- problems

    def _problem(self, rule: str, zh: str, en: str, i: int | None = None, column: str | None = None,
                 value: object = None, *, warning: bool = False) -> None:  # fmt: skip
        """``column`` is a key (``students``); the problem names the column as the file does."""
        problem = Problem(
            rule, zh, en, sheet=self.sheet, row=None if i is None else self.source_row[i],
            column=None if column is None else column_name(self.table, column),
            value=None if value is None or value == "" else str(value),
        )  # fmt: skip
        (self.warnings if warning else self.problems).append(problem)

    # -- the whole run

    def run(self, *, write: bool, expected_digest: str | None = None) -> ImportResult:
        """The stages, in order: check the file against what is stored (``_check_*``), plan what changes
        (``_plan``), check the planned records against the census rule table (``_check_plausibility``),
        then, unless a dry run, write the plan (``_write``)."""
        if self.n == 0:
            raise InputError(self.problems)  # no_rows
        self._resolve_counties()
        self._check_own_schools()
        self._convert_values()
        counties = sorted({c.pk: c for c in self._regions()}.values(), key=lambda c: c.code)
        census_years = self._census_years(counties, lock=write)
        self._check_locked(counties, census_years)
        schools = self.schools = self._load_schools()
        self._check_other_county(schools)
        county_ids = [c.pk for c in counties]
        school_years = self._load_school_years(county_ids)
        records = self.records = self._load_records(county_ids)
        self._check_stored_levels(schools, records)
        self._check_students(schools, records)
        if self.problems:
            raise InputError(sorted_problems(self.problems))
        result = ImportResult(
            filename=self.path.name, sheet=self.sheet, year=self.year, dry_run=not write, rows=self.n,
            counties=[c.code for c in counties], warnings=self.warnings,
        )  # fmt: skip
        plan = self._plan(schools, school_years, records, result)
        self._check_plausibility(plan, schools, county_ids)
        if self.problems:  # impossible figures (the rule table): refused like any other problem
            raise InputError(sorted_problems(self.problems))
        result.not_submitted = self._absent(county_ids, school_years, counties)
        if write:
            if expected_digest is not None and result.digest() != expected_digest:
                raise CensusError(
                    "plan_changed",
                    gettext_lazy(
                        "预览之后数据已有变化（有记录被修改或新建），本次导入与预览不一致，未写入任何数据；请重新预览后确认"
                    ),
                )
            result.batch = self._write(plan, result, counties)
        return result

    # -- validation

    def _resolve_counties(self) -> None:
        if self.county is not None:
            wrong: dict[str, list[int]] = {}
            for i, code in enumerate(self.county_codes):
                if code and code != self.county.code:
                    wrong.setdefault(code, []).append(i)
                self.row_county[i] = self.county
            for code, rows in wrong.items():
                self._problem(
                    "wrong_county",
                    f"县代码“{code}”与导入的县“{self.county.name}”（{self.county.code}）不符（共 {len(rows)} 行）；"
                    "一个县的文件只能含本县的学校",
                    f"County code {code} is not the county being imported, {self.county.code} ({len(rows)} "
                    "row(s)); a county's file holds only its own schools",
                    rows[0], "county_code", code,
                )  # fmt: skip
            return
        if "county_code" not in self.table.present:
            self._problem(
                "county_required",
                "文件没有“县级行政区划代码”列：请指定要导入的县，或在文件中加上该列",
                "The file has no county_code column: name the county to import into, or add the column",
            )
            raise InputError(self.problems)
        by_code: dict[str, list[int]] = {}
        for i, code in enumerate(self.county_codes):
            by_code.setdefault(code, []).append(i)
        empty = by_code.pop("", [])
        if empty:
            self._problem(
                "county_required",
                f"县级行政区划代码为空（共 {len(empty)} 行）：文件按县代码导入时每行都须填写",
                f"The county code is empty ({len(empty)} row(s)); every row needs one when the file is imported "
                "by its county_code column",
                empty[0], "county_code",
            )  # fmt: skip
        if not is_system(self.user):
            self._resolve_permitted(by_code)
            return
        found = {r.code: r for r in Region.objects.filter(code__in=list(by_code))}
        for code, rows in by_code.items():
            region = found.get(code)
            if region is None or region.level != Region.Level.COUNTY:
                what_zh = (
                    "不存在"
                    if region is None
                    else f"是{_REGION_LEVEL_ZH.get(region.level, region.level)}“{region.name}”，不是县级行政区"
                )
                what_en = "does not exist" if region is None else f"is {region.name}, a {region.level}, not a county"
                self._problem(
                    "unknown_county", f"县级行政区划代码“{code}”{what_zh}（共 {len(rows)} 行）",
                    f"County code {code} {what_en} ({len(rows)} row(s))", rows[0], "county_code", code,
                )  # fmt: skip
                continue
            for i in rows:
                self.row_county[i] = region

    def _resolve_permitted(self, by_code: dict[str, list[int]]) -> None:
        """A person's file: each code must be a county they review; any other code is named as written and
        the import stops there, saying nothing of that code (whether it exists, its name, its data)."""
        person = user_of(self.user)
        assert person is not None
        found = {r.code: r for r in counties_with(person, "review").filter(code__in=list(by_code))}
        refused = False
        for code, rows in by_code.items():
            region = found.get(code)
            if region is None:
                refused = True
                self._problem(
                    "not_permitted",
                    f"县级行政区划代码“{code}”不是您可以导入的县（只能导入您有审核权限的县；共 {len(rows)} 行）",
                    f"County code {code} is not a county you may import ({len(rows)} row(s)); you may import "
                    "only the counties you review", rows[0], "county_code", code,
                )  # fmt: skip
                continue
            for i in rows:
                self.row_county[i] = region
        if refused:
            raise InputError(sorted_problems([p for p in self.problems if p.rule == "not_permitted"]))

    def _check_own_schools(self) -> None:
        """A school clerk's file holds only the schools they answer for (``not_own_school``, nothing said of
        the code: whether it exists, its name)."""
        if self.own is None:
            return
        for i, code in enumerate(self.codes):
            if code not in self.own:
                self._problem(
                    "not_own_school",
                    f"学校标识码“{code}”不是您负责的学校；您只能导入本人负责学校的数据",
                    f"School code {code} is not one of your schools; you may import only the schools you answer for",
                    i, "school_code", code,
                )  # fmt: skip
        if self.problems:
            raise InputError(sorted_problems(self.problems))

    def _regions(self) -> list[Region]:
        """The distinct Region objects of ``row_county`` (one object per county, shared by its rows)."""
        return list({id(c): c for c in self.row_county if c is not None}.values())

    def _convert_values(self) -> None:
        """The figures as stored: int for counts, Decimal (4 places) for areas and money, None where a
        per-level column does not apply to the row, and None for a figure describing a count that is 0
        (the smallest music room's area of a school without one)."""
        frame = self.table.frame
        whole = np.array([lv == "all" for lv in self.levels], dtype=bool)
        types = pd.Series(self.types, dtype="category")
        # The rows a per-level column applies to: whole-school rows of the types holding that level.
        applies = {
            part: np.flatnonzero(
                whole & types.isin([t for t, parts in ONE_THROUGH_PARTS.items() if part in parts]).to_numpy()
            )
            for part in ("primary", "junior", "senior")
        }
        columns: list[list[Any]] = []
        for key in self.fields:
            numbers = np.nan_to_num(frame[key].to_numpy(dtype=float))
            int_kind = _KIND[key] == "int"
            numbers[numbers > (INT_LIMIT if int_kind else NUMBER_LIMIT)] = 0.0  # too_large: named by the checks
            part = _PART[key]
            rows = applies[part] if part is not None else None
            picked = numbers if rows is None else numbers[rows]
            converted: list[Any] = (
                np.rint(picked).astype(np.int64).tolist()
                if int_kind
                else [Decimal(repr(v)).quantize(_Q) for v in picked.tolist()]
            )
            # The same figures as floats, NaN where not given (the rule table reads these, column-wise).
            floats = np.rint(picked) if int_kind else picked.copy()
            if rows is not None:
                spread = np.full(self.n, np.nan)
                spread[rows] = floats
                floats = spread
            if COLUMN_BY_KEY[key].may_be_empty:  # an optional figure left empty: not given
                blank = np.flatnonzero(np.isnan(frame[key].to_numpy(dtype=float)))
                floats[blank] = np.nan
                for i in blank.tolist():
                    converted[i] = None
            counted = COLUMN_BY_KEY[key].requires
            if counted in self.table.present:  # a figure describing a count: not given where the count is 0
                zero = np.flatnonzero(frame[counted].to_numpy(dtype=float) == 0.0)
                floats[zero] = np.nan
                for i in zero.tolist():
                    converted[i] = None
            self.floats[key] = floats
            if rows is None:
                columns.append(converted)
            else:  # None (does not apply) but on the rows it applies to
                values: list[Any] = [None] * self.n
                for i, v in zip(rows.tolist(), converted, strict=True):
                    values[i] = v
                columns.append(values)
        self.row_values = list(zip(*columns, strict=True)) if columns else [()] * self.n

    def _census_years(self, counties: list[Region], *, lock: bool) -> dict[int, CensusYear]:
        ids = [c.pk for c in counties]
        query = CensusYear.objects.filter(county_id__in=ids, year=self.year)
        if lock:
            # Create the county-year rows and lock them: concurrent imports of a county-year wait
            # for each other, and a lock taken meanwhile is seen.
            CensusYear.objects.bulk_create(
                [CensusYear(county_id=pk, year=self.year) for pk in ids], ignore_conflicts=True, batch_size=BATCH_SIZE
            )
            query = query.select_for_update()
        return {cy.county_id: cy for cy in query}

    def _check_locked(self, counties: list[Region], census_years: dict[int, CensusYear]) -> None:
        for region in counties:
            cy = census_years.get(region.pk)
            if cy is not None and cy.locked:
                self._problem(
                    "year_locked",
                    f"“{region.name}”{self.year}学年数据已锁定，导入前须由县级解锁并说明原因",
                    f"The {self.year} census of {region.name} is locked; the county must unlock it, giving a "
                    "reason, before an import",
                    None, "county_code", region.code,
                )  # fmt: skip

    # -- loading

    def _load_schools(self) -> dict[str, tuple[int, int]]:
        """code -> (school id, county id) for the file's school codes that are already known."""
        return _schools_by_code(list(dict.fromkeys(self.codes)))

    def _check_other_county(self, schools: dict[str, tuple[int, int]]) -> None:
        pk = {id(c): c.pk for c in self._regions()}
        elsewhere = {
            i: schools[code][1]
            for i, code in enumerate(self.codes)
            if code in schools and self.row_county[i] is not None and schools[code][1] != pk[id(self.row_county[i])]
        }
        if not elsewhere:
            return
        regions = Region.objects.in_bulk(set(elsewhere.values()))
        for i, county_id in elsewhere.items():
            region = regions[county_id]
            here = self.row_county[i]
            assert here is not None
            # Name the other county only to someone who may see it.
            shown = is_system(self.user) or "view" in region_permissions(self.user, region)
            where_zh = f"“{region.name}”（{region.code}）" if shown else "另一个县"
            where_en = f"{region.name} ({region.code})" if shown else "another county"
            self._problem(
                "other_county",
                f"学校标识码“{self.codes[i]}”已登记在{where_zh}，不能导入到“{here.name}”；请核对学校标识码",
                f"School code {self.codes[i]} belongs to {where_en}, not to {here.name}; check the code",
                i, "school_code", self.codes[i],
            )  # fmt: skip

    def _load_school_years(self, county_ids: list[int]) -> dict[int, dict[int, tuple[Any, ...]]]:
        """school id -> {year: (pk, code, county id, name, type, location, ownership, town id, status)}
        for the county schools' years ``year`` and ``year - 1``."""
        out: dict[int, dict[int, tuple[Any, ...]]] = {}
        for chunk in _chunks(county_ids, _in_chunk()):
            rows = SchoolYear.objects.filter(school__county_id__in=chunk, year__in=(self.year - 1, self.year))
            for pk, school_id, year, *rest in rows.values_list(
                "pk", "school_id", "year", "school__code", "school__county_id", "name", "school_type", "location",
                "ownership", "town_id", "status",
            ):  # fmt: skip
                out.setdefault(school_id, {})[year] = (pk, *rest)
        return out

    def _load_records(self, county_ids: list[int]) -> dict[tuple[int, str], tuple[Any, ...]]:
        """(school id, level) -> (pk, status, version, *figures in ``self.fields`` order) for ``year``."""
        out: dict[tuple[int, str], tuple[Any, ...]] = {}
        for chunk in _chunks(county_ids, _in_chunk()):
            rows = CensusRecord.objects.filter(school__county_id__in=chunk, year=self.year)
            for pk, school_id, level, *rest in rows.values_list(
                "pk", "school_id", "level", "status", "version", *self.fields
            ):
                out[(school_id, level)] = (pk, *rest)
        return out

    def _check_stored_levels(
        self, schools: dict[str, tuple[int, int]], records: dict[tuple[int, str], tuple[Any, ...]]
    ) -> None:
        """A school stored in one form (whole-school or per level) this year cannot come in the other,
        nor with levels its new type does not have: the stored records would stay beside the new ones
        (records are never deleted)."""
        stored: dict[int, set[str]] = {}
        for school_id, stored_level in records:
            stored.setdefault(school_id, set()).add(stored_level)
        if not stored:
            return
        allowed = {t: set(allowed_levels(t)) for t in set(self.types)}
        reported: set[str] = set()
        levels_of: dict[str, set[str]] = {}  # the levels of each school in the file, once one is reported
        for i, code in enumerate(self.codes):
            level = self.levels[i]
            known = schools.get(code)
            if level is None or level == "senior" or known is None or code in reported:
                continue
            have = stored.get(known[0])
            if have is None:
                continue
            other_form = bool(have - {"all"}) if level == "all" else "all" in have
            if not other_form and have <= allowed[self.types[i]]:
                continue
            reported.add(code)
            if not levels_of:
                for j, c in enumerate(self.codes):
                    if lv := self.levels[j]:
                        levels_of.setdefault(c, set()).add(lv)
            levels = sorted(levels_of[code])
            have_zh = "、".join(_level_zh(lv) for lv in sorted(have))
            self._problem(
                "stored_levels_conflict",
                f"学校“{code}”{self.year}学年已有{have_zh}的记录，与本文件的填法（"
                f"{'、'.join(_level_zh(lv) for lv in levels)}，{SCHOOL_TYPE_ZH.get(self.types[i], '')}）"
                "不一致，已有记录不能删除：请按已有填法填报",
                f"School {code} already has {self.year} records for {', '.join(sorted(have))}, which do not fit "
                f"this file's form ({', '.join(levels)}, {self.types[i]}); stored records cannot be deleted: use "
                "the stored form",
                i, "level", self.given_levels[i],
            )  # fmt: skip

    def _check_students(
        self, schools: dict[str, tuple[int, int]], records: dict[tuple[int, str], tuple[Any, ...]]
    ) -> None:
        """A file without the students column may update stored records (their pupils stay), but a record
        it would create would have no pupils: refused, as an evaluation of the file is."""
        if "students" in self.table.present:
            return
        for i, code in enumerate(self.codes):
            level = self.levels[i]
            if level is None or level == "senior":
                continue
            known = schools.get(code)
            if known is None or (known[0], level) not in records:
                self.problems.append(missing_students(self.table))
                return

    # -- planning

    def _plan(
        self,
        schools: dict[str, tuple[int, int]],
        school_years: dict[int, dict[int, tuple[Any, ...]]],
        records: dict[tuple[int, str], tuple[Any, ...]],
        result: ImportResult,
    ) -> _Plan:
        plan = _Plan()
        by_school: dict[str, list[int]] = {}
        for i, code in enumerate(self.codes):
            by_school.setdefault(code, []).append(i)
        # The figures a new record is given, by what decides them (see ``_plan_record``).
        given_by: dict[tuple[Any, ...], tuple[str, ...]] = {}
        region_keys = {id(c): (c.pk, c.code) for c in self._regions()}  # not a model attribute per school
        for code, indexes in by_school.items():
            i0 = indexes[0]
            region = self.row_county[i0]
            assert region is not None
            region_pk, region_code = region_keys[id(region)]
            known = schools.get(code)
            school_id = known[0] if known else None
            if known is None:
                plan.new_schools.append((code, region_pk))
            self._plan_school_year(plan, code, i0, school_years.get(school_id, {}) if school_id else {})
            for i in indexes:
                self._plan_record(plan, result, i, region_code, school_id, records, given_by)
        result.created = len(plan.new_records)
        result.updated = len(plan.changed_records)
        result.schools_created = len(plan.new_schools)
        result.school_years_created = len(plan.new_years)
        result.school_years_updated = len(plan.changed_years)
        result.school_year_changes = [
            *((code, "school_year", None, self.names[i]) for code, i, _town in plan.new_years),
            *((self._school_year_codes[pk], k, old, new) for pk, k, old, new in plan.year_changes),
        ]
        return plan

    def _plan_record(
        self,
        plan: _Plan,
        result: ImportResult,
        i: int,
        region_code: str,
        school_id: int | None,
        records: dict[tuple[int, str], tuple[Any, ...]],
        given_by: dict[tuple[Any, ...], tuple[str, ...]],
    ) -> None:
        """Row ``i``: a record to create, to change (which figures), or unchanged."""
        level = self.levels[i]
        if level == "senior":
            return
        assert level is not None
        code, fields, new = self.codes[i], self.fields, self.row_values[i]
        stored = records.get((school_id, level)) if school_id else None
        if stored is None:
            # The figures a new record is given: all but the per-level ones that do not apply to it, and the
            # ones describing a count that is 0 — the same for every row of a level, type and such counts.
            given_key = (level, self.types[i], *(new[j] is None for j in self.described))
            given = given_by.get(given_key)
            if given is None:
                given = given_by[given_key] = tuple(k for k, v in zip(fields, new, strict=True) if v is not None)
            plan.new_records.append(i)
            result.changes.append(
                RecordPlan(region_code, code, self.names[i], level, self.source_row[i], "create", given,
                           row=new, columns=self.columns)
            )  # fmt: skip
            return
        old = stored[3:]
        if old == new:  # Decimal("1.5000") == Decimal("1.5"): compared as numbers
            result.unchanged += 1
            return
        changed = {k: (o, v) for k, o, v in zip(fields, old, new, strict=True) if o != v}
        plan.changed_records.append((stored[0], stored[2], i, changed))
        result.changes.append(
            RecordPlan(region_code, code, self.names[i], level, self.source_row[i], "update", tuple(changed),
                       status=stored[1], changed=changed)
        )  # fmt: skip
        result.values_changed += len(changed)

    def _check_plausibility(self, plan: _Plan, schools: dict[str, tuple[int, int]], county_ids: list[int]) -> None:
        """The census rule table (``dudao.census.plausibility``) on every record created or changed,
        column-wise: its figures as they will be stored — the file's, and the stored ones of the columns the
        file lacks — against the school's previous-year record of the same level, for its school type. An
        impossible figure is a problem (the import is refused); an unusual one a warning (the record then
        needs an explanation note, as on the form)."""
        rows = np.array([*plan.new_records, *(i for _, _, i, _ in plan.changed_records)], dtype=np.int64)
        if not len(rows):
            return
        table = rule_table()
        now = self._figures_now(plan, rows, table.fields_now)
        before = self._previous_year(rows, schools, county_ids, table.fields_before)
        types = np.array([self.types[i] for i in rows.tolist()], dtype=object)
        levels = [self.levels[i] for i in rows.tolist()]
        found = []
        for rule, hits in evaluate(now, before, types, table, levels):
            for k in hits.tolist():
                zh, en = rule.messages(*figures(rule, now, before, k))
                found.append((int(rows[k]), rule, zh, en, shown(now[rule.field][k])))
        for i, rule, zh, en, value in sorted(found, key=lambda f: self.source_row[f[0]]):
            if rule.kind == IMPOSSIBLE:
                self._problem(rule.code, zh, en, i, rule.field, value)
            else:
                self._problem(
                    rule.code, f"{zh}；导入后须在学校填报页填写情况说明",
                    f"{en}; once imported, the record needs an explanation note (情况说明) on the school's census "
                    "page", i, rule.field, value, warning=True,
                )  # fmt: skip

    def _figures_now(self, plan: _Plan, rows: np.ndarray, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The figures ``keys`` as the records ``rows`` will hold them: the file's, and for a changed record
        the stored ones of the columns the file lacks."""
        now = {k: self.floats[k][rows] if k in self.floats else np.full(len(rows), np.nan) for k in keys}
        missing = [k for k in keys if k not in self.floats]
        if missing and plan.changed_records:
            n_new = len(plan.new_records)
            position = {pk: n_new + k for k, (pk, *_rest) in enumerate(plan.changed_records)}
            for chunk in _chunks(list(position), _in_chunk()):
                for pk, *values in CensusRecord.objects.filter(pk__in=chunk).values_list("pk", *missing):
                    for key, value in zip(missing, values, strict=True):
                        now[key][position[pk]] = np.nan if value is None else float(value)
        return now

    def _previous_year(
        self, rows: np.ndarray, schools: dict[str, tuple[int, int]], county_ids: list[int], keys: Sequence[str]
    ) -> dict[str, np.ndarray]:
        """The ``keys`` figures of each row's school's record of the same level the year before (NaN where
        there is none), as float columns aligned with ``rows``."""
        before = {k: np.full(len(rows), np.nan) for k in keys}
        if not keys or not any(code in schools for code in self.codes):
            return before
        index: dict[tuple[int, str], int] = {}
        blocks: list[np.ndarray] = []  # floats a block of rows at a time: not 35 Python objects a record
        for chunk in _chunks(county_ids, _in_chunk()):
            query = CensusRecord.objects.filter(school__county_id__in=chunk, year=self.year - 1)
            for block in _batches(query.values_list("school_id", "level", *keys).iterator(BATCH_SIZE), BATCH_SIZE):
                for school_id, level, *_values in block:
                    index[(school_id, level)] = len(index)
                blocks.append(np.array([row[2:] for row in block], dtype=float))  # None -> NaN
        if not blocks:
            return before
        matrix = np.vstack(blocks)
        position = np.array(
            [index.get((known[0], self.levels[i]), -1) if (known := schools.get(self.codes[i])) else -1
             for i in rows.tolist()], dtype=np.int64,
        )  # fmt: skip
        found = position >= 0
        for j, key in enumerate(keys):
            before[key][found] = matrix[position[found], j]
        return before

    def _plan_school_year(self, plan: _Plan, code: str, i: int, years: dict[int, tuple[Any, ...]]) -> None:
        current = years.get(self.year)
        if current is None:
            before = years.get(self.year - 1)
            plan.new_years.append((code, i, before[7] if before else None))
            return
        attrs: dict[str, Any] = {"name": self.names[i], "school_type": self.types[i]}
        if self.locations[i]:
            attrs["location"] = self.locations[i]
        if self.ownerships[i]:
            attrs["ownership"] = self.ownerships[i]
        pk, _code, _county, name, school_type, location, ownership, _town, status = current
        stored = {"name": name, "school_type": school_type, "location": location, "ownership": ownership}
        changed = {k: v for k, v in attrs.items() if stored[k] != v}
        if changed and self.own is not None:
            self._problem(
                "register_change",
                f"学校“{name}”的名称、类型、城乡类型和办学性质以县督导室的学校名录为准，填报员的文件不能修改"
                f"（{'、'.join(_ATTRIBUTE_ZH[k] for k in changed)}）；请按预填模板填写，或请县督导室在学校名录中变更",
                f"School {name!r}: its name, type, location and ownership come from the county's register; a clerk's "
                f"file cannot change them ({', '.join(changed)}). Keep the prefilled values or ask the county office",
                i, "school_code", code,
            )  # fmt: skip
            changed = {}
        if changed:
            # Every attribute, changed or not: the update writes the attributes changed on any of the
            # school years to all of them.
            plan.changed_years.append(SchoolYear(pk=pk, **{**stored, **changed}))
            plan.changed_year_fields |= set(changed)
            plan.year_changes += [(pk, k, stored[k] or None, v or None) for k, v in changed.items()]
            self._school_year_codes[pk] = code
        if status != SchoolYear.Status.OPEN:
            self._problem(
                "school_not_open",
                f"学校“{name}”在{self.year}学年已登记为{_STATUS_ZH.get(status, status)}，仍导入了本行数据；请核实",
                f"School {name!r} is recorded as {status} in {self.year}; its row was imported anyway, check it",
                i, "school_code", code, warning=True,
            )  # fmt: skip

    def _absent(
        self, county_ids: list[int], school_years: dict[int, dict[int, tuple[Any, ...]]], counties: list[Region]
    ) -> list[AbsentSchool]:
        in_file = set(self.codes)
        codes = {c.pk: c.code for c in counties}
        absent = []
        for years in school_years.values():
            sy = years.get(self.year) or years.get(self.year - 1)
            assert sy is not None
            _pk, code, county_id, name, *_rest, status = sy
            if code in in_file or status != SchoolYear.Status.OPEN or (self.own is not None and code not in self.own):
                continue
            year = self.year if self.year in years else self.year - 1
            absent.append(AbsentSchool(codes[county_id], code, name, year))
        return sorted(absent, key=lambda a: (a.county_code, a.code))

    # -- writing

    def _write(self, plan: _Plan, result: ImportResult, counties: list[Region]) -> ImportBatch:
        user_id = person.pk if (person := user_of(self.user)) is not None else None
        now = timezone.now()
        batch = ImportBatch.objects.create(
            county=counties[0] if len(counties) == 1 else None,
            counties=[c.code for c in counties],
            year=self.year,
            filename=self.path.name[:255],
            sheet=self.sheet[:255],
            sha256=_sha256(self.path),
            user=user_of(self.user),
            rows=self.n,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            schools_created=result.schools_created,
            not_submitted=[a.code for a in result.not_submitted],
        )
        # PostgreSQL: the new rows' foreign keys checked set-wise, not by a trigger per row (ADR 0034)
        new = NewRows([School, SchoolYear, CensusRecord, CensusEvent]) if _on_postgres() else None
        school_ids = self._write_schools(plan, new)
        self._write_school_years(plan, school_ids, (user_id, now, batch.pk), new)
        self._check_versions(plan)
        created_ids = self._write_new_records(plan, school_ids, [c.pk for c in counties], (user_id, now), new)
        self._write_changed_records(plan, (user_id, now, batch.pk))
        # Every created or changed record: its import event, naming the batch.
        reason = self.path.name
        events = [*created_ids, *(pk for pk, *_ in plan.changed_records)]
        names = ["record_id", "action", "user_id", "at", "reason", "batch_id"]
        rows = ((pk, CensusEvent.Action.IMPORT, user_id, now, reason, batch.pk) for pk in events)
        if new is not None:
            ids = _new_ids(CensusEvent, len(events))
            with new.inserting(CensusEvent, ids):
                _insert(CensusEvent, ["id", *names], ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
            new.check()
        else:
            _insert(CensusEvent, names, rows)
        after_change([c.pk for c in counties], self.year)
        readiness.store([c.pk for c in counties], [self.year + 1])  # the school years written count there too
        return batch

    def _write_schools(self, plan: _Plan, new: NewRows | None) -> dict[str, int]:
        """The new schools; returns every school code of the file -> its id."""
        school_ids = {code: pk for code, (pk, _) in self.schools.items()}
        if plan.new_schools and new is not None:
            ids = _new_ids(School, len(plan.new_schools))  # no reading back what was inserted
            with new.inserting(School, ids):
                _insert(
                    School,
                    ["id", "code", "county_id"],
                    ((pk, code, county) for pk, (code, county) in zip(ids, plan.new_schools, strict=True)),
                )
            school_ids.update(zip((code for code, _ in plan.new_schools), ids, strict=True))
        elif plan.new_schools:
            _insert(School, ["code", "county_id"], plan.new_schools)
            school_ids.update(
                (code, pk) for code, (pk, _) in _schools_by_code([c for c, _ in plan.new_schools]).items()
            )
        return school_ids

    def _write_school_years(
        self, plan: _Plan, school_ids: dict[str, int], stamp: tuple[Any, Any, int], new: NewRows | None
    ) -> None:
        """New school years, and the changed attributes of stored ones with their history (``stamp``: user
        id, time, batch id)."""
        ownership = _DEFAULT_OWNERSHIP  # an empty location or ownership takes the model's default
        names = ["school_id", "year", "name", "school_type", "location", "ownership", "town_id"]
        rows = (
            (school_ids[code], self.year, self.names[i], self.types[i], self.locations[i],
             self.ownerships[i] or ownership, town)
            for code, i, town in plan.new_years
        )  # fmt: skip
        if new is not None:
            ids = _new_ids(SchoolYear, len(plan.new_years))
            with new.inserting(SchoolYear, ids):
                _insert(SchoolYear, ["id", *names], ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
        else:
            _insert(SchoolYear, names, rows)
        if plan.changed_years:
            names = sorted(plan.changed_year_fields)
            _update(SchoolYear, names, [(sy.pk, *(getattr(sy, k) for k in names)) for sy in plan.changed_years])
            _insert(
                CensusChange,
                ["school_year_id", "field", "old", "new", "user_id", "at", "batch_id"],
                ((pk, k, old, new, *stamp) for pk, k, old, new in plan.year_changes),
            )

    def _write_new_records(
        self,
        plan: _Plan,
        school_ids: dict[str, int],
        county_ids: list[int],
        stamp: tuple[Any, Any],
        new: NewRows | None,
    ) -> list[int]:
        """The new records (submitted), in the order of the file; returns their ids."""
        if not plan.new_records:
            return []
        submitted = CensusRecord.Status.SUBMITTED
        names = ["school_id", "year", "level", "status", "updated_by_id", "updated_at", *self.fields]
        rows = (
            (school_ids[self.codes[i]], self.year, self.levels[i], submitted, *stamp, *self.row_values[i])
            for i in plan.new_records
        )
        if new is not None:
            created_ids = _new_ids(CensusRecord, len(plan.new_records))
            with new.inserting(CensusRecord, created_ids):
                _insert(CensusRecord, ["id", *names], ((pk, *row) for pk, row in zip(created_ids, rows, strict=True)))
            return created_ids
        _insert(CensusRecord, names, rows)
        return self._created_record_ids(county_ids, school_ids, plan)

    def _write_changed_records(self, plan: _Plan, stamp: tuple[Any, Any, int]) -> None:
        """The changed figures of stored records (submitted, a version on), each change in the history."""
        user_id, now, batch_id = stamp
        submitted = CensusRecord.Status.SUBMITTED
        for chunk in _chunks(plan.changed_records, BATCH_SIZE):
            names = sorted({k for *_, changed in chunk for k in changed})
            index = [self.fields.index(k) for k in names]
            _update(
                CensusRecord,
                [*names, "status", "version", "updated_by_id", "updated_at"],
                [
                    (pk, *(self.row_values[i][j] for j in index), submitted, version + 1, user_id, now)
                    for pk, version, i, _ in chunk
                ],
            )
        _insert(
            CensusChange,
            ["record_id", "field", "old", "new", "user_id", "at", "batch_id"],
            (
                (pk, k, _stored_text(old), _stored_text(new), user_id, now, batch_id)
                for pk, _, _, changed in plan.changed_records
                for k, (old, new) in changed.items()
            ),
        )

    def _check_versions(self, plan: _Plan) -> None:
        """Lock the records to be changed and make sure nobody changed them since they were read:
        a record changed meanwhile is never overwritten (the whole import is refused)."""
        expected = {pk: version for pk, version, _, _ in plan.changed_records}
        stale = []
        for chunk in _chunks(list(expected), _in_chunk()):
            rows = CensusRecord.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "version")
            stale += [pk for pk, version in rows if version != expected[pk]]
        if stale:
            raise CensusError(
                "conflict",
                gettext_lazy("导入期间有 %(len_stale)s 条记录被他人修改，未写入任何数据；请重新导入"),
                [{"record": pk} for pk in stale],
                len_stale=len(stale),
            )

    def _created_record_ids(self, county_ids: list[int], school_ids: dict[str, int], plan: _Plan) -> list[int]:
        """The ids of the records just created, in the order of the file."""
        ids: dict[tuple[int, str | None], int] = {}
        for chunk in _chunks(county_ids, _in_chunk()):
            rows = CensusRecord.objects.filter(school__county_id__in=chunk, year=self.year)
            ids.update(
                ((school_id, level), pk) for pk, school_id, level in rows.values_list("pk", "school_id", "level")
            )
        return [ids[(school_ids[self.codes[i]], self.levels[i])] for i in plan.new_records]


_DEFAULT_OWNERSHIP = SchoolYear._meta.get_field("ownership").get_default()
assert SchoolYear._meta.get_field("location").get_default() == ""


def _schools_by_code(codes: list[str]) -> dict[str, tuple[int, int]]:
    """code -> (school id, county id) of the known schools among ``codes``: one query on PostgreSQL
    (``= ANY(array)``), chunks of ``IN (...)`` elsewhere."""
    found: dict[str, tuple[int, int]] = {}
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(School._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, code, county_id FROM {table} WHERE code = ANY(%s)", [codes])
            found.update((code, (pk, county_id)) for pk, code, county_id in cursor.fetchall())
        return found
    for chunk in _chunks(codes, _in_chunk()):
        found.update(
            (code, (pk, county_id))
            for pk, code, county_id in School.objects.filter(code__in=chunk).values_list("pk", "code", "county_id")
        )
    return found


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _new_ids(model: type[Model], n: int) -> list[int]:
    """``n`` new primary keys of ``model`` from its sequence (PostgreSQL), for rows about to be
    inserted with them: their ids are known without reading the rows back."""
    if n == 0:
        return []
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(model._meta.db_table), pk.column]
        )
        (sequence,) = cursor.fetchone()  # looked up once (in the query below it would be once per id)
        cursor.execute("SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)", [sequence, n])
        (ids,) = cursor.fetchone()
    return list(map(int, ids.split(",")))  # one value, not n rows: about 5× faster to fetch


def _column(field: object) -> str:
    """The table column of a concrete field (every field named here has one)."""
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{field} has no column")
    return column


def _insert(model: type[Model], names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (values for the fields ``names``, by attname; every other column takes its
    model default; the primary key only if named). PostgreSQL: ``COPY FROM STDIN`` (about 8× faster
    than Django's ``INSERT`` of a 44-column census record); elsewhere ``bulk_create`` in batches."""
    if connection.vendor != "postgresql":
        for chunk in _batches(rows, BATCH_SIZE):
            model._default_manager.bulk_create([model(**dict(zip(names, row, strict=True))) for row in chunk])
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in names]
    given = set(names)
    rest = [f for f in fields if f.attname not in given]
    assert not given - {f.attname for f in fields}, given
    defaults = tuple(f.get_default() for f in rest)
    columns = ", ".join(
        connection.ops.quote_name(_column(f)) for f in [*(model._meta.get_field(n) for n in names), *rest]
    )
    table = connection.ops.quote_name(model._meta.db_table)
    # psycopg's COPY goes past Django's cursor: its errors are made Django's (DatabaseError) here
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + defaults)


def _update(model: type[Model], names: list[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Set the fields ``names`` (attnames) of the rows ``(pk, *values)``. PostgreSQL: one
    ``UPDATE ... FROM unnest(arrays)`` per batch (Django's ``bulk_update`` builds a ``CASE`` with a
    branch per row, quadratic in the batch); elsewhere ``bulk_update``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(pk=row[0], **dict(zip(names, row[1:], strict=True))) for row in rows]
        model._default_manager.bulk_update(objs, [model._meta.get_field(n).name for n in names], batch_size=BATCH_SIZE)
        return
    qn = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    fields = [pk, *(model._meta.get_field(n) for n in names)]
    columns = [qn(_column(f)) for f in fields]
    arrays = ", ".join(f"%s::{f.rel_db_type(connection) if f is pk else f.db_type(connection)}[]" for f in fields)
    sets = ", ".join(f"{c} = v.{c}" for c in columns[1:])
    sql = (
        f"UPDATE {qn(model._meta.db_table)} AS t SET {sets} FROM unnest({arrays}) AS v({', '.join(columns)}) "
        f"WHERE t.{columns[0]} = v.{columns[0]}"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 10 * BATCH_SIZE):
            cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
