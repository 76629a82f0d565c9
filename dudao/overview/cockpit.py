"""What the county cockpit, the school list and the school page show: plain functions from a stored
evaluation run (and the census) to tables and small records.

Every figure is read from the run's ``result`` / ``summary`` (the engine's output); nothing is
recomputed here except a difference of two published figures (change since last year). Wording of
gaps ("缺 2 名体育、艺术(美术、音乐)专任教师") is built from the engine's ``gap`` / ``gap_unit`` and the
standard's indicator names carried in the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from dudao.census.models import CensusRecord
from dudao.census.reports import Completeness, completeness
from dudao.engine.items import item_catalogue
from dudao.engine.messages import UNITS
from dudao.engine.result import CountyResult, LevelIndicator, LevelSummary, ResultSummary, School, SchoolIndicator
from dudao.evaluation.actions import latest_runs, stored_run
from dudao.evaluation.models import EvaluationRun
from dudao.evaluation.render import LOCATIONS, SCHOOL_TYPES, level_label, status_label, verdict_label
from dudao.orgs.models import Region
from dudao.standards import Standard, StandardError, available_standards, load
from dudao.tables import Column, Table, columns


def default_standard() -> str:
    """The standard a page shows when none is named (``DUDAO_DEFAULT_STANDARD``)."""
    return str(settings.DUDAO_DEFAULT_STANDARD)


OWNERSHIPS = {"public": gettext_lazy("公办"), "private": gettext_lazy("民办")}
VERDICTS = {"passed": True, "failed": False, "undetermined": None}

# How an indicator's name reads as the thing a school lacks: "每百名学生拥有体育…专任教师数" → "体育…专任教师".
_NOUN_PREFIXES_ZH = ("每百名学生拥有", "生均")
_NOUN_SUFFIXES_ZH = ("台数", "册数", "面积", "数", "值")
_NOUN_SUFFIXES_EN = (" (per 100 students)", " per 100 students", " per student")


def english() -> bool:
    return (get_language() or "").startswith("en")


def pick(entry: object, key: str) -> str:
    """``entry.<key>_en`` in English, else ``entry.<key>_zh``: of a part of the result (a reason, an
    indicator, an area) or of a mapping (the balance analysis); "" when it has none."""
    name = f"{key}_en" if english() else f"{key}_zh"
    value = entry.get(name) if isinstance(entry, Mapping) else getattr(entry, name, None)
    return str(value or "")


# --- standards and years ----------------------------------------------------------------------


@cache
def standard(standard_id: str, province: str | None = None) -> Standard:
    """The standard as the engine loads it, read once per process (the catalogues are files of the
    release; a loaded :class:`Standard` is immutable). Raises :class:`StandardError`."""
    return load(standard_id, province=province or None)


@cache
def _evaluable() -> tuple[tuple[str, str, str], ...]:
    out = []
    for standard_id in available_standards():
        std = standard(standard_id)
        if any(area.basis == "school_table" for area in std.areas):
            out.append((std.id, std.title_zh, std.title_en))
    return tuple(out)


def evaluable_standards() -> list[tuple[str, str]]:
    """(id, title) of every standard judged from school figures (the ones these pages can show)."""
    return [(sid, en if english() else zh) for sid, zh, en in _evaluable()]


def evaluable_standard(standard_id: str) -> Standard | None:
    """The standard (national, no provincial profile), or None when unknown or not school-based."""
    if standard_id not in {sid for sid, _zh, _en in _evaluable()}:
        return None
    try:
        return standard(standard_id)
    except StandardError:  # pragma: no cover - listed standards load
        return None


def years_with_data(county_id: int) -> list[int]:
    """School years with census records in the county, latest first (one query)."""
    return list(
        CensusRecord.objects.filter(school__county_id=county_id)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def latest_years(county_ids: list[int]) -> dict[int, int]:
    """Each county's latest school year with census records (one query); counties without any are left out."""
    rows = (
        CensusRecord.objects.filter(school__county_id__in=county_ids)
        .values_list("school__county_id")
        .annotate(latest=Max("year"))
        .order_by()
    )
    return dict(rows)


