"""Per-school indicator values from raw fields, and the thresholds (standards.md §1.3).

"达到 X 以上" includes X itself (民法典 第1259条), so every L1–L7 threshold is ≥: a school exactly at
the threshold meets it, one planning unit (a person, a room, 0.01 m², one yuan) less does not.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.engine import county_result, evaluate_table
from tests.engine.schools import NATIONAL, PRIMARY

# indicator → (raw field, per how many students, smallest step of the raw figure)
FIELD = {
    "L1": ("teachers_above_qualification", 100, 1),
    "L2": ("backbone_teachers", 100, 1),
    "L3": ("pe_art_teachers", 100, 1),
    "L4": ("teaching_aux_area_m2", 1, Fraction(1, 100)),
    "L5": ("sports_area_m2", 1, Fraction(1, 100)),
    "L6": ("equipment_value_yuan", 1, 1),  # the statistics give 万元 to 4 decimals: whole yuan
    "L7": ("multimedia_classrooms", 100, 1),
}
# The national thresholds as the standard states them (standards.md §1.3).
THRESHOLD = {
    ("L1", "primary"): "4.2",
    ("L1", "junior"): "5.3",
    ("L2", "primary"): "1",
    ("L2", "junior"): "1",
    ("L3", "primary"): "0.9",
    ("L3", "junior"): "0.9",
    ("L4", "primary"): "4.5",
    ("L4", "junior"): "5.8",
    ("L5", "primary"): "7.5",
    ("L5", "junior"): "10.2",
    ("L6", "primary"): "2000",
    ("L6", "junior"): "2500",
    ("L7", "primary"): "2.3",
    ("L7", "junior"): "2.4",
}


def school(**overrides) -> dict:
    return {"school_code": "S1", "school_name": "一小", **PRIMARY, **overrides}


def evaluated(**overrides) -> dict:
    """The engine's row for a county made of this one school."""
    ev = evaluate_table(pd.DataFrame([school(**overrides)]), NATIONAL)
    assert len(ev.schools) == 1
    return ev.schools.iloc[0].to_dict()


def is_met(row: dict, code: str) -> bool:
    value = row[f"{code}_met"]
    assert value in (0.0, 1.0), f"{code} met is {value!r}"
    return value == 1.0


def test_values_from_raw_fields():
    row = evaluated(
        students=800,
        teachers_above_qualification=40,  # 40 / 800 · 100 = 5.0 per 100
        backbone_teachers=9,  # 9 / 800 · 100 = 1.125 per 100
        pe_art_teachers=7,  # 7 / 800 · 100 = 0.875 per 100
        teaching_aux_area_m2=3720,  # 3720 / 800 = 4.65 m² per pupil
        sports_area_m2=6100,  # 6100 / 800 = 7.625 m² per pupil
        equipment_value_yuan=1_700_000,  # 1 700 000 / 800 = 2125 yuan per pupil
        multimedia_classrooms=19,  # 19 / 800 · 100 = 2.375 per 100
    )
    expected = {"L1": 5.0, "L2": 1.125, "L3": 0.875, "L4": 4.65, "L5": 7.625, "L6": 2125.0, "L7": 2.375}
    for code, value in expected.items():
        assert row[f"{code}_value"] == pytest.approx(value, rel=1e-12), code
    assert not is_met(row, "L3")  # 0.875 < 0.9
    assert all(is_met(row, c) for c in ["L1", "L2", "L4", "L5", "L6", "L7"])
    assert row["L3_ratio"] == pytest.approx(0.875 / 0.9, rel=1e-12)


def test_equipment_value_is_in_yuan_per_pupil():
    # 999 999 yuan for 500 pupils = 1999.998 yuan per pupil: below the 2000-yuan threshold.
    row = evaluated(equipment_value_yuan=999_999)
    assert row["L6_value"] == pytest.approx(1999.998, rel=1e-12)
    assert row["L6_threshold"] == 2000
    assert not is_met(row, "L6")
    assert row["L6_gap"] == 1  # one yuan
    entry = county_result(evaluate_table(pd.DataFrame([school(equipment_value_yuan=999_999)]), NATIONAL)).to_dict()
    l6 = entry["schools"][0]["indicators"]["L6"]
    assert l6 == {**l6, "threshold": 2000.0, "met": False, "gap": 1, "gap_unit": "yuan"}


