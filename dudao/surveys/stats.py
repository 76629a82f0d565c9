"""Pure statistics of the survey: the sample plan (quotas per group) and recognition rates with
Wilson score intervals, raw and weighted to the planned group shares. No database here."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

Z95 = 1.959963984540054  # two-sided 95 %


@dataclass(frozen=True)
class Rate:
    """``k`` recognising answers out of ``n``; ``rate`` is None when n == 0."""

    k: int
    n: int
    rate: float | None
    low: float | None
    high: float | None


def wilson(k: int, n: int, z: float = Z95) -> Rate:
    """The Wilson score interval for k successes in n trials (95 % by default)."""
    if n < 0 or k < 0 or k > n:
        raise ValueError("need 0 <= k <= n")
    if n == 0:
        return Rate(0, 0, None, None, None)
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Rate(k, n, p, max(0.0, centre - half), min(1.0, centre + half))


def weighted(rates: Mapping[str, Rate], shares: Mapping[str, float], z: float = Z95) -> Rate | None:
    """Post-stratified rate: each group's rate weighted by its planned share (renormalised over the
    groups that have answers). The interval is the normal approximation of the stratified estimator
    with each stratum's variance from its Wilson-adjusted proportion; None without any answer."""
    groups = [g for g, r in rates.items() if r.n > 0 and shares.get(g, 0) > 0]
    total_share = sum(shares[g] for g in groups)
    if not groups or total_share <= 0:
        return None
    est = sum(shares[g] / total_share * rates[g].k / rates[g].n for g in groups)
    var = 0.0
    for g in groups:
        w, n = shares[g] / total_share, rates[g].n
        p_adj = (rates[g].k + z * z / 2) / (n + z * z)  # keeps the variance above 0 at p = 0 or 1
        var += w * w * p_adj * (1 - p_adj) / n
    half = z * math.sqrt(var)
    k, n = sum(rates[g].k for g in groups), sum(rates[g].n for g in groups)
    return Rate(k, n, est, max(0.0, est - half), min(1.0, est + half))


def plan_quotas(
    population: int | None,
    groups: Sequence[str],
    *,
    per_mille: float,
    minimum: int,
    parent_share: float,
    parent_group: str = "parent",
) -> dict[str, int]:
    """The sample per group: ``max(minimum, ceil(population × per_mille ‰))`` in all, at least
    ``parent_share`` of it parents, the rest split as evenly as possible over the other groups (the
    first groups take the remainder). Without a population the minimum applies. The figures come
    from the standard's survey_sample (through the survey's settings)."""
    total = max(minimum, math.ceil((population or 0) * per_mille / 1000 - 1e-9))
    others = [g for g in groups if g != parent_group]
    parents = math.ceil(total * parent_share - 1e-9) if parent_group in groups else 0
    if not others:
        return {parent_group: total}
    rest = total - parents
    base, extra = divmod(rest, len(others))
    quotas = {parent_group: parents} if parent_group in groups else {}
    for i, g in enumerate(others):
        quotas[g] = base + (1 if i < extra else 0)
    return {g: quotas[g] for g in groups}


def tier_quotas(
    population: int | None, tiers: Sequence[tuple[int | None, Mapping[str, int]]], groups: Sequence[str]
) -> dict[str, int]:
    """The sample per group from a table of population tiers: the first row whose bound ``below``
    exceeds the population (None: the open last row). A column ``a+b`` is shared evenly by the groups
    ``a`` and ``b`` (the first takes the remainder); groups the table does not name get 0. Without a
    population the first row applies."""
    row = next(columns for below, columns in tiers if below is None or (population or 0) < below)
    quotas = dict.fromkeys(groups, 0)
    for column, n in row.items():
        members = [g for g in column.split("+") if g in quotas]
        for g, share in zip(members, split(n, dict.fromkeys(members, 1.0)).values(), strict=True):
            quotas[g] += share
    return quotas


def split(total: int, weights: Mapping[K, float]) -> dict[K, int]:
    """``total`` divided in proportion to ``weights`` in whole numbers that add up to ``total``: each
    takes the whole part of its share, the largest remainders one more (ties: the earlier key).
    All weights zero (or none positive) divides evenly."""
    if not weights:
        return {}
    if sum(w for w in weights.values() if w > 0) <= 0:
        weights = dict.fromkeys(weights, 1.0)
    positive = {k: max(0.0, float(w)) for k, w in weights.items()}
    whole = sum(positive.values())
    exact = {k: total * w / whole for k, w in positive.items()}
    out = {k: math.floor(v + 1e-9) for k, v in exact.items()}
    order = sorted(exact, key=lambda k: -(exact[k] - out[k]))  # stable: ties keep the keys' order
    for k in order[: total - sum(out.values())]:
        out[k] += 1
    return out


Cell = tuple[str, str, str]  # (group, town code or "", stage or "")


def plan_cells(
    group_quotas: Mapping[str, int],
    towns: Mapping[str, float] | None = None,
    town_groups: Sequence[str] = (),
    stages: Mapping[str, Sequence[str]] | None = None,
) -> dict[Cell, int]:
    """The quota of every cell of the sample plan. Each group's quota is divided over the towns in
    proportion to ``towns`` (their resident population) when the group is in ``town_groups``, then
    evenly over the group's school stages when ``stages`` names the group (各年级段大体相当).
    Without a division a group is one cell ``(group, "", "")``."""
    cells: dict[Cell, int] = {}
    for group, quota in group_quotas.items():
        by_town = split(quota, towns) if towns and group in town_groups else {"": quota}
        group_stages = list((stages or {}).get(group, ()))
        for town, n in by_town.items():
            by_stage = split(n, dict.fromkeys(group_stages, 1.0)) if group_stages else {"": n}
            for stage, m in by_stage.items():
                cells[(group, town, stage)] = m
    return cells
