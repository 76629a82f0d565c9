"""The typed result and its JSON (docs/adr/0022-typed-result.md): ``county_result`` gives typed objects,
``to_json`` writes exactly the JSON written before the result was typed, and ``from_json`` reads any
stored result back so that writing it again gives the same bytes.

``data/golden-*.json`` were written by ``county_result`` as a plain dict (before typing) for 13 schools
of the demo county (``data/golden-schools.json``), one line each as ``EvaluationRun.result`` stores it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from dudao.engine import CountyResult, ResultSummary, county_result, evaluate_table, parse_item_values, result_summary
from dudao.engine.items import item_catalogue
from dudao.standards import load

DATA = Path(__file__).parent / "data"
CASES = {
    # name: (standard, province, county items, drop the multimedia-classroom column)
    "national-2017": ("national-2017", None, "partial", False),  # items partly entered, a veto triggered
    "basic-2012": ("basic-2012", None, None, False),  # the composite CV, no per-school rule
    "national-2017-hebei-no-multimedia": ("national-2017", "hebei", "full", True),  # a column absent: undetermined
}


def evaluate(name: str) -> CountyResult:
    standard_id, province, items, drop = CASES[name]
    schools = json.loads((DATA / "golden-schools.json").read_text(encoding="utf-8"))
    frame, present = pd.DataFrame(schools["rows"]), frozenset(schools["present"])
    if drop:
        frame, present = frame.drop(columns=["multimedia_classrooms"]), present - {"multimedia_classrooms"}
    standard = load(standard_id, province=province)
    raw = json.loads((DATA / "golden-items.json").read_text(encoding="utf-8"))[items] if items else {}
    catalogue = item_catalogue(standard)
    values = parse_item_values(standard, {k: v for k, v in raw.items() if k in catalogue})
    return county_result(evaluate_table(frame, standard, present), "130135", values)


def golden(name: str) -> str:
    return (DATA / f"golden-{name}.json").read_text(encoding="utf-8").rstrip("\n")


def without_decomposition(data: dict[str, Any]) -> dict[str, Any]:
    """The result's JSON without the level indicators' ``decomposition`` (added by issue #14)."""
    for level in data["levels"].values():
        for entry in level.get("indicators", {}).values():
            entry.pop("decomposition")
    return data


@pytest.mark.parametrize("name", CASES)
def test_the_json_is_byte_for_byte_the_json_before_typing(name: str) -> None:
    result = evaluate(name)
    # the JSON before typing, and since issue #14 the decomposition in every level indicator
    plain = without_decomposition(result.to_dict())
    assert json.dumps(plain, ensure_ascii=False, allow_nan=False) == golden(name)
    assert all(
        "location" in entry.decomposition
        for level in result.levels.values()
        for entry in level.indicators.values()
        if entry.decomposition is not None
    )
    # the CLI's --format json is the same JSON, indented
    assert result.to_json() == json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    # a result stored before the decomposition reads back and is written again byte for byte
    assert CountyResult.from_json(golden(name)).to_json(indent=None) == golden(name)


@pytest.mark.parametrize("name", CASES)
def test_typed_to_json_to_typed_gives_the_same_objects_and_bytes(name: str) -> None:
    result = evaluate(name)
    again = CountyResult.from_json(result.to_json())
    assert again == result
    assert again.to_json() == result.to_json()
    assert CountyResult.from_dict(result.to_dict()) == result
    summary = result_summary(result)
    assert ResultSummary.from_json(summary.to_json()) == summary


def test_the_objects_say_what_the_json_leaves_out() -> None:
    national, basic = evaluate("national-2017"), evaluate("basic-2012")
    primary = national.levels["primary"]
    assert primary.has_schools and not primary.is_composite and primary.composite_cv is None
    assert "composite_cv" not in national.to_dict()["levels"]["primary"]
    assert basic.levels["primary"].is_composite and basic.levels["primary"].composite_cv is not None
    assert basic.levels["primary"].schools_passed is None  # no per-school rule in 2012
    school = national.schools[0]
    assert school.indicators["L1"].judged and not basic.schools[0].indicators["B1"].judged
    assert basic.to_dict()["schools"][0]["indicators"]["B1"] == {"value": basic.schools[0].indicators["B1"].value}
    assert national.areas["RA"].items is None and national.areas["GG"].items
    assert [v.rule for v in national.vetoes] == ["veto"] and national.passed is False
    unmet = next(r for s in national.schools for r in s.reasons if r.rule == "indicator_unmet")
    assert unmet.indicator and unmet.gap is not None and unmet.level is None
    assert set(unmet.to_dict()) == {"rule", "indicator", "value", "threshold", "ratio", "gap", "gap_unit",
                                    "message_zh", "message_en"}  # fmt: skip


def test_a_result_stored_before_setting_names_reads_back_and_writes_the_same(monkeypatch: Any) -> None:
    stored = json.loads(golden("national-2017"))
    for setting in stored["settings"]:  # results stored before 2026-11 named no setting
        del setting["name_zh"], setting["name_en"]
    text = json.dumps(stored, ensure_ascii=False, allow_nan=False)
    old = CountyResult.from_json(text)
    assert old.settings[0].name_zh is None and old.settings[0].path == stored["settings"][0]["path"]
    assert old.to_json(indent=None) == text


def test_an_empty_level_and_an_empty_summary_read_back() -> None:
    stored = json.loads(golden("basic-2012"))
    stored["levels"]["junior"] = {"schools_total": 0, "passed": None, "reasons": [
        {"rule": "level_no_schools", "level": "junior", "message_zh": "初中没有参评学校",
         "message_en": "no junior schools are evaluated"}]}  # fmt: skip
    result = CountyResult.from_dict(stored)
    junior = result.levels["junior"]
    assert not junior.has_schools and junior.indicators == {} and junior.students == 0
    assert result.to_dict()["levels"]["junior"] == stored["levels"]["junior"]
    assert ResultSummary.from_dict({}).to_dict() == {}  # a run stored before summaries: nothing invented


def test_a_stored_result_that_is_not_a_result_is_refused() -> None:
    stored = json.loads(golden("national-2017"))
    stored["levels"]["primary"]["indicators"]["L1"]["cv_typo"] = 0.1
    with pytest.raises(ValidationError, match="cv_typo"):
        CountyResult.from_dict(stored)
    del stored["levels"]["primary"]["indicators"]["L1"]["cv_typo"]
    stored["schools"][0]["students"] = "many"
    with pytest.raises(ValidationError, match="students"):
        CountyResult.from_dict(stored)


def test_the_result_is_immutable() -> None:
    result = evaluate("basic-2012")
    with pytest.raises(ValidationError):
        result.passed = True  # type: ignore[misc]


def test_one_county_is_named_only_when_the_input_has_several() -> None:
    frame = pd.DataFrame(json.loads((DATA / "golden-schools.json").read_text(encoding="utf-8"))["rows"])
    evaluation = evaluate_table(frame, load("basic-2012"))
    assert county_result(evaluation) == county_result(evaluation, "130135")
    other = frame.assign(county_code=["130102"] * 3 + ["130135"] * (len(frame) - 3))
    several = evaluate_table(other, load("basic-2012"))
    with pytest.raises(KeyError, match="130102"):
        county_result(several)
    with pytest.raises(KeyError, match="no county '139999'"):
        county_result(several, "139999")
    assert county_result(several, "130102").county.code == "130102"
