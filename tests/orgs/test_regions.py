"""The region tree: create, rename, move (every descendant's path follows; access follows), close."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dudao.orgs.access import access_register_school, access_school, visible_schools
from dudao.orgs.actions import OrgsError, close_region, create_region, move_region, open_school, rename_region
from dudao.orgs.models import Region, SchoolYear
from tests.orgs.conftest import events
from tests.personas import SYSTEM, YEAR, World


def test_a_county_supervisor_creates_and_renames_a_town(world: World) -> None:
    town = create_region(world.county_supervisor, world.county, "139901101", " 柳河镇 ", why="区划调整")
    assert (town.level, town.path, town.name) == ("town", "/13/1399/139901/139901101/", "柳河镇")
    rename_region(world.county_supervisor, town, "柳河街道", why="撤镇设街道")
    town.refresh_from_db()
    assert town.name == "柳河街道"
    created, renamed = events()
    assert (created.verb, created.region, created.data["code"]) == ("orgs.region.create", world.county, "139901101")
    assert (renamed.verb, renamed.why, renamed.data) == (
        "orgs.region.rename",
        "撤镇设街道",
        {"name": ["柳河镇", "柳河街道"]},
    )
    assert renamed.actor == world.county_supervisor


@pytest.mark.parametrize(
    ("code", "rule"),
    [("1399011", "bad_code"), ("149901101", "bad_code"), ("139901100", "code_taken"), ("abc", "bad_code")],
)
def test_bad_codes_are_refused_and_nothing_is_written(world: World, code: str, rule: str) -> None:
    before = Region.objects.count()
    with pytest.raises(OrgsError) as refused:
        create_region(world.county_supervisor, world.county, code, "新镇")
    assert refused.value.code == rule
    assert Region.objects.count() == before and events() == []


def test_a_duplicate_name_among_siblings_is_refused(world: World) -> None:
    with pytest.raises(OrgsError) as refused:
        create_region(world.county_supervisor, world.county, "139901101", "城关镇")
    assert refused.value.code == "name_taken"


def test_nobody_changes_the_region_they_sit_in_or_above(world: World, city_admin: object) -> None:
    with pytest.raises(PermissionDenied):  # the county's parent is the city's
        rename_region(world.county_supervisor, world.county, "示范区")
    with pytest.raises(PermissionDenied):
        create_region(world.observer, world.county, "139901101", "柳河镇")
    with pytest.raises(PermissionDenied):
        create_region(world.neighbour_supervisor, world.county, "139901101", "柳河镇")
    with pytest.raises(PermissionDenied):  # only the system creates provinces
        create_region(world.province_inspector, None, "15", "内蒙古自治区")
    rename_region(city_admin, world.county, "示范区")
    assert events("orgs.region.rename")[0].region == world.city
    assert len(events()) == 1


def test_a_three_level_move_rewrites_every_path_and_access_follows(world: World) -> None:
    """示范市 (city › counties › towns) moves from 河北省 to 另一省: three levels of paths rewritten."""
    other_province = world.other_province
    assert world.primary in visible_schools(world.province_inspector)
    move_region(SYSTEM, world.city, other_province, why="区划调整")
    paths = dict(Region.objects.values_list("code", "path"))
    assert paths["1399"] == "/14/1399/"
    assert paths["139901"] == "/14/1399/139901/"
    assert paths["139902"] == "/14/1399/139902/"
    assert paths["139901100"] == "/14/1399/139901/139901100/"
    assert paths["13"] == "/13/" and paths["149901"] == "/14/1499/149901/"  # nothing else moved
    assert Region.objects.get(code="1399").parent == other_province
    # 河北省's inspector loses 示范县's schools; a supervisor of 示范县 keeps them (their path moved with them).
    with pytest.raises(Http404):
        access_school(world.province_inspector, world.primary.code)
    assert world.primary in visible_schools(world.county_supervisor)
    (event,) = events("orgs.region.move")
    assert event.data["parent"] == ["13", "14"] and event.data["regions"] == 4
    assert event.region == world.province  # filed under the old parent: its people see the move


def test_a_town_moves_to_another_county_with_its_schools(world: World, city_admin: object) -> None:
    for school in (world.primary, world.junior):
        SchoolYear.objects.filter(school=school).update(town=world.town)
    assert access_school(world.county_supervisor, world.primary.code)
    move_region(city_admin, world.town, world.neighbour, why="城关镇划归邻县")
    town = Region.objects.get(pk=world.town.pk)
    assert (town.parent, town.path) == (world.neighbour, "/13/1399/139902/139901100/")
    with pytest.raises(Http404):  # the old county's supervisor loses the town's schools ...
        access_school(world.county_supervisor, world.primary.code)
    assert (
        access_school(world.neighbour_supervisor, world.primary.code).county == world.neighbour
    )  # ... the new one gains them
    assert access_register_school(world.neighbour_supervisor, world.junior.code, "org")
    assert world.nine_year in visible_schools(world.county_supervisor)  # not in the town: stays
    (event,) = events("orgs.region.move")
    assert event.data["schools"] == [world.primary.code, world.junior.code]


def test_a_county_supervisor_cannot_move_a_town_out_of_their_county(world: World) -> None:
    with pytest.raises(PermissionDenied):
        move_region(world.county_supervisor, world.town, world.neighbour, why="x")
    with pytest.raises(OrgsError) as refused:  # a town goes under a county, not a city
        move_region(SYSTEM, world.town, world.city, why="x")
    assert refused.value.code == "bad_parent"
    with pytest.raises(OrgsError) as refused:
        move_region(SYSTEM, world.town, world.neighbour, why="")
    assert refused.value.code == "reason_required"
    assert Region.objects.get(pk=world.town.pk).path == "/13/1399/139901/139901100/"
    assert events() == []


def test_closing_a_town_with_schools_asks_where_they_go(world: World) -> None:
    SchoolYear.objects.filter(school=world.primary).update(town=world.town)
    with pytest.raises(OrgsError) as refused:
        close_region(world.county_supervisor, world.town, YEAR, why="撤乡并镇")
    assert refused.value.code == "has_open_schools"
    assert refused.value.details == [{"code": world.primary.code, "name": "示范县第一小学"}]
    assert Region.objects.get(pk=world.town.pk).closed_from is None and events() == []

    other = create_region(world.county_supervisor, world.county, "139901101", "柳河镇")
    close_region(world.county_supervisor, world.town, YEAR, why="撤乡并镇", schools_to=other)
    assert Region.objects.get(pk=world.town.pk).closed_from == YEAR
    towns = dict(SchoolYear.objects.filter(school=world.primary).values_list("year", "town__code"))
    assert towns == {YEAR - 1: "139901100", YEAR: "139901101"}  # the year before keeps its town
    verbs = [e.verb for e in events()]
    assert verbs == ["orgs.region.create", "orgs.school.change", "orgs.region.close"]
    # A closed town takes no new schools.
    with pytest.raises(OrgsError) as refused:
        open_school(
            world.county_supervisor,
            world.county,
            "1399010099",
            YEAR,
            name="新校",
            school_type="primary",
            town=Region.objects.get(pk=world.town.pk),
        )
    assert refused.value.code == "closed"


def test_a_county_with_open_towns_or_schools_does_not_close(world: World, city_admin: object) -> None:
    with pytest.raises(OrgsError) as refused:
        close_region(city_admin, world.county, YEAR, why="撤县设区")
    assert refused.value.code == "has_open_children"
    with pytest.raises(OrgsError) as refused:
        close_region(city_admin, world.neighbour, YEAR, why="撤县设区")
    assert refused.value.code == "has_open_schools"