# --- wording ----------------------------------------------------------------------------------


def gap_noun(indicator: LevelIndicator | None) -> str | None:
    """The thing an indicator counts, from its name: "生均教学及辅助用房面积" → "教学及辅助用房"; None when
    the name does not read that way (then the gap is worded with the indicator code)."""
    if indicator is None:
        return None
    if english():
        name = indicator.name_en
        for suffix in _NOUN_SUFFIXES_EN:
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return None
    name = indicator.name_zh
    stripped = next((name[len(p) :] for p in _NOUN_PREFIXES_ZH if name.startswith(p)), None)
    if stripped is None:
        return None
    return next(
        (stripped[: -len(s)] for s in _NOUN_SUFFIXES_ZH if stripped.endswith(s) and len(stripped) > len(s)), None
    )


def gap_text(code: str, indicator: LevelIndicator | None, entry: SchoolIndicator | None) -> str:
    """What a school lacks on one indicator, in planning units: "缺 2 名体育、艺术(美术、音乐)专任教师";
    "L3 无数据" when the value is missing; "" when met (or when there is no ``entry``)."""
    if entry is None:
        return ""
    if entry.value is None and entry.judged:
        return _("%(code)s 无数据") % {"code": code}
    if entry.met is not False or entry.gap is None or entry.gap_unit is None:
        return ""
    gap = entry.gap
    zh_unit, en_unit = UNITS[entry.gap_unit]
    unit = en_unit.strip() if english() else zh_unit
    if english() and gap == 1 and unit.endswith("s"):
        unit = unit[:-1]
    noun = gap_noun(indicator)
    if noun is None:
        return _("%(code)s 缺 %(gap)s %(unit)s") % {"code": code, "gap": f"{gap:,}", "unit": unit}
    return _("缺 %(gap)s %(unit)s%(noun)s") % {"gap": f"{gap:,}", "unit": unit, "noun": noun}


def indicator_meta(result: CountyResult, level: str) -> dict[str, LevelIndicator]:
    lv = result.levels.get(level)
    return lv.indicators if lv is not None else {}


def school_gaps(result: CountyResult, school: School, limit: int | None = None) -> str:
    """The school's gaps, worst first (lowest share of the standard), joined; ``limit`` keeps the first few."""
    meta = indicator_meta(result, school.level)
    entries = [(code, e) for code, e in school.indicators.items() if e.judged]
    entries.sort(key=lambda ce: (ce[1].value is not None, ce[1].ratio or 0.0))
    texts = [t for code, e in entries if (t := gap_text(code, meta.get(code), e))]
    if limit is not None and len(texts) > limit:
        rest = len(texts) - limit
        texts = [*texts[:limit], _("等 %(n)d 项") % {"n": rest}]
    return _("；").join(texts)


def met_text(school: School) -> str:
    if school.met_count is None:
        return "—"
    return f"{school.met_count}/{school.indicator_count}"


def school_type_label(code: str | None) -> str:
    return str(SCHOOL_TYPES.get(code or "", code or ""))


def location_label(code: str | None) -> str:
    return str(LOCATIONS.get(code or "", code or ""))


def ownership_label(code: str | None) -> str:
    return str(OWNERSHIPS.get(code or "", code or ""))


def verdict_class(passed: bool | None) -> str:
    return {True: "ok", False: "bad", None: "muted"}[passed]


# --- the county cockpit ----------------------------------------------------------------------


@dataclass
class Area:
    code: str
    name: str
    status: str
    label: str
    css: str
    reasons: list[str]


@dataclass
class LevelCount:
    level: str
    label: str
    total: int
    passed: int | None
    failed: int | None
    undetermined: int | None
    verdict: bool | None


@dataclass
class Change:
    """Change since the previous school year: tables when that year has a result, else why not."""

    year: int
    run: EvaluationRun | None = None
    message: str = ""
    tables: list[Table] = field(default_factory=list)


