"""Balance analysis (均衡分析) of one county result: where each indicator's spread comes from.

Pure: reads a :class:`~dudao.engine.result.CountyResult` (:func:`dudao.engine.county_result`, a
stored run's ``result_obj``) and computes, per level and indicator,

* the distribution: every school part's value with its enrolment, threshold verdict and share of
  the weighted variance;
* the schools that pull the CV up most (:func:`contributors`, the same function that gives the
  result's ``top_contributors`` for a failing CV);
* group comparisons, urban / town / rural and public / private: the enrolment-weighted mean,
  the CV within the group and the share of the group's schools that meet the threshold.

A school's share of the weighted variance is Pᵢ·(Xᵢ − X̄)² / Σ Pⱼ·(Xⱼ − X̄)² with X̄ the county's
enrolment-weighted mean (docs/adr/0001-weighted-cv.md): the shares add up to 1, and the CV is
S / X̄ with S² = Σ (Pᵢ/P)·(Xᵢ − X̄)², so the schools with the largest shares are those whose
levelling-up (or down) would lower the CV most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from dudao.engine.decomposition import GROUPINGS, decompose, groupings_for, town_group_of
from dudao.engine.fields import LOCATIONS, OWNERSHIP
from dudao.engine.result import Contributor, CountyResult, LevelIndicator, School
from dudao.engine.weighted import weighted_cv, weighted_mean

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

# Groups compared, in display order; a school without the attribute falls in group None.
DIMENSIONS: dict[str, tuple[str, ...]] = {"location": tuple(LOCATIONS), "ownership": tuple(OWNERSHIP)}
TOP = 5


def contributors(
    codes: Sequence[str],
    names: Sequence[str],
    values: ArrayLike,
    students: ArrayLike,
    mean: float | None,
    limit: int | None = None,
) -> list[Contributor]:
    """The schools by their share of the weighted variance around ``mean``, largest first (a stable
    order: ties keep the input order), at most ``limit`` of them; schools exactly at the mean and
    schools without a value are left out. Empty when the variance is zero or there is no mean."""
    if mean is None or len(codes) == 0:
        return []
    x = np.asarray(values, dtype=float)
    p = np.asarray(students, dtype=float)
    part = np.where(np.isnan(x), 0.0, p * (x - mean) ** 2)
    total = part.sum()
    if not total > 0:
        return []
    order = np.argsort(-part, kind="stable")[:limit]
    return [
        Contributor(
            school_code=codes[i],
            school_name=names[i],
            value=float(x[i]),
            students=int(p[i]),
            share_of_variance=float(part[i] / total),
            direction="above" if x[i] > mean else "below",
        )
        for i in order
        if part[i] > 0
    ]


def group_figures(schools: Sequence[School], code: str) -> dict[str, Any]:
    """One group of school parts (result entries) on indicator ``code``: counts, enrolment-weighted
    mean and CV of the parts that have a value, and how many of those meet the threshold."""
    known = [(s.indicators[code], s.students) for s in schools if s.indicators[code].value is not None]
    values = [entry.value or 0.0 for entry, _p in known]  # every one has a value
    students = [p for _entry, p in known]
    met = sum(1 for entry, _p in known if entry.met is True)
    judged = sum(1 for entry, _p in known if entry.met is not None)
    return {
        "schools": len(schools),
        "students": sum(s.students for s in schools),
        "schools_known": len(known),
        "mean": weighted_mean(values, students),
        "cv": weighted_cv(values, students),
        "schools_met": met if judged else None,
        "share_met": met / judged if judged else None,
    }


def groups(schools: Sequence[School], code: str, dimension: str) -> list[dict[str, Any]]:
    """:func:`group_figures` for each group of ``dimension`` (every canonical group, in order, then
    the parts without the attribute as group None when there are any)."""
    keys: list[str | None] = list(DIMENSIONS[dimension])
    by_key: dict[str | None, list[School]] = {k: [] for k in keys}
    for s in schools:
        key = (s.location if dimension == "location" else s.ownership) or None
        by_key.setdefault(key if key in by_key else None, []).append(s)
    if by_key.get(None) is not None:
        keys.append(None)
    return [{"group": key, **group_figures(by_key[key], code)} for key in keys]


def decomposition(
    schools: Sequence[School], code: str, group_of: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Where the inequality of indicator ``code`` comes from (:mod:`dudao.engine.decomposition`),
    computed from the result's school parts: for every grouping that applies, in display order
    (``location`` always; ``town`` and ``town_groups`` where the parts carry their town),
    ``{"theil": {"total", "between", "within", "between_share"}, "cv2": {...}}``."""
    groupings = groupings_for(
        [s.location for s in schools],
        [s.ownership for s in schools],
        [s.town for s in schools],
        group_of,
    )
    values = [s.indicators[code].value for s in schools]
    students = [s.students for s in schools]
    out: dict[str, dict[str, Any]] = {}
    for key in GROUPINGS:
        if key not in groupings:
            continue
        d = decompose(values, students, groupings[key])
        out[key] = {
            name: {"total": m.total, "between": m.between, "within": m.within, "between_share": m.between_share}
            for name, m in (("theil", d.theil), ("cv2", d.cv2))
        }
    return out


