"""The enrolment-weighted coefficient of variation (差异系数), standards.md §2.1 / §2.3.

    X̄ = Σ Pᵢ·Xᵢ / P,   S = √( Σ (Pᵢ/P)·(Xᵢ − X̄)² ),   CV = S / X̄,   P = Σ Pᵢ

Each CV is compared with its limit (≤ 0.50 primary, ≤ 0.45 junior) at full precision; the 3-decimal
figure is for display only and is rounded half-up.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dudao.engine import InputError, county_result, evaluate_table, round_half_up, weighted_cv
from dudao.standards import load
from tests.engine.schools import NATIONAL, PRIMARY

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def school(code: str, **overrides) -> dict:
    return {"school_code": code, "school_name": f"学校{code}", **PRIMARY, **overrides}


def l4_county(students, areas, level: str = "primary") -> pd.DataFrame:
    """Schools that differ only in enrolment and teaching floor area (indicator L4)."""
    school_type = "primary" if level == "primary" else "junior"
    return pd.DataFrame(
        [
            school(f"S{i}", school_type=school_type, students=p, teaching_aux_area_m2=a)
            for i, (p, a) in enumerate(zip(students, areas, strict=True))
        ]
    )


def indicator_row(ev, code: str, level: str = "primary") -> dict:
    rows = ev.indicators[(ev.indicators["code"] == code) & (ev.indicators["level"] == level)]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def engine_cv(frame: pd.DataFrame, code: str = "L4", level: str = "primary", standard=NATIONAL) -> float:
    return float(indicator_row(evaluate_table(frame, standard), code, level)["cv"])


# --- hand-computed values -------------------------------------------------------------------------


def test_weighted_cv_three_schools_by_hand():
    # P = 100, 200, 700 (P = 1000); X = 3, 5, 6
    # X̄ = (100·3 + 200·5 + 700·6) / 1000 = (300 + 1000 + 4200) / 1000 = 5.5
    # deviations −2.5, −0.5, +0.5; squares 6.25, 0.25, 0.25
    # S² = 0.1·6.25 + 0.2·0.25 + 0.7·0.25 = 0.625 + 0.05 + 0.175 = 0.85
    # S = √0.85 = 0.921954445729288731…
    # CV = 0.921954445729288731 / 5.5 = 0.167628081041688860…
    assert weighted_cv([3, 5, 6], [100, 200, 700]) == pytest.approx(0.167628081041688860, rel=1e-12)


def test_weighted_cv_second_case_by_hand():
    # P = 300, 500, 200 (P = 1000); X = 2, 4, 10
    # X̄ = (600 + 2000 + 2000) / 1000 = 4.6
    # deviations −2.6, −0.6, +5.4; squares 6.76, 0.36, 29.16
    # S² = 0.3·6.76 + 0.5·0.36 + 0.2·29.16 = 2.028 + 0.18 + 5.832 = 8.04
    # S = √8.04 = 2.835489375751565040…
    # CV = 2.835489375751565040 / 4.6 = 0.616410733859035878…
    assert weighted_cv([2, 4, 10], [300, 500, 200]) == pytest.approx(0.616410733859035878, rel=1e-12)


def test_engine_cv_of_a_county_by_hand():
    # L4 per school = area / students: 300/100 = 3, 1000/200 = 5, 4200/700 = 6 → the first case above.
    frame = l4_county([100, 200, 700], [300, 1000, 4200])
    row = indicator_row(evaluate_table(frame, NATIONAL), "L4")
    assert row["mean"] == pytest.approx(5.5, rel=1e-12)  # = Σ area / Σ students = 5500 / 1000
    assert row["cv"] == pytest.approx(0.167628081041688860, rel=1e-12)
    assert row["cv_status"] == "ok"
    assert bool(row["cv_passed"]) is True


def test_engine_cv_per_100_indicator_by_hand():
    # L1 = teachers / students · 100: 6/300·100 = 2, 20/500·100 = 4, 20/200·100 = 10 → second case above.
    frame = pd.DataFrame(
        [
            school("A", students=300, teachers_above_qualification=6),
            school("B", students=500, teachers_above_qualification=20),
            school("C", students=200, teachers_above_qualification=20),
        ]
    )
    row = indicator_row(evaluate_table(frame, NATIONAL), "L1")
    assert row["mean"] == pytest.approx(4.6, rel=1e-12)  # 46 teachers per 1000 pupils
    assert row["cv"] == pytest.approx(0.616410733859035878, rel=1e-12)
    assert bool(row["cv_passed"]) is False  # 0.616 > 0.50


def test_weighted_differs_from_unweighted_and_engine_is_weighted():
    # Unweighted (population) CV of 3, 5, 6: mean 14/3, deviations −5/3, 1/3, 4/3,
    # variance (25 + 1 + 16) / 27 = 14/9, SD = √14/3, CV = (√14/3)/(14/3) = 1/√14 = 0.267261241912424385…
    values, students = [3.0, 5.0, 6.0], [100, 200, 700]
    unweighted = float(np.std(values) / np.mean(values))
    assert unweighted == pytest.approx(0.267261241912424385, rel=1e-12)
    weighted = 0.167628081041688860
    assert abs(unweighted - weighted) > 0.05
    cv = engine_cv(l4_county(students, [300, 1000, 4200]))
    assert cv == pytest.approx(weighted, rel=1e-12)
    assert cv != pytest.approx(unweighted, rel=1e-3)


def test_county_result_reports_the_same_cv():
    frame = l4_county([100, 200, 700], [300, 1000, 4200])
    entry = county_result(evaluate_table(frame, NATIONAL)).to_dict()["levels"]["primary"]["indicators"]["L4"]
    assert entry["cv"] == pytest.approx(0.167628081041688860, rel=1e-12)
    assert entry["cv_3dp"] == 0.168
    assert entry["cv_limit"] == 0.5
    assert entry["cv_passed"] is True


# --- the engine agrees with the reference formula -------------------------------------------------

enrolments = st.integers(min_value=1, max_value=3000)
areas = st.integers(min_value=0, max_value=40_000)


@PROPERTY
@given(st.lists(st.tuples(enrolments, areas), min_size=1, max_size=8))
def test_engine_cv_equals_weighted_cv_of_school_values(schools):
    students = [p for p, _ in schools]
    area = [a for _, a in schools]
    assume(sum(area) > 0)
    frame = l4_county(students, area)
    ev = evaluate_table(frame, NATIONAL)
    values = ev.schools.set_index("school_code").loc[frame["school_code"], "L4_value"].to_numpy()
    np.testing.assert_allclose(values, np.array(area) / np.array(students), rtol=1e-15)
    assert float(indicator_row(ev, "L4")["cv"]) == pytest.approx(weighted_cv(values, students), rel=1e-9, abs=1e-12)


def exact_cv(values, students) -> float | None:
    """The §2.1 formula in exact rationals, with a 40-digit square root (independent of the engine)."""
    pairs = [(Fraction(x), Fraction(p)) for x, p in zip(values, students, strict=True) if p > 0]
    total = sum(p for _, p in pairs)
    if total == 0:
        return None
    mean = sum(p * x for x, p in pairs) / total
    if mean <= 0:
        return None
    var = sum(p / total * (x - mean) ** 2 for x, p in pairs)
    with localcontext() as ctx:
        ctx.prec = 40
        s = (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()
        return float(s / (Decimal(mean.numerator) / Decimal(mean.denominator)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**7).map(lambda c: c / 1000), st.integers(0, 5000)),
        min_size=1,
        max_size=30,
    )
)
def test_weighted_cv_matches_exact_arithmetic(schools):
    values = [x for x, _ in schools]
    students = [p for _, p in schools]
    expected = exact_cv(values, students)
    got = weighted_cv(values, students)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


@PROPERTY
@given(
    st.lists(st.tuples(enrolments, areas), min_size=2, max_size=8),
    st.sampled_from([0.001, 0.37, 3.0, 10.0, 12345.678]),
)
def test_cv_unchanged_when_a_resource_is_scaled(schools, factor):
    students = [p for p, _ in schools]
    area = [a for _, a in schools]
    assume(sum(area) > 0)
    base = engine_cv(l4_county(students, area))
    scaled = engine_cv(l4_county(students, [a * factor for a in area]))
    assert scaled == pytest.approx(base, rel=1e-9, abs=1e-12)


@PROPERTY
@given(
    st.lists(enrolments, min_size=2, max_size=8, unique=True),
    st.integers(min_value=1, max_value=20_000).map(lambda cents: cents / 100),
)
def test_cv_zero_when_every_school_has_the_same_per_student_value(students, per_student):
    # Different enrolments, identical L4 per pupil.
    frame = l4_county(students, [per_student * p for p in students])
    row = indicator_row(evaluate_table(frame, NATIONAL), "L4")
    assert row["cv"] == pytest.approx(0.0, abs=1e-12)
    assert row["mean"] == pytest.approx(per_student, rel=1e-12)
    assert bool(row["cv_passed"]) is True


@PROPERTY
@given(enrolments, st.lists(areas, min_size=2, max_size=8))
def test_cv_with_equal_enrolments_is_the_population_cv(students, area):
    assume(sum(area) > 0)
    values = np.array(area, dtype=float) / students
    expected = float(np.std(values, ddof=0) / np.mean(values))
    assert engine_cv(l4_county([students] * len(area), area)) == pytest.approx(expected, rel=1e-9, abs=1e-12)


# --- schools without pupils; undefined CVs --------------------------------------------------------


def test_school_without_pupils_is_left_out_with_a_warning():
    frame = l4_county([100, 200, 700, 0], [300, 1000, 4200, 99_999])
    ev = evaluate_table(frame, NATIONAL)
    # Not among the evaluated schools, not in the CV (still the 3-school figure).
    assert "S3" not in set(ev.schools["school_code"])
    assert float(indicator_row(ev, "L4")["cv"]) == pytest.approx(0.167628081041688860, rel=1e-12)
    assert int(indicator_row(ev, "L4")["schools"]) == 3
    excluded = ev.excluded.set_index("school_code")
    assert excluded.loc["S3", "reason"] == "no_students"
    assert [w.rule for w in ev.warnings] == ["no_students"]
    result = county_result(ev).to_dict()
    assert [w["rule"] for w in result["warnings"]] == ["no_students"]
    assert [e["school_code"] for e in result["excluded"]] == ["S3"]
    assert "S3" not in {s["school_code"] for s in result["schools"]}


def test_weighted_cv_leaves_out_schools_without_pupils():
    assert weighted_cv([3, 5, 6, 1e9], [100, 200, 700, 0]) == pytest.approx(0.167628081041688860, rel=1e-12)


def test_weighted_cv_undefined_when_mean_is_zero():
    assert weighted_cv([0, 0, 0], [100, 200, 300]) is None
    assert weighted_cv([5.0], [0]) is None


def test_zero_county_mean_gives_undefined_cv_and_no_pass():
    # No school has a multimedia classroom: X̄ = 0 for L7, CV = S / 0 is undefined.
    frame = pd.DataFrame([school("A", multimedia_classrooms=0), school("B", students=800, multimedia_classrooms=0)])
    ev = evaluate_table(frame, NATIONAL)
    row = indicator_row(ev, "L7")
    assert row["mean"] == 0
    assert row["cv_status"] == "undefined"
    result = county_result(ev).to_dict()
    entry = result["levels"]["primary"]["indicators"]["L7"]
    assert entry["cv"] is None
    assert entry["cv_3dp"] is None
    assert entry["cv_status"] == "undefined"
    assert entry["cv_passed"] is None
    assert result["levels"]["primary"]["passed"] is not True
    assert {"rule": "cv_undefined", "indicator": "L7"}.items() <= next(
        r for r in result["levels"]["primary"]["reasons"] if r["rule"] == "cv_undefined"
    ).items()


def test_zero_county_mean_alone_keeps_the_level_from_passing(tmp_path: Path):
    # With the "rest ≥ 85%" rule switched off every school passes on 6 indicators, so only the
    # undefined L7 CV stands between the level and a pass: it must not pass.
    override = tmp_path / "override.yaml"
    override.write_text("school_rule:\n  min_ratio_unmet: {value: 0, confirmation: memory}\n", encoding="utf-8")
    standard = load("national-2017", override=override)
    frame = pd.DataFrame([school("A", multimedia_classrooms=0), school("B", multimedia_classrooms=0)])
    levels = evaluate_table(frame, standard).levels.set_index("level")
    assert levels.loc["primary", "schools_rule_passed"] is True
    assert levels.loc["primary", "cvs_passed"] is None
    assert levels.loc["primary", "passed"] is None


# --- comparison with the limit at full precision; display rounding --------------------------------


def two_school_cv_frame(cv: str, level: str = "primary") -> pd.DataFrame:
    """Two schools of 1000 pupils with L4 = 6·(1 ± c): X̄ = 6, S = 6c, so CV = c exactly."""
    c = float(cv)
    return l4_county([1000, 1000], [6000 * (1 + c), 6000 * (1 - c)], level)


def test_cv_just_above_limit_fails_though_it_displays_as_the_limit():
    # Areas 9002.4 and 2997.6 m² for 1000 pupils each: L4 = 9.0024 and 2.9976, X̄ = 6,
    # S = √(½·3.0024² + ½·3.0024²) = 3.0024, CV = 3.0024 / 6 = 0.5004 → shown as 0.500, but > 0.50.
    ev = evaluate_table(two_school_cv_frame("0.5004"), NATIONAL)
    assert float(indicator_row(ev, "L4")["cv"]) == pytest.approx(0.5004, rel=1e-12)
    entry = county_result(ev).to_dict()["levels"]["primary"]["indicators"]["L4"]
    assert entry["cv_3dp"] == 0.5
    assert entry["cv_passed"] is False
    assert "cv_exceeds" in [r["rule"] for r in county_result(ev).to_dict()["levels"]["primary"]["reasons"]]
    assert county_result(ev).to_dict()["levels"]["primary"]["passed"] is False


@pytest.mark.parametrize("cv", ["0.5001", "0.50001", "0.500001"])
def test_cv_a_hair_above_primary_limit_fails(cv):
    ev = evaluate_table(two_school_cv_frame(cv), NATIONAL)
    assert bool(indicator_row(ev, "L4")["cv_passed"]) is False


@pytest.mark.parametrize("cv", ["0.5", "0.4999"])
def test_cv_at_or_below_primary_limit_passes(cv):
    # "0.5": areas 9000 and 3000 → L4 = 9 and 3, X̄ = 6, S = 3, CV = 0.5 exactly (≤ 0.50).
    ev = evaluate_table(two_school_cv_frame(cv), NATIONAL)
    assert float(indicator_row(ev, "L4")["cv"]) == pytest.approx(float(cv), rel=1e-12)
    assert bool(indicator_row(ev, "L4")["cv_passed"]) is True


@pytest.mark.parametrize(("cv", "passed"), [("0.45", True), ("0.4499", True), ("0.4504", False), ("0.45001", False)])
def test_junior_limit_is_045_at_full_precision(cv, passed):
    # "0.45": areas 8700 and 3300 m² for 1000 junior pupils each → L4 = 8.7 and 3.3, CV = 2.7/6 = 0.45.
    ev = evaluate_table(two_school_cv_frame(cv, "junior"), NATIONAL)
    row = indicator_row(ev, "L4", "junior")
    assert row["cv_limit"] == 0.45
    assert bool(row["cv_passed"]) is passed


def test_cv_3dp_rounds_half_up():
    # Values 1.0625 and 0.9375 m² (106.25 and 93.75 m² for 100 pupils each): X̄ = 1, S = 0.0625,
    # CV = 0.0625 exactly (a binary fraction). Half-up gives 0.063; round-half-even would give 0.062.
    frame = l4_county([100, 100], [106.25, 93.75])
    ev = evaluate_table(frame, NATIONAL)
    assert float(indicator_row(ev, "L4")["cv"]) == 0.0625
    assert round(0.0625, 3) == 0.062  # what Python's round() would show
    assert county_result(ev).to_dict()["levels"]["primary"]["indicators"]["L4"]["cv_3dp"] == 0.063


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.4445, 0.445), (0.0005, 0.001), (0.5004, 0.5), (0.5005, 0.501), (0.12345, 0.123), (0.9995, 1.0), (0.0, 0.0)],
)
def test_round_half_up(value, shown):
    assert round_half_up(value, 3) == shown


def test_round_half_up_of_missing_values():
    assert round_half_up(None) is None
    assert round_half_up(math.nan) is None


def test_cv_3dp_of_an_exact_half_by_hand():
    # Areas 112.35 and 87.65 m² for 100 pupils each: L4 = 1.1235 and 0.8765, X̄ = 1, S = 0.1235,
    # CV = 0.1235 exactly → half-up to 3 decimals = 0.124 (what a county computes in Excel).
    ev = evaluate_table(l4_county([100, 100], [112.35, 87.65]), NATIONAL)
    assert county_result(ev).to_dict()["levels"]["primary"]["indicators"]["L4"]["cv_3dp"] == 0.124


def test_blank_cell_for_some_schools_is_an_input_error():
    # Never a NaN county mean reported as "the county mean is zero".
    frame = pd.DataFrame([school("A"), school("B", multimedia_classrooms=math.nan)])
    with pytest.raises(InputError) as info:
        evaluate_table(frame, NATIONAL)
    assert [(p.rule, p.row, p.column) for p in info.value.problems] == [("empty_value", 3, "multimedia_classrooms")]


def test_blank_column_for_the_whole_county_is_no_data():
    frame = pd.DataFrame([school("A", multimedia_classrooms=math.nan), school("B", multimedia_classrooms=math.nan)])
    result = county_result(evaluate_table(frame, NATIONAL)).to_dict()
    entry = result["levels"]["primary"]["indicators"]["L7"]
    assert (entry["cv"], entry["cv_status"], entry["cv_passed"]) == (None, "no_data", None)
    assert "cv_undefined" not in [r["rule"] for r in result["levels"]["primary"]["reasons"]]
    assert result["levels"]["primary"]["passed"] is None
