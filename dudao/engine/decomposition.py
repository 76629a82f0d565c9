"""Where inequality comes from: the enrolment-weighted Theil index and CV², each split exactly into
a between-group and a within-group part (pure; issue #14 §5).

For schools i with value xᵢ and enrolment Pᵢ (weights wᵢ = Pᵢ/P, mean x̄ = Σ wᵢxᵢ — the county mean
of docs/adr/0001-weighted-cv.md) and a grouping of the schools into groups g (weight W_g = Σ_{i∈g} wᵢ,
mean x̄_g):

* **Theil** T = Σ wᵢ (xᵢ/x̄) ln(xᵢ/x̄). With s_g = W_g x̄_g / x̄ (the group's share of the total)
  T = Σ_g s_g ln(x̄_g/x̄)  [between]  +  Σ_g s_g T_g  [within], T_g the Theil of group g.
* **CV²** = S²/x̄² with S² = Σ wᵢ (xᵢ − x̄)², the square of the engine's weighted CV
  (:mod:`dudao.engine.weighted`):
  CV² = Σ_g W_g (x̄_g − x̄)²/x̄²  [between]  +  Σ_g W_g S_g²/x̄²  [within].

Both splits are identities: between + within = total, up to floating point.

Conventions (stated once, the same for both measures):

* A school without pupils carries no weight and is left out, as in the CV. A school without a value
  (no data) is left out too.
* A value of 0 enters the Theil with x ln x → 0 (it adds nothing to Σ wᵢ (xᵢ/x̄) ln(xᵢ/x̄) but
  lowers x̄, so it raises T); a group whose mean is 0 has share s_g = 0 and adds nothing to either part.
* Both measures are undefined (None) when the mean is not positive, no school carries weight, or —
  for the Theil, whose logarithm needs it — a value is negative.
* A school that has no group (an empty location, a town in no user group) is in a group of its own
  kind, ``None``: every school is counted once, so the parts still add up to the total.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from dudao.engine.result import GroupingSplit, MeasureSplit

# The groupings in display order: key → (zh, en) name.
GROUPINGS: dict[str, tuple[str, str]] = {
    "location": ("城乡", "urban / town / rural"),
    "ownership": ("办学性质", "public / private"),
    "town": ("乡镇", "towns"),
    "town_groups": ("乡镇分组", "groups of towns"),
}


# A measure and its two parts (between + within = total, all None where undefined), as the result holds it.
Split = MeasureSplit


UNDEFINED = Split(total=None, between=None, within=None)


def _clean(
    values: Sequence[float | None] | np.ndarray, students: Sequence[float] | np.ndarray, groups: Sequence[Hashable]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The schools that count (pupils > 0, a value), their weights wᵢ (summing to 1) and group ids."""
    x = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    p = np.asarray(students, dtype=float)
    if not len(x) == len(p) == len(groups):
        raise ValueError("values, students and groups differ in length")
    keep = (p > 0) & ~np.isnan(x)
    labels = [g for g, k in zip(groups, keep, strict=True) if k]
    _, ids = np.unique(np.array([repr(g) for g in labels], dtype=object), return_inverse=True)
    x, p = x[keep], p[keep]
    total = p.sum()
    w = p / total if total > 0 else p
    return x, w, ids.astype(np.int64).reshape(-1)


