"""The city and province views as plain functions: one row per county from its latest stored run
(``EvaluationRun.summary``, never the full result, never re-evaluated), the census readiness of every
county, sorting, and the ranking of counties with its first tier (第一方阵).

Queries do not grow with the number of counties: :func:`county_rows` reads the latest runs with their
stored out-of-date flag (one query) and the stored census readiness (one), whatever the number of
counties; nothing is recomputed per view (docs/adr/0033-stored-county-summaries.md).

Ranking (:func:`rank_counties`): each chosen criterion (a CV of one level and indicator, a level's
composite CV, or the number of failing schools; lower is better for all) ranks the counties that
have a value for every chosen criterion, ties sharing the best place (1, 2, 2, 4). With several
criteria the ranks are added and the sums ranked the same way. A county without a run, or without
a value for one of the criteria (a CV without definition, a level without schools), is listed
unranked. CVs are ranked as shown (three decimals), so counties that look equal share a place.

First tier: the counties whose rank is within the first *k* places, *k* from the setting
``DUDAO_FIRST_TIER`` (see :func:`tier_rule`): a share of the ranked counties ("1/3", "30%",
rounded up) or a count ("5"). Counties tied on place *k* all belong to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dudao.census import readiness as census_readiness
from dudao.census.models import CensusReadiness
from dudao.census.readiness import Readiness, readiness  # noqa: F401 (readiness: used by briefings)
from dudao.engine.result import LevelSummary, ResultSummary
from dudao.evaluation.actions import latest_runs
from dudao.evaluation.models import EvaluationRun
from dudao.evaluation.render import level_label, status_label
from dudao.orgs.models import Region
from dudao.standards import Standard
from dudao.tables import Column, Table

FIRST_TIER_DEFAULT = "1/3"

# Status of a county's evaluation on the page.
EVALUATED, STALE, NOT_EVALUATED = "evaluated", "stale", "not_evaluated"
# Verdicts sort worst first: failed, then undecided, then passed.
_VERDICT_ORDER = {"failed": 0, "incomplete": 1, "undetermined": 1, "not_assessed": 1, "passed": 2}


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


@dataclass
class CountyRow:
    """One county on the page: its latest run (without the full result) and readiness."""

    county: Region
    run: EvaluationRun | None
    stale: bool
    ready: Readiness

    @property
    def status(self) -> str:
        if self.run is None:
            return NOT_EVALUATED
        return STALE if self.stale else EVALUATED

    @property
    def summary(self) -> ResultSummary | None:
        return self.run.summary_obj if self.run is not None else None

    def needs_evaluation(self) -> bool:
        """Stale, or never evaluated while census records exist (with none, there is nothing to evaluate)."""
        return self.stale or (self.run is None and self.ready.records > 0)


def county_rows(counties: Sequence[Region], year: int, standard_id: str) -> list[CountyRow]:
    """Every county's row, in the order given, from what is stored: the latest runs with their
    out-of-date flag and the stored census readiness; two queries in all."""
    runs = latest_runs(list(counties), year, standard_id)
    ready = census_readiness.stored([c.pk for c in counties], year)
    rows = []
    for county in counties:
        run = runs.get(county.pk)
        rows.append(CountyRow(county, run, run is not None and run.outdated, ready[county.pk]))
    return rows


def years_of(region: Region | None, year: int) -> list[int]:
    """School years with census records below ``region`` (the nation for None) and ``year``, latest
    first; one query, on the stored readiness rows (their ``records``), not on the records."""
    found = CensusReadiness.objects.filter(records__gt=0)
    if region is not None:
        found = found.filter(county__path__startswith=region.path)
    return sorted({*found.values_list("year", flat=True).distinct().order_by(), year}, reverse=True)


def counties_of(region: Region) -> list[Region]:
    """The counties below a city or a province, by path (so a province's are grouped by city)."""
    return list(
        Region.objects.filter(path__startswith=region.path, level=Region.Level.COUNTY)
        .select_related("parent")
        .order_by("path")
    )


# ---------------------------------------------------------------------------------------------
# Criteria and ranking
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """A figure of a run's summary that ranks counties; lower is better."""

    key: str
    label: str
    level: str | None  # None: not tied to a level (failing schools)
    kind: str  # "cv" | "int"
    getter: Callable[[ResultSummary], float | int | None]
    default: bool = False

    def value(self, row: CountyRow) -> float | None:
        summary = row.summary
        if summary is None:
            return None
        raw = self.getter(summary)
        return None if raw is None else float(raw)

    def column(self) -> Column:
        return Column(self.key, self.label, "number", 3) if self.kind == "cv" else Column(self.key, self.label, "int")


def _indicator_cv(level: str, code: str) -> Callable[[ResultSummary], float | None]:
    def get(summary: ResultSummary) -> float | None:
        lv = summary.levels.get(level)
        ind = None if lv is None else lv.indicators.get(code)
        return ind.cv_3dp if ind is not None and ind.cv_status == "ok" else None

    return get


def _composite_cv(level: str) -> Callable[[ResultSummary], float | None]:
    def get(summary: ResultSummary) -> float | None:
        lv = summary.levels.get(level)
        return None if lv is None else lv.composite_cv_3dp

    return get


def _failing(summary: ResultSummary) -> int:
    return summary.schools_failing


def cv_columns(standard: Standard) -> list[tuple[str, str, str | None]]:
    """(key, level, indicator code or None for the composite) of every CV the standard judges or shows."""
    out: list[tuple[str, str, str | None]] = []
    composite = standard.cv_rule is not None and standard.cv_rule.mode == "composite"
    for level in standard.levels:
        if composite:
            out.append((f"ccv-{level}", level, None))
        out += [(f"cv-{level}-{ind.code}", level, ind.code) for ind in standard.indicators]
    return out


def criteria(standard: Standard) -> list[Criterion]:
    """What counties can be ranked on. Defaults: the judged CVs (each indicator's under the 2017
    rule, each level's composite under a composite rule)."""
    composite = standard.cv_rule is not None and standard.cv_rule.mode == "composite"
    out = []
    for key, level, code in cv_columns(standard):
        if code is None:
            label = _("%(level)s 综合差异系数") % {"level": level_label(level)}
            out.append(Criterion(key, label, level, "cv", _composite_cv(level), default=True))
        else:
            label = _("%(level)s %(code)s 差异系数") % {"level": level_label(level), "code": code}
            out.append(Criterion(key, label, level, "cv", _indicator_cv(level, code), default=not composite))
    out.append(Criterion("failing", _("未达标学校数"), None, "int", _failing))
    return out


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """Ranks with lower values first, ties sharing the best place (1, 2, 2, 4); None is unranked."""
    present = sorted(v for v in values if v is not None)
    first: dict[float, int] = {}
    for place, v in enumerate(present, start=1):
        first.setdefault(v, place)
    return [None if v is None else first[v] for v in values]


@dataclass(frozen=True)
class TierRule:
    """The first tier: the first ``share`` of the ranked counties (rounded up), or the first ``count``."""

    share: Fraction | None = None
    count: int | None = None
    text: str = FIRST_TIER_DEFAULT

    def size(self, ranked: int) -> int:
        if ranked <= 0:
            return 0
        if self.count is not None:
            return min(self.count, ranked)
        assert self.share is not None
        return max(1, math.ceil(self.share * ranked))

    def describe(self, ranked: int) -> str:
        k = self.size(ranked)
        if self.count is not None:
            rule = _("名次在前 %(count)d 名以内") % {"count": self.count}
        else:
            rule = _("名次在参与排名的县（市、区）的前 %(share)s 以内（向上取整）") % {"share": self.text}
        return _("第一方阵：%(rule)s；本次 %(n)d 个参与排名，即名次 ≤ %(k)d，并列者一并列入。") % {
            "rule": rule,
            "n": ranked,
            "k": k,
        }


_SHARE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_COUNT = re.compile(r"^\s*(\d+)\s*$")


def tier_rule(text: str | None = None) -> TierRule:
    """Parse the first-tier rule: "1/3" or "30%" (a share, 0 < share ≤ 1) or "5" (a count ≥ 1).
    Without ``text``, the setting ``DUDAO_FIRST_TIER`` (default "1/3"). Anything else is refused."""
    if text is None:
        text = str(settings.DUDAO_FIRST_TIER)
    if m := _SHARE.match(text):
        share = Fraction(int(m[1]), int(m[2])) if int(m[2]) else Fraction(0)
    elif m := _PERCENT.match(text):
        share = Fraction(m[1]) / 100
    elif m := _COUNT.match(text):
        if int(m[1]) < 1:
            raise ImproperlyConfigured(f"DUDAO_FIRST_TIER={text!r}: a count must be at least 1")
        return TierRule(count=int(m[1]), text=text.strip())
    else:
        raise ImproperlyConfigured(f"DUDAO_FIRST_TIER={text!r}: expected a share (1/3, 30%) or a count (5)")
    if not 0 < share <= 1:
        raise ImproperlyConfigured(f"DUDAO_FIRST_TIER={text!r}: a share must be above 0 and at most 1")
    return TierRule(share=share, text=text.strip())


@dataclass
class Ranked:
    row: CountyRow
    values: list[float | None]
    ranks: list[int | None] = field(default_factory=list)  # per criterion, among the ranked counties
    score: int | None = None  # sum of ranks (equals the single rank for one criterion)
    rank: int | None = None
    first_tier: bool = False

    @property
    def missing(self) -> list[int]:
        return [i for i, v in enumerate(self.values) if v is None]


def rank_counties(rows: Iterable[CountyRow], chosen: Sequence[Criterion], rule: TierRule) -> list[Ranked]:
    """Ranked counties first (by rank, then code), then the unranked (by code)."""
    entries = [Ranked(row, [c.value(row) for c in chosen]) for row in rows]
    ranked = [e for e in entries if chosen and not e.missing]
    per_criterion = [competition_ranks([e.values[i] for e in ranked]) for i in range(len(chosen))]
    for n, entry in enumerate(ranked):
        entry.ranks = [ranks[n] for ranks in per_criterion]
        entry.score = sum(r for r in entry.ranks if r is not None)
    for entry, rank in zip(ranked, competition_ranks([e.score for e in ranked]), strict=True):
        entry.rank = rank
    k = rule.size(len(ranked))
    for entry in ranked:
        entry.first_tier = entry.rank is not None and entry.rank <= k
    ranked.sort(key=lambda e: (e.rank, e.row.county.code))
    unranked = sorted((e for e in entries if e.rank is None), key=lambda e: e.row.county.code)
    return ranked + unranked


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def localized(entry: Any, attr: str = "name") -> str:
    """A standard's name in the current language (``name_zh`` / ``name_en``)."""
    return getattr(entry, f"{attr}_en" if (get_language() or "").startswith("en") else f"{attr}_zh")


def status_text(status: str) -> str:
    return {EVALUATED: _("已评估"), STALE: _("已过期（数据有变化）"), NOT_EVALUATED: _("未评估")}[status]


_STATUS_CLASS = {EVALUATED: "ok", STALE: "warn", NOT_EVALUATED: "muted"}
_STATUS_ORDER = {NOT_EVALUATED: 0, STALE: 1, EVALUATED: 2}


def _verdict(passed: bool | None) -> str:
    return {True: "passed", False: "failed", None: "undetermined"}[passed]


@dataclass
class Links:
    """URL builders the view supplies (the tables know nothing of URL names)."""

    county: Callable[[Region], str]
    city: Callable[[Region], str]


def _identity(row: CountyRow, links: Links, with_city: bool) -> dict[str, Any]:
    """The columns every county table starts with, with links, sort keys and the row id."""
    county = row.county
    out: dict[str, Any] = {
        "county": county.name, "code": county.code, "_href": {}, "_class": {}, "_flag": {},
        "_sort": {"county": county.code, "code": county.code}, "_id": county.code, "_row_class": f"status-{row.status}",
    }  # fmt: skip
    if href := links.county(county):
        out["_href"]["county"] = href
    if with_city:
        city = county.parent
        out["city"] = city.name if city else ""
        out["_sort"]["city"] = county.path
        if city is not None and (href := links.city(city)):
            out["_href"]["city"] = href
    out["status"] = status_text(row.status)
    out["_class"]["status"] = _STATUS_CLASS[row.status]
    out["_sort"]["status"] = _STATUS_ORDER[row.status]
    return out


def _identity_columns(with_city: bool) -> list[Column]:
    cols = [Column("county", _("县（市、区）")), Column("code", _("区划代码"))]
    if with_city:
        cols.append(Column("city", _("所属市")))
    cols.append(Column("status", _("评估状态")))
    return cols


def _verdict_cell(out: dict[str, Any], key: str, status: str | None) -> None:
    """A verdict as text (达标/未达标/…; 未评估 without a run), coloured, sorted worst first."""
    if status is None:
        out[key], out["_class"][key], out["_sort"][key] = _("未评估"), "muted", None
        return
    out[key] = status_label(status)
    out["_class"][key] = {"passed": "ok", "failed": "bad"}.get(status, "muted")
    out["_sort"][key] = _VERDICT_ORDER[status]


def county_table(rows: Sequence[CountyRow], standard: Standard, links: Links, name: str, with_city: bool) -> Table:
    """Verdicts, failing schools and readiness of every county."""
    areas = standard.areas
    columns = [
        *_identity_columns(with_city),
        Column("overall", _("总体结论")),
        *[Column(f"area-{a.code}", localized(a)) for a in areas],
        Column("failing", _("未达标学校"), "int"),
        Column("schools", _("参评学校"), "int"),
        Column("approved", _("已审核"), "int"),
        Column("submitted", _("待审核"), "int"),
        Column("unsubmitted", _("未报送或退回"), "int"),
        Column("expected", _("应报学校"), "int"),
        Column("locked", _("数据锁定")),
        Column("evaluated_at", _("评估时间")),
    ]
    table_rows = []
    for row in rows:
        out = _identity(row, links, with_city)
        summary = row.summary
        _verdict_cell(out, "overall", None if summary is None else _verdict(summary.passed))
        for area in areas:
            status = None if summary is None else summary.areas.get(area.code, "undetermined")
            _verdict_cell(out, f"area-{area.code}", status)
        if summary is not None:
            out["failing"], out["schools"] = summary.schools_failing, summary.schools
            if out["failing"]:
                out["_class"]["failing"] = "bad"
        ready = row.ready
        out.update(approved=ready.approved, submitted=ready.submitted, expected=ready.expected,
                   unsubmitted=ready.returned + ready.not_submitted)  # fmt: skip
        out["locked"] = _("已锁定") if ready.locked else _("未锁定")
        out["_sort"]["locked"] = int(ready.locked)
        if row.run is not None:
            at = timezone.localtime(row.run.created_at)
            out["evaluated_at"] = at.strftime("%Y-%m-%d %H:%M")
            out["_sort"]["evaluated_at"] = at.isoformat()
        else:
            out["evaluated_at"] = _("未评估")
            out["_class"]["evaluated_at"] = "muted"
        for key in ("failing", "schools", "approved", "submitted", "unsubmitted", "expected"):
            out["_sort"][key] = out.get(key)
        table_rows.append(out)
    return Table(name, _("各县（市、区）评估结论与填报情况"), columns, table_rows)


def cv_table(rows: Sequence[CountyRow], standard: Standard, links: Links, name: str, with_city: bool) -> Table:
    """Every CV of every county, coloured and labelled against the limit its run applied."""
    columns = _identity_columns(with_city)
    specs = cv_columns(standard)
    limits = {lvl: t.value for lvl, t in standard.cv_rule.limits.items()} if standard.cv_rule else {}
    composite = standard.cv_rule is not None and standard.cv_rule.mode == "composite"
    for key, level, code in specs:
        judged = composite == (code is None)
        label = _("%(level)s 综合") % {"level": level_label(level)} if code is None else f"{level_label(level)} {code}"
        if judged and level in limits:
            label = _("%(label)s（≤%(limit)s）") % {"label": label, "limit": limits[level]}
        columns.append(Column(key, label, "number", 3))
    table_rows = []
    for row in rows:
        out = _identity(row, links, with_city)
        levels = row.summary.levels if row.summary is not None else {}
        for key, level, code in specs:
            value, passed, cv_status = _cv_cell(levels.get(level), code)
            out[key] = value
            out["_sort"][key] = value
            if row.summary is None:
                continue
            if value is None:
                out["_flag"][key] = {"undefined": _("无定义"), "no_data": _("无数据")}.get(cv_status or "", _("无数据"))
            elif passed is False:
                out["_class"][key] = "bad"
                out["_flag"][key] = _("超限")
            elif passed is True:
                out["_class"][key] = "ok"
        table_rows.append(out)
    note = "; ".join(f"{ind.code} {localized(ind)}" for ind in standard.indicators)
    return Table(name, _("各县（市、区）差异系数"), columns, table_rows, note=note)


def _cv_cell(lv: LevelSummary | None, code: str | None) -> tuple[float | None, bool | None, str | None]:
    """A level's CV of indicator ``code`` (the composite CV for None): published value, verdict, status."""
    if lv is None:
        return None, None, None if code is not None else "ok"
    if code is None:
        return lv.composite_cv_3dp, lv.composite_cv_passed, "ok"
    ind = lv.indicators.get(code)
    return (None, None, None) if ind is None else (ind.cv_3dp, ind.cv_passed, ind.cv_status)


def ranking_table(
    ranked: Sequence[Ranked], chosen: Sequence[Criterion], links: Links, name: str, with_city: bool
) -> Table:
    columns = [Column("rank", _("名次"), "int"), *_identity_columns(with_city)]
    columns += [c.column() for c in chosen]
    if len(chosen) > 1:
        columns.append(Column("score", _("名次和"), "int"))
    columns += [Column("tier", _("第一方阵")), Column("remark", _("说明"))]
    table_rows = []
    for entry in ranked:
        out = _identity(entry.row, links, with_city)
        out["rank"], out["score"] = entry.rank, entry.score
        out["tier"] = _("是") if entry.first_tier else ""
        for criterion, value in zip(chosen, entry.values, strict=True):
            out[criterion.key] = value
        if entry.first_tier:
            out["_row_class"] += " first-tier"
        if entry.row.run is None:
            out["remark"] = _("未评估，不参与排名")
        elif entry.rank is None:
            missing = "、".join(chosen[i].label for i in entry.missing)
            out["remark"] = _("缺少数据，不参与排名：%(what)s") % {"what": missing}
        elif entry.row.stale:
            out["remark"] = _("结果已过期（数据有变化）")
        table_rows.append(out)
    return Table(name, _("县（市、区）排名"), columns, table_rows)


@dataclass
class CityTotals:
    city: Region
    counties: int = 0
    evaluated: int = 0
    passed: int = 0
    stale: int = 0
    failing: int | None = None
    schools: int | None = None
    approved: int = 0
    expected: int = 0


def city_totals(rows: Iterable[CountyRow]) -> list[CityTotals]:
    """Counties of a province grouped by city: counts of counties evaluated, passed and stale, and
    the stored failing-school and school counts added up (None while no county is evaluated)."""
    totals: dict[int, CityTotals] = {}
    for row in rows:
        city = row.county.parent
        if city is None:
            continue
        t = totals.setdefault(city.pk, CityTotals(city))
        t.counties += 1
        t.approved += row.ready.approved
        t.expected += row.ready.expected
        summary = row.summary
        if summary is None:
            continue
        t.evaluated += 1
        t.stale += int(row.stale)
        t.passed += int(summary.passed is True)
        t.failing = (t.failing or 0) + summary.schools_failing
        t.schools = (t.schools or 0) + summary.schools
    return sorted(totals.values(), key=lambda t: t.city.path)


def city_table(totals: Sequence[CityTotals], links: Links, name: str) -> Table:
    columns = [
        Column("city", _("市")), Column("code", _("区划代码")), Column("counties", _("县（市、区）数"), "int"),
        Column("evaluated", _("已评估"), "int"), Column("passed", _("达标"), "int"),
        Column("not_passed", _("未达标或未判定"), "int"), Column("stale", _("结果已过期"), "int"),
        Column("failing", _("未达标学校"), "int"), Column("schools", _("参评学校"), "int"),
        Column("approved", _("已审核学校"), "int"), Column("expected", _("应报学校"), "int"),
    ]  # fmt: skip
    rows = []
    for t in totals:
        out: dict[str, Any] = {
            "city": t.city.name, "code": t.city.code, "counties": t.counties, "evaluated": t.evaluated,
            "passed": t.passed, "not_passed": t.evaluated - t.passed, "stale": t.stale, "failing": t.failing,
            "schools": t.schools, "approved": t.approved, "expected": t.expected, "_href": {}, "_class": {},
        }  # fmt: skip
        if href := links.city(t.city):
            out["_href"]["city"] = href
        if t.failing:
            out["_class"]["failing"] = "bad"
        rows.append(out)
    return Table(name, _("各市汇总"), columns, rows)


# ---------------------------------------------------------------------------------------------
# Sorting
# ---------------------------------------------------------------------------------------------


def parse_sort(text: str, tables: Sequence[Table]) -> tuple[str, bool] | None:
    """``"failing"`` (ascending) or ``"-failing"`` (descending) → (key, descending); None when empty.
    A key no table has raises ValueError."""
    text = text.strip()
    if not text:
        return None
    descending = text.startswith("-")
    key = text.lstrip("-")
    if not any(key == c.key for t in tables for c in t.columns):
        raise ValueError(key)
    return key, descending


def sort_rows(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Rows by their ``_sort[key]``; missing values always last; ties by region code."""
    present = [r for r in rows if r["_sort"].get(key) is not None]
    absent = [r for r in rows if r["_sort"].get(key) is None]
    present.sort(key=lambda r: r["_sort"]["code"])
    present.sort(key=lambda r: r["_sort"][key], reverse=descending)
    return present + sorted(absent, key=lambda r: r["_sort"]["code"])


def reorder(table: Table, order: Sequence[str]) -> None:
    """Put ``table``'s rows in the order of county codes ``order`` (another table's sorted rows)."""
    position = {code: i for i, code in enumerate(order)}
    table.rows.sort(key=lambda r: position.get(r["_id"], len(position)))


def summary_counts(rows: Sequence[CountyRow]) -> dict[str, int]:
    return {
        "counties": len(rows),
        "evaluated": sum(1 for r in rows if r.run is not None),
        "passed": sum(1 for r in rows if r.summary is not None and r.summary.passed is True),
        "stale": sum(1 for r in rows if r.stale),
        "not_evaluated": sum(1 for r in rows if r.run is None),
    }


# ---------------------------------------------------------------------------------------------
# The nation: one row per province, added up in the database from the stored per-county rows
# ---------------------------------------------------------------------------------------------


@dataclass
class ProvinceTotals:
    """A province's counties: evaluated (a stored run), passed, out of date; and the census readiness
    of its counties added up (schools), with the number of counties whose year is locked."""

    province: Region
    counties: int = 0
    evaluated: int = 0
    passed: int = 0
    outdated: int = 0
    expected: int = 0
    approved: int = 0
    submitted: int = 0
    returned: int = 0
    not_submitted: int = 0
    records: int = 0
    locked: int = 0

    @property
    def not_evaluated(self) -> int:
        return self.counties - self.evaluated


def province_totals(provinces: Sequence[Region], year: int, standard_id: str) -> list[ProvinceTotals]:
    """Each province's totals, in the order given; three queries whatever the number of counties
    (a county's province is its city's parent)."""
    totals = {p.pk: ProvinceTotals(p) for p in provinces}
    province = F("county__parent__parent_id")
    counties = (
        Region.objects.filter(level=Region.Level.COUNTY, parent__parent__in=list(totals))
        .values(pk_=F("parent__parent_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for county_row in counties:
        totals[county_row["pk_"]].counties = county_row["n"]
    latest = (
        EvaluationRun.objects.filter(county=OuterRef("county"), year=year, standard_id=standard_id)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    runs = (
        EvaluationRun.objects.filter(
            county__parent__parent__in=list(totals), year=year, standard_id=standard_id, pk=Subquery(latest)
        )
        .values(pk_=province)
        .annotate(
            evaluated=Count("pk"),
            passed=Count("pk", filter=Q(passed=True)),
            outdated=Count("pk", filter=Q(outdated=True)),
        )
        .order_by()
    )
    for run_row in runs:
        t = totals[run_row["pk_"]]
        t.evaluated, t.passed, t.outdated = run_row["evaluated"], run_row["passed"], run_row["outdated"]
    sums = {f: Sum(f) for f in ("expected", "approved", "submitted", "returned", "not_submitted", "records")}
    ready = (
        CensusReadiness.objects.filter(county__parent__parent__in=list(totals), year=year)
        .values(pk_=province)
        .annotate(**sums, locked_=Count("pk", filter=Q(locked=True)))
        .order_by()
    )
    for ready_row in ready:
        t = totals[ready_row["pk_"]]
        for f in sums:
            setattr(t, f, ready_row[f] or 0)  # type: ignore[literal-required]
        t.locked = ready_row["locked_"]
    return list(totals.values())


def nation_table(totals: Sequence[ProvinceTotals], links: Links, name: str) -> Table:
    columns = [
        Column("province", _("省")), Column("code", _("区划代码")), Column("counties", _("县（市、区）数"), "int"),
        Column("evaluated", _("已评估"), "int"), Column("passed", _("达标"), "int"),
        Column("not_passed", _("未达标或未判定"), "int"), Column("stale", _("结果已过期"), "int"),
        Column("not_evaluated", _("未评估"), "int"),
        Column("expected", _("应报学校"), "int"), Column("approved", _("已审核学校"), "int"),
        Column("submitted", _("待审核学校"), "int"), Column("returned", _("已退回学校"), "int"),
        Column("not_submitted", _("未提交学校"), "int"), Column("locked", _("已锁定的县"), "int"),
    ]  # fmt: skip
    rows = []
    for t in totals:
        figures = {
            "counties": t.counties, "evaluated": t.evaluated, "passed": t.passed, "not_passed": t.evaluated - t.passed,
            "stale": t.outdated, "not_evaluated": t.not_evaluated, "expected": t.expected, "approved": t.approved,
            "submitted": t.submitted, "returned": t.returned, "not_submitted": t.not_submitted, "locked": t.locked,
        }  # fmt: skip
        out: dict[str, Any] = {
            "province": t.province.name, "code": t.province.code, **figures, "_href": {}, "_class": {},
            "_id": t.province.code, "_sort": {"code": t.province.code, "province": t.province.code, **figures},
        }  # fmt: skip
        if href := links.city(t.province):
            out["_href"]["province"] = href
        if t.outdated:
            out["_class"]["stale"] = "warn"
        rows.append(out)
    return Table(name, _("各省汇总"), columns, rows)
