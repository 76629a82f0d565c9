"""Projected compliance (达标预测, issue #14 §3; pure: no Django).

Each future year is evaluated as the county would be if its pupils were the projection's and its
resources today's: the county's input table with each school's pupils per level replaced by the
projection for that year, then :func:`~dudao.engine.evaluate_table` and
:func:`~dudao.engine.county_result`, exactly as ``dudao evaluate`` does. A one-through school given as one
whole-school row gets its projected pupils per level (``students_primary`` …, its senior pupils kept), so
its facilities are apportioned by the projected pupils, as the standard's split rule says.

Compared with today's result: which indicators' CVs and which schools turn from passing to failing (or
back), and from which year. A school without a projection for a year keeps today's pupils that year and
is named in ``problems``. A projection equal to today's pupils gives today's result, figure for figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dudao.engine.county import county_result
from dudao.engine.evaluate import evaluate_table
from dudao.engine.fields import LEVEL_ZH, ONE_THROUGH_PARTS, TYPE_LEVEL
from dudao.engine.prepare import EVALUATED_LEVELS, code_text
from dudao.engine.problems import Problem
from dudao.engine.result import CountyResult, Reason
from dudao.engine.seats import Projected
from dudao.standards import Standard


@dataclass(frozen=True)
class CvChange:
    """An indicator's CV in one level whose verdict changes within the horizon (or fails already)."""

    level: str
    code: str
    name_zh: str
    name_en: str
    limit: float | None
    cv_today: float | None
    passed_today: bool | None
    first_year: int  # the first projected year it fails (or, for ``recovers``, passes)
    cv_then: float | None
    change: str  # "fails" (passes today, fails from first_year), "recovers", "still_fails"


@dataclass(frozen=True)
class SchoolChange:
    """A school level part whose per-school verdict changes within the horizon."""

    school_code: str
    school_name: str
    level: str
    students_today: float
    first_year: int
    students_then: float
    change: str  # "fails" or "recovers"
    reasons: list[Reason]  # the engine's reasons that year (why it fails)
    indicators: list[str]  # indicators met today and not met then ("fails"), or the reverse


@dataclass(frozen=True)
class ProjectedCompliance:
    base_year: int
    today: CountyResult
    years: dict[int, CountyResult]  # each projected year, ascending
    cvs: list[CvChange]
    schools: list[SchoolChange]
    problems: list[Problem] = field(default_factory=list)

    def level_verdicts(self) -> dict[int, dict[str, bool | None]]:
        """Year → level → resource-allocation verdict (CVs and the per-school rule), today first."""
        results = {self.base_year: self.today, **self.years}
        return {y: {lvl: r.levels[lvl].passed for lvl in r.levels} for y, r in results.items()}


def projected_frame(frame: pd.DataFrame, projected: Projected, year: int) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with each school's pupils per level replaced by the projection for ``year``, rounded to
    whole pupils (half up); the codes of the schools without one (their pupils are kept)."""
    out = frame.copy()
    codes = [code_text(c) for c in frame["school_code"]]
    types = _text(frame, "school_type")
    levels = _text(frame, "level")
    students = _floats(frame, "students")
    per_level = {lvl: _floats(frame, f"students_{lvl}") for lvl in ("primary", "junior", "senior")}
    missing: list[str] = []
    for i, (code, school_type, level) in enumerate(zip(codes, types, levels, strict=True)):
        if school_type not in TYPE_LEVEL and school_type not in ONE_THROUGH_PARTS:
            continue  # special or vocational schools: not evaluated, nothing projected
        pupils = projected.get(code, {}).get(year)
        if pupils is None:
            missing.append(code)
            continue
        if school_type in ONE_THROUGH_PARTS and level in ("", "all"):  # a whole-school row
            for lvl in ONE_THROUGH_PARTS[school_type]:
                if lvl in EVALUATED_LEVELS and lvl in pupils:
                    per_level[lvl][i] = _whole(pupils[lvl])
            if not np.isnan(students[i]):
                students[i] = sum(np.nan_to_num(per_level[lvl][i]) for lvl in ("primary", "junior", "senior"))
            continue
        own = level if level in EVALUATED_LEVELS else TYPE_LEVEL.get(school_type, "")  # "全校" of one level: it
        if own in pupils:
            students[i] = _whole(pupils[own])
        else:
            missing.append(code)
    out["students"] = students
    for lvl, values in per_level.items():
        if f"students_{lvl}" in frame:
            out[f"students_{lvl}"] = values
    return out, sorted(set(missing))


def _whole(pupils: float) -> float:
    return float(np.floor(float(pupils) + 0.5))


def _text(frame: pd.DataFrame, key: str) -> list[str]:
    if key not in frame:
        return [""] * len(frame)
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in frame[key].astype(object)]


def _floats(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[key], errors="coerce").to_numpy(dtype=float, na_value=np.nan).copy()


def projected_compliance(
    frame: pd.DataFrame,
    standard: Standard,
    projected: Projected,
    base_year: int,
    *,
    county_code: str | None = None,
    items: dict[str, Any] | None = None,
    present: frozenset[str] | None = None,
) -> ProjectedCompliance:
    """Evaluate each projected year after ``base_year`` with today's resources (see the module docstring).
    ``items``: the county items as today's evaluation has them (so the overall verdict is comparable)."""
    today = county_result(evaluate_table(frame, standard, present), county_code, items)
    years = sorted({y for by_year in projected.values() for y in by_year if y > base_year})
    results: dict[int, CountyResult] = {}
    problems: list[Problem] = []
    for year in years:
        future, missing = projected_frame(frame, projected, year)
        results[year] = county_result(evaluate_table(future, standard, present), county_code, items)
        problems += [_kept(code, year) for code in missing]
    return ProjectedCompliance(
        base_year, today, results, _cv_changes(today, results), _school_changes(today, results), problems
    )


