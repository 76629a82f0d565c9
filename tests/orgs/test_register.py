"""The school register, effective by school year: open, rename, change type/location/ownership/town,
merge, close — each from a school year on, earlier years untouched, history kept, and a past year's
evaluation reading that year's state."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from dudao.census.actions import lock_year, save_record
from dudao.census.models import CensusChange
from dudao.census.reports import expected_schools
from dudao.evaluation.actions import evaluate_county
from dudao.orgs.actions import OrgsError, change_school, close_school, merge_school, open_school
from dudao.orgs.models import School, SchoolYear
from tests.engine.schools import PRIMARY
from tests.orgs.conftest import events
from tests.personas import SYSTEM, YEAR, World

FIGURES = {k: v for k, v in PRIMARY.items() if k != "school_type"}


def years(school: School, field: str = "name") -> dict[int, object]:
    return dict(SchoolYear.objects.filter(school=school).order_by("year").values_list("year", field))


def test_open_a_school_from_a_year(world: World) -> None:
    school = open_school(
        world.county_supervisor,
        world.county,
        "1399010010",
        YEAR,
        name="示范县第二小学",
        school_type="小学",
        location="城区",
        ownership="公办",
        town=world.town,
        address="城关镇幸福路1号",
        head="王校长",
        phone="0311-1234567",
        why="新建学校",
    )
    assert (school.county, school.address, school.head, school.phone) == (
        world.county,
        "城关镇幸福路1号",
        "王校长",
        "0311-1234567",
    )
    (row,) = SchoolYear.objects.filter(school=school)
    assert (row.year, row.school_type, row.location, row.ownership, row.town) == (
        YEAR,
        "primary",
        "urban",
        "public",
        world.town,
    )
    (event,) = events()
    assert (event.verb, event.region, event.target_id, event.why) == (
        "orgs.school.open",
        world.county,
        str(school.pk),
        "新建学校",
    )
    assert event.data["town"] == world.town.code and event.data["year"] == YEAR


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"code": "1399010001"}, "code_taken"),
        ({"code": "13-99"}, "bad_code"),
        ({"school_type": "大学"}, "unknown_value"),
        ({"name": ""}, "required"),
        ({"year": 1900}, "bad_year"),
    ],
)
def test_a_bad_school_is_refused_and_nothing_is_written(world: World, fields: dict, rule: str) -> None:
    given = {"code": "1399010010", "year": YEAR, "name": "新校", "school_type": "primary", **fields}
    before = (School.objects.count(), SchoolYear.objects.count())
    with pytest.raises(OrgsError) as refused:
        open_school(world.county_supervisor, world.county, given.pop("code"), given.pop("year"), **given)
    assert refused.value.code == rule
    assert (School.objects.count(), SchoolYear.objects.count()) == before and events() == []


def test_a_town_of_another_county_is_refused(world: World) -> None:
    from dudao.orgs.actions import create_region

    other_town = create_region(SYSTEM, world.neighbour, "139902100", "邻县城关镇")
    with pytest.raises(OrgsError) as refused:
        change_school(world.county_supervisor, world.primary, YEAR, town=other_town)
    assert refused.value.code == "bad_town"


def test_a_rename_runs_from_its_year_until_the_next_rename(world: World) -> None:
    """Rows 2024, 2025; renamed from 2026 (a row is made), then again from 2024: 2026 keeps its own name."""
    change_school(world.county_supervisor, world.primary, YEAR + 1, name="示范县实验小学", why="更名")
    assert years(world.primary) == {YEAR - 1: "示范县第一小学", YEAR: "示范县第一小学", YEAR + 1: "示范县实验小学"}
    change_school(world.county_supervisor, world.primary, YEAR - 1, name="示范县城关第一小学", why="更正")
    assert years(world.primary) == {
        YEAR - 1: "示范县城关第一小学",
        YEAR: "示范县城关第一小学",
        YEAR + 1: "示范县实验小学",
    }
    # Every row written is a CensusChange naming its school year (ADR 0006), with the reason.
    history = list(
        CensusChange.objects.filter(school_year__school=world.primary)
        .order_by("pk")
        .values_list("school_year__year", "field", "old", "new", "reason")
    )
    assert history == [
        (YEAR + 1, "name", "示范县第一小学", "示范县实验小学", "更名"),
        (YEAR - 1, "name", "示范县第一小学", "示范县城关第一小学", "更正"),
        (YEAR, "name", "示范县第一小学", "示范县城关第一小学", "更正"),
    ]
    first, second = events("orgs.school.change")
    assert first.data == {"year": YEAR + 1, "name": ["示范县第一小学", "示范县实验小学"], "years": [YEAR + 1]}
    assert second.data["years"] == [YEAR - 1, YEAR]


def test_type_location_ownership_and_contact_change(world: World) -> None:
    changed = change_school(
        world.county_supervisor,
        world.nine_year,
        YEAR,
        school_type="初中",
        location="rural",
        ownership="民办",
        phone="13800000000",
        why="学校调整",
    )
    assert changed["school_type"] == ["nine_year", "junior"] and changed["phone"] == ["", "13800000000"]
    assert years(world.nine_year, "school_type") == {YEAR - 1: "nine_year", YEAR: "junior"}
    assert years(world.nine_year, "ownership") == {YEAR - 1: "public", YEAR: "private"}
    assert School.objects.get(pk=world.nine_year.pk).phone == "13800000000"
    assert (
        change_school(world.county_supervisor, world.nine_year, YEAR, school_type="junior") == {}
    )  # no change, no event
    assert len(events()) == 1


def test_a_school_closed_in_a_year_stays_in_the_years_before(world: World) -> None:
    save_record(SYSTEM, world.junior, YEAR - 1, "junior", FIGURES)
    save_record(SYSTEM, world.primary, YEAR - 1, "primary", FIGURES)
    save_record(SYSTEM, world.primary, YEAR, "primary", FIGURES)
    close_school(world.county_supervisor, world.junior, YEAR, why="生源不足，撤销")
    assert years(world.junior, "status") == {YEAR - 1: "open", YEAR: "closed"}
    assert world.junior.pk in {sy.school_id for sy in expected_schools(world.county, YEAR - 1)}
    assert world.junior.pk not in {sy.school_id for sy in expected_schools(world.county, YEAR)}
    before = evaluate_county(SYSTEM, world.county, YEAR - 1, "national-2017")
    assert {s["school_code"] for s in before.result["schools"]} >= {world.junior.code, world.primary.code}
    after = evaluate_county(SYSTEM, world.county, YEAR, "national-2017")
    assert world.junior.code not in {s["school_code"] for s in after.result["schools"]}


def test_a_past_years_evaluation_uses_that_years_name(world: World) -> None:
    save_record(SYSTEM, world.primary, YEAR - 1, "primary", FIGURES)
    save_record(SYSTEM, world.primary, YEAR, "primary", FIGURES)
    change_school(world.county_supervisor, world.primary, YEAR, name="示范县实验小学", why="更名")
    names = {}
    for year in (YEAR - 1, YEAR):
        run = evaluate_county(SYSTEM, world.county, year, "national-2017")
        names[year] = {s["school_name"] for s in run.result["schools"]}
    assert names == {YEAR - 1: {"示范县第一小学"}, YEAR: {"示范县实验小学"}}


def test_merge_into_another_school(world: World) -> None:
    merge_school(world.county_supervisor, world.junior, world.nine_year, YEAR, why="学校布局调整")
    rows = {sy.year: (sy.status, sy.merged_into_id) for sy in SchoolYear.objects.filter(school=world.junior)}
    assert rows == {YEAR - 1: ("open", None), YEAR: ("merged", world.nine_year.pk)}
    (event,) = events("orgs.school.merge")
    assert (event.data["into"], event.data["status"], event.data["merged_into"]) == (
        world.nine_year.code,
        ["open", "merged"],
        [None, world.nine_year.code],
    )
    with pytest.raises(OrgsError) as refused:  # merged already
        close_school(world.county_supervisor, world.junior, YEAR, why="x")
    assert refused.value.code == "not_open"


@pytest.mark.parametrize("target", ["neighbour_school", "primary_itself", "closed"])
def test_merge_targets_must_be_open_schools_of_the_county(world: World, target: str) -> None:
    if target == "closed":
        close_school(SYSTEM, world.nine_year, YEAR, why="撤销")
        into = world.nine_year
    else:
        into = world.neighbour_school if target == "neighbour_school" else world.primary
    with pytest.raises(OrgsError) as refused:
        merge_school(world.county_supervisor, world.primary, into, YEAR, why="合并")
    assert refused.value.code == "bad_target"


def test_closing_a_school_with_records_from_that_year_is_refused(world: World) -> None:
    save_record(SYSTEM, world.primary, YEAR, "primary", FIGURES)
    with pytest.raises(OrgsError) as refused:
        close_school(world.county_supervisor, world.primary, YEAR, why="撤销")
    assert (refused.value.code, refused.value.details) == ("has_records", [{"year": YEAR}])
    close_school(world.county_supervisor, world.primary, YEAR + 1, why="撤销")  # from the next year: fine
    assert years(world.primary, "status")[YEAR + 1] == "closed"


def test_a_locked_year_is_not_changed(world: World) -> None:
    lock_year(SYSTEM, world.county, YEAR)
    with pytest.raises(OrgsError) as refused:
        change_school(world.county_supervisor, world.primary, YEAR - 1, name="新名", why="更名")
    assert refused.value.code == "year_locked"  # the rename from 2024 would reach the locked 2025
    assert years(world.primary) == {YEAR - 1: "示范县第一小学", YEAR: "示范县第一小学"}
    assert CensusChange.objects.filter(school_year__isnull=False).count() == 0 and events() == []


def test_only_the_county_changes_its_register(world: World, city_admin: object) -> None:
    for person in (world.observer, world.school_clerk, world.neighbour_supervisor, world.city_inspector):
        with pytest.raises(PermissionDenied):
            change_school(person, world.primary, YEAR, name="x")
    change_school(city_admin, world.primary, YEAR, name="示范县实验小学")  # the city's administrator may
    assert len(events()) == 1