@dataclass
class Cockpit:
    run: EvaluationRun
    result: CountyResult
    areas: list[Area]
    levels: list[LevelCount]
    vetoes: list[str]
    veto_pending: int
    tables: dict[str, Table]
    change: Change
    settings: list[str]

    def all_tables(self) -> list[Table]:
        return [*self.tables.values(), *self.change.tables]


def areas(result: CountyResult) -> list[Area]:
    return [
        Area(
            code=code,
            name=pick(area, "name"),
            status=area.status,
            label=status_label(area.status),
            css={"passed": "ok", "failed": "bad"}.get(area.status, "muted"),
            reasons=[pick(r, "message") for r in area.reasons],
        )
        for code, area in result.areas.items()
    ]


def level_counts(result: CountyResult) -> list[LevelCount]:
    return [
        LevelCount(
            level=lvl,
            label=level_label(lvl),
            total=lv.schools_total,
            passed=lv.schools_passed,
            failed=lv.schools_failed,
            undetermined=lv.schools_undetermined,
            verdict=lv.passed,
        )
        for lvl, lv in result.levels.items()
    ]


def cv_levels(result: CountyResult) -> list[str]:
    """The levels with indicators (a level without schools has none)."""
    return [lvl for lvl, lv in result.levels.items() if lv.has_schools]


def _by_indicator(
    result: CountyResult, levels: list[str]
) -> list[tuple[str, dict[str, Any], list[tuple[str, LevelIndicator]]]]:
    """One table row per indicator (in the standard's order), started with its name, and its entry in each level."""
    out = []
    for code in dict.fromkeys(c for lvl in levels for c in result.levels[lvl].indicators):
        entries = [(lvl, ind) for lvl in levels if (ind := result.levels[lvl].indicators.get(code)) is not None]
        out.append((code, {"indicator": f"{code} {pick(entries[0][1], 'name')}", "_class": {}}, entries))
    return out


def cv_table(result: CountyResult) -> Table:
    """Indicators × levels: each CV (3 decimals, as published) against its limit, coloured and labelled."""
    levels = cv_levels(result)
    cols = [Column("indicator", _("指标"))]
    for lvl in levels:
        label = level_label(lvl)
        cols += [
            Column(f"{lvl}_cv", _("%(level)s差异系数") % {"level": label}, "number", 3),
            Column(f"{lvl}_limit", _("%(level)s限值") % {"level": label}, "number", 2),
            Column(f"{lvl}_verdict", _("%(level)s结果") % {"level": label}),
        ]
    rows: list[dict[str, Any]] = []
    for _code, row, entries in _by_indicator(result, levels):
        for lvl, ind in entries:
            row[f"{lvl}_cv"] = ind.cv_3dp
            row[f"{lvl}_limit"] = ind.cv_limit
            row[f"{lvl}_verdict"] = _cv_verdict(ind)
            if ind.cv_limit is not None:
                css = verdict_class(ind.cv_passed)
                row["_class"][f"{lvl}_cv"] = row["_class"][f"{lvl}_verdict"] = css
        rows.append(row)
    if any(result.levels[lvl].is_composite for lvl in levels):
        row = {"indicator": _("综合差异系数"), "_class": {}}
        for lvl in levels:
            lv = result.levels[lvl]
            row[f"{lvl}_cv"], row[f"{lvl}_limit"] = lv.composite_cv_3dp, lv.composite_cv_limit
            row[f"{lvl}_verdict"] = verdict_label(lv.composite_cv_passed)
            css = verdict_class(lv.composite_cv_passed)
            row["_class"][f"{lvl}_cv"] = row["_class"][f"{lvl}_verdict"] = css
        rows.append(row)
    return Table(
        "cvs", _("校际差异系数"), cols, rows, note=_("差异系数按在校生数加权计算，保留三位小数；不高于限值为达标。")
    )


def _cv_verdict(ind: LevelIndicator) -> str:
    if ind.cv_limit is None:
        return "—"
    if ind.cv_status == "no_data":
        return _("未达标（无数据）")
    if ind.cv_status == "undefined":
        return _("未达标（无定义）")
    return verdict_label(ind.cv_passed)


