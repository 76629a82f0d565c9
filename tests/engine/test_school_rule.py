"""The per-school rule and the level verdict (standards.md §1.4).

Each school: at least 6 of the 7 indicators met, and an unmet indicator at no less than 85% of its
threshold. A level passes when every school passes and every indicator's CV is within its limit.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dudao.engine import county_result, evaluate_table
from tests.engine.schools import NATIONAL, PRIMARY


def school(code: str = "S1", **overrides) -> dict:
    return {"school_code": code, "school_name": f"学校{code}", **PRIMARY, **overrides}


def results(*rows: dict, drop: tuple[str, ...] = ()) -> dict[str, dict]:
    """county_result's school entries by school code."""
    frame = pd.DataFrame(list(rows)).drop(columns=list(drop))
    return {s["school_code"]: s for s in county_result(evaluate_table(frame, NATIONAL)).to_dict()["schools"]}


def rules(entry: dict) -> list[str]:
    return [r["rule"] for r in entry["reasons"]]


def test_seven_met_passes():
    s = results(school())["S1"]
    assert (s["met_count"], s["indicator_count"], s["passed"]) == (7, 7, True)
    assert s["reasons"] == []


def test_six_met_and_the_seventh_at_exactly_85_percent_passes():
    # L4 at 85% of 4.5 m² = 3.825 m² per pupil; × 500 pupils = 1912.5 m².
    s = results(school(teaching_aux_area_m2=1912.5))["S1"]
    assert s["indicators"]["L4"]["met"] is False
    assert s["indicators"]["L4"]["ratio"] == pytest.approx(0.85, rel=1e-12)
    assert s["met_count"] == 6
    assert s["passed"] is True
    assert rules(s) == ["indicator_unmet"]


def test_six_met_and_a_teacher_indicator_at_exactly_85_percent_passes():
    # 2000 pupils, 17 backbone teachers: 17 / 2000 · 100 = 0.85 per 100 = 85% of 1.
    big = {k: v * 4 for k, v in PRIMARY.items() if k != "school_type"}
    s = results(school(**{**big, "backbone_teachers": 17}))["S1"]
    assert s["students"] == 2000
    assert s["indicators"]["L2"]["value"] == pytest.approx(0.85, rel=1e-12)
    assert s["passed"] is True


def test_six_met_and_the_seventh_at_84_9_percent_fails():
    # 84.9% of 4.5 m² = 3.8205 m² per pupil; × 500 pupils = 1910.25 m².
    s = results(school(teaching_aux_area_m2=1910.25))["S1"]
    assert s["met_count"] == 6
    assert s["passed"] is False
    below = [r for r in s["reasons"] if r["rule"] == "unmet_below_share"]
    assert len(below) == 1
    assert below[0]["indicator"] == "L4"
    assert below[0]["ratio"] == pytest.approx(0.849, rel=1e-12)
    assert "too_few_met" not in rules(s)


def test_five_met_fails_even_when_both_unmet_are_above_85_percent():
    # L4 = 2025 / 500 = 4.05 m² (90% of 4.5), L5 = 3375 / 500 = 6.75 m² (90% of 7.5).
    s = results(school(teaching_aux_area_m2=2025, sports_area_m2=3375))["S1"]
    assert s["met_count"] == 5
    assert s["passed"] is False
    assert "too_few_met" in rules(s)
    assert "unmet_below_share" not in rules(s)
    too_few = next(r for r in s["reasons"] if r["rule"] == "too_few_met")
    assert (too_few["met"], too_few["min_met"]) == (5, 6)


def test_absent_column_leaves_six_met_undetermined_but_two_unmet_still_fail():
    # No multimedia-classroom column at all: L7 has no data for every school.
    schools = results(
        school("SIX"),  # L1–L6 met, L7 unknown: passes if L7 ≥ 85%, else fails → undetermined
        school("TWO", teaching_aux_area_m2=2025, sports_area_m2=3375),  # 4 met + 2 unmet: ≤ 5 met whatever L7
        school("LOW", teaching_aux_area_m2=1500),  # L4 at 66.7% of the threshold: fails whatever L7
        school("ONE", teaching_aux_area_m2=2025),  # 5 met + L4 at 90%: decided by L7 → undetermined
        drop=("multimedia_classrooms",),
    )
    assert schools["SIX"]["passed"] is None
    assert {"indicator_no_data", "school_undetermined"} <= set(rules(schools["SIX"]))
    assert schools["SIX"]["indicators"]["L7"] == {**schools["SIX"]["indicators"]["L7"], "value": None, "met": None}
    assert schools["TWO"]["passed"] is False
    assert "too_few_met" in rules(schools["TWO"])
    assert schools["LOW"]["passed"] is False
    assert "unmet_below_share" in rules(schools["LOW"])
    assert schools["ONE"]["passed"] is None


def level(*rows: dict) -> dict:
    return county_result(evaluate_table(pd.DataFrame(list(rows)), NATIONAL)).to_dict()["levels"]["primary"]


def test_level_passes_when_every_school_and_every_cv_passes():
    lv = level(school("A"), school("B", students=400, teaching_aux_area_m2=2000, sports_area_m2=3200))
    assert all(ind["cv_passed"] is True for ind in lv["indicators"].values())
    assert (lv["schools_passed"], lv["schools_failed"], lv["schools_undetermined"]) == (2, 0, 0)
    assert lv["passed"] is True
    assert lv["reasons"] == []


def test_level_fails_with_one_failing_school():
    # B: 5 met (L4 and L5 at 90%); every CV stays well within 0.50.
    lv = level(school("A"), school("B", teaching_aux_area_m2=2025, sports_area_m2=3375))
    assert all(ind["cv_passed"] is True for ind in lv["indicators"].values())
    assert (lv["schools_passed"], lv["schools_failed"]) == (1, 1)
    assert lv["passed"] is False
    failing = [r for r in lv["reasons"] if r["rule"] == "schools_failing"]
    assert len(failing) == 1
    assert failing[0]["n"] == 1


def test_level_undetermined_when_a_school_is_undetermined():
    frame = pd.DataFrame([school("A"), school("B")]).drop(columns=["multimedia_classrooms"])
    lv = county_result(evaluate_table(frame, NATIONAL)).to_dict()["levels"]["primary"]
    assert lv["schools_undetermined"] == 2
    assert lv["passed"] is None
    assert "schools_undetermined" in rules(lv)


def test_level_fails_on_a_cv_even_when_every_school_passes():
    # L4 = 9.0 and 4.5 m² for 500 pupils each: X̄ = 6.75, S = 2.25, CV = 1/3 ≤ 0.5 — passes;
    # L5 = 30 and 8 m²: X̄ = 19, S = 11, CV = 11/19 = 0.578947… > 0.5 — fails.
    lv = level(school("A", teaching_aux_area_m2=4500, sports_area_m2=15_000), school("B", teaching_aux_area_m2=2250))
    assert lv["indicators"]["L4"]["cv"] == pytest.approx(1 / 3, rel=1e-12)
    assert lv["indicators"]["L5"]["cv"] == pytest.approx(11 / 19, rel=1e-12)
    assert lv["schools_failed"] == 0
    assert lv["passed"] is False
    assert [r["indicator"] for r in lv["reasons"] if r["rule"] == "cv_exceeds"] == ["L5"]
