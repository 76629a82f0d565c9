"""The planning figures (data/planning/seats.yaml): values, provenance, province and override merges,
and the loader's refusals."""

from __future__ import annotations

import pytest

from dudao.standards import StandardError
from dudao.standards.planning import load_planning, unconfirmed_planning


def test_national_figures_and_their_provenance():
    p = load_planning()
    assert (p.class_size.seats("primary"), p.class_size.seats("junior")) == (45, 50)
    assert (float(p.class_size.large.value), p.class_size.large.op) == (56, ">=")
    assert (float(p.class_size.very_large.value), p.class_size.very_large.op) == (66, ">=")
    assert (p.staffing.ratio("primary"), p.staffing.ratio("junior")) == (19, 13.5)
    assert p.staffing.compared_with == "teachers"
    assert p.warning.years.value == 3
    for path, node in p.sourced().items():
        assert node.source, path
        assert all(s in p.sources for s in node.source), path


def test_only_the_staffing_ratios_are_unconfirmed():
    unconfirmed = unconfirmed_planning(load_planning())
    assert [(u.path, u.value) for u in unconfirmed] == [
        ("staffing.students_per_post.primary", 19),
        ("staffing.students_per_post.junior", 13.5),
    ]
    assert unconfirmed[0].name_zh == "小学教职工与学生比"


def test_a_province_without_a_planning_section_keeps_the_national_figures():
    p = load_planning("hebei")
    assert p.class_size.seats("primary") == 45
    assert p.province == "河北省"
    assert p.version == load_planning().version


def test_a_province_planning_section_is_merged(tmp_path):
    (tmp_path / "somewhere.yaml").write_text(
        """province: {code: "99", name_zh: 某省, name_en: Somewhere}
version: "2"
sources:
  X1: {title: 某省中小学编制标准}
planning:
  staffing:
    students_per_post:
      primary: {value: 18, confirmation: primary, source: [X1]}
""",
        encoding="utf-8",
    )
    p = load_planning("somewhere", provinces=tmp_path)
    assert p.staffing.ratio("primary") == 18
    assert p.staffing.students_per_post["primary"].confirmation == "primary"
    assert p.staffing.ratio("junior") == 13.5  # not named: national
    assert p.version == "1+somewhere-2"
    assert p.province == "某省"
    assert [u.path for u in unconfirmed_planning(p)] == ["staffing.students_per_post.junior"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("class_size:\n  standard:\n    primary: {value: 45.5}\n", "whole number"),
        ("class_size:\n  standard:\n    junior: {value: 0}\n", "above 0"),
        ("class_size:\n  standard:\n    junior: {value: 60}\n", "大班额"),
        ("class_size:\n  large: {value: 70}\n", "超大班额"),
        ("staffing:\n  students_per_post:\n    junior: {value: -1}\n", "above 0"),
        ("staffing:\n  students_per_post:\n    junior: {value: many}\n", "not a number"),
        ("class_size:\n  large: {source: [NOPE]}\n", "NOPE"),
        ("warning:\n  years: {value: 0}\n", "one year"),
        ("class_size:\n  large: {confirmation: guessed}\n", "confirmation"),
        ("extra: 1\n", "extra"),
    ],
)
def test_invalid_figures_are_refused_with_the_file_named(tmp_path, text, message):
    override = tmp_path / "bad.yaml"
    override.write_text(text, encoding="utf-8")
    with pytest.raises(StandardError, match=r"bad\.yaml") as err:
        load_planning(override=override)
    assert message in str(err.value)


def test_unknown_province_is_refused():
    with pytest.raises(StandardError, match="未知省级配置"):
        load_planning("../national-2017")


def test_the_planning_file_is_not_an_evaluation_standard():
    from dudao.standards import available_standards

    assert "seats" not in available_standards()