def _group_means(x: np.ndarray, w: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each group's weight W_g and mean x̄_g."""
    weight = np.bincount(ids, weights=w)
    mean = np.bincount(ids, weights=w * x) / weight
    return weight, mean


def theil(
    values: Sequence[float | None] | np.ndarray, students: Sequence[float] | np.ndarray, groups: Sequence[Hashable]
) -> Split:
    """The enrolment-weighted Theil index of ``values`` and its between/within split by ``groups``
    (one label per school; None is a group of its own). See the module's conventions."""
    x, w, ids = _clean(values, students, groups)
    if len(x) == 0 or (x < 0).any():
        return UNDEFINED
    mean = float((w * x).sum())
    if not mean > 0:
        return UNDEFINED
    r = x / mean
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
    total = float((w * terms).sum())
    weight, g_mean = _group_means(x, w, ids)
    share = weight * g_mean / mean  # s_g
    with np.errstate(divide="ignore", invalid="ignore"):
        between_terms = np.where(g_mean > 0, share * np.log(np.where(g_mean > 0, g_mean / mean, 1.0)), 0.0)
        # Σ_g s_g T_g = Σ_g Σ_{i∈g} wᵢ (xᵢ/x̄) ln(xᵢ/x̄_g): the within part school by school.
        g_of = g_mean[ids]
        rel = np.where(g_of > 0, x / np.where(g_of > 0, g_of, 1.0), 0.0)
        within_terms = np.where(rel > 0, w * r * np.log(np.where(rel > 0, rel, 1.0)), 0.0)
    between = float(between_terms.sum())
    within = float(within_terms.sum())
    return Split(total=total, between=between, within=within)


def cv2(
    values: Sequence[float | None] | np.ndarray, students: Sequence[float] | np.ndarray, groups: Sequence[Hashable]
) -> Split:
    """The square of the enrolment-weighted CV of ``values`` and its between/within split by ``groups``."""
    x, w, ids = _clean(values, students, groups)
    if len(x) == 0:
        return UNDEFINED
    mean = float((w * x).sum())
    if not mean > 0:
        return UNDEFINED
    total = float((w * (x - mean) ** 2).sum()) / mean**2
    weight, g_mean = _group_means(x, w, ids)
    between = float((weight * (g_mean - mean) ** 2).sum()) / mean**2
    within = float((w * (x - g_mean[ids]) ** 2).sum()) / mean**2
    return Split(total=total, between=between, within=within)


# Both measures for one grouping.
Decomposition = GroupingSplit


def decompose(
    values: Sequence[float | None] | np.ndarray, students: Sequence[float] | np.ndarray, groups: Sequence[Hashable]
) -> Decomposition:
    """The Theil index and CV² of ``values`` split by ``groups``."""
    return Decomposition(theil=theil(values, students, groups), cv2=cv2(values, students, groups))


def town_group_of(town_groups: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Town (name or code, as written) → the user's group; raises ``ValueError`` for a town put in two
    groups (the message in Chinese and English)."""
    group_of: dict[str, str] = {}
    for group, towns in town_groups.items():
        for town in towns:
            key = str(town).strip()
            if key in group_of and group_of[key] != group:
                raise ValueError(
                    f"乡镇“{key}”同时属于“{group_of[key]}”和“{group}”两组 / "
                    f"town {key!r} is in two groups: {group_of[key]!r} and {group!r}"
                )
            group_of[key] = str(group)
    return group_of


def groupings_for(
    location: Sequence[str | None],
    ownership: Sequence[str | None],
    town: Sequence[str | None] | None = None,
    town_groups: Mapping[str, str] | None = None,
) -> dict[str, list[str | None]]:
    """The groups of each school for every grouping that applies, in display order: ``location``
    always; ``ownership`` when some school has it; ``town`` when some school has one; ``town_groups``
    (``town_group_of``'s mapping) when given and some school has a town. A blank label is None."""

    def blank(v: str | None) -> str | None:
        return v if isinstance(v, str) and v.strip() else None

    out: dict[str, list[str | None]] = {"location": [blank(v) for v in location]}
    owned = [blank(v) for v in ownership]
    if any(v is not None for v in owned):
        out["ownership"] = owned
    towns = [blank(v) for v in town] if town is not None else []
    if any(v is not None for v in towns):
        out["town"] = [v.strip() if v else None for v in towns]
        if town_groups:
            out["town_groups"] = [town_groups.get(v.strip()) if v else None for v in towns]
    return out


__all__ = [
    "GROUPINGS",
    "UNDEFINED",
    "Decomposition",
    "Split",
    "cv2",
    "decompose",
    "groupings_for",
    "theil",
    "town_group_of",
]
