"""Wilson intervals and the sample plan against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from dudao.surveys.stats import Rate, plan_cells, plan_quotas, split, tier_quotas, weighted, wilson


def hand_wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p = k / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / denom, (centre + half) / denom


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Worked by hand (z = 1.96): p = 0.9, n = 100: centre (0.9 + 0.019208) / 1.038416 = 0.885208;
        # half 1.96·sqrt(0.0009 + 0.00009604)/1.038416 = 0.059573 → 0.8256, 0.9448.
        (90, 100, 0.8256, 0.9448),
        # p = 0, n = 10: lower 0, upper 3.8416/10/(1.38416) = 0.2775.
        (0, 10, 0.0, 0.2775),
        # p = 1, n = 10: the mirror image.
        (10, 10, 0.7225, 1.0),
        # 85 of 100: centre 0.869208/1.038416 = 0.837051, half 0.072575/1.038416 = 0.069890.
        (85, 100, 0.7672, 0.9069),
    ],
)
def test_wilson_matches_hand_values(k: int, n: int, low: float, high: float) -> None:
    r = wilson(k, n)
    assert r.rate == pytest.approx(k / n)
    assert r.low == pytest.approx(low, abs=5e-5)
    assert r.high == pytest.approx(high, abs=5e-5)
    hl, hh = hand_wilson(k, n)
    assert r.low == pytest.approx(max(0, hl), abs=1e-4) and r.high == pytest.approx(min(1, hh), abs=1e-4)


def test_wilson_empty_and_bad_input() -> None:
    assert wilson(0, 0) == Rate(0, 0, None, None, None)
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_weighted_uses_the_planned_shares() -> None:
    rates = {"parent": wilson(90, 100), "teacher": wilson(50, 100)}
    w = weighted(rates, {"parent": 0.75, "teacher": 0.25})
    assert w is not None and w.rate == pytest.approx(0.75 * 0.9 + 0.25 * 0.5)
    assert w.low < w.rate < w.high
    # a group without answers drops out and the shares are renormalised
    w2 = weighted({"parent": wilson(90, 100), "teacher": wilson(0, 0)}, {"parent": 0.5, "teacher": 0.5})
    assert w2 is not None and w2.rate == pytest.approx(0.9)
    assert weighted({"parent": wilson(0, 0)}, {"parent": 1.0}) is None


GROUPS = ["parent", "student", "teacher", "principal", "deputy", "member", "public"]
RULE = {"per_mille": 1.5, "minimum": 600, "parent_share": 0.5}  # the standard's defaults (S17, S18)


def test_rule_figures_are_the_standards() -> None:
    from dudao.standards import load

    sample = load("national-2017").survey_sample
    assert {"per_mille": sample.per_mille.value, "minimum": sample.minimum.value,
            "parent_share": sample.parent_share.value} == RULE  # fmt: skip


def test_quota_minimum_and_parents_half() -> None:
    q = plan_quotas(100_000, GROUPS, **RULE)  # 1.5 ‰ of 100 000 = 150 < 600
    assert sum(q.values()) == 600 and q["parent"] == 300
    assert [q[g] for g in GROUPS[1:]] == [50] * 6


def test_quota_boundaries() -> None:
    assert sum(plan_quotas(400_000, GROUPS, **RULE).values()) == 600  # exactly 600
    assert sum(plan_quotas(400_001, GROUPS, **RULE).values()) == 601  # 600.0015 rounds up
    q = plan_quotas(1_000_000, GROUPS, **RULE)  # 1500: 750 parents, 750 over 6 = 125
    assert q["parent"] == 750 and set(q[g] for g in GROUPS[1:]) == {125}
    q = plan_quotas(402_000, GROUPS, **RULE)  # 603: 302 parents, 301 over 6 = 51, 50×5
    assert q["parent"] == 302 and [q[g] for g in GROUPS[1:]] == [51, 50, 50, 50, 50, 50]
    assert plan_quotas(None, GROUPS, **{**RULE, "minimum": 700})["parent"] == 350
    q = plan_quotas(1_000_000, GROUPS, **{**RULE, "per_mille": 2, "parent_share": 0.6})
    assert sum(q.values()) == 2000 and q["parent"] == 1200


def test_split_by_largest_remainder() -> None:
    assert split(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}  # tie: the earlier key
    # 600 × 120/203 = 354.68, × 80/203 = 236.45, × 3/203 = 8.87 → 354 + 236 + 8 = 598; +1 to z (.87) and x (.68)
    assert split(600, {"x": 120_000, "y": 80_000, "z": 3_000}) == {"x": 355, "y": 236, "z": 9}
    assert split(7, {"a": 0, "b": 0}) == {"a": 4, "b": 3}  # no weights: evenly
    assert split(5, {}) == {}


def test_tier_quotas_pick_the_row_and_share_a_joint_column() -> None:
    tiers = [(200_000, {"deputy+member": 10, "parent": 140}), (None, {"deputy+member": 15, "parent": 210})]
    assert tier_quotas(199_999, tiers, GROUPS)["parent"] == 140
    q = tier_quotas(200_000, tiers, GROUPS)
    assert (q["parent"], q["deputy"], q["member"], q["student"]) == (210, 8, 7, 0)
    assert tier_quotas(None, tiers, GROUPS)["parent"] == 140


def test_plan_cells_divide_by_town_then_stage() -> None:
    cells = plan_cells({"parent": 10, "deputy": 3}, {"t1": 2, "t2": 1}, ["parent"], {"parent": ["小学", "初中"]})
    # parents 10 → t1 6.67 → 7, t2 3.33 → 3; 7 → 4 + 3, 3 → 2 + 1; deputies undivided.
    assert cells == {("parent", "t1", "小学"): 4, ("parent", "t1", "初中"): 3, ("parent", "t2", "小学"): 2,
                     ("parent", "t2", "初中"): 1, ("deputy", "", ""): 3}  # fmt: skip
    assert plan_cells({"parent": 5}) == {("parent", "", ""): 5}
