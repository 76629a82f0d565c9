"""County-level items: government guarantee, education quality, public recognition, vetoes
(standards.md §1.5–§1.8, §10.1).

以上/不低于/不超过 include the bound; 低于 excludes it. Recognition below 85% vetoes the county; so
does any veto condition. An area with nothing entered is not assessed and the county cannot pass.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from dudao.engine import InputError, county_result, evaluate_table, parse_item_values
from tests.engine.schools import JUNIOR, NATIONAL, PRIMARY


@cache
def passing_county():
    """A county whose resource allocation passes at both levels."""
    frame = pd.DataFrame(
        [
            {"school_code": "P1", "school_name": "一小", **PRIMARY},
            {"school_code": "J1", "school_name": "一中", **JUNIOR},
        ]
    )
    return evaluate_table(frame, NATIONAL)


def passing_items(**changes) -> dict:
    """Every item of every area met (at its bound where it has one), no veto condition, then ``changes``."""
    raw: dict[str, object] = {}
    for area in NATIONAL.areas:
        for item in area.items:
            if item.kind in ("bool", "qualitative"):
                raw[item.code] = "是"
            elif item.threshold.op in (">=", "<="):
                raw[item.code] = str(item.threshold.value)
            else:  # "<": strictly below the bound
                raw[item.code] = "0"
    raw.update({item.code: "否" for item in NATIONAL.veto})
    raw.update({code.replace("_", "-"): value for code, value in changes.items()})
    return {k: v for k, v in raw.items() if v is not None}


def result(raw: dict, evaluation=None) -> dict:
    return county_result(evaluation or passing_county(), items=parse_item_values(NATIONAL, raw)).to_dict()


def item_entry(res: dict, code: str) -> dict:
    return next(i for area in res["areas"].values() for i in area.get("items", []) if i["code"] == code)


def test_everything_met_passes():
    res = result(passing_items())
    assert {code: a["status"] for code, a in res["areas"].items()} == {
        "RA": "passed",
        "GG": "passed",
        "EQ": "passed",
        "SR": "passed",
    }
    assert res["vetoes"] == []
    assert res["passed"] is True


@pytest.mark.parametrize("value", [0.85, "0.85", "85%", 0.9])
def test_recognition_at_85_percent_passes(value):
    res = result(passing_items(SR_01=value))
    assert item_entry(res, "SR-01")["passed"] is True
    assert res["areas"]["SR"]["passed"] is True
    assert res["passed"] is True


@pytest.mark.parametrize("value", [0.8499, "84.99%", 0.5])
def test_recognition_below_85_percent_is_a_veto(value):
    res = result(passing_items(SR_01=value))
    assert item_entry(res, "SR-01")["passed"] is False
    assert res["areas"]["SR"]["status"] == "failed"
    assert [(v["rule"], v["code"]) for v in res["vetoes"]] == [("veto", "SR-01")]
    assert res["passed"] is False


def test_difference_rate_of_exactly_015_fails():
    # "校际差异率低于0.15": 低于 excludes the bound.
    res = result(passing_items(EQ_09b=0.15))
    assert item_entry(res, "EQ-09b")["passed"] is False
    assert res["areas"]["EQ"]["status"] == "failed"
    assert res["vetoes"] == []
    assert res["passed"] is False


def test_difference_rate_below_015_passes():
    res = result(passing_items(EQ_09b=0.1499))
    assert item_entry(res, "EQ-09b")["passed"] is True
    assert res["passed"] is True


@pytest.mark.parametrize(
    ("code", "value", "passed"),
    [
        ("GG-04a", 2000, True),
        ("GG-04a", 2001, False),
        ("GG-05a", 45, True),
        ("GG-05a", 46, False),
        ("GG-05b", 50, True),
        ("GG-05b", 51, False),
    ],
)
def test_not_more_than_includes_the_bound(code, value, passed):
    res = result(passing_items(**{code.replace("-", "_"): value}))
    assert item_entry(res, code)["passed"] is passed
    assert res["passed"] is passed


@pytest.mark.parametrize(("value", "passed"), [("Ⅲ", True), ("III", True), ("Ⅳ", True), ("Ⅱ", False), (3, True)])
def test_monitoring_level_iii_or_above(value, passed):
    res = result(passing_items(EQ_09a=value))
    assert item_entry(res, "EQ-09a")["passed"] is passed


@pytest.mark.parametrize("code", [v.code for v in NATIONAL.veto])
def test_a_veto_condition_fails_the_county_when_everything_else_passes(code):
    res = result(passing_items(**{code.replace("-", "_"): "是"}))
    assert all(a["passed"] is True for a in res["areas"].values())
    assert [v["code"] for v in res["vetoes"]] == [code]
    assert res["passed"] is False


def test_a_veto_condition_that_does_not_exist_does_not_veto():
    res = result(passing_items(VETO_03=False))
    assert res["vetoes"] == []
    assert res["passed"] is True


def test_nothing_entered_is_not_assessed_and_never_passes():
    res = county_result(passing_county()).to_dict()
    assert res["areas"]["RA"]["passed"] is True
    for code in ("GG", "EQ", "SR"):
        assert res["areas"][code]["status"] == "not_assessed"
        assert res["areas"][code]["passed"] is None
        assert [r["rule"] for r in res["areas"][code]["reasons"]] == ["area_not_assessed"]
    assert res["passed"] is None


def test_one_item_not_entered_leaves_its_area_incomplete():
    res = result(passing_items(GG_07=None))
    assert res["areas"]["GG"]["status"] == "incomplete"
    assert res["areas"]["GG"]["passed"] is None
    assert "item_missing" in [r["rule"] for r in res["areas"]["GG"]["reasons"]]
    assert res["passed"] is None


def test_failing_resource_allocation_fails_the_county_with_every_item_met():
    frame = pd.DataFrame(
        [
            {"school_code": "P1", "school_name": "一小", **PRIMARY, "teachers_above_qualification": 10},
            {"school_code": "J1", "school_name": "一中", **JUNIOR},
        ]
    )
    res = result(passing_items(), evaluate_table(frame, NATIONAL))
    assert res["areas"]["RA"]["passed"] is False
    assert res["passed"] is False


def test_unknown_item_code_is_an_input_error_naming_it():
    with pytest.raises(InputError) as info:
        parse_item_values(NATIONAL, {"GG-99": 1, "EQ-01": 0.97})
    [problem] = info.value.problems
    assert (problem.rule, problem.column) == ("unknown_item", "GG-99")
    assert "GG-99" in str(info.value)


@pytest.mark.parametrize(("code", "value"), [("EQ-01", "很高"), ("SR-01", "good"), ("GG-07", True)])
def test_text_for_a_number_item_is_an_input_error_naming_it(code, value):
    with pytest.raises(InputError) as info:
        parse_item_values(NATIONAL, {code: value})
    [problem] = info.value.problems
    assert (problem.rule, problem.column) == ("bad_item_value", code)
    assert code in str(info.value)


def test_bad_yes_no_value_is_an_input_error():
    with pytest.raises(InputError) as info:
        parse_item_values(NATIONAL, {"GG-01": "maybe"})
    assert [(p.rule, p.column) for p in info.value.problems] == [("bad_item_value", "GG-01")]


def test_negative_number_is_an_input_error():
    with pytest.raises(InputError):
        parse_item_values(NATIONAL, {"GG-11a": -0.1})


def test_every_bad_entry_is_reported_at_once():
    with pytest.raises(InputError) as info:
        parse_item_values(NATIONAL, {"GG-99": 1, "EQ-01": "很高", "GG-01": "maybe"})
    assert sorted(p.column for p in info.value.problems) == ["EQ-01", "GG-01", "GG-99"]


def test_recognition_typed_as_a_percentage_never_passes():
    # 80 can only mean 80%: reject it, or read it as 0.80 — either way it must not pass 85%.
    try:
        items = parse_item_values(NATIONAL, passing_items(SR_01=80))
    except InputError as exc:
        assert [p.column for p in exc.problems] == ["SR-01"]
        return
    res = county_result(passing_county(), items=items).to_dict()
    assert item_entry(res, "SR-01")["passed"] is False
    assert res["passed"] is False


def test_blank_cell_is_not_entered():
    try:
        items = parse_item_values(NATIONAL, passing_items(SR_01=float("nan")))
    except InputError as exc:
        assert [p.column for p in exc.problems] == ["SR-01"]
        return
    res = county_result(passing_county(), items=items).to_dict()
    assert res["vetoes"] == []
    assert res["areas"]["SR"]["status"] == "not_assessed"
    assert res["passed"] is None


def test_veto_conditions_not_entered_never_pass():
    raw = passing_items()
    for item in NATIONAL.veto:
        del raw[item.code]
    assert result(raw)["passed"] is not True
