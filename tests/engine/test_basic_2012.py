"""The 2012 basic-balanced standard: one composite CV per level (standards.md §2.2, §3).

综合差异系数 = the arithmetic mean of the 8 single (unrounded) CVs, compared with ≤ 0.65 (primary)
and ≤ 0.55 (junior) at full precision. Single CVs may exceed those figures.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dudao.engine import county_result, evaluate_table
from dudao.standards import load

BASIC = load("basic-2012")

# indicator → (raw field, per how many students)
FIELD = {
    "B1": ("teaching_aux_area_m2", 1),
    "B2": ("sports_area_m2", 1),
    "B3": ("equipment_value_yuan", 1),
    "B4": ("computers", 100),
    "B5": ("books", 1),
    "B6": ("teachers", 100),
    "B7": ("teachers_above_qualification", 100),
    "B8": ("senior_title_teachers", 100),
}


def school(code: str, students: int, values: dict[str, float], **extra) -> dict:
    """A school whose indicator Bi equals ``values[Bi]`` (per pupil or per 100 pupils)."""
    row = {"school_code": code, "school_name": f"学校{code}", "school_type": "primary", "students": students}
    for ind, (field, per) in FIELD.items():
        row[field] = values[ind] * students / per
    return {**row, **extra}


def level_result(frame: pd.DataFrame, level: str = "primary") -> dict:
    return county_result(evaluate_table(frame, BASIC)).to_dict()["levels"][level]


def test_composite_is_the_mean_of_the_eight_cvs_by_hand():
    # Two schools, P = 100 and 300. For values a and b: X̄ = (a + 3b)/4, deviations ¾(a−b) and −¼(a−b),
    # S² = ¼·(9/16)(a−b)² + ¾·(1/16)(a−b)² = (3/16)(a−b)², so CV = (√3/4)·|a−b| / X̄.
    a = {"B1": 8, "B2": 10, "B3": 2000, "B4": 10, "B5": 40, "B6": 6, "B7": 4, "B8": 3}
    b = {"B1": 4, "B2": 10, "B3": 3000, "B4": 6, "B5": 20, "B6": 5, "B7": 4, "B8": 1}
    # B1: X̄ = 5,    |a−b| = 4    → CV = √3/5  = 0.346410161513775459
    # B2: equal                   → CV = 0
    # B3: X̄ = 2750, |a−b| = 1000 → CV = √3/11 = 0.157459164324443390
    # B4: X̄ = 7,    |a−b| = 4    → CV = √3/7  = 0.247435829652696756
    # B5: X̄ = 25,   |a−b| = 20   → CV = √3/5  = 0.346410161513775459
    # B6: X̄ = 5.25, |a−b| = 1    → CV = √3/21 = 0.082478609884232252
    # B7: equal                   → CV = 0
    # B8: X̄ = 1.5,  |a−b| = 2    → CV = √3/3  = 0.577350269189625765
    # composite = √3·(1/5 + 1/11 + 1/7 + 1/5 + 1/21 + 1/3)/8 = √3·(1172/1155)/8 = √3·293/2310
    #           = 0.219693024509818635
    singles = {
        "B1": 0.346410161513775459,
        "B2": 0.0,
        "B3": 0.157459164324443390,
        "B4": 0.247435829652696756,
        "B5": 0.346410161513775459,
        "B6": 0.082478609884232252,
        "B7": 0.0,
        "B8": 0.577350269189625765,
    }
    lv = level_result(pd.DataFrame([school("A", 100, a), school("B", 300, b)]))
    for code, cv in singles.items():
        assert lv["indicators"][code]["cv"] == pytest.approx(cv, rel=1e-12, abs=1e-15), code
        assert lv["indicators"][code]["cv_passed"] is None  # no single-CV verdict in 2012
    assert lv["composite_cv"] == pytest.approx(0.219693024509818635, rel=1e-12)
    assert lv["composite_cv"] == pytest.approx(math.sqrt(3) * 293 / 2310, rel=1e-12)
    assert lv["composite_cv_3dp"] == 0.22
    assert lv["composite_cv_limit"] == 0.65
    assert lv["composite_cv_passed"] is True
    assert lv["passed"] is True


def uniform_county(c: str, level: str = "primary") -> pd.DataFrame:
    """Two schools of 1000 pupils whose every indicator is 10·(1 ± c): each single CV is c, so is the composite."""
    k = float(c)
    school_type = "primary" if level == "primary" else "junior"
    high = dict.fromkeys(FIELD, 10 * (1 + k))
    low = dict.fromkeys(FIELD, 10 * (1 - k))
    return pd.DataFrame(
        [school("A", 1000, high, school_type=school_type), school("B", 1000, low, school_type=school_type)]
    )


@pytest.mark.parametrize(
    ("c", "level", "passed"),
    [
        ("0.65", "primary", True),
        ("0.6499", "primary", True),
        ("0.6504", "primary", False),
        ("0.65001", "primary", False),
        ("0.55", "junior", True),
        ("0.5504", "junior", False),
    ],
)
def test_composite_limit_at_full_precision(c, level, passed):
    lv = level_result(uniform_county(c, level), level)
    assert lv["composite_cv"] == pytest.approx(float(c), rel=1e-12)
    assert lv["composite_cv_limit"] == (0.65 if level == "primary" else 0.55)
    assert lv["composite_cv_passed"] is passed
    assert lv["passed"] is passed
    if not passed:
        assert lv["composite_cv_3dp"] == round(float(c), 2)  # 0.6504 is shown as 0.650
        assert "composite_exceeds" in [r["rule"] for r in lv["reasons"]]


def test_a_single_cv_may_exceed_the_limit():
    # B2 = 19 and 1 m² per pupil (1000 pupils each): CV = 18/20 = 0.9 > 0.65; the other seven CVs are 0.1
    # (values 11 and 9). Composite = (0.9 + 7·0.1)/8 = 0.2 ≤ 0.65: passes.
    high = {**dict.fromkeys(FIELD, 11), "B2": 19}
    low = {**dict.fromkeys(FIELD, 9), "B2": 1}
    lv = level_result(pd.DataFrame([school("A", 1000, high), school("B", 1000, low)]))
    assert lv["indicators"]["B2"]["cv"] == pytest.approx(0.9, rel=1e-12)
    assert lv["composite_cv"] == pytest.approx(0.2, rel=1e-12)
    assert lv["passed"] is True


def test_composite_undefined_when_an_indicator_has_no_data():
    frame = uniform_county("0.1").drop(columns=["books"])
    lv = level_result(frame)
    assert lv["indicators"]["B5"]["cv_status"] == "no_data"
    assert lv["composite_cv"] is None
    assert lv["composite_cv_3dp"] is None
    assert lv["composite_cv_passed"] is None
    assert lv["passed"] is None
    assert "composite_undefined" in [r["rule"] for r in lv["reasons"]]


def test_composite_undefined_when_a_county_mean_is_zero():
    frame = uniform_county("0.1").assign(computers=0)
    lv = level_result(frame)
    assert lv["indicators"]["B4"]["cv_status"] == "undefined"
    assert lv["composite_cv"] is None
    assert lv["passed"] is None


def test_no_per_school_rule_in_2012():
    lv = level_result(uniform_county("0.1"))
    assert (lv["schools_passed"], lv["schools_failed"], lv["schools_undetermined"]) == (None, None, None)


def test_private_schools_and_teaching_points_are_left_out_in_2012():
    frame = uniform_county("0.1")
    extra = [
        school("PRIV", 500, dict.fromkeys(FIELD, 50), ownership="private"),
        school("TP", 40, dict.fromkeys(FIELD, 50), school_type="teaching_point"),
    ]
    ev = evaluate_table(pd.concat([frame, pd.DataFrame(extra)], ignore_index=True), BASIC)
    assert ev.excluded.set_index("school_code")["reason"].to_dict() == {
        "PRIV": "private_excluded",
        "TP": "type_excluded",
    }
    assert county_result(ev).to_dict()["levels"]["primary"]["composite_cv"] == pytest.approx(0.1, rel=1e-12)
