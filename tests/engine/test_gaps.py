"""Gaps: the smallest addition, in whole planning units, that makes an unmet indicator met.

Teachers in whole persons, rooms in whole rooms, floor area in whole m², equipment in whole yuan.
The gap must be the exact one: a float figure that lands a few ulps above a whole number
((4.2 − 3.8) × 500 / 100 = 2.0000000000000018) must not add a unit.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.engine import county_result, evaluate_table
from tests.engine.schools import NATIONAL, PRIMARY

# indicator → (raw field, per how many students, step of the raw figure, gap unit)
FIELD = {
    "L1": ("teachers_above_qualification", 100, 1, "person"),
    "L2": ("backbone_teachers", 100, 1, "person"),
    "L3": ("pe_art_teachers", 100, 1, "person"),
    "L4": ("teaching_aux_area_m2", 1, Fraction(1, 100), "m2"),
    "L5": ("sports_area_m2", 1, Fraction(1, 100), "m2"),
    "L6": ("equipment_value_yuan", 1, 1, "yuan"),
    "L7": ("multimedia_classrooms", 100, 1, "room"),
}


def school(**overrides) -> dict:
    return {"school_code": "S1", "school_name": "一小", **PRIMARY, **overrides}


def evaluated(**overrides) -> dict:
    ev = evaluate_table(pd.DataFrame([school(**overrides)]), NATIONAL)
    return ev.schools.iloc[0].to_dict()


def test_teacher_gap_in_whole_persons():
    # 4.2 per 100 × 500 pupils = 21 teachers needed; 19 on staff → 2 more.
    # In floats the shortfall per 100 pupils is 4.2 − 3.8 = 0.40000000000000036, so the naive
    # ceil((threshold − value) × students / 100) = ceil(2.0000000000000018) would say 3.
    value = 19 / 500 * 100
    assert (4.2 - value) * 500 / 100 == 2.0000000000000018
    assert math.ceil((4.2 - value) * 500 / 100) == 3
    row = evaluated(teachers_above_qualification=19)
    assert row["L1_met"] == 0
    assert row["L1_gap"] == 2


def test_teacher_gap_one_short():
    # 20 teachers for 500 pupils = 4.0 per 100: one short of 21.
    assert evaluated(teachers_above_qualification=20)["L1_gap"] == 1


def test_teacher_gap_rounds_a_fractional_need_up():
    # 0.9 per 100 × 730 pupils = 6.57 PE/art teachers → 7 persons; 4 on staff → 3.
    assert (
        evaluated(students=730, pe_art_teachers=4, teachers_above_qualification=40, backbone_teachers=8)["L3_gap"] == 3
    )


def test_room_gap_in_whole_rooms():
    # 2.3 per 100 × 300 pupils = 6.9 rooms → 7; 5 rooms → 2 more.
    row = evaluated(students=300, multimedia_classrooms=5)
    assert row["L7_gap"] == 2


@pytest.mark.parametrize(("area", "gap"), [(1799.99, 1), (1500.5, 300), (1799, 1), (0, 1800)])
def test_floor_area_gap_in_whole_m2_rounded_up(area, gap):
    # 4.5 m² × 400 pupils = 1800 m².
    assert evaluated(students=400, teaching_aux_area_m2=area)["L4_gap"] == gap


@pytest.mark.parametrize(("value", "gap"), [(999_000.5, 1000), (999_999, 1), (999_999.99, 1), (0, 1_000_000)])
def test_equipment_gap_in_whole_yuan_rounded_up(value, gap):
    # 2000 yuan × 500 pupils = 1 000 000 yuan.
    assert evaluated(equipment_value_yuan=value)["L6_gap"] == gap


def test_met_indicator_has_no_gap():
    row = evaluated(teachers_above_qualification=21)
    assert row["L1_met"] == 1
    assert row["L1_gap"] == 0


def test_gap_in_the_county_result():
    result = county_result(evaluate_table(pd.DataFrame([school(teachers_above_qualification=19)]), NATIONAL)).to_dict()
    l1 = result["schools"][0]["indicators"]["L1"]
    assert (l1["met"], l1["gap"], l1["gap_unit"]) == (False, 2, "person")
    unmet = next(r for r in result["schools"][0]["reasons"] if r["rule"] == "indicator_unmet")
    assert (unmet["indicator"], unmet["gap"], unmet["gap_unit"]) == ("L1", 2, "person")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    code=st.sampled_from(sorted(FIELD)),
    level=st.sampled_from(["primary", "junior"]),
    students=st.integers(min_value=1, max_value=5000),
    have_share=st.fractions(min_value=0, max_value=1),
)
def test_gap_is_the_smallest_whole_addition(code, level, students, have_share):
    field, per, step, _ = FIELD[code]
    bound = Fraction(str(NATIONAL.indicator(code).thresholds[level].value))
    needed = bound * students / per  # exact amount of the raw figure that meets the threshold
    have = math.floor(needed * have_share / step) * step  # a figure somewhat below (or at) it
    expected = max(0, math.ceil(needed - have))  # whole units
    # One county, three copies of the school: as it is, with the gap added, with one unit less.
    amounts = {"AS_IS": have, "PLUS_GAP": have + expected, "PLUS_GAP_MINUS_1": have + expected - 1}
    frame = pd.DataFrame(
        [school(school_code=c, school_type=level, students=students, **{field: float(a)}) for c, a in amounts.items()]
    )
    rows = evaluate_table(frame, NATIONAL).schools.set_index("school_code")
    assert rows.loc["AS_IS", f"{code}_gap"] == expected
    assert rows.loc["AS_IS", f"{code}_met"] == (1 if expected == 0 else 0)
    assert rows.loc["PLUS_GAP", f"{code}_met"] == 1
    if expected > 0:
        assert rows.loc["PLUS_GAP_MINUS_1", f"{code}_met"] == 0


@pytest.mark.parametrize("code", sorted(FIELD))
def test_gap_units(code):
    assert NATIONAL.indicator(code).gap_unit == FIELD[code][3]


def test_gap_when_the_float_need_lands_just_below_a_whole_number():
    # 10.2 m² × 25 junior pupils = 255 m²; in floats 10.2 × 25 = 254.99999999999997.
    assert 10.2 * 25 == 254.99999999999997
    junior = {"school_type": "junior", "students": 25}
    assert evaluated(**junior, sports_area_m2=255)["L5_met"] == 1
    assert evaluated(**junior, sports_area_m2=254)["L5_gap"] == 1
    assert evaluated(**junior, sports_area_m2=253.5)["L5_gap"] == 2
