"""The shipped standards catalogues, provincial profiles and override files (no database needed)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from dudao.engine.fields import FACILITY_FIELDS, FIELD_BY_KEY
from dudao.standards.loader import (
    DATA_DIR,
    StandardError,
    available_provinces,
    available_standards,
    load,
    unconfirmed_values,
)
from dudao.standards.schema import Standard

D = Decimal


def _thresholds(std: Standard) -> dict[str, tuple[str, Decimal]]:
    """Every threshold of a catalogue as {path: (op, value)}."""
    out: dict[str, tuple[str, Decimal]] = {}
    for ind in std.indicators:
        for level, t in ind.thresholds.items():
            out[f"indicator {ind.code} {level}"] = (t.op, t.value)
    if std.cv_rule is not None:
        for level, t in std.cv_rule.limits.items():
            out[f"cv {level}"] = (t.op, t.value)
    if std.school_rule is not None:
        out["school_rule min_met"] = ("", D(str(std.school_rule.min_met.value)))
        out["school_rule min_ratio_unmet"] = ("", D(str(std.school_rule.min_ratio_unmet.value)))
    for item in [i for a in std.areas for i in a.items] + list(std.veto):
        if item.threshold is not None:
            out[f"item {item.code}"] = (item.threshold.op, item.threshold.value)
    return out


def _cited(node: Any) -> set[str]:
    """Source keys cited anywhere in the model (every ``source`` list, however deep)."""
    if isinstance(node, BaseModel):
        source = getattr(node, "source", None)
        keys = set(source) if isinstance(source, list) else set()
        for name in type(node).model_fields:
            keys |= _cited(getattr(node, name))
        return keys
    if isinstance(node, dict):
        return set().union(*(_cited(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_cited(v) for v in node)) if node else set()
    return set()


def _numbers(codes: list[str], prefix: str) -> set[int]:
    out = set()
    for code in codes:
        match = re.fullmatch(rf"{prefix}-(\d+)[a-z]?", code)
        assert match, f"unexpected item code {code!r}"
        out.add(int(match.group(1)))
    return out


def _write(tmp_path: Path, data: dict[str, Any], name: str = "override.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- every catalogue and profile -------------------------------------------------------------


def test_the_three_national_catalogues_are_shipped():
    assert {"national-2017", "basic-2012", "preschool-2020"} <= set(available_standards())
    assert {"hebei", "henan"} <= set(available_provinces())


@pytest.mark.parametrize("standard_id", available_standards())
def test_every_catalogue_loads_and_cites_only_listed_sources(standard_id):
    std = load(standard_id)
    assert std.id == standard_id
    assert std.province is None
    # Stricter than the schema (which checks thresholds and area items only): every `source`
    # anywhere — scope, split, cv formula, definitions, veto items — must be listed.
    assert _cited(std) <= set(std.sources), sorted(_cited(std) - set(std.sources))
    for key, source in std.sources.items():
        assert source.title and source.url, key


@pytest.mark.parametrize("standard_id", available_standards())
def test_indicator_numerators_use_known_fields_and_facility_fields_are_split(standard_id):
    std = load(standard_id)
    for ind in std.indicators:
        for _sign, field in ind.terms():
            assert field in FIELD_BY_KEY, f"{ind.code}: unknown field {field!r}"
            if field in FACILITY_FIELDS:
                assert std.split is not None and field in std.split.facility_fields, (ind.code, field)


@pytest.mark.parametrize("province", available_provinces())
def test_every_profile_applies_to_the_standards_it_names(province):
    profile = yaml.safe_load((DATA_DIR / "provinces" / f"{province}.yaml").read_text(encoding="utf-8"))
    assert profile["standards"], province
    for standard_id in profile["standards"]:
        std = load(standard_id, province=province)
        assert std.province == profile["province"]["name_zh"]
        assert std.version.endswith(f"+{province}-{profile.get('version', '1')}")
        assert _cited(std) <= set(std.sources)


# --- national-2017 -----------------------------------------------------------------------------

NATIONAL_THRESHOLDS = {
    "L1": ("4.2", "5.3"),
    "L2": ("1", "1"),
    "L3": ("0.9", "0.9"),
    "L4": ("4.5", "5.8"),
    "L5": ("7.5", "10.2"),
    "L6": ("2000", "2500"),
    "L7": ("2.3", "2.4"),
}


def test_national_2017_indicators_and_thresholds():
    std = load("national-2017")
    assert std.levels == ["primary", "junior"]
    assert [i.code for i in std.indicators] == list(NATIONAL_THRESHOLDS)
    for code, (primary, junior) in NATIONAL_THRESHOLDS.items():
        ind = std.indicator(code)
        assert set(ind.thresholds) == {"primary", "junior"}
        assert ind.thresholds["primary"].op == ">=" and ind.thresholds["junior"].op == ">="
        assert ind.thresholds["primary"].value == D(primary), code
        assert ind.thresholds["junior"].value == D(junior), code


def test_national_2017_cv_and_school_rule():
    std = load("national-2017")
    assert std.cv_rule is not None and std.cv_rule.mode == "each"
    assert std.cv_rule.limits["primary"].op == "<=" and std.cv_rule.limits["primary"].value == D("0.50")
    assert std.cv_rule.limits["junior"].op == "<=" and std.cv_rule.limits["junior"].value == D("0.45")
    rule = std.school_rule
    assert rule is not None
    assert int(rule.min_met.value) == 6
    assert D(str(rule.min_ratio_unmet.value)) == D("0.85")
    assert rule.min_ratio_unmet.confirmation == "memory"
    assert rule.min_met.confirmation != "memory"


def test_national_2017_county_areas():
    std = load("national-2017")
    assert [a.code for a in std.areas] == ["RA", "GG", "EQ", "SR"]
    assert std.area("RA").basis == "school_table"
    assert _numbers([i.code for i in std.area("GG").items], "GG") == set(range(1, 16))
    assert _numbers([i.code for i in std.area("EQ").items], "EQ") == set(range(1, 10))
    (sr,) = std.area("SR").items
    assert sr.threshold is not None
    assert (sr.threshold.op, sr.threshold.value) == (">=", D("0.85"))
    assert sr.veto is True
    # the Q9 difference rate is strict: 低于 excludes the bound
    assert std.area("EQ").items[-1].threshold.op == "<"


def test_national_2017_unconfirmed_values_are_the_memory_tagged_ones():
    std = load("national-2017")
    unconfirmed = {u.path: u.value for u in unconfirmed_values(std)}
    assert D(str(unconfirmed["national-2017.school_rule.min_ratio_unmet"])) == D("0.85")
    assert not any(p.startswith("national-2017.indicators.L1.thresholds") for p in unconfirmed)
    assert std.indicator("L1").thresholds["primary"].confirmation == "primary"
    assert "national-2017.school_rule.min_met" not in unconfirmed
    # a memory-tagged county item is reported with its threshold value
    assert unconfirmed["national-2017.areas.GG.items.GG-07"] == D("6000")
    # the survey's sample size is memory-tagged too, but no evaluation rests on it: not a setting
    assert std.survey_sample is not None and std.survey_sample.per_mille.confirmation == "memory"
    assert not any("survey_sample" in p for p in unconfirmed)


def test_survey_samples_rate_rule_and_tier_table():
    sample = load("national-2017").survey_sample
    assert (sample.per_mille.value, sample.minimum.value, sample.parent_share.value) == (1.5, 600, 0.5)
    assert set(sample.per_mille.source) == {"S17", "S18", "S19"}
    tiers = load("preschool-2020").survey_sample
    assert tiers.tiers_source.source == ["S25"] and tiers.tiers_source.confirmation == "primary"
    assert [t.below for t in tiers.tiers] == [200_000, 400_000, 600_000, 800_000, 1_000_000, None]
    for t in tiers.tiers:  # parents are 70 % in every tier of the source table
        assert t.groups["parent"] * 10 == sum(t.groups.values()) * 7


def test_survey_sample_tiers_must_ascend_and_end_open():
    from dudao.standards.schema import SurveySample

    row = {"groups": {"parent": 1}}
    source = {"value": "t", "confirmation": "primary"}
    with pytest.raises(ValidationError, match="ascend"):
        SurveySample(tiers=[{**row, "below": 400}, {**row, "below": 200}, {**row, "below": None}], tiers_source=source)
    with pytest.raises(ValidationError, match="ascend"):
        SurveySample(tiers=[{**row, "below": 200}], tiers_source=source)
    with pytest.raises(ValidationError, match="go together"):
        SurveySample(per_mille={"value": 1.5, "confirmation": "memory"})


# --- basic-2012 --------------------------------------------------------------------------------

BASIC_INDICATORS = [
    ("B1", "teaching_aux_area_m2", 1, "m2"),
    ("B2", "sports_area_m2", 1, "m2"),
    ("B3", "equipment_value_yuan", 1, "yuan"),
    ("B4", "computers", 100, "computer"),
    ("B5", "books", 1, "book"),
    ("B6", "teachers", 100, "person"),
    ("B7", "teachers_above_qualification", 100, "person"),
    ("B8", "senior_title_teachers", 100, "person"),
]


def test_basic_2012_indicators():
    std = load("basic-2012")
    assert std.levels == ["primary", "junior"]
    assert [(i.code, i.numerator, i.per_students, i.gap_unit) for i in std.indicators] == BASIC_INDICATORS
    assert all(not i.thresholds for i in std.indicators)
    assert std.school_rule is None


def test_basic_2012_composite_cv():
    std = load("basic-2012")
    cv = std.cv_rule
    assert cv is not None and cv.mode == "composite"
    assert (cv.limits["primary"].op, cv.limits["primary"].value) == ("<=", D("0.65"))
    assert (cv.limits["junior"].op, cv.limits["junior"].value) == ("<=", D("0.55"))
    assert "S8" in cv.formula.source


def test_basic_2012_scope_split_and_county_items():
    std = load("basic-2012")
    scope = std.school_scope
    assert scope is not None
    assert {"special", "teaching_point"} <= set(scope.exclude_types.value)
    assert scope.include_private.value is False
    assert {"computers", "books"} <= set(std.split.facility_fields)
    assert std.split.weights.value == load("national-2017").split.weights.value
    assert [a.code for a in std.areas] == ["RA", "GG", "SR"]
    (gg,) = std.area("GG").items
    assert (gg.threshold.op, gg.threshold.value) == (">=", D("85"))
    (sr,) = std.area("SR").items
    assert (sr.threshold.op, sr.threshold.value, sr.veto) == (">=", D("0.85"), True)


# --- preschool-2020 ----------------------------------------------------------------------------


def test_preschool_2020():
    std = load("preschool-2020")
    assert std.levels == []
    assert not std.indicators
    assert std.cv_rule is None and std.school_rule is None and std.school_scope is None and std.split is None
    assert all(a.basis == "items" for a in std.areas)
    pu = {i.code: (i.threshold.op, i.threshold.value) for i in std.area("PU").items}
    assert pu == {"PU-01": (">=", D("0.85")), "PU-02": (">=", D("0.80")), "PU-03": (">=", D("0.50"))}
    (sr,) = std.area("SR").items
    assert (sr.threshold.value, sr.veto) == (D("0.85"), True)
    ratio = next(i for a in std.areas for i in a.items if i.code == "QA-02")
    assert (ratio.threshold.op, ratio.threshold.value) == ("<=", D("15"))


# --- provincial profiles -----------------------------------------------------------------------


def test_hebei_excludes_small_teaching_points_and_keeps_national_thresholds():
    national = load("national-2017")
    hebei = load("national-2017", province="hebei")
    assert hebei.province == "河北省"
    assert national.school_scope.exclude_teaching_points_below.value is None
    assert hebei.school_scope.exclude_teaching_points_below.value == 50
    assert hebei.school_scope.exclude_teaching_points_below.confirmation == "primary"
    assert _thresholds(hebei) == _thresholds(national)
    assert hebei.indicator("L2").name_zh == "每百名学生拥有县级以上骨干教师数"


def test_henan_raises_only_gross_preschool_enrolment():
    national = load("preschool-2020")
    henan = load("preschool-2020", province="henan")
    assert henan.province == "河南省"
    before, after = _thresholds(national), _thresholds(henan)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"item PU-01"}
    assert before["item PU-01"] == (">=", D("0.85"))
    assert after["item PU-01"] == (">=", D("0.90"))
    assert set(after) == set(before)
    assert "S26" in henan.sources


def test_unknown_province_names_the_available_profiles():
    with pytest.raises(StandardError) as exc:
        load("national-2017", province="atlantis")
    message = str(exc.value)
    assert "atlantis" in message
    for province in available_provinces():
        assert province in message


def test_unknown_standard_names_the_available_standards():
    with pytest.raises(StandardError) as exc:
        load("national-1999")
    message = str(exc.value)
    assert "national-1999" in message
    for standard_id in available_standards():
        assert standard_id in message


def test_profile_without_rules_for_the_standard_is_refused():
    with pytest.raises(StandardError, match="basic-2012"):
        load("basic-2012", province="hebei")


# --- override files ----------------------------------------------------------------------------


def test_override_file_changes_a_value(tmp_path):
    path = _write(tmp_path, {"school_rule": {"min_ratio_unmet": {"value": 0.8}}})
    std = load("national-2017", override=path)
    assert D(str(std.school_rule.min_ratio_unmet.value)) == D("0.8")
    # the rest of the entry is kept by the deep merge
    assert std.school_rule.min_ratio_unmet.confirmation == "memory"
    assert std.version.endswith("+override")
    assert _thresholds(std) == {
        **_thresholds(load("national-2017")),
        "school_rule min_ratio_unmet": ("", D("0.8")),
    }


def test_override_on_top_of_a_profile(tmp_path):
    path = _write(tmp_path, {"school_scope": {"exclude_teaching_points_below": {"value": 30}}})
    std = load("national-2017", province="hebei", override=path)
    assert std.school_scope.exclude_teaching_points_below.value == 30
    assert std.school_scope.exclude_types.value == ["special", "vocational"]


@pytest.mark.parametrize(
    ("change", "bad_path"),
    [
        ({"indicators": [{"code": "L1", "numerator": "1 + x"}]}, "indicators.0.numerator"),
        (
            {"indicators": [{"code": "L3", "thresholds": {"junior": {"op": "=>"}}}]},
            "indicators.2.thresholds.junior.op",
        ),
        ({"cv_rule": {"mode": "average"}}, "cv_rule.mode"),
        ({"school_rule": {"min_met": {"confirmation": "rumour"}}}, "school_rule.min_met.confirmation"),
    ],
)
def test_broken_override_names_the_bad_key(tmp_path, change, bad_path):
    path = _write(tmp_path, change)
    with pytest.raises(StandardError) as exc:
        load("national-2017", override=path)
    message = str(exc.value)
    assert bad_path in message
    assert str(path) in message


def test_override_that_is_not_yaml_or_not_a_mapping(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("school_rule: [unclosed\n", encoding="utf-8")
    with pytest.raises(StandardError, match="YAML"):
        load("national-2017", override=broken)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(StandardError, match="mapping"):
        load("national-2017", override=listing)


def test_unknown_override_file(tmp_path):
    with pytest.raises(StandardError, match="cannot be read"):
        load("national-2017", override=tmp_path / "missing.yaml")


# --- source keys -------------------------------------------------------------------------------


def _raw(standard_id: str) -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / f"{standard_id}.yaml").read_text(encoding="utf-8"))


def test_schema_rejects_a_threshold_citing_an_unlisted_source():
    data = _raw("national-2017")
    data["indicators"][0]["thresholds"]["primary"]["source"] = ["S1", "S999"]
    with pytest.raises(ValidationError, match="S999"):
        Standard.model_validate(data)


def test_schema_rejects_a_county_item_citing_an_unlisted_source():
    data = _raw("preschool-2020")
    data["areas"][0]["items"][0]["source"] = ["S404"]
    with pytest.raises(ValidationError, match="S404"):
        Standard.model_validate(data)


def test_override_citing_an_unlisted_source_is_refused(tmp_path):
    path = _write(tmp_path, {"indicators": [{"code": "L4", "thresholds": {"junior": {"source": ["S77"]}}}]})
    with pytest.raises(StandardError, match="S77"):
        load("national-2017", override=path)


def test_override_may_add_the_source_it_cites(tmp_path):
    path = _write(
        tmp_path,
        {
            "sources": {"X1": {"title": "某省细则", "url": "https://example.org/x1"}},
            "indicators": [{"code": "L4", "thresholds": {"junior": {"value": 6.0, "source": ["X1"]}}}],
        },
    )
    std = load("national-2017", override=path)
    assert std.indicator("L4").thresholds["junior"].value == D("6.0")
    assert "X1" in std.sources and "S2" in std.sources
