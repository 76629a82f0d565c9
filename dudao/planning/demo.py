"""示范县's planning inputs for ``dudao seed_demo`` (issue #14): the grade history before its census
(2018–2022), births per town 2012–2025 and one known change, written through the planning actions.

The births follow the pupils: a town's entrants to grade 1 in year y (its schools' grade 1; a school giving
only its total, a sixth of it) are its births of y − 6 times an entry ratio — above 1 in the county town's
streets (families move in for its schools), below 1 in the 镇 and more so in the 乡 (families leave) —
with a little noise (the county town's streets as one pool, shared by their average shares: a child crosses
streets to school). The births after 2019 (the entrants of 2026 on) follow the national fall in births
(``dudao.orgs.demo.NATIONAL_BIRTHS``) with the county town growing and the villages shrinking.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from dudao.actors import system
from dudao.audit.models import AuditEvent
from dudao.orgs.models import Region
from dudao.planning import actions
from dudao.planning.importing import plan_births, plan_history
from dudao.planning.models import Births, GradeHistory, KnownChange

BIRTHS_FROM, BIRTHS_TO = 2012, 2025
BIRTHS_SEED = 20120101
ENTRY_RATIO = {"街道": 1.06, "镇": 0.96, "乡": 0.93}  # entrants per birth six years earlier, by kind of town
TOWN_GROWTH = {"街道": 0.02, "镇": -0.01, "乡": -0.04}  # births per year beyond the national trend
ESTATE = ("锦绣华庭小区（城东新区）", "东关街道", 2027, 90)  # name, town, from year, entrants per year
SOURCE_BIRTHS = "示范县卫生健康局出生医学证明统计（示范数据）"
SOURCE_HISTORY = "学籍管理系统年报（示范数据）"


def _kind(town: str) -> str:
    return next(k for k in ENTRY_RATIO if town.endswith(k))


def _entrants(plans: Sequence[Any], history_from: int, last: int) -> dict[str, dict[int, float]]:
    """Each town's entrants to grade 1 per school year (grade 1, or a sixth of a total-only primary)."""
    out: dict[str, dict[int, float]] = {}
    for plan in plans:
        if plan.school_type == "special" or (plan.level == "junior"):
            continue
        years = {**{y: {f"grade_{g}": n for g, n in grades.items()} for y, grades in plan.history.items()},
                 **plan.values}  # fmt: skip
        for year, values in years.items():
            if not history_from <= year <= last:
                continue
            if "grade_1" in values:
                n = float(values["grade_1"])
            elif plan.level == "primary":
                n = float(values.get("students", 0)) / 6
            else:
                n = float(values.get("students_primary", 0)) / 6
            town = out.setdefault(plan.town, {})
            town[year] = town.get(year, 0.0) + n
    return out


def _pool_streets(entrants: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
    """The county town's streets share one pool of entrants (children cross streets to school: a new school
    in one street takes pupils from another), each street its average share of the years."""
    streets = [t for t in entrants if _kind(t) == "街道"]
    years = sorted({y for t in streets for y in entrants[t]})
    pool = {y: sum(entrants[t].get(y, 0.0) for t in streets) for y in years}
    share = {t: float(np.mean([entrants[t].get(y, 0.0) / pool[y] for y in years if pool[y]])) for t in streets}
    return {**entrants, **{t: {y: pool[y] * share[t] for y in years} for t in streets}}


def births(
    plans: Sequence[Any], national: dict[int, float], entry_age: int, history_from: int
) -> dict[str, dict[int, int]]:
    """Births per town and calendar year (see the module)."""
    rng = np.random.default_rng(BIRTHS_SEED)
    entrants = _pool_streets(_entrants(plans, history_from, BIRTHS_TO))
    out: dict[str, dict[int, int]] = {}
    for town in sorted(entrants):
        kind = _kind(town)
        known = {
            b: entrants[town][b + entry_age] / ENTRY_RATIO[kind] * math.exp(rng.normal(0, 0.03))
            for b in range(BIRTHS_FROM, BIRTHS_TO + 1)
            if b + entry_age in entrants[town]
        }
        last = max(known)
        for b in range(last + 1, BIRTHS_TO + 1):
            trend = national[b] / national[last] * (1 + TOWN_GROWTH[kind]) ** (b - last)
            known[b] = known[last] * trend * math.exp(rng.normal(0, 0.03))
        out[town] = {b: round(v) for b, v in sorted(known.items())}
    return out


def seed_inputs(
    county: Region, plans: Sequence[Any], national: dict[int, float], entry_age: int, history_from: int
) -> None:
    """Write 示范县's grade history, births and known change (as ``seed_demo``)."""
    actor = system("seed_demo")
    towns = {t.name: t for t in Region.objects.filter(parent=county, level=Region.Level.TOWN)}
    history = [
        (plan.code, year, grade, n, SOURCE_HISTORY)
        for plan in plans
        for year, grades in sorted(plan.history.items())
        for grade, n in sorted(grades.items())
    ]
    actions.import_plan(actor, county, plan_history(county, history, "示范县学籍历史数据.xlsx"))
    figures = [
        (towns[town].code, year, n, SOURCE_BIRTHS)
        for town, years in births(plans, national, entry_age, history_from).items()
        for year, n in years.items()
    ]
    actions.import_plan(actor, county, plan_births(county, figures, "示范县出生人口.xlsx"))
    name, town, from_year, pupils = ESTATE
    actions.save_change(
        actor,
        county,
        actions.ChangeValues(
            name=name, level="primary", from_year=from_year, pupils=pupils, town=towns[town],
            note="在建商品住宅小区，约 2,400 户，2026 年交付；按每年新增一年级约 90 人测算（示范数据）",
        ),
    )  # fmt: skip


def reset(counties: Any) -> int:
    """Delete ``counties``' planning inputs and the audit events of their changes; the number of rows."""
    deleted = sum(m.objects.filter(county__in=counties).delete()[0] for m in (KnownChange, GradeHistory, Births))
    return deleted + AuditEvent.objects.filter(region__in=counties, verb__startswith="planning.").delete()[0]