def _school_row(result: CountyResult, school: School, href: str, gaps_limit: int | None) -> dict[str, Any]:
    return {
        "name": school.school_name,
        "code": school.school_code,
        "level": level_label(school.level),
        "type": school_type_label(school.school_type),
        "location": location_label(school.location),
        "ownership": ownership_label(school.ownership),
        "students": school.students,
        "met": met_text(school),
        "verdict": school.passed,
        "gaps": school_gaps(result, school, gaps_limit),
        "_href": {"name": href} if href else {},
    }


def school_columns(*keys: str) -> list[Column]:
    every = {
        "name": Column("name", _("学校")),
        "code": Column("code", _("学校标识码")),
        "level": Column("level", _("学段")),
        "type": Column("type", _("学校类型")),
        "location": Column("location", _("城乡")),
        "ownership": Column("ownership", _("办学性质")),
        "students": Column("students", _("在校生"), "int"),
        "met": Column("met", _("达标项数")),
        "verdict": Column("verdict", _("每校要求"), "verdict"),
        "gaps": Column("gaps", _("差距")),
    }
    return [every[k] for k in keys]


def failing_table(result: CountyResult, school_url: Any) -> Table:
    """Schools not meeting (or not judged against) the per-school rule, with what they lack."""
    rows = [
        _school_row(result, s, school_url(s.school_code), None)
        for s in result.schools
        if s.passed is False or (s.passed is None and s.met_count is not None)
    ]
    return Table(
        "failing-schools",
        _("未达到每校要求的学校及差距"),
        school_columns("name", "level", "location", "students", "met", "verdict", "gaps"),
        rows,
        note=_("差距为达到标准所需补足的最少数量（人、平方米、元、间等）。"),
    )


def veto_table(run: EvaluationRun) -> tuple[Table, int]:
    """Every veto condition of the standard (triggered, not triggered or not entered) and how many are not entered."""
    try:
        std = standard(run.standard_id, run.province or None)
    except StandardError:  # pragma: no cover - a stored run's standard loads
        std = None
    triggered = {v.code for v in run.result_obj.vetoes}
    entered = (run.inputs or {}).get("items", {})
    rows, pending = [], 0
    items = [i for i in item_catalogue(std).values() if i.veto] if std else []
    for item in items:
        if item.code in triggered:
            state, css = _("一票否决"), "bad"
        elif entered.get(item.code) is None:
            state, css = _("未填报"), "muted"
            pending += 1
        else:
            state, css = _("未触发"), "ok"
        rows.append(
            {
                "code": item.code,
                "name": item.name_en if english() else item.name_zh,
                "state": state,
                "_class": {"state": css},
            }
        )
    cols = columns(("code", _("代码")), ("name", _("一票否决事项")), ("state", _("情况")))
    return Table("vetoes", _("一票否决事项"), cols, rows), pending


