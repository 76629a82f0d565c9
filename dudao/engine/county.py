"""One county's result (:class:`~dudao.engine.result.CountyResult`) built from the tables of an
:class:`~dudao.engine.evaluate.Evaluation`; every figure here is a figure there. Full precision is
kept (``cv``) next to the 3-decimal display value (``cv_3dp``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd

from dudao.engine.balance import TOP, contributors
from dudao.engine.decomposition import decompose, groupings_for, town_group_of
from dudao.engine.evaluate import Evaluation
from dudao.engine.items import judge_areas
from dudao.engine.messages import GAP_VERB, LEVEL, UNITS, fmt_cv, fmt_number, fmt_ratio, message
from dudao.engine.result import (
    Area,
    AreaStatus,
    Contributor,
    CountyInfo,
    CountyResult,
    CvStatus,
    Excluded,
    GroupingSplit,
    IndicatorSummary,
    Level,
    LevelIndicator,
    LevelSummary,
    Part,
    Reason,
    ResultSummary,
    School,
    SchoolIndicator,
    Setting,
    StandardInfo,
)
from dudao.engine.rules import all_of, compare, cv_rule, round_half_up
from dudao.standards import Indicator, Standard, unconfirmed_values
from dudao.standards.schema import Level as SchoolLevel

Row = Mapping[Hashable, Any]  # a row of the evaluation's tables, as pandas gives it

TOP_CONTRIBUTORS = TOP
_Summary = TypeVar("_Summary", LevelSummary, IndicatorSummary)
_STATUS: dict[bool | None, AreaStatus] = {True: "passed", False: "failed", None: "undetermined"}
_CV_REASON: dict[str, str] = {"ok": "cv_exceeds", "undefined": "cv_undefined", "no_data": "cv_no_data"}


def _f(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _label(value: Any) -> str | None:
    """An optional category (location, ownership): a blank one is None, never NaN."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _b(value: Any) -> bool | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(value)


def which_county(evaluation: Evaluation, county_code: str | None) -> str:
    """``county_code`` if the evaluation has it; None names the evaluation's only county. Raises
    ``KeyError`` naming the counties it has otherwise."""
    counties = evaluation.counties()
    if county_code is None and len(counties) == 1:
        return counties[0]
    if county_code is None or county_code not in counties:
        asked = "no county given" if county_code is None else f"no county {county_code!r}"
        raise KeyError(f"{asked}: this evaluation has the counties {counties[:10]}; name one of them")
    return county_code


def county_result(
    evaluation: Evaluation,
    county_code: str | None = None,
    items: dict[str, Any] | None = None,
    town_groups: Mapping[str, Sequence[str]] | None = None,
) -> CountyResult:
    """The result for one county: ``county_code`` as in the input's ``county_code`` column ("" when the
    input named none); None (the default) for the evaluation's only county. ``items``: the county
    items, as :func:`~dudao.engine.items.parse_item_values` gives them. ``town_groups``: groups of
    towns a user defined (group name → towns as the input's ``town`` column writes them), one more
    grouping of the inequality decomposition (:mod:`dudao.engine.decomposition`); raises
    ``ValueError`` for a town in two groups."""
    std = evaluation.standard
    code = which_county(evaluation, county_code)
    schools = evaluation.schools[evaluation.schools["county_code"] == code]
    schools = schools.assign(_order=schools["level"].map({lvl: i for i, lvl in enumerate(std.levels)}))
    schools = schools.sort_values(["_order", "school_code"], kind="stable").drop(columns="_order")
    excluded = evaluation.excluded[evaluation.excluded["county_code"] == code]

    levels = _levels(evaluation, code, schools, town_group_of(town_groups or {}))
    areas, vetoes = _areas(std, levels, items or {})
    # Veto conditions nobody has answered keep the verdict open: never "passed" by omission.
    vetoes_answered = all((items or {}).get(v.code) is not None for v in std.veto)
    overall = False if vetoes else all_of([a.passed for a in areas.values()] + [vetoes_answered or None])
    county_name = next((n for n in schools.get("county_name", []) if isinstance(n, str) and n), None)
    excluded_rows = set(excluded["source_row"])
    return CountyResult(
        standard=StandardInfo(
            id=std.id,
            version=std.version,
            title_zh=std.title_zh,
            title_en=std.title_en,
            doc_no=std.doc_no,
            province=std.province,
        ),
        county=CountyInfo(code=code or None, name=county_name),
        levels=levels,
        areas=areas,
        vetoes=vetoes,
        passed=overall,
        schools=[_school(evaluation, row) for row in schools.to_dict("records")],
        excluded=[_excluded(r) for r in excluded.to_dict("records")],
        warnings=[w for w in evaluation.warnings if w.rule != "no_students" or w.row in excluded_rows],
        settings=[
            Setting(path=u.path, name_zh=u.name_zh, name_en=u.name_en, value=_plain(u.value), note=u.note)
            for u in unconfirmed_values(std)
        ],
    )


