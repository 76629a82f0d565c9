"""Pure statistics of the survey: the sample plan (quotas per group) and recognition rates with
Wilson score intervals, raw and weighted to the planned group shares. No database here."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    per_mille: float = 1.5,
    minimum: int = 600,
    parent_share: float = 0.5,
    parent_group: str = "parent",
) -> dict[str, int]:
    """The sample per group: ``max(minimum, ceil(population × per_mille ‰))`` in all, at least
    ``parent_share`` of it parents, the rest split as evenly as possible over the other groups (the
    first groups take the remainder). Without a population the minimum applies."""
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