def previous_change(
    county: Region, year: int, standard_id: str, summary: ResultSummary, result: CountyResult, years: list[int]
) -> Change:
    """Each CV and the school counts against the previous school year's stored result, or why there is
    none. ``years``: the county's years with census data. A
    constant number of queries."""
    change = Change(year - 1)
    if year - 1 not in years:
        change.message = _("%(year)s学年没有统计数据，无法比较。") % {"year": year - 1}
        return change
    run = latest_runs([county], year - 1, standard_id).get(county.pk)
    if run is None:
        change.message = _("%(year)s学年尚未评估，无法比较。") % {"year": year - 1}
        return change
    change.run = run
    before = run.summary_obj
    levels = cv_levels(result)
    cols = [Column("indicator", _("指标"))]
    for lvl in levels:
        label = level_label(lvl)
        cols += [
            Column(f"{lvl}_now", _("%(level)s %(year)s") % {"level": label, "year": year}, "number", 3),
            Column(f"{lvl}_before", _("%(level)s %(year)s") % {"level": label, "year": year - 1}, "number", 3),
            Column(f"{lvl}_delta", _("%(level)s变化") % {"level": label}, "number", 3),
        ]
    rows = []
    for code, row, entries in _by_indicator(result, levels):
        for lvl, _ind in entries:
            now, then = summary.cv_3dp(lvl, code), before.cv_3dp(lvl, code)
            row[f"{lvl}_now"], row[f"{lvl}_before"] = now, then
            if now is not None and then is not None:
                delta = round(now - then, 3)
                row[f"{lvl}_delta"] = delta
                # a smaller CV is a more even county
                row["_class"][f"{lvl}_delta"] = "ok" if delta < 0 else ("bad" if delta > 0 else "")
        rows.append(row)
    cv_change = Table("cv-change", _("差异系数与上一学年比较"), cols, rows, note=_("变化为负表示校际差距缩小。"))
    count_cols = columns(
        ("level", _("学段")),
        ("passed_now", _("%(year)s达标学校") % {"year": year}, "int"),
        ("passed_before", _("%(year)s达标学校") % {"year": year - 1}, "int"),
        ("failed_now", _("%(year)s未达标学校") % {"year": year}, "int"),
        ("failed_before", _("%(year)s未达标学校") % {"year": year - 1}, "int"),
        ("total_now", _("%(year)s参评学校") % {"year": year}, "int"),
        ("total_before", _("%(year)s参评学校") % {"year": year - 1}, "int"),
    )
    count_rows = []
    for lvl in result.levels:
        counts, counted = _counts(summary.levels.get(lvl)), _counts(before.levels.get(lvl))
        count_rows.append(
            {
                "level": level_label(lvl),
                "passed_now": counts[0],
                "passed_before": counted[0],
                "failed_now": counts[1],
                "failed_before": counted[1],
                "total_now": counts[2],
                "total_before": counted[2],
            }
        )
    change.tables = [cv_change, Table("schools-change", _("达标学校数与上一学年比较"), count_cols, count_rows)]
    return change


def _counts(level: LevelSummary | None) -> tuple[int | None, int | None, int | None]:
    """A level's schools passing, failing and in all in one year (None where that year has no such level)."""
    if level is None:
        return None, None, None
    return level.schools_passed, level.schools_failed, level.schools_total


def cockpit(county: Region, year: int, standard_id: str, school_url: Any, years: list[int]) -> Cockpit:
    """The county's stored result (``stored_run``; ``run.stale`` when the data changed since) made ready to
    show; ``school_url(code)`` links a school, ``years`` are the county's years with census data.
    Raises :class:`EvaluationError` when there is nothing to evaluate or the data cannot be."""
    run = stored_run(county, year, standard_id)
    result = run.result_obj
    vetoes, pending = veto_table(run)
    tables = {"cvs": cv_table(result), "failing": failing_table(result, school_url), "vetoes": vetoes}
    return Cockpit(
        run=run,
        result=result,
        areas=areas(result),
        levels=level_counts(result),
        vetoes=[pick(v, "message") for v in result.vetoes],
        veto_pending=pending,
        tables=tables,
        change=previous_change(county, year, standard_id, run.summary_obj, result, years),
        settings=[pick(s, "name") or s.path for s in result.settings],
    )


def census_status(county: Region, year: int, today: dt.date) -> tuple[Completeness, int]:
    """The census completeness report and how many schools are overdue."""
    report = completeness(county, year, today)
    return report, sum(1 for r in report.rows if r.overdue)


# --- the school list ---------------------------------------------------------------------------


def school_list(result: CountyResult, school_url: Any, level: str = "", location: str = "", verdict: str = "") -> Table:
    """Every evaluated school (level part) of the run, filtered by level, location and verdict."""
    rows = []
    for s in result.schools:
        if level and s.level != level:
            continue
        if location and s.location != location:
            continue
        if verdict and s.passed is not VERDICTS[verdict]:
            continue
        rows.append(_school_row(result, s, school_url(s.school_code), 3))
    return Table(
        "schools",
        _("参评学校"),
        school_columns("name", "code", "level", "type", "location", "ownership", "students", "met", "verdict", "gaps"),
        rows,
    )


