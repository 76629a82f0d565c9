"""Indicator values, per-school verdicts, gaps and enrolment-weighted CVs for many counties at once.

Everything is computed column-wise over all counties (numpy/pandas); the per-county JSON view is
built by :mod:`dudao.engine.result`. The CV of one indicator in one county and level is

    X̄ = Σ Pᵢ·Xᵢ / Σ Pᵢ,   S = √( Σ (Pᵢ/P)·(Xᵢ − X̄)² ),   CV = S / X̄

with Pᵢ the school's enrolment (docs/adr/0001-weighted-cv.md). An unweighted CV is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dudao.engine.prepare import EVALUATED_LEVELS, Prepared, prepare
from dudao.engine.problems import Problem
from dudao.engine.rules import TOLERANCE, compare, cv_rule
from dudao.standards import Standard
from dudao.standards.schema import Indicator, Level, SchoolRule

Column = np.ndarray | pd.arrays.BooleanArray  # a computed column of the school parts


@dataclass
class Evaluation:
    """The result over every county in the input. Tables, not objects, so a province is cheap."""

    standard: Standard
    schools: pd.DataFrame  # one row per evaluated level part, with <code>_value/_met/_ratio/_gap columns
    indicators: pd.DataFrame  # one row per county × level × indicator
    levels: pd.DataFrame  # one row per county × level
    excluded: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    no_data: list[str] = field(default_factory=list)  # indicator codes whose input columns are absent

    def counties(self) -> list[str]:
        codes = set(self.levels["county_code"]) | set(self.excluded["county_code"])
        return sorted(codes)


def evaluate_table(frame: pd.DataFrame, standard: Standard, present: frozenset[str] | None = None) -> Evaluation:
    """Evaluate every county in ``frame`` (canonical columns; ``county_code`` optional)."""
    return evaluate_prepared(prepare(frame, standard, present), standard)


def evaluate_prepared(prepared: Prepared, standard: Standard) -> Evaluation:
    parts = prepared.parts
    warnings = list(prepared.warnings)
    students = parts["students"].to_numpy(dtype=float)
    level = parts["level"].to_numpy()
    is_primary = level == "primary"
    new: dict[str, Column] = {}  # the computed columns, joined to the parts once at the end
    no_data: list[str] = []

    met_cols, ratio_cols = [], []
    for ind in standard.indicators:
        terms = ind.terms()
        missing = [name for _, name in terms if name not in prepared.present]
        if missing:
            no_data.append(ind.code)
            warnings.append(
                Problem(
                    "no_data",
                    f"缺少“{'、'.join(missing)}”列，指标 {ind.code} {ind.name_zh} 无数据",
                    f"column(s) {', '.join(missing)} absent: indicator {ind.code} has no data",
                    column=", ".join(missing),
                )
            )
            value = np.full(len(parts), np.nan)
            numerator = value
        else:
            numerator = np.zeros(len(parts))
            for sign, name in terms:  # 0 + the first term + …, as sum() adds them
                numerator = numerator + sign * parts[name].to_numpy(dtype=float)
            value = numerator / students * ind.per_students
        new[f"{ind.code}_value"] = value
        if not ind.thresholds:
            continue
        bound = np.where(is_primary, _bound(ind, "primary"), _bound(ind, "junior"))
        op = next(iter(ind.thresholds.values())).op
        met = compare(value, op, bound)
        known = ~np.isnan(value)
        new[f"{ind.code}_threshold"] = bound
        new[f"{ind.code}_met"] = np.where(known, met, np.nan)
        new[f"{ind.code}_ratio"] = value / bound
        # Smallest whole number of planning units (persons, m², yuan, rooms) that meets the bound.
        needed = bound * students / ind.per_students
        shortfall = needed - numerator - TOLERANCE * np.maximum(np.abs(needed), 1.0)
        gap = np.where(met, 0.0, np.ceil(np.maximum(shortfall, 0.0)))
        new[f"{ind.code}_gap"] = np.where(known, gap, np.nan)
        met_cols.append(f"{ind.code}_met")
        ratio_cols.append(f"{ind.code}_ratio")

    if standard.school_rule is not None and met_cols:
        new.update(_school_verdicts(new, standard.school_rule, met_cols, ratio_cols))
    schools = pd.concat([parts.reset_index(drop=True), pd.DataFrame(new, copy=False)], axis=1)

    indicators, levels = _county_figures(schools, standard, no_data)
    return Evaluation(standard, schools, indicators, levels, prepared.excluded, warnings, no_data)


def _bound(ind: Indicator, level: Level) -> float:
    t = ind.thresholds.get(level)
    return float(t.value) if t is not None else np.nan


def _school_verdicts(
    columns: dict[str, Column], rule: SchoolRule, met_cols: list[str], ratio_cols: list[str]
) -> dict[str, Column]:
    min_met = int(rule.min_met.value)
    min_ratio = float(rule.min_ratio_unmet.value)
    met = np.column_stack([columns[c] for c in met_cols])  # 1, 0 or NaN (no data)
    ratio = np.column_stack([columns[c] for c in ratio_cols])
    known_met = (met == 1).sum(axis=1)
    unknown = np.isnan(met).sum(axis=1)
    below_share = ((met == 0) & ~compare(ratio, ">=", min_ratio)).sum(axis=1)
    fails = (below_share > 0) | (known_met + unknown < min_met)
    passes = ~fails & (known_met >= min_met) & (unknown == 0)
    passed = pd.array(np.where(fails, False, passes), dtype="boolean")
    passed[~fails & ~passes] = pd.NA
    return {"met_count": known_met, "no_data_count": unknown, "below_share_count": below_share, "passed": passed}


def _and3(*verdicts: np.ndarray) -> np.ndarray:
    """Three-valued AND over arrays coded 1.0 (true), 0.0 (false), NaN (undetermined)."""
    stacked = np.vstack(verdicts)
    return np.where((stacked == 0).any(axis=0), 0.0, np.where(np.isnan(stacked).any(axis=0), np.nan, 1.0))


def _verdicts(coded: np.ndarray) -> np.ndarray:
    out = np.full(len(coded), None, dtype=object)
    out[coded == 1] = True
    out[coded == 0] = False
    return out


def _county_figures(schools: pd.DataFrame, standard: Standard, no_data: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    if schools.empty:
        empty = pd.DataFrame(columns=["county_code", "level"])
        return empty.assign(code=[], mean=[], cv=[]), empty
    county_id, county_codes = pd.factorize(schools["county_code"])
    levels_order = np.array(EVALUATED_LEVELS, dtype=object)
    level_id = (schools["level"].to_numpy() == "junior").astype(np.int64)
    # Group = county × level; keep only the groups that have schools, in county order.
    raw_group = county_id * 2 + level_id
    has_schools = np.bincount(raw_group, minlength=2 * len(county_codes)) > 0
    used = np.flatnonzero(has_schools)
    group_id = (np.cumsum(has_schools) - 1)[raw_group]
    n_groups = len(used)
    group_county = np.asarray(county_codes, dtype=object)[used // 2]
    group_level = levels_order[used % 2]
    students = schools["students"].to_numpy(dtype=float)
    total = np.bincount(group_id, weights=students, minlength=n_groups)
    counts = np.bincount(group_id, minlength=n_groups)

    rule = cv_rule(standard)
    limit = np.full(n_groups, np.nan)
    op_by_level = {}
    for lvl, t in rule.limits.items():
        limit[group_level == lvl] = float(t.value)
        op_by_level[lvl] = t.op

    def within_limit(cv: np.ndarray) -> np.ndarray:
        coded = np.full(n_groups, np.nan)
        for lvl, op in op_by_level.items():
            mask = (group_level == lvl) & ~np.isnan(cv)
            coded[mask] = compare(cv[mask], op, limit[mask])
        return coded

    rows = []
    cv_by_code, cv_passed_by_code = {}, {}
    for ind in standard.indicators:
        x = schools[f"{ind.code}_value"].to_numpy(dtype=float)
        if ind.code in no_data:
            mean = np.full(n_groups, np.nan)
            cv = np.full(n_groups, np.nan)
            status = np.full(n_groups, "no_data", dtype=object)
        else:
            # A county whose rows all lack this figure has no data for it (prepare() refuses a
            # county where only some rows lack it).
            known = ~np.isnan(x)
            if known.all():
                has_data, xk = np.ones(n_groups, dtype=bool), x
            else:
                has_data = np.bincount(group_id, weights=known, minlength=n_groups) > 0
                xk = np.where(known, x, 0.0)
            mean = np.bincount(group_id, weights=students * xk, minlength=n_groups) / total
            dev = xk - mean[group_id]
            var = np.bincount(group_id, weights=students * dev * dev, minlength=n_groups) / total
            with np.errstate(divide="ignore", invalid="ignore"):
                cv = np.where(has_data & (mean > 0), np.sqrt(var) / mean, np.nan)
            mean = np.where(has_data, mean, np.nan)
            status = np.where(has_data, np.where(mean > 0, "ok", "undefined"), "no_data").astype(object)
        cv_by_code[ind.code] = cv
        cv_passed_by_code[ind.code] = within_limit(cv) if rule.mode == "each" else np.full(n_groups, np.nan)
        met_col = f"{ind.code}_met"
        schools_met = (
            np.bincount(group_id, weights=(schools[met_col].to_numpy(dtype=float) == 1), minlength=n_groups)
            if met_col in schools
            else np.full(n_groups, np.nan)
        )
        rows.append(
            pd.DataFrame(
                {
                    "county_code": group_county,
                    "level": group_level,
                    "code": ind.code,
                    "mean": mean,
                    "cv": cv,
                    "cv_status": status,
                    "cv_limit": limit,
                    "cv_passed": pd.array(_verdicts(cv_passed_by_code[ind.code]), dtype="boolean"),
                    "schools": counts,
                    "students": total,
                    "schools_met": schools_met,
                }
            )
        )
    indicators = pd.concat(rows, ignore_index=True)

    levels = pd.DataFrame(
        {
            "county_code": group_county,
            "level": group_level,
            "schools_total": counts,
            "students": total,
            "cv_limit": limit,
        }
    )
    if "passed" in schools:
        passed = schools["passed"]
        ok = passed.eq(True).fillna(False).to_numpy(dtype=float)
        failed = passed.eq(False).fillna(False).to_numpy(dtype=float)
        levels["schools_passed"] = np.bincount(group_id, weights=ok, minlength=n_groups).astype(int)
        levels["schools_failed"] = np.bincount(group_id, weights=failed, minlength=n_groups).astype(int)
        levels["schools_undetermined"] = counts - levels["schools_passed"] - levels["schools_failed"]
        school_coded = np.where(
            levels["schools_failed"] > 0, 0.0, np.where(levels["schools_undetermined"] > 0, np.nan, 1.0)
        )
    else:
        school_coded = np.ones(n_groups)

    if rule.mode == "composite":
        composite = np.vstack([cv_by_code[i.code] for i in standard.indicators]).mean(axis=0)  # NaN if any is
        levels["composite_cv"] = composite
        cv_coded = within_limit(composite)
    else:
        cv_coded = _and3(*cv_passed_by_code.values())
    levels["cvs_passed"] = _verdicts(cv_coded)
    levels["schools_rule_passed"] = _verdicts(school_coded)
    levels["passed"] = _verdicts(_and3(cv_coded, school_coded))
    return indicators, levels


__all__ = ["EVALUATED_LEVELS", "Evaluation", "evaluate_prepared", "evaluate_table"]
