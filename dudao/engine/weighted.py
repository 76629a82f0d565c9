"""The enrolment-weighted mean and coefficient of variation for one set of schools (reference form).

The engine computes the same formula for all counties at once with ``np.bincount``; this
single-set form is what an analyst calls in a notebook and what the tests hold the engine to.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _weighted(values: Sequence[float], students: Sequence[float]) -> tuple[np.ndarray, np.ndarray, float]:
    """The schools that carry weight (pupils > 0), with their total enrolment."""
    x = np.asarray(values, dtype=float)
    p = np.asarray(students, dtype=float)
    if x.shape != p.shape:
        raise ValueError("values and students differ in length")
    keep = p > 0
    x, p = x[keep], p[keep]
    return x, p, float(p.sum())


def weighted_mean(values: Sequence[float], students: Sequence[float]) -> float | None:
    """X̄ = ΣPᵢXᵢ/ΣPᵢ, the enrolment-weighted mean (= the aggregate ratio). None when no pupils."""
    x, p, total = _weighted(values, students)
    return float((p * x).sum() / total) if total > 0 else None


def weighted_cv(values: Sequence[float], students: Sequence[float]) -> float | None:
    """CV = S / X̄ with X̄ = ΣPᵢXᵢ/ΣPᵢ and S = √(Σ(Pᵢ/P)(Xᵢ−X̄)²). None when undefined (X̄ = 0 or no pupils).

    Schools with no pupils carry no weight and are left out.
    """
    x, p, total = _weighted(values, students)
    if total <= 0:
        return None
    mean = float((p * x).sum() / total)
    if mean <= 0:
        return None
    return float(np.sqrt((p / total * (x - mean) ** 2).sum()) / mean)