def _levels(evaluation: Evaluation, code: str, schools: pd.DataFrame, group_of: Mapping[str, str]) -> dict[str, Level]:
    """Each level of the standard, in its order; a level without schools says so."""
    ind_rows = evaluation.indicators[evaluation.indicators["county_code"] == code]
    level_rows = evaluation.levels[evaluation.levels["county_code"] == code]
    levels: dict[str, Level] = {}
    for lvl in evaluation.standard.levels:
        lv = level_rows[level_rows["level"] == lvl]
        if lv.empty:
            zh, en = LEVEL[lvl]
            reason = message("level_no_schools", {"level": lvl}, level_zh=zh, level_en=en)
            levels[lvl] = Level(schools_total=0, passed=None, reasons=[reason])
        else:
            levels[lvl] = _level(
                evaluation,
                lv.iloc[0],
                ind_rows[ind_rows["level"] == lvl],
                schools[schools["level"] == lvl],
                group_of,
            )
    return levels


def _areas(std: Standard, levels: dict[str, Level], items: dict[str, Any]) -> tuple[dict[str, Area], list[Reason]]:
    """The areas in the standard's order (resource allocation from the levels, the others from the
    county items) and the vetoes triggered."""
    item_areas, vetoes = judge_areas(std, items)
    areas: dict[str, Area] = {}
    for area in std.areas:
        if area.basis != "school_table":
            areas[area.code] = item_areas[area.code]
            continue
        passed = all_of([levels[lvl].passed for lvl in std.levels])
        areas[area.code] = Area(
            code=area.code,
            name_zh=area.name_zh,
            name_en=area.name_en,
            status=_STATUS[passed],
            passed=passed,
            reasons=[r for lvl in std.levels for r in levels[lvl].reasons],
        )
    return areas, vetoes


