"""Several counties in one frame: each is evaluated exactly as if it were alone."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from dudao.engine import county_result, evaluate_table
from tests.engine.schools import JUNIOR, NATIONAL, PRIMARY


def school(county: str, code: str, base: dict = PRIMARY, **overrides) -> dict:
    return {"county_code": county, "school_code": code, "school_name": f"{county}-{code}", **base, **overrides}


# County A passes; county B differs in every way that could leak: another enrolment mix, a failing
# school, large CVs, a school without pupils and a special school, and codes that repeat A's.
COUNTY_A = [
    school("130102", "P1"),
    school(
        "130102",
        "P2",
        students=800,
        teachers_above_qualification=36,
        backbone_teachers=9,
        pe_art_teachers=8,
        teaching_aux_area_m2=4000,
        sports_area_m2=6400,
        equipment_value_yuan=1_760_000,
        multimedia_classrooms=20,
    ),
    school("130102", "J1", JUNIOR),
]
COUNTY_B = [
    school("130104", "P1", students=300, teachers_above_qualification=10, sports_area_m2=9000),
    school("130104", "P9", students=1200, teaching_aux_area_m2=20_000, multimedia_classrooms=20),
    school("130104", "P0", students=0),
    school("130104", "SP", school_type="special", students=60),
    school("130104", "J1", JUNIOR, students=900, equipment_value_yuan=1_000_000),
]


def without_rows(value: Any) -> Any:
    """The result without spreadsheet row numbers (they depend on where a row sits in the file)."""
    if isinstance(value, dict):
        return {k: without_rows(v) for k, v in value.items() if k not in ("source_row", "row")}
    if isinstance(value, list):
        return [without_rows(v) for v in value]
    return value


@pytest.fixture(scope="module")
def together():
    return evaluate_table(pd.DataFrame(COUNTY_A + COUNTY_B), NATIONAL)


@pytest.mark.parametrize(("code", "rows"), [("130102", COUNTY_A), ("130104", COUNTY_B)])
def test_each_county_gets_exactly_its_result_alone(together, code, rows):
    alone = evaluate_table(pd.DataFrame(rows), NATIONAL)
    assert without_rows(county_result(together, code).to_dict()) == without_rows(county_result(alone, code).to_dict())
    cols = ["level", "code", "mean", "cv", "cv_status", "cv_passed", "schools", "students", "schools_met"]
    mine = together.indicators[together.indicators["county_code"] == code][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone.indicators[cols].reset_index(drop=True))


def test_the_two_counties_really_differ(together):
    a, b = county_result(together, "130102").to_dict(), county_result(together, "130104").to_dict()
    assert a["levels"]["primary"]["passed"] is True
    assert b["levels"]["primary"]["passed"] is False
    assert a["levels"]["primary"]["indicators"]["L4"]["cv"] != b["levels"]["primary"]["indicators"]["L4"]["cv"]


def test_county_result_holds_only_its_own_schools(together):
    res = county_result(together, "130102").to_dict()
    assert res["county"]["code"] == "130102"
    assert sorted((s["school_code"], s["school_name"]) for s in res["schools"]) == [
        ("J1", "130102-J1"),
        ("P1", "130102-P1"),
        ("P2", "130102-P2"),
    ]
    assert res["excluded"] == []
    assert res["warnings"] == []
    assert res["levels"]["primary"]["students"] == 1300
    assert res["levels"]["junior"]["students"] == 500
    text = json.dumps(res, ensure_ascii=False)
    assert "130104" not in text


def test_other_county_keeps_its_exclusions_and_warnings(together):
    res = county_result(together, "130104").to_dict()
    assert {e["school_code"]: e["reason"] for e in res["excluded"]} == {"P0": "no_students", "SP": "type_excluded"}
    assert [w["rule"] for w in res["warnings"]] == ["no_students"]
    assert {s["school_name"] for s in res["schools"]} == {"130104-P1", "130104-P9", "130104-J1"}


def test_counties_lists_both(together):
    assert together.counties() == ["130102", "130104"]


def test_frame_without_county_code_is_one_county():
    frame = pd.DataFrame(COUNTY_A).drop(columns=["county_code"])
    res = county_result(evaluate_table(frame, NATIONAL)).to_dict()
    assert res["county"]["code"] is None
    assert len(res["schools"]) == 3
    assert res["levels"]["primary"]["passed"] is True


def test_county_without_a_column_is_the_same_alone_and_together():
    b_rows = [{k: v for k, v in row.items() if k != "multimedia_classrooms"} for row in COUNTY_B]
    alone = county_result(evaluate_table(pd.DataFrame(b_rows), NATIONAL), "130104").to_dict()
    together = county_result(evaluate_table(pd.DataFrame(COUNTY_A + b_rows), NATIONAL), "130104").to_dict()
    assert alone["levels"]["primary"]["indicators"]["L7"]["cv_status"] == "no_data"
    assert together["levels"]["primary"]["indicators"]["L7"]["cv_status"] == "no_data"