def _kept(code: str, year: int) -> Problem:
    return Problem(
        "no_projection",
        f"学校“{code}”没有{year}年的预测在校生数，按当年在校生数计",
        f"school {code!r} has no projected pupils for {year}: today's pupils are used",
        column="school_code",
        value=code,
    )


def _cv_changes(today: CountyResult, years: dict[int, CountyResult]) -> list[CvChange]:
    out = []
    for lvl, level in today.levels.items():
        for code, ind in level.indicators.items():
            then = [(y, r.indicator(lvl, code)) for y, r in years.items()]
            change = _first_change(ind.cv_passed, [(y, None if i is None else i.cv_passed) for y, i in then])
            if change is None:
                continue
            year, kind = change
            later = dict(then)[year] if year in dict(then) else None
            out.append(
                CvChange(
                    lvl, code, ind.name_zh, ind.name_en, ind.cv_limit, ind.cv, ind.cv_passed, year,
                    None if later is None else later.cv, kind,
                )
            )  # fmt: skip
    return sorted(out, key=lambda c: (c.first_year, EVALUATED_LEVELS.index(c.level), c.code))


def _first_change(today: bool | None, then: list[tuple[int, bool | None]]) -> tuple[int, str] | None:
    """The first year a verdict differs from today's: (year, "fails" / "recovers"); a verdict failing today
    and in the first projected year is ("still_fails"). None when nothing changes to or from a failure."""
    for year, verdict in then:
        if today is not False and verdict is False:
            return year, "fails"
        if today is False and verdict is True:
            return year, "recovers"
    if today is False and then:
        return then[0][0], "still_fails"
    return None


def _school_changes(today: CountyResult, years: dict[int, CountyResult]) -> list[SchoolChange]:
    by_key = {(s.school_code, s.level): s for s in today.schools}
    later = {y: {(s.school_code, s.level): s for s in r.schools} for y, r in years.items()}
    out = []
    for key, school in by_key.items():
        change = _first_change(school.passed, [(y, parts[key].passed) for y, parts in later.items() if key in parts])
        if change is None or change[1] == "still_fails":
            continue
        year, kind = change
        then = later[year][key]
        was = {c for c, i in school.indicators.items() if i.met is True}
        now = {c for c, i in then.indicators.items() if i.met is True}
        turned = sorted(was - now) if kind == "fails" else sorted(now - was)
        out.append(
            SchoolChange(
                school.school_code, school.school_name, school.level, school.students, year, then.students, kind,
                list(then.reasons), turned,
            )
        )  # fmt: skip
    return sorted(out, key=lambda s: (s.first_year, s.change, EVALUATED_LEVELS.index(s.level), s.school_code))


def level_name(level: str) -> str:
    return LEVEL_ZH.get(level, level)


__all__ = ["CvChange", "ProjectedCompliance", "SchoolChange", "projected_compliance", "projected_frame"]