def _excluded(r: Row) -> Excluded:
    return Excluded(
        school_code=r["school_code"],
        school_name=r["school_name"],
        level=_label(r["level"]),  # a row left out before its level was known has none (null, never NaN)
        students=_f(r["students"]),
        reason=r["reason"],
        reason_zh=r["reason_zh"],
        reason_en=r["reason_en"],
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return value


def _decomposition(
    schools: pd.DataFrame, code: str, groupings: Mapping[str, list[str | None]]
) -> dict[str, GroupingSplit]:
    """The indicator's Theil index and CV² split by each grouping."""
    values = schools[f"{code}_value"].to_numpy(dtype=float)
    students = schools["students"].to_numpy(dtype=float)
    return {key: decompose(values, students, groups) for key, groups in groupings.items()}


def _groupings(schools: pd.DataFrame, group_of: Mapping[str, str]) -> dict[str, list[str | None]]:
    """Each school part's group for every grouping that applies to the level."""

    def column(key: str) -> list[str | None]:
        return [_label(v) for v in schools[key]] if key in schools else [None] * len(schools)

    town = column("town") if "town" in schools else None
    return groupings_for(column("location"), column("ownership"), town, group_of)


def _level_indicator(
    evaluation: Evaluation,
    lvl: SchoolLevel,
    ind: Indicator,
    row: pd.Series,
    schools: pd.DataFrame,
    groupings: Mapping[str, list[str | None]],
) -> tuple[LevelIndicator, Reason | None]:
    """One indicator's county figures in one level, and the reason its CV does not pass (2017 rule)."""
    std = evaluation.standard
    mode = cv_rule(std).mode
    cv, mean, limit, passed = _f(row["cv"]), _f(row["mean"]), _f(row["cv_limit"]), _b(row["cv_passed"])
    status: CvStatus = row["cv_status"]
    t = ind.thresholds.get(lvl)
    top = None
    if status == "ok" and (mode == "composite" or passed is False):
        top = _contributors(schools, ind.code, mean)
    entry = LevelIndicator(
        name_zh=ind.name_zh,
        name_en=ind.name_en,
        unit_zh=ind.unit_zh,
        unit_en=ind.unit_en,
        mean=mean,
        cv=cv,
        cv_3dp=round_half_up(cv, 3),
        cv_status=status,
        cv_limit=limit,
        cv_passed=passed,
        threshold=float(t.value) if t else None,
        threshold_op=t.op if t else None,
        threshold_confirmation=t.confirmation if t else None,
        schools_met=int(row["schools_met"]) if not math.isnan(row["schools_met"]) else None,
        schools=int(row["schools"]),
        students=int(row["students"]),
        **({} if top is None else {"top_contributors": top}),
        decomposition=_decomposition(schools, ind.code, groupings),
    )
    if mode != "each" or passed is True:
        return entry, None
    zh, en = LEVEL[lvl]
    text = {"level_zh": zh, "level_en": en, "code": ind.code, "name_zh": ind.name_zh, "name_en": ind.name_en}
    reason = message(
        _CV_REASON[status],
        {"level": lvl, "indicator": ind.code, "cv": cv, "limit": limit},
        **text,
        cv=fmt_cv(cv),
        limit=fmt_number(limit, 3),
    )
    return entry, reason


def _level(
    evaluation: Evaluation, lv: pd.Series, ind_rows: pd.DataFrame, schools: pd.DataFrame, group_of: Mapping[str, str]
) -> Level:
    std = evaluation.standard
    lvl = lv["level"]
    indicators: dict[str, LevelIndicator] = {}
    reasons: list[Reason] = []
    groupings = _groupings(schools, group_of)
    for ind in std.indicators:
        row = ind_rows[ind_rows["code"] == ind.code].iloc[0]
        entry, reason = _level_indicator(evaluation, lvl, ind, row, schools, groupings)
        indicators[ind.code] = entry
        reasons += [reason] if reason else []
    composite = _composite(lvl, lv, reasons) if cv_rule(std).mode == "composite" else {}
    counts = _school_counts(lvl, lv, reasons)
    return Level(
        indicators=indicators,
        schools_total=int(lv["schools_total"]),
        students=int(lv["students"]),
        **composite,
        **counts,
        passed=_b(lv["passed"]),
        reasons=reasons,
    )


def _composite(lvl: str, lv: pd.Series, reasons: list[Reason]) -> dict[str, Any]:
    """The composite CV of the 2012 rule (adds its reason to ``reasons`` when it does not pass)."""
    composite, limit, passed = _f(lv["composite_cv"]), _f(lv["cv_limit"]), _b(lv["cvs_passed"])
    zh, en = LEVEL[lvl]
    if composite is None:
        reasons.append(message("composite_undefined", {"level": lvl}, level_zh=zh, level_en=en))
    elif passed is False:
        data = {"level": lvl, "cv": composite, "limit": limit}
        text = {"cv": fmt_cv(composite), "limit": fmt_number(limit, 3)}
        reasons.append(message("composite_exceeds", data, level_zh=zh, level_en=en, **text))
    return {
        "composite_cv": composite,
        "composite_cv_3dp": round_half_up(composite, 3),
        "composite_cv_limit": limit,
        "composite_cv_passed": passed,
    }


def _school_counts(lvl: str, lv: pd.Series, reasons: list[Reason]) -> dict[str, int | None]:
    """Schools passing, failing and undetermined under the per-school rule (None for a standard without
    one); adds the reasons for failing and undetermined schools to ``reasons``."""
    if "schools_passed" not in lv:
        return {"schools_passed": None, "schools_failed": None, "schools_undetermined": None}
    zh, en = LEVEL[lvl]
    failed, undetermined = int(lv["schools_failed"]), int(lv["schools_undetermined"])
    for key, n in (("schools_failing", failed), ("schools_undetermined", undetermined)):
        if n:
            reasons.append(message(key, {"level": lvl, "n": n}, level_zh=zh, level_en=en, n=n))
    return {"schools_passed": int(lv["schools_passed"]), "schools_failed": failed, "schools_undetermined": undetermined}


def _contributors(schools: pd.DataFrame, code: str, mean: float | None) -> list[Contributor]:
    """The schools whose distance from the county mean makes up most of the weighted variance."""
    return contributors(
        schools["school_code"].tolist(),
        schools["school_name"].tolist(),
        schools[f"{code}_value"].to_numpy(dtype=float),
        schools["students"].to_numpy(dtype=float),
        mean,
        TOP_CONTRIBUTORS,
    )


def _school_indicator(ind: Indicator, row: Row, reasons: list[Reason]) -> SchoolIndicator:
    """One indicator of a school part; adds the reason to ``reasons`` when it has no data or is not met."""
    value = _f(row[f"{ind.code}_value"])
    if not ind.thresholds:
        return SchoolIndicator(value=value)
    met, gap = _b(row[f"{ind.code}_met"]), _f(row[f"{ind.code}_gap"])
    entry = SchoolIndicator(
        value=value,
        threshold=_f(row[f"{ind.code}_threshold"]),
        met=met,
        ratio=_f(row[f"{ind.code}_ratio"]),
        gap=int(gap) if gap is not None else None,
        gap_unit=ind.gap_unit,
    )
    names = {"code": ind.code, "name_zh": ind.name_zh, "name_en": ind.name_en}
    if value is None:
        reasons.append(message("indicator_no_data", {"indicator": ind.code}, **names))
    elif met is False:
        assert entry.ratio is not None and entry.gap is not None and ind.gap_unit is not None  # a value has both
        zh_unit, en_unit = UNITS[ind.gap_unit]
        data = {"indicator": ind.code, "value": value, "threshold": entry.threshold, "ratio": entry.ratio}
        data |= {"gap": entry.gap, "gap_unit": ind.gap_unit}
        text = {"value": fmt_number(value), "threshold": fmt_number(entry.threshold), "ratio": fmt_ratio(entry.ratio)}
        text |= {"gap": f"{entry.gap:,}", "unit_zh": zh_unit, "unit_en": en_unit}
        text |= {"verb_zh": GAP_VERB[ind.gap_unit][0], "verb_en": GAP_VERB[ind.gap_unit][1]}
        reasons.append(message("indicator_unmet", data, **names, **text))
    return entry


def _school_rule_reasons(std: Standard, row: Row, indicators: dict[str, SchoolIndicator]) -> list[Reason]:
    """Why a school part fails (or cannot be judged under) the per-school rule."""
    rule = std.school_rule
    assert rule is not None
    min_met, min_ratio = int(rule.min_met.value), float(rule.min_ratio_unmet.value)
    met_count = int(row["met_count"])
    reasons = []
    if met_count + int(row["no_data_count"]) < min_met:
        reasons.append(message("too_few_met", {"met": met_count, "min_met": min_met}, met=met_count, min_met=min_met))
    for ind in std.indicators:
        e = indicators[ind.code]
        if e.met is False and e.ratio is not None and not compare(e.ratio, ">=", min_ratio):
            text = {"code": ind.code, "ratio": fmt_ratio(e.ratio), "min_ratio": fmt_ratio(min_ratio)}
            reasons.append(message("unmet_below_share", {"indicator": ind.code, "ratio": e.ratio}, **text))
    if _b(row["passed"]) is None:
        reasons.append(message("school_undetermined"))
    return reasons


def _school(evaluation: Evaluation, row: Row) -> School:
    std = evaluation.standard
    reasons: list[Reason] = []
    indicators = {ind.code: _school_indicator(ind, row, reasons) for ind in std.indicators}
    judged = "passed" in row
    if judged:
        reasons += _school_rule_reasons(std, row, indicators)
    return School(
        school_code=row["school_code"],
        school_name=row["school_name"],
        school_type=row["school_type"],
        level=row["level"],
        location=_label(row.get("location")),
        ownership=_label(row.get("ownership")),
        **({"town": town} if (town := _label(row.get("town"))) else {}),
        students=int(row["students"]),
        part_of_whole=bool(row.get("part_of_whole", False)),
        source_row=int(row["source_row"]),
        indicators=indicators,
        met_count=int(row["met_count"]) if judged else None,
        indicator_count=len(std.indicators),
        passed=_b(row["passed"]) if judged else None,
        reasons=reasons,
    )


def result_summary(result: CountyResult) -> ResultSummary:
    """What a list of counties shows of one result (verdicts, CVs, counts), small enough to read
    twenty at once. Every figure is copied from ``result``, never recomputed."""
    levels = {
        lvl: _copied(
            LevelSummary,
            level,
            indicators={code: _copied(IndicatorSummary, ind) for code, ind in level.indicators.items()},
        )
        for lvl, level in result.levels.items()
    }
    failing = {s.school_code for s in result.schools if s.passed is False}
    return ResultSummary(
        passed=result.passed,
        areas={code: area.status for code, area in result.areas.items()},
        vetoes=[v.code or "" for v in result.vetoes],
        levels=levels,
        schools=len({s.school_code for s in result.schools}),
        schools_failing=len(failing),
        students=sum(level.students for level in result.levels.values()),
    )


def _copied(kind: type[_Summary], source: Part, **given: Any) -> _Summary:
    """A summary part: ``given``, and every other field of ``kind`` copied from the field of that name."""
    copied = {name: getattr(source, name) for name in kind.model_fields if name not in given}
    return kind(**copied, **given)
