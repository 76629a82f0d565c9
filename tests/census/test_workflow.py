"""Census records: entry, plausibility notes, optimistic concurrency, review workflow, locking, history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from dudao.census import actions
from dudao.census.actions import CensusError
from dudao.census.models import CensusChange, CensusEvent, CensusRecord
from tests.personas import SYSTEM, YEAR, World

FIGURES = {"students": 500, "teachers": 30, "pe_art_teachers": 5, "teaching_aux_area_m2": "2500.50"}


def enter(world: World, user=SYSTEM, **changes):
    return actions.save_record(user or world.school_clerk, world.primary, YEAR, "primary", {**FIGURES, **changes})


def test_a_clerk_enters_figures_and_every_value_is_kept_with_who_and_when(world: World) -> None:
    result = enter(world)
    record = result.record
    assert result.created and record.status == "draft" and record.version == 1
    assert record.students == 500 and record.teaching_aux_area_m2 == Decimal("2500.5")
    assert {c.field for c in record.changes.all()} == set(FIGURES)
    update = actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {"students": 520},
                                 expected_version=1, reason="春季插班生")  # fmt: skip
    assert update.changed == ["students"] and update.record.version == 2
    change = CensusChange.objects.get(record=record, field="students", old="500")
    assert (change.new, change.user, change.reason) == ("520", world.school_clerk, "春季插班生")
    kinds = [e["kind"] for e in actions.timeline(record)]
    assert kinds.count("change") == len(FIGURES) + 1 and "create" in kinds


def test_two_editors_cannot_overwrite_each_other(world: World) -> None:
    enter(world)
    actions.save_record(world.county_supervisor, world.primary, YEAR, "primary", {"students": 510}, expected_version=1)
    with pytest.raises(CensusError) as info:
        actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {"students": 530}, expected_version=1)
    assert info.value.code == "conflict"
    assert CensusRecord.objects.get().students == 510


def test_implausible_figures_need_an_explanation_note(world: World) -> None:
    with pytest.raises(CensusError) as info:
        enter(world, pe_art_teachers=40)  # more PE/art teachers than teachers
    assert info.value.code == "note_required" and "体育艺术专任教师数多于专任教师数" in info.value.message_zh
    assert CensusRecord.objects.count() == 0
    saved = actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {**FIGURES, "pe_art_teachers": 40},
                                note="含外聘兼职体育教师")  # fmt: skip
    assert saved.record.note == "含外聘兼职体育教师" and [w.rule for w in saved.warnings] == ["pe_art_exceed_teachers"]


def test_students_halving_since_last_year_is_questioned(world: World) -> None:
    actions.save_record(SYSTEM, world.primary, YEAR - 1, "primary", {"students": 1000})
    with pytest.raises(CensusError) as info:
        enter(world, students=400)
    assert "在校生数由上学年的 1000 变为 400" in info.value.message_zh


def test_bad_values_are_refused_all_at_once(world: World) -> None:
    with pytest.raises(CensusError) as info:
        enter(world, students=-1, teachers="三十", pe_art_teachers="2.5", books_per_pupil=3)
    rules = {(d["field"], d["rule"]) for d in info.value.details}
    assert rules == {("students", "negative"), ("teachers", "not_a_number"), ("pe_art_teachers", "not_whole"),
                     ("books_per_pupil", "unknown_field")}  # fmt: skip
    assert CensusRecord.objects.count() == 0


def test_review_workflow_with_return_and_resubmission(world: World) -> None:
    record = enter(world).record
    with pytest.raises(PermissionDenied):
        actions.approve(world.school_clerk, record)
    record = actions.submit(world.school_clerk, record)
    with pytest.raises(CensusError, match="reason"):
        actions.return_record(world.county_supervisor, record, "  ")
    record = actions.return_record(world.county_supervisor, record, "体育场馆面积与上年差异大，请核实")
    assert record.status == "returned" and record.return_reason.startswith("体育场馆")
    record = actions.submit(world.school_clerk, record)
    record = actions.approve(world.county_supervisor, record)
    assert record.status == "approved"
    # A clerk's change to an approved record sends it back through review.
    changed = actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {"students": 505},
                                  expected_version=record.version)  # fmt: skip
    assert changed.record.status == "draft"
    steps = [e.action for e in CensusEvent.objects.filter(record=record)]
    assert steps == ["create", "submit", "return", "submit", "approve"]


def test_a_locked_year_needs_an_unlock_with_a_reason(world: World) -> None:
    record = enter(world).record
    actions.lock_year(world.county_supervisor, world.county, YEAR)
    with pytest.raises(CensusError) as info:
        actions.save_record(world.county_supervisor, world.primary, YEAR, "primary", {"students": 1},
                            expected_version=record.version)  # fmt: skip
    assert info.value.code == "year_locked"
    with pytest.raises(PermissionDenied):
        actions.unlock_year(world.school_clerk, world.county, YEAR, "更正")
    with pytest.raises(CensusError):
        actions.unlock_year(world.county_supervisor, world.county, YEAR, "")
    actions.unlock_year(world.county_supervisor, world.county, YEAR, "省级核查发现体育场馆面积填报错误")
    actions.save_record(world.county_supervisor, world.primary, YEAR, "primary", {"students": 501},
                        expected_version=record.version)  # fmt: skip
    assert CensusRecord.objects.get().students == 501


@pytest.mark.parametrize("person", ["observer", "city_inspector", "neighbour_supervisor", "department_clerk"])
def test_only_the_school_and_its_county_may_enter_figures(world: World, person: str) -> None:
    with pytest.raises(PermissionDenied):
        enter(world, user=getattr(world, person))
    assert CensusRecord.objects.count() == 0


def test_levels_must_fit_the_school(world: World) -> None:
    with pytest.raises(CensusError) as info:
        actions.save_record(world.county_supervisor, world.primary, YEAR, "junior", FIGURES)
    assert info.value.code == "bad_level"
    whole = actions.save_record(world.county_supervisor, world.nine_year, YEAR, "all",
                                {"students_primary": 600, "students_junior": 400})  # fmt: skip
    assert whole.record.level == "all"