def test_thresholds_are_the_national_figures():
    for (code, level), value in THRESHOLD.items():
        t = NATIONAL.indicator(code).thresholds[level]
        assert (t.op, str(t.value)) == (">=", value), (code, level)


# --- 以上 includes the bound ----------------------------------------------------------------------


@pytest.mark.parametrize(("teachers", "met"), [(21, True), (20, False), (22, True)])
def test_l1_primary_boundary(teachers, met):
    # 21 / 500 · 100 = 4.2 exactly (in floats 4.2000000000000002 or a few ulps either side).
    row = evaluated(teachers_above_qualification=teachers)
    assert is_met(row, "L1") is met


@pytest.mark.parametrize(("area", "met"), [(1800, True), (1799.99, False), (1800.01, True)])
def test_l4_primary_boundary(area, met):
    # 4.5 m² × 400 pupils = 1800 m².
    row = evaluated(students=400, teaching_aux_area_m2=area)
    assert is_met(row, "L4") is met


@pytest.mark.parametrize(("teachers", "met"), [(53, True), (52, False)])
def test_l1_junior_boundary(teachers, met):
    # 5.3 per 100 × 1000 pupils = 53 teachers.
    row = evaluated(school_type="junior", students=1000, teachers_above_qualification=teachers)
    assert row["L1_threshold"] == 5.3
    assert is_met(row, "L1") is met


@pytest.mark.parametrize(("area", "met"), [(2320, True), (2319.99, False)])
def test_l4_junior_boundary(area, met):
    # 5.8 m² × 400 pupils = 2320 m².
    row = evaluated(school_type="junior", students=400, teaching_aux_area_m2=area)
    assert row["L4_threshold"] == 5.8
    assert is_met(row, "L4") is met


@pytest.mark.parametrize(("code", "level"), sorted(THRESHOLD))
def test_every_threshold_is_inclusive(code, level):
    # 1000 pupils: the threshold amount is a whole number of units for every indicator.
    field, per, step = FIELD[code]
    exact = Fraction(THRESHOLD[code, level]) * 1000 / per
    assert exact.denominator == 1
    at = evaluated(school_type=level, students=1000, **{field: float(exact)})
    below = evaluated(school_type=level, students=1000, **{field: float(exact - step)})
    assert is_met(at, code)
    assert at[f"{code}_gap"] == 0
    assert not is_met(below, code)
    assert below[f"{code}_gap"] == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    code=st.sampled_from(sorted(FIELD)),
    level=st.sampled_from(["primary", "junior"]),
    students=st.integers(min_value=1, max_value=5000),
)
def test_met_exactly_when_the_rational_value_reaches_the_threshold(code, level, students):
    # Take the smallest amount (in steps of the raw figure) that reaches the threshold exactly,
    # shift it by −3 … +3 steps (one school each), and compare the engine's verdicts with exact
    # rational arithmetic.
    field, per, step = FIELD[code]
    bound = Fraction(THRESHOLD[code, level])
    needed = bound * students / per
    steps = -(-needed // step)  # ceil
    amounts = {f"S{k}": Fraction((steps + k) * step) for k in range(-3, 4) if steps + k >= 0}
    frame = pd.DataFrame(
        [school(school_code=c, school_type=level, students=students, **{field: float(a)}) for c, a in amounts.items()]
    )
    rows = evaluate_table(frame, NATIONAL).schools.set_index("school_code")
    for c, amount in amounts.items():
        assert is_met(rows.loc[c].to_dict(), code) is (amount * per / students >= bound), c


@pytest.mark.parametrize("students", [4000, 5000, 10_000])
def test_one_fen_short_is_not_met_in_a_large_school(students):
    # 2000 yuan × 10 000 pupils = 20 000 000 yuan; 19 999 999.99 yuan is short of it. (A tolerance
    # relative to the threshold of 1e-9 would forgive this from 5000 pupils up.)
    row = evaluated(students=students, equipment_value_yuan=2000 * students - 0.01)
    assert not is_met(row, "L6")
    assert row["L6_gap"] == 1
    assert is_met(evaluated(students=students, equipment_value_yuan=2000 * students), "L6")