_POINT = ("value", "threshold", "met", "ratio", "gap", "gap_unit")
_ENTRY = ("name_zh", "name_en", "unit_zh", "unit_en", "threshold", "threshold_op")
_CV = ("mean", "cv", "cv_3dp", "cv_status", "cv_limit", "cv_passed")


def indicator_balance(
    schools: Sequence[School], code: str, entry: LevelIndicator, group_of: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Distribution, contributors, group comparisons and the inequality decomposition of one indicator
    in one level.

    ``schools``: the level's school parts from the result; ``entry``: the level's indicator entry
    (its county ``mean`` is the one the CV was computed around); ``group_of``: town → the user's
    group of towns (:func:`~dudao.engine.decomposition.town_group_of`)."""
    mean = entry.mean if entry.cv_status == "ok" else None
    ranked = contributors(
        [s.school_code for s in schools],
        [s.school_name for s in schools],
        [np.nan if (v := s.indicators[code].value) is None else v for s in schools],
        [s.students for s in schools],
        mean,
    )
    share = {c.school_code: c.share_of_variance for c in ranked}
    points = [
        {
            "school_code": s.school_code,
            "school_name": s.school_name,
            "location": s.location,
            "ownership": s.ownership,
            "students": s.students,
            **{k: getattr(s.indicators[code], k) for k in _POINT},
            "share_of_variance": share.get(s.school_code, 0.0 if mean is not None else None),
        }
        for s in schools
    ]
    points.sort(key=lambda p: (p["value"] is None, p["value"] if p["value"] is not None else 0.0))
    return {
        "code": code,
        **{k: getattr(entry, k) for k in _ENTRY + _CV},
        "schools_met": entry.schools_met,
        "schools": entry.schools,
        # The county as a group: the mean and CV the result was judged on, counted like the groups.
        "county": {**group_figures(schools, code), "mean": entry.mean, "cv": entry.cv},
        "points": points,
        "contributors": [c.to_dict() for c in ranked],
        "groups": {dim: groups(schools, code, dim) for dim in DIMENSIONS},
        "decomposition": decomposition(schools, code, group_of),
    }


def balance(result: CountyResult, town_groups: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """The balance analysis of a county result: ``{"levels": {level: {"schools": n, "students": n,
    "indicators": {code: indicator_balance(...)}}}}`` for every level that has schools, in the
    result's order (the standard's). ``town_groups``: group name → towns, the user's groups of towns
    (raises ``ValueError`` for a town in two groups)."""
    group_of = town_group_of(town_groups or {})
    levels: dict[str, Any] = {}
    for lvl, level in result.levels.items():
        if not level.has_schools:
            continue
        schools = result.school_parts(lvl)
        levels[lvl] = {
            "schools": len(schools),
            "students": level.students,
            "indicators": {
                code: indicator_balance(schools, code, entry, group_of) for code, entry in level.indicators.items()
            },
        }
    return {"levels": levels}


__all__ = [
    "DIMENSIONS",
    "TOP",
    "balance",
    "contributors",
    "decomposition",
    "group_figures",
    "groups",
    "indicator_balance",
]
