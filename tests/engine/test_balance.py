"""Balance analysis (均衡分析): group comparisons, each school's share of the weighted variance, and the
contributors the county result names for a failing CV — every figure checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dudao.engine import county_result, evaluate_table, weighted_cv
from dudao.engine.balance import balance, contributors, groups
from dudao.engine.result import CountyResult, School
from dudao.engine.weighted import weighted_mean
from tests.engine.schools import NATIONAL, PRIMARY

# Four primary schools that differ in enrolment, teaching floor area (L4) and equipment (L6).
#   code  P    L4 area → X   location  ownership  L6 yuan → per pupil
COUNTY = [
    ("S0", 100, 300, "rural", "public", 20_000),  # L4 3.0 (below 4.5: unmet), L6 200
    ("S1", 200, 1000, "rural", "public", 400_000),  # L4 5.0, L6 2000
    ("S2", 700, 4200, "urban", "public", 7_000_000),  # L4 6.0, L6 10000
    ("S3", 500, 2000, "town", "private", 1_000_000),  # L4 4.0 (unmet), L6 2000
]


@pytest.fixture(scope="module")
def result() -> CountyResult:
    frame = pd.DataFrame(
        [
            {**PRIMARY, "school_code": code, "school_name": f"学校{code}", "students": p,
             "teaching_aux_area_m2": area, "location": location, "ownership": ownership, "equipment_value_yuan": yuan}
            for code, p, area, location, ownership, yuan in COUNTY
        ]
    )  # fmt: skip
    return county_result(evaluate_table(frame, NATIONAL))


def l4(result: CountyResult) -> dict:
    return balance(result)["levels"]["primary"]["indicators"]["L4"]


def test_shares_of_the_weighted_variance_by_hand(result: CountyResult) -> None:
    # X̄ = (300 + 1000 + 4200 + 2000) / 1500 = 5.0
    # Pᵢ(Xᵢ − X̄)²: S0 100·4 = 400, S1 200·0 = 0, S2 700·1 = 700, S3 500·1 = 500; Σ = 1600
    # CV = √(1600 / 1500) / 5 = 0.206559111797…
    entry = l4(result)
    assert entry["mean"] == pytest.approx(5.0, rel=1e-12)
    assert entry["cv"] == pytest.approx(math.sqrt(1600 / 1500) / 5, rel=1e-12)
    assert [(c["school_code"], c["direction"]) for c in entry["contributors"]] == [
        ("S2", "above"),
        ("S3", "below"),
        ("S0", "below"),
    ]  # S1 sits on the mean: no share
    assert [c["share_of_variance"] for c in entry["contributors"]] == pytest.approx([700 / 1600, 500 / 1600, 0.25])
    shares = {p["school_code"]: p["share_of_variance"] for p in entry["points"]}
    assert shares == pytest.approx({"S0": 0.25, "S1": 0.0, "S2": 0.4375, "S3": 0.3125})
    assert sum(shares.values()) == pytest.approx(1.0)


def test_points_in_order_of_value_with_met_and_gap(result: CountyResult) -> None:
    points = l4(result)["points"]
    assert [(p["school_code"], p["value"], p["met"]) for p in points] == [
        ("S0", pytest.approx(3.0), False),
        ("S3", pytest.approx(4.0), False),
        ("S1", pytest.approx(5.0), True),
        ("S2", pytest.approx(6.0), True),
    ]
    # 4.5 m² × 100 pupils = 450 m² needed, 300 there: 150 m² short; S3: 2250 − 2000 = 250.
    assert [p["gap"] for p in points] == [150, 250, 0, 0]
    assert points[0]["students"] == 100 and points[0]["location"] == "rural" and points[0]["school_name"] == "学校S0"


def test_urban_town_rural_by_hand(result: CountyResult) -> None:
    by_group = {g["group"]: g for g in l4(result)["groups"]["location"]}
    assert list(by_group) == ["urban", "town", "rural"]
    urban, town, rural = by_group["urban"], by_group["town"], by_group["rural"]
    assert (urban["schools"], urban["students"], urban["schools_met"], urban["share_met"]) == (1, 700, 1, 1.0)
    assert urban["mean"] == pytest.approx(6.0) and urban["cv"] == pytest.approx(0.0)
    assert (town["schools"], town["schools_met"], town["share_met"]) == (1, 0, 0.0)
    assert town["mean"] == pytest.approx(4.0)
    # Rural: (300 + 1000) / 300 = 13/3; S² = (100·(3 − 13/3)² + 200·(5 − 13/3)²) / 300 = 8/9;
    # CV = (2√2/3) / (13/3) = 2√2/13 = 0.217566…; one of two schools meets 4.5 m².
    assert rural["mean"] == pytest.approx(13 / 3, rel=1e-12)
    assert rural["cv"] == pytest.approx(2 * math.sqrt(2) / 13, rel=1e-12)
    assert (rural["schools"], rural["students"], rural["schools_met"], rural["share_met"]) == (2, 300, 1, 0.5)


def test_public_private_by_hand(result: CountyResult) -> None:
    public, private = l4(result)["groups"]["ownership"]
    assert (public["group"], private["group"]) == ("public", "private")
    # Public: (300 + 1000 + 4200) / 1000 = 5.5 and the CV of the three-school case (0.167628…).
    assert public["mean"] == pytest.approx(5.5) and public["cv"] == pytest.approx(0.167628081041688860, rel=1e-12)
    assert (public["schools"], public["schools_met"]) == (3, 2) and public["share_met"] == pytest.approx(2 / 3)
    assert (private["schools"], private["mean"], private["share_met"]) == (1, pytest.approx(4.0), 0.0)


def test_the_county_row_carries_the_judged_mean_and_cv(result: CountyResult) -> None:
    county = l4(result)["county"]
    stored = result.levels["primary"].indicators["L4"]
    assert (county["mean"], county["cv"]) == (stored.mean, stored.cv)
    assert (county["schools"], county["students"], county["schools_met"], county["share_met"]) == (4, 1500, 2, 0.5)
    assert county["schools_met"] == stored.schools_met


def test_schools_without_the_attribute_form_their_own_group() -> None:
    school = {"school_code": "S", "school_name": "学校", "school_type": "primary", "level": "primary",
              "ownership": None, "students": 100, "part_of_whole": False, "source_row": 2,
              "indicators": {"L1": {"value": 2.0, "threshold": 1.0, "met": True}}, "met_count": None,
              "indicator_count": 1, "passed": None, "reasons": []}  # fmt: skip
    parts = [School.from_dict({**school, "location": "urban"}), School.from_dict({**school, "location": None})]
    rows = groups(parts, "L1", "location")
    assert [(g["group"], g["schools"]) for g in rows] == [("urban", 1), ("town", 0), ("rural", 0), (None, 1)]
    assert rows[1]["mean"] is None and rows[1]["share_met"] is None and rows[1]["cv"] is None


def test_the_result_names_the_same_contributors_for_a_failing_cv(result: CountyResult) -> None:
    # L6 per pupil 200, 2000, 10000, 2000 with P 100, 200, 700, 500 spreads far beyond 0.5.
    stored = result.to_dict()["levels"]["primary"]["indicators"]["L6"]
    assert stored["cv_passed"] is False
    assert stored["top_contributors"] == balance(result)["levels"]["primary"]["indicators"]["L6"]["contributors"][:5]
    assert "top_contributors" not in result.to_dict()["levels"]["primary"]["indicators"]["L4"]  # passing: not stored


def test_contributors_ties_missing_values_and_no_spread() -> None:
    ranked = contributors(["a", "b", "c", "d"], ["A", "B", "C", "D"], [1.0, 3.0, float("nan"), 1.0], [1, 1, 9, 1], 2.0)
    assert [c.school_code for c in ranked] == ["a", "b", "d"]  # equal shares keep the input order; c no value
    assert [c.share_of_variance for c in ranked] == pytest.approx([1 / 3] * 3)
    assert contributors(["a", "b"], ["A", "B"], [2.0, 2.0], [1, 5], 2.0) == []
    assert contributors(["a"], ["A"], [2.0], [1], None) == []
    assert len(contributors(list("abcdefg"), list("ABCDEFG"), range(7), [1] * 7, 3.0, limit=5)) == 5


def test_weighted_mean_is_the_mean_of_the_cv() -> None:
    assert weighted_mean([3, 5, 6], [100, 200, 700]) == pytest.approx(5.5)
    assert weighted_mean([3, 5], [0, 0]) is None
    assert weighted_cv([3, 5, 6], [100, 200, 700]) == pytest.approx(math.sqrt(0.85) / 5.5)
