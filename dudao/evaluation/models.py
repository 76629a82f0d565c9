"""Evaluation runs on stored data, and the county-level items (judgements and county figures) with
their history and evidence.

An :class:`EvaluationRun` is a snapshot: the result exactly as computed, the inputs it was computed
from (so it can be recomputed), the standard's version and a *data version* — a hash of everything
the evaluation read. When the census records of the county and year, the schools' attributes that
year or the county items change, the current data version differs and the run is stale.

All changes go through :mod:`dudao.evaluation.actions`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, TypeVar

import pandas as pd
from django.conf import settings
from django.db import connection, models
from django.db.models import FilteredRelation, Q
from django.utils.translation import gettext_lazy as _

from dudao.census.models import CensusRecord
from dudao.engine import CountyResult, ResultSummary, county_result, evaluate_table
from dudao.evidence import StoredFile
from dudao.orgs.models import Region, School, SchoolYear, TownGroup
from dudao.standards import load


def data_version(county_id: int, year: int, standard_id: str) -> str:
    """A hash of what an evaluation of ``county_id`` × ``year`` reads (see :func:`data_versions`)."""
    return data_versions([county_id], year, standard_id)[county_id]


# PostgreSQL: each county's census part of the data version, digested in the database (one row per
# county instead of one per census record: a province of 60,000 records read into Python took most of
# the province view's time; docs/benchmarks.md "Scale", docs/adr/0027). ROW(...)::text keeps NULLs and
# field boundaries apart.
_RECORDS_DIGEST = (
    "SELECT s.county_id, encode(sha256(convert_to(string_agg(ROW(r.id, r.version, r.status, r.updated_at, sy.name,"
    " sy.school_type, sy.location, sy.ownership, sy.town_id, tg.name)::text, ',' ORDER BY r.id), 'UTF8')), 'hex')"
    " FROM {record} r JOIN {school} s ON s.id = r.school_id"
    " LEFT JOIN {school_year} sy ON sy.school_id = r.school_id AND sy.year = r.year"
    " LEFT JOIN {town_group} tg ON tg.town_id = sy.town_id"
    " WHERE s.county_id = ANY(%s) AND r.year = %s GROUP BY s.county_id"
)


def _records_part(ids: list[int], year: int) -> dict[int, Any]:
    """Each county's census records with their schools' attributes that year, as the data version
    reads them: on PostgreSQL one digest per county computed by the database, elsewhere the rows."""
    if connection.vendor == "postgresql":
        sql = _RECORDS_DIGEST.format(
            record=CensusRecord._meta.db_table,
            school=School._meta.db_table,
            school_year=SchoolYear._meta.db_table,
            town_group=TownGroup._meta.db_table,
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids, year])
            digests = dict(cursor.fetchall())
        return {pk: digests.get(pk, "") for pk in ids}
    records: dict[int, list[list[Any]]] = {pk: [] for pk in ids}
    rows = (
        CensusRecord.objects.filter(school__county_id__in=ids, year=year)
        .annotate(sy=FilteredRelation("school__years", condition=Q(school__years__year=year)))
        .order_by("pk")
        .values_list("school__county_id", "pk", "version", "status", "updated_at", "sy__name",
                     "sy__school_type", "sy__location", "sy__ownership", "sy__town_id", "sy__town__town_group__name")
    )  # fmt: skip
    for county_id, *row in rows:
        records[county_id].append(row)
    return records


def data_versions(county_ids: Iterable[int], year: int, standard_id: str) -> dict[int, str]:
    """The data version of each county, in two queries whatever the number of counties.

    Census records: id, version (bumped on every value change), status and ``updated_at`` (which
    moves on any save), with the school's attributes that year (name, type, location, ownership, town and
    the town's group, 乡镇分组).
    County items of the standard: code, value and ``updated_at``. Any change, added or deleted row
    gives a different hash. (The hash differs between databases, never within one.) A town's group
    is read in the same query, so putting a town with schools into another group makes the runs stale.
    """
    ids = list(county_ids)
    records = _records_part(ids, year)
    items: dict[int, list[list[Any]]] = {pk: [] for pk in ids}
    for county_id, *row in (
        CountyItemValue.objects.filter(county_id__in=ids, year=year, standard_id=standard_id)
        .order_by("code")
        .values_list("county_id", "code", "value", "updated_at")
    ):
        items[county_id].append(row)
    return {
        pk: hashlib.sha256(
            json.dumps(
                {"records": records[pk], "items": items[pk]}, default=str, sort_keys=True, ensure_ascii=False
            ).encode()
        ).hexdigest()
        for pk in ids
    }


class OrderedJSONField(models.TextField):
    """JSON stored as its text, so it reads back exactly as written.

    PostgreSQL's ``jsonb`` (Django's JSONField) reorders object keys, and a result's order is part of
    what it says (levels, areas and indicators in the standard's order): a stored run must render as
    it did when computed. Not for querying into; denormalise what a list needs (``passed``)."""

    # For django-stubs: the model attribute holds the JSON (plain dicts, lists, scalars), not text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, allow_nan=False)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""


class EvaluationRun(models.Model):
    """One evaluation of a county's stored data for a school year against a standard: a snapshot."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="evaluation_runs")
    year = models.PositiveSmallIntegerField(_("学年"))
    standard_id = models.CharField(_("评估标准"), max_length=32)
    province = models.CharField(_("省级配置"), max_length=32, blank=True)
    standard_version = models.CharField(_("标准版本"), max_length=32)
    data_version = models.CharField(_("数据版本"), max_length=64)
    # The result's JSON (CountyResult.to_dict(), key order kept); read it typed as ``result_obj``.
    result = OrderedJSONField(_("评估结果"))
    # engine.result_summary(result).to_dict(): what lists of counties read without the whole result;
    # typed as ``summary_obj``.
    summary = OrderedJSONField(_("结果摘要"), default=dict)
    # What the result was computed from: the engine's school table and the county items, so the
    # run can be recomputed (``reproduce``) after the stored data has changed.
    inputs = models.JSONField(default=dict)
    passed = models.BooleanField(_("总体结论"), null=True)
    records_by_status = models.JSONField(default=dict)  # {"approved": 12, "draft": 1}
    census_locked = models.BooleanField(_("数据已锁定"), default=False)
    # The county's data changed since this run (set by ``refresh.after_change`` in the changing
    # transaction, cleared by the refresh job when it finds or stores an up-to-date run): what lists
    # of many counties show instead of comparing data versions (docs/adr/0033).
    outdated = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("评估时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("评估记录")
        verbose_name_plural = _("评估记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["county", "year", "standard_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year} {self.standard_id} #{self.pk}"

    # Set by ``actions.stored_run`` (what pages show): whether the data changed since this run, and why
    # it could not be brought up to date (a RefreshFailure for the data as they are now), if so.
    stale: bool = False
    failure: RefreshFailure | None = None

    @property
    def result_obj(self) -> CountyResult:
        """The stored result as typed objects, parsed once per instance (again if ``result`` is replaced)."""
        return _parsed(self, "result", CountyResult)

    @property
    def summary_obj(self) -> ResultSummary:
        """The stored summary as typed objects, parsed once per instance."""
        return _parsed(self, "summary", ResultSummary)

    def current_data_version(self) -> str:
        return data_version(self.county_id, self.year, self.standard_id)

    def is_stale(self) -> bool:
        """True when the census or the county items have changed since this run."""
        return self.data_version != self.current_data_version()

    def reproduce(self, changes: dict[int, dict[str, float | None]] | None = None) -> CountyResult:
        """Recompute the result from the stored inputs with the standard as it is now.

        Equal to ``result`` unless the standard's data changed (compare ``standard_version``).
        ``changes`` ({source_row: {figure: value}}) replaces figures of the stored input rows first:
        the what-if (模拟测算) of ``dudao.overview.whatif``; nothing is saved. Raises the engine's
        ``InputError`` when the changed figures cannot be evaluated."""
        standard = load(self.standard_id, province=self.province or None)
        frame, present = self.input_frame()
        for source_row, figures in (changes or {}).items():
            at = frame["source_row"] == source_row
            for key, value in figures.items():
                if key not in self.inputs["numeric"]:
                    raise KeyError(f"{key!r} is not a stored figure")
                frame.loc[at, key] = float("nan") if value is None else float(value)
        evaluation = evaluate_table(frame, standard, present)
        return county_result(evaluation, self.county_code(), self.inputs["items"], self.inputs.get("town_groups"))

    def input_frame(self) -> tuple[pd.DataFrame, frozenset[str]]:
        """The engine's input table this run was evaluated from (its figures as numbers) and the figures
        it had: what :meth:`reproduce`, the planning pages and the plans start from."""
        frame = pd.DataFrame(self.inputs["schools"], columns=self.inputs["columns"])
        for key in self.inputs["numeric"]:
            frame[key] = pd.to_numeric(frame[key], errors="coerce").astype(float)
        return frame, frozenset(self.inputs["present"])

    def county_code(self) -> str:
        """The county's code as the engine's input named it ("" when it named none)."""
        return self.result_obj.county.code or ""


_Parsed = TypeVar("_Parsed", CountyResult, ResultSummary)


def _parsed(run: EvaluationRun, name: str, kind: type[_Parsed]) -> _Parsed:
    """``kind`` read from the run's JSON field ``name``; cached on the run with the JSON it was read
    from, so a page that reads a run many times parses it once."""
    data = getattr(run, name)
    cached = run.__dict__.get(f"_{name}_obj")
    if cached is None or cached[0] is not data:
        cached = (data, kind.from_dict(data))
        run.__dict__[f"_{name}_obj"] = cached
    obj: _Parsed = cached[1]
    return obj


class RefreshFailure(models.Model):
    """The last time a county's stored result could not be brought up to date because the data as they
    are now cannot be evaluated (``jobs``): pages show it beside the out-of-date result until a later
    evaluation succeeds (which deletes it)."""

    county = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    standard_id = models.CharField(max_length=32)
    data_version = models.CharField(max_length=64)
    code = models.CharField(max_length=32)
    message_zh = models.TextField()
    message_en = models.TextField()
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "standard_id"], name="refresh_failure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year} {self.standard_id}: {self.code}"

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang.startswith("en") else self.message_zh


class CountyItemValue(models.Model):
    """The current value of one county-level item of a standard (a judgement or a county figure)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="county_items")
    year = models.PositiveSmallIntegerField(_("学年"))
    standard_id = models.CharField(_("评估标准"), max_length=32)
    code = models.CharField(_("指标代码"), max_length=16)
    # As the engine reads it (true/false or a number); None when cleared.
    value = models.JSONField(_("取值"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("县级指标取值")
        verbose_name_plural = _("县级指标取值")
        ordering = ["county", "year", "standard_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "standard_id", "code"], name="county_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year} {self.standard_id} {self.code} = {self.value}"


class CountyItemChange(models.Model):
    """One change of a county item: old and new value, who, when and why. Never edited, never deleted."""

    item = models.ForeignKey(CountyItemValue, on_delete=models.PROTECT, related_name="changes")
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    note = models.TextField(blank=True)  # the item's note as it stood after the change
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("县级指标修改记录")
        verbose_name_plural = _("县级指标修改记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.old} -> {self.new}"


class Evidence(StoredFile):
    """A supporting document for a county item (a plan, a budget, a photo ...)."""

    item = models.ForeignKey(CountyItemValue, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="evidence/%Y/", max_length=255)

    class Meta(StoredFile.Meta):
        pass