# --- the school page ---------------------------------------------------------------------------


@dataclass
class SchoolPart:
    """One level part of a school in one run: its verdict, reasons and indicator table."""

    level: str
    label: str
    entry: School
    table: Table
    reasons: list[str]


def school_parts(result: CountyResult, school_code: str) -> list[SchoolPart]:
    parts = []
    for s in result.schools:
        if s.school_code != school_code:
            continue
        meta = indicator_meta(result, s.level)
        cols = columns(
            ("indicator", _("指标")),
            ("unit", _("单位")),
            ("value", _("现值"), "number", 2),
            ("threshold", _("标准"), "number", 2),
            ("met", _("结论"), "verdict"),
            ("ratio", _("达到标准的比例"), "percent", 1),
            ("gap", _("差距")),
        )
        rows = []
        for code, e in s.indicators.items():
            ind = meta.get(code)
            rows.append(
                {
                    "indicator": f"{code} {pick(ind, 'name')}",
                    "unit": pick(ind, "unit"),
                    "value": e.value,
                    "threshold": e.threshold,
                    "met": e.met,
                    "ratio": e.ratio,
                    "gap": gap_text(code, ind, e) or ("—" if e.met is None else _("无")),
                    "_row_class": "" if e.met is not False else "unmet",
                }
            )
        table = Table(f"indicators-{s.level}", _("%(level)s各项指标") % {"level": level_label(s.level)}, cols, rows)
        parts.append(SchoolPart(s.level, level_label(s.level), s, table, [pick(r, "message") for r in s.reasons]))
    return parts


def excluded_reasons(result: CountyResult, school_code: str) -> list[str]:
    return [
        _("%(level)s：%(reason)s")
        % {
            "level": level_label(e.level) if e.level in ("primary", "junior") else e.level or "",
            "reason": pick(e, "reason"),
        }
        for e in result.excluded
        if e.school_code == school_code
    ]


def runs_by_year(county: Region, standard_id: str) -> dict[int, EvaluationRun]:
    """The latest run of each school year for the county and standard (one query)."""
    latest = (
        EvaluationRun.objects.filter(county=county, year=OuterRef("year"), standard_id=standard_id)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    runs = EvaluationRun.objects.filter(county=county, standard_id=standard_id, pk=Subquery(latest)).defer("inputs")
    return {run.year: run for run in runs.order_by("year")}


def school_history(runs: dict[int, EvaluationRun], school_code: str) -> tuple[Table, dict[str, Any]]:
    """Each year with a run: the school's met count, verdict and values; and the chart data (share of
    the standard per indicator, by level part)."""
    codes: list[str] = []
    rows = []
    chart: dict[str, Any] = {}
    for year, run in sorted(runs.items()):
        for s in run.result_obj.schools:
            if s.school_code != school_code:
                continue
            for code in s.indicators:
                if code not in codes:
                    codes.append(code)
            row: dict[str, Any] = {
                "year": str(year),
                "level": level_label(s.level),
                "met": met_text(s),
                "verdict": s.passed,
                "_class": {},
            }
            series = chart.setdefault(s.level, {"label": level_label(s.level), "years": [], "series": {}})
            series["years"].append(str(year))
            for code, e in s.indicators.items():
                row[code] = e.value
                if e.met is False:
                    row["_class"][code] = "bad"
                ratio = e.ratio
                series["series"].setdefault(code, []).append(None if ratio is None else round(ratio * 100, 1))
            rows.append(row)
    cols = columns(
        ("year", _("学年")), ("level", _("学段")), ("met", _("达标项数")), ("verdict", _("每校要求"), "verdict")
    )
    cols += [Column(code, code, "number", 2) for code in codes]
    table = Table(
        "history", _("历年评估结果"), cols, rows, note=_("各学年取该学年最近一次评估；标红的数值未达到标准。")
    )
    return table, chart
