"""Comparison of a computed figure with a standard's bound.

Values are computed in binary floating point at full precision; a figure that equals its bound
in exact arithmetic (21 teachers for 500 pupils is exactly 4.2 per 100) may come out a few ulps
off. ``TOLERANCE`` (relative, 1e-12) absorbs that and nothing more: float noise is ~1e-15 relative,
while real school figures that differ from a bound differ by ≥ ~1e-9 relative (0.01 yuan short on
a 10⁷-yuan school) (see docs/adr/0002-comparison-and-rounding.md).
以上/不低于/不超过 include the bound (>=, <=); 低于/超过 exclude it (<, >).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import overload

import numpy as np

from dudao.standards import Standard
from dudao.standards.schema import CvRule

TOLERANCE = 1e-12


@overload
def compare(value: float, op: str, bound: float) -> bool: ...
@overload
def compare(value: np.ndarray, op: str, bound: np.ndarray | float) -> np.ndarray: ...
@overload
def compare(value: float, op: str, bound: np.ndarray) -> np.ndarray: ...
def compare(value: np.ndarray | float, op: str, bound: np.ndarray | float) -> np.ndarray | bool:
    """``value op bound`` with the tolerance; NaN compares False (callers mark it "no data")."""
    slack = TOLERANCE * np.abs(bound)
    result: np.ndarray | np.bool_ | bool
    if op == ">=":
        result = value >= bound - slack
    elif op == "<=":
        result = value <= bound + slack
    elif op == "<":
        result = value < bound - slack
    elif op == ">":
        result = value > bound + slack
    elif op == "==":
        result = abs(value - bound) <= slack
    else:
        raise ValueError(f"unknown comparison {op!r}")
    return result if isinstance(result, np.ndarray) else bool(result)


def cv_rule(standard: Standard) -> CvRule:
    """The standard's rule for CVs (each indicator's, 2017, or their composite, 2012). Raises
    ``ValueError`` for a standard without one: it is not evaluated from school figures."""
    if standard.cv_rule is None:
        raise ValueError(f"standard {standard.id} has no CV rule: it is not evaluated from school figures")
    return standard.cv_rule


def round_half_up(value: float | None, places: int = 3) -> float | None:
    """Display rounding as counties do it by hand (0.4445 -> 0.445).

    The value is first cleaned of float noise (12 significant digits), so a CV that is exactly
    0.1235 by hand but 0.12349999999999994 in doubles still shows as 0.124.
    """
    if value is None or not np.isfinite(value):
        return None
    clean = Decimal(f"{float(value):.12g}")
    return float(clean.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def all_of(verdicts: list[bool | None]) -> bool | None:
    """Three-valued AND: any False -> False; else any None (undetermined) -> None; else True."""
    if any(v is False for v in verdicts):
        return False
    if any(v is None for v in verdicts):
        return None
    return True
