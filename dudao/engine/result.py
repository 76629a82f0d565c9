"""One county's result as plain data (the stable JSON of docs/evaluate-json.md).

Built from the tables of :class:`~dudao.engine.evaluate.Evaluation`; every figure here is a
figure there. Full precision is kept (``cv``) next to the 3-decimal display value (``cv_3dp``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dudao.engine.balance import TOP, contributors
from dudao.engine.evaluate import Evaluation
from dudao.engine.items import judge_areas
from dudao.engine.messages import GAP_VERB, LEVEL, UNITS, fmt_cv, fmt_number, fmt_ratio, message
from dudao.engine.rules import all_of, compare, round_half_up
from dudao.standards import unconfirmed_values

TOP_CONTRIBUTORS = TOP


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


def county_result(evaluation: Evaluation, county_code: str = "", items: dict[str, Any] | None = None) -> dict[str, Any]:
    """The result for one county (``county_code`` "" when the input named none)."""
    std = evaluation.standard
    if county_code not in evaluation.counties():
        raise KeyError(f"no county {county_code!r} in this evaluation; it has {evaluation.counties()[:10]}")
    schools = evaluation.schools[evaluation.schools["county_code"] == county_code]
    schools = schools.assign(_order=schools["level"].map({lvl: i for i, lvl in enumerate(std.levels)}))
    schools = schools.sort_values(["_order", "school_code"], kind="stable").drop(columns="_order")
    ind_rows = evaluation.indicators[evaluation.indicators["county_code"] == county_code]
    level_rows = evaluation.levels[evaluation.levels["county_code"] == county_code]
    excluded = evaluation.excluded[evaluation.excluded["county_code"] == county_code]

    levels: dict[str, Any] = {}
    for lvl in std.levels:
        lv = level_rows[level_rows["level"] == lvl]
        if lv.empty:
            levels[lvl] = {
                "schools_total": 0,
                "passed": None,
                "reasons": [
                    message("level_no_schools", {"level": lvl}, level_zh=LEVEL[lvl][0], level_en=LEVEL[lvl][1])
                ],
            }
            continue
        levels[lvl] = _level(
            evaluation, lv.iloc[0], ind_rows[ind_rows["level"] == lvl], schools[schools["level"] == lvl]
        )

    school_list = [_school(evaluation, row) for row in schools.to_dict("records")]
    ra_verdicts = [levels[lvl]["passed"] for lvl in std.levels]
    areas: dict[str, Any] = {}
    item_areas, vetoes = judge_areas(std, items or {})
    for area in std.areas:
        if area.basis == "school_table":
            passed = all_of(ra_verdicts)
            reasons = [r for lvl in std.levels for r in levels[lvl]["reasons"]]
            areas[area.code] = {
                "code": area.code,
                "name_zh": area.name_zh,
                "name_en": area.name_en,
                "status": {True: "passed", False: "failed", None: "undetermined"}[passed],
                "passed": passed,
                "reasons": reasons,
            }
        else:
            areas[area.code] = item_areas[area.code]
    # Veto conditions nobody has answered keep the verdict open: never "passed" by omission.
    vetoes_answered = all((items or {}).get(v.code) is not None for v in std.veto)
    overall = False if vetoes else all_of([a["passed"] for a in areas.values()] + [vetoes_answered or None])
    county_name = next((n for n in schools.get("county_name", []) if isinstance(n, str) and n), None)

    return {
        "standard": {
            "id": std.id,
            "version": std.version,
            "title_zh": std.title_zh,
            "title_en": std.title_en,
            "doc_no": std.doc_no,
            "province": std.province,
        },
        "county": {"code": county_code or None, "name": county_name},
        "levels": levels,
        "areas": areas,
        "vetoes": vetoes,
        "passed": overall,
        "schools": school_list,
        "excluded": [
            {
                "school_code": r["school_code"],
                "school_name": r["school_name"],
                "level": r["level"],
                "students": _f(r["students"]),
                "reason": r["reason"],
                "reason_zh": r["reason_zh"],
                "reason_en": r["reason_en"],
            }
            for r in excluded.to_dict("records")
        ],
        "warnings": [
            w.as_dict() for w in evaluation.warnings if w.rule != "no_students" or w.row in set(excluded["source_row"])
        ],
        "settings": [
            {"path": u.path, "name_zh": u.name_zh, "name_en": u.name_en, "value": _plain(u.value), "note": u.note}
            for u in unconfirmed_values(std)
        ],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return value


def _level(evaluation: Evaluation, lv: pd.Series, ind_rows: pd.DataFrame, schools: pd.DataFrame) -> dict:
    std = evaluation.standard
    lvl = lv["level"]
    lzh, len_ = LEVEL[lvl]
    indicators: dict[str, Any] = {}
    reasons: list[dict] = []
    for ind in std.indicators:
        row = ind_rows[ind_rows["code"] == ind.code].iloc[0]
        cv = _f(row["cv"])
        t = ind.thresholds.get(lvl)
        entry = {
            "name_zh": ind.name_zh,
            "name_en": ind.name_en,
            "unit_zh": ind.unit_zh,
            "unit_en": ind.unit_en,
            "mean": _f(row["mean"]),
            "cv": cv,
            "cv_3dp": round_half_up(cv, 3),
            "cv_status": row["cv_status"],
            "cv_limit": _f(row["cv_limit"]),
            "cv_passed": _b(row["cv_passed"]),
            "threshold": float(t.value) if t else None,
            "threshold_op": t.op if t else None,
            "threshold_confirmation": t.confirmation if t else None,
            "schools_met": int(row["schools_met"]) if not math.isnan(row["schools_met"]) else None,
            "schools": int(row["schools"]),
            "students": int(row["students"]),
        }
        text = {
            "level_zh": lzh,
            "level_en": len_,
            "code": ind.code,
            "name_zh": ind.name_zh,
            "name_en": ind.name_en,
            "cv": fmt_cv(cv),
            "limit": fmt_number(_f(row["cv_limit"]), 3),
        }
        if std.cv_rule.mode == "each" and entry["cv_passed"] is not True:
            key = {"ok": "cv_exceeds", "undefined": "cv_undefined", "no_data": "cv_no_data"}[row["cv_status"]]
            reasons.append(
                message(key, {"level": lvl, "indicator": ind.code, "cv": cv, "limit": entry["cv_limit"]}, **text)
            )
        if row["cv_status"] == "ok" and (std.cv_rule.mode == "composite" or entry["cv_passed"] is False):
            entry["top_contributors"] = _contributors(schools, ind.code, entry["mean"])
        indicators[ind.code] = entry

    out: dict[str, Any] = {
        "indicators": indicators,
        "schools_total": int(lv["schools_total"]),
        "students": int(lv["students"]),
    }
    if std.cv_rule.mode == "composite":
        composite = _f(lv["composite_cv"])
        out.update(
            {
                "composite_cv": composite,
                "composite_cv_3dp": round_half_up(composite, 3),
                "composite_cv_limit": _f(lv["cv_limit"]),
                "composite_cv_passed": _b(lv["cvs_passed"]),
            }
        )
        if composite is None:
            reasons.append(message("composite_undefined", {"level": lvl}, level_zh=lzh, level_en=len_))
        elif _b(lv["cvs_passed"]) is False:
            reasons.append(
                message(
                    "composite_exceeds",
                    {"level": lvl, "cv": composite, "limit": _f(lv["cv_limit"])},
                    level_zh=lzh,
                    level_en=len_,
                    cv=fmt_cv(composite),
                    limit=fmt_number(_f(lv["cv_limit"]), 3),
                )
            )
    if "schools_passed" in lv:
        out.update(
            {
                "schools_passed": int(lv["schools_passed"]),
                "schools_failed": int(lv["schools_failed"]),
                "schools_undetermined": int(lv["schools_undetermined"]),
            }
        )
        if lv["schools_failed"]:
            reasons.append(
                message(
                    "schools_failing",
                    {"level": lvl, "n": int(lv["schools_failed"])},
                    level_zh=lzh,
                    level_en=len_,
                    n=int(lv["schools_failed"]),
                )
            )
        if lv["schools_undetermined"]:
            reasons.append(
                message(
                    "schools_undetermined",
                    {"level": lvl, "n": int(lv["schools_undetermined"])},
                    level_zh=lzh,
                    level_en=len_,
                    n=int(lv["schools_undetermined"]),
                )
            )
    else:
        out.update({"schools_passed": None, "schools_failed": None, "schools_undetermined": None})
    out["passed"] = _b(lv["passed"])
    out["reasons"] = reasons
    return out


def _contributors(schools: pd.DataFrame, code: str, mean: float | None) -> list[dict]:
    """The schools whose distance from the county mean makes up most of the weighted variance."""
    return contributors(
        schools["school_code"].tolist(),
        schools["school_name"].tolist(),
        schools[f"{code}_value"].to_numpy(dtype=float),
        schools["students"].to_numpy(dtype=float),
        mean,
        TOP_CONTRIBUTORS,
    )


def _school(evaluation: Evaluation, row: dict[str, Any]) -> dict[str, Any]:
    std = evaluation.standard
    indicators: dict[str, Any] = {}
    reasons: list[dict] = []
    for ind in std.indicators:
        value = _f(row[f"{ind.code}_value"])
        entry: dict[str, Any] = {"value": value}
        if ind.thresholds:
            met = _b(row[f"{ind.code}_met"])
            gap = _f(row[f"{ind.code}_gap"])
            entry.update(
                {
                    "threshold": _f(row[f"{ind.code}_threshold"]),
                    "met": met,
                    "ratio": _f(row[f"{ind.code}_ratio"]),
                    "gap": int(gap) if gap is not None else None,
                    "gap_unit": ind.gap_unit,
                }
            )
            if value is None:
                reasons.append(
                    message(
                        "indicator_no_data",
                        {"indicator": ind.code},
                        code=ind.code,
                        name_zh=ind.name_zh,
                        name_en=ind.name_en,
                    )
                )
            elif met is False:
                zh_unit, en_unit = UNITS[ind.gap_unit]
                reasons.append(
                    message(
                        "indicator_unmet",
                        {
                            "indicator": ind.code,
                            "value": value,
                            "threshold": entry["threshold"],
                            "ratio": entry["ratio"],
                            "gap": entry["gap"],
                            "gap_unit": ind.gap_unit,
                        },
                        code=ind.code,
                        name_zh=ind.name_zh,
                        name_en=ind.name_en,
                        value=fmt_number(value),
                        threshold=fmt_number(entry["threshold"]),
                        ratio=fmt_ratio(entry["ratio"]),
                        gap=f"{entry['gap']:,}",
                        unit_zh=zh_unit,
                        unit_en=en_unit,
                        verb_zh=GAP_VERB[ind.gap_unit][0],
                        verb_en=GAP_VERB[ind.gap_unit][1],
                    )
                )
        indicators[ind.code] = entry
    out = {
        "school_code": row["school_code"],
        "school_name": row["school_name"],
        "school_type": row["school_type"],
        "level": row["level"],
        "location": _label(row.get("location")),
        "ownership": _label(row.get("ownership")),
        "students": int(row["students"]),
        "part_of_whole": bool(row.get("part_of_whole", False)),
        "source_row": int(row["source_row"]),
        "indicators": indicators,
    }
    if "passed" in row:
        rule = std.school_rule
        out.update(
            {"met_count": int(row["met_count"]), "indicator_count": len(std.indicators), "passed": _b(row["passed"])}
        )
        if int(row["met_count"]) + int(row["no_data_count"]) < int(rule.min_met.value):
            reasons.append(
                message(
                    "too_few_met",
                    {"met": int(row["met_count"]), "min_met": int(rule.min_met.value)},
                    met=int(row["met_count"]),
                    min_met=int(rule.min_met.value),
                )
            )
        for ind in std.indicators:
            e = indicators[ind.code]
            if e.get("met") is False and not compare(e["ratio"], ">=", float(rule.min_ratio_unmet.value)):
                reasons.append(
                    message(
                        "unmet_below_share",
                        {"indicator": ind.code, "ratio": e["ratio"]},
                        code=ind.code,
                        ratio=fmt_ratio(e["ratio"]),
                        min_ratio=fmt_ratio(float(rule.min_ratio_unmet.value)),
                    )
                )
        if out["passed"] is None:
            reasons.append(message("school_undetermined"))
    else:
        out.update({"met_count": None, "indicator_count": len(std.indicators), "passed": None})
    out["reasons"] = reasons
    return out


def result_summary(result: dict[str, Any]) -> dict[str, Any]:
    """What a list of counties shows of one result (verdicts, CVs, counts), small enough to read
    twenty at once. Every figure is copied from ``result``, never recomputed."""
    levels = {}
    for lvl, level in result["levels"].items():
        indicators = {
            code: {k: ind.get(k) for k in ("mean", "cv", "cv_3dp", "cv_status", "cv_limit", "cv_passed")}
            for code, ind in level.get("indicators", {}).items()
        }
        levels[lvl] = {
            "passed": level.get("passed"),
            "schools_total": level.get("schools_total", 0),
            "schools_passed": level.get("schools_passed"),
            "schools_failed": level.get("schools_failed"),
            "students": level.get("students", 0),
            "composite_cv": level.get("composite_cv"),
            "composite_cv_3dp": level.get("composite_cv_3dp"),
            "composite_cv_passed": level.get("composite_cv_passed"),
            "indicators": indicators,
        }
    failing = {s["school_code"] for s in result["schools"] if s.get("passed") is False}
    return {
        "passed": result["passed"],
        "areas": {code: area["status"] for code, area in result["areas"].items()},
        "vetoes": [v["code"] for v in result["vetoes"]],
        "levels": levels,
        "schools": len({s["school_code"] for s in result["schools"]}),
        "schools_failing": len(failing),
        "students": sum(level.get("students", 0) for level in result["levels"].values()),
    }
