"""Where inequality comes from (issue #14 §5): the enrolment-weighted Theil index and CV², each split
exactly into a between-group and a within-group part — by hand, as properties, and in the county result."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dudao.engine import county_result, evaluate_table, weighted_cv
from dudao.engine.decomposition import cv2, decompose, groupings_for, theil, town_group_of
from dudao.engine.result import CountyResult
from tests.engine.schools import NATIONAL, PRIMARY

# Four schools of 100 pupils in two groups (every weight wᵢ = 1/4):
#   A: x = 1, 3  (mean 2)      B: x = 4, 8  (mean 6)      county mean x̄ = (1 + 3 + 4 + 8) / 4 = 4
VALUES = [1.0, 3.0, 4.0, 8.0]
PUPILS = [100, 100, 100, 100]
GROUPS = ["A", "A", "B", "B"]


def test_cv2_split_by_hand() -> None:
    """S² = ¼[(1−4)² + (3−4)² + 0² + (8−4)²] = ¼·26 = 6.5, CV² = 6.5/16 = 0.40625.
    Between: W_A = W_B = ½, ½(2−4)² + ½(6−4)² = 4, /16 = 0.25.
    Within: S²_A = ½(1 + 1) = 1, S²_B = ½(4 + 4) = 4; ½·1 + ½·4 = 2.5, /16 = 0.15625."""
    split = cv2(VALUES, PUPILS, GROUPS)
    assert split.total == pytest.approx(0.40625, rel=1e-12)
    assert split.between == pytest.approx(0.25, rel=1e-12)
    assert split.within == pytest.approx(0.15625, rel=1e-12)
    assert split.between_share == pytest.approx(0.25 / 0.40625)
    assert split.total == pytest.approx(weighted_cv(VALUES, PUPILS) ** 2, rel=1e-12)  # the engine's CV, squared


def test_theil_split_by_hand() -> None:
    """xᵢ/x̄ = ¼, ¾, 1, 2: T = ¼[¼ ln ¼ + ¾ ln ¾ + 1 ln 1 + 2 ln 2] = 0.2059898…
    Group shares s_g = W_g x̄_g / x̄: s_A = ½·2/4 = ¼, s_B = ½·6/4 = ¾.
    Between: ¼ ln(2/4) + ¾ ln(6/4) = 0.1308120…
    Within: T_A = ½[½ ln ½ + (3/2) ln(3/2)], T_B = ½[(2/3) ln(2/3) + (4/3) ln(4/3)];
    ¼·T_A + ¾·T_B = 0.0751778…"""
    total = 0.25 * (0.25 * math.log(0.25) + 0.75 * math.log(0.75) + 2 * math.log(2))
    between = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    t_a = 0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5))
    t_b = 0.5 * (2 / 3 * math.log(2 / 3) + 4 / 3 * math.log(4 / 3))
    within = 0.25 * t_a + 0.75 * t_b
    split = theil(VALUES, PUPILS, GROUPS)
    assert split.total == pytest.approx(total, rel=1e-12)
    assert split.between == pytest.approx(between, rel=1e-12)
    assert split.within == pytest.approx(within, rel=1e-12)
    assert total == pytest.approx(0.2059898, abs=1e-7)
    assert between == pytest.approx(0.1308120, abs=1e-7)


def test_enrolment_weights_the_parts() -> None:
    """Doubling group B's pupils (weights ⅙, ⅙, ⅓, ⅓): x̄ = (1 + 3)/6 + (4 + 8)/3 = 14/3;
    between = [⅓(2 − 14/3)² + ⅔(6 − 14/3)²] / (14/3)² = (64/27 + 32/27)/(196/9) = 32/9 · 9/196 = 32/196."""
    split = cv2(VALUES, [100, 100, 200, 200], GROUPS)
    assert split.between == pytest.approx(32 / 196, rel=1e-12)


def test_zero_values_schools_without_pupils_and_no_group() -> None:
    """x ln x → 0: a school with value 0 adds nothing to the sum but lowers the mean. Schools without
    pupils or without a value are left out; a school without a group (None) is a group of its own."""
    # x = 0, 2 with equal weight: x̄ = 1, T = ½[0 + 2 ln 2] = ln 2; by the groups {0} and {2}: all between.
    split = theil([0.0, 2.0, 9.0, None], [50, 50, 0, 70], ["A", None, "A", "B"])
    assert split.total == pytest.approx(math.log(2), rel=1e-12)
    assert split.between == pytest.approx(math.log(2), rel=1e-12)
    assert split.within == pytest.approx(0.0, abs=1e-15)
    # A group whose mean is 0 has no share of the total: x = 0, 0 (group Z), 2, 4 (group B), x̄ = 1.5;
    # T = ¼[(2/1.5) ln(2/1.5) + (4/1.5) ln(4/1.5)], s_Z = 0, s_B = 1: between = ln(3/1.5) = ln 2,
    # within = T_B = ½[(2/3) ln(2/3) + (4/3) ln(4/3)].
    split = theil([0.0, 0.0, 2.0, 4.0], [1, 1, 1, 1], ["Z", "Z", "B", "B"])
    assert split.total == pytest.approx(0.25 * ((2 / 1.5) * math.log(2 / 1.5) + (4 / 1.5) * math.log(4 / 1.5)))
    assert split.between == pytest.approx(math.log(2))
    assert split.within == pytest.approx(0.5 * (2 / 3 * math.log(2 / 3) + 4 / 3 * math.log(4 / 3)))


def test_undefined_measures() -> None:
    for split in (theil([0.0, 0.0], [1, 1], ["a", "b"]), cv2([0.0, 0.0], [1, 1], ["a", "b"])):
        assert (split.total, split.between, split.within, split.between_share) == (None, None, None, None)
    assert theil([-1.0, 2.0], [1, 1], ["a", "b"]).total is None  # the logarithm needs values ≥ 0
    assert cv2([-1.0, 2.0], [1, 1], ["a", "b"]).total == pytest.approx(weighted_cv([-1.0, 2.0], [1, 1]) ** 2)
    assert cv2([], [], []).total is None
    assert cv2([1.0, 2.0], [0, 0], ["a", "b"]).total is None
    with pytest.raises(ValueError):
        cv2([1.0], [1, 2], ["a"])


_school = st.tuples(
    st.one_of(st.just(0.0), st.floats(0.01, 1000, allow_nan=False)),
    st.integers(0, 3000),
    st.sampled_from(["南部", "北部", "城区", None]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_school, min_size=1, max_size=30))
def test_parts_add_up_to_the_total(schools: list[tuple[float, int, str | None]]) -> None:
    values, pupils, groups = (list(c) for c in zip(*schools, strict=True))
    d = decompose(values, pupils, groups)
    for split in (d.theil, d.cv2):
        if split.total is None:
            continue
        assert split.between is not None and split.within is not None
        assert split.between + split.within == pytest.approx(split.total, rel=1e-9, abs=1e-12)
        assert split.between >= -1e-12 and split.within >= -1e-12  # both parts are never negative
    cv = weighted_cv(values, pupils)
    assert (d.cv2.total is None) == (cv is None)
    if cv is not None:
        assert d.cv2.total == pytest.approx(cv**2, rel=1e-9, abs=1e-15)
    # one group: nothing between; every school its own group: nothing within
    one = decompose(values, pupils, ["all"] * len(values))
    own = decompose(values, pupils, list(range(len(values))))
    for split in (one.theil, one.cv2):
        if split.total is not None:
            assert split.between == pytest.approx(0.0, abs=1e-12)
    for split in (own.theil, own.cv2):
        if split.total is not None:
            assert split.within == pytest.approx(0.0, abs=1e-12)


def test_groupings_that_apply() -> None:
    g = groupings_for(["urban", ""], [None, None], ["甲镇", " 乙镇 "], {"甲镇": "北部"})
    assert g == {"location": ["urban", None], "town": ["甲镇", "乙镇"], "town_groups": ["北部", None]}
    assert list(groupings_for([None], ["public"])) == ["location", "ownership"]
    assert town_group_of({"南部": ["甲镇", "乙镇"], "北部": ["丙镇"]}) == {
        "甲镇": "南部",
        "乙镇": "南部",
        "丙镇": "北部",
    }
    with pytest.raises(ValueError, match="两组"):
        town_group_of({"南部": ["甲镇"], "北部": ["甲镇"]})


# The county of the hand example, as a school table: L4 (m² per pupil) = VALUES, towns and groups.
@pytest.fixture(scope="module")
def county() -> CountyResult:
    rows = [
        {**PRIMARY, "school_code": f"S{i}", "school_name": f"学校{i}", "students": 100,
         "teaching_aux_area_m2": 100 * x, "location": loc, "ownership": "public", "town": town}
        for i, (x, loc, town) in enumerate(zip(VALUES, ["rural", "rural", "urban", "urban"],
                                               ["甲镇", "乙镇", "丙镇", "丙镇"], strict=True))
    ]  # fmt: skip
    return county_result(evaluate_table(pd.DataFrame(rows), NATIONAL), town_groups={"北部": ["甲镇", "乙镇"]})


def test_county_result_carries_the_decomposition(county: CountyResult) -> None:
    entry = county.indicator("primary", "L4")
    assert entry is not None and entry.decomposition is not None
    assert list(entry.decomposition) == ["location", "ownership", "town", "town_groups"]
    location = entry.decomposition["location"]  # rural = {1, 3}, urban = {4, 8}: the groups A and B above
    assert location.cv2.between == pytest.approx(0.25, rel=1e-12)
    assert location.cv2.within == pytest.approx(0.15625, rel=1e-12)
    assert location.cv2.total == pytest.approx(entry.cv**2, rel=1e-12)
    assert location.theil.between == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5), rel=1e-12)
    assert entry.decomposition["ownership"].cv2.between == pytest.approx(0.0, abs=1e-15)  # all public
    # towns 甲, 乙 alone, 丙 = {4, 8}; the group 北部 = {甲, 乙} = A, 丙 in no group = B
    assert entry.decomposition["town"].cv2.within == pytest.approx(0.5 * 4 / 16, rel=1e-12)
    assert entry.decomposition["town_groups"].to_dict() == location.to_dict()
    # read back and written again: the same JSON
    assert CountyResult.from_json(county.to_json()).to_json() == county.to_json()


def test_no_town_column_location_only() -> None:
    rows = [
        {**PRIMARY, "school_code": "S1", "school_name": "一"},
        {**PRIMARY, "school_code": "S2", "school_name": "二"},
    ]
    result = county_result(evaluate_table(pd.DataFrame(rows), NATIONAL))
    entry = result.indicator("primary", "L1")
    assert entry is not None and entry.decomposition is not None
    assert list(entry.decomposition) == ["location"]
    assert entry.decomposition["location"].to_dict() == {
        "theil": {"total": 0.0, "between": 0.0, "within": 0.0},
        "cv2": {"total": 0.0, "between": 0.0, "within": 0.0},
    }
