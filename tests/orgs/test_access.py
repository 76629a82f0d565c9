"""The access functions: who may view and act on which county and school (standards of the house: a
county user never reaches another county's rows)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dudao.orgs.access import access_region, access_school, home_unit, school_permissions, visible_schools
from tests.personas import World

# One vocabulary for every app (dudao/orgs/access.py): an inspector also inspects and reads the audit trail,
# the county's supervision office also administers the county.
VIEW, INSPECT = {"view"}, {"view", "inspect", "audit"}
ACT = {"view", "edit", "submit", "review", "inspect", "org", "accounts", "audit"}


@pytest.mark.parametrize(
    ("person", "school", "expected"),
    [
        ("province_inspector", "primary", INSPECT),
        ("province_inspector", "neighbour_school", INSPECT),
        ("province_inspector", "other_school", set()),
        ("city_inspector", "primary", INSPECT),
        ("city_inspector", "other_school", set()),
        ("county_supervisor", "primary", ACT),
        ("county_supervisor", "neighbour_school", set()),
        ("observer", "junior", VIEW),
        ("observer", "neighbour_school", set()),
        ("school_clerk", "primary", {"view", "edit", "submit"}),
        ("school_clerk", "junior", set()),
        ("department_clerk", "primary", set()),
        ("neighbour_supervisor", "primary", set()),
        ("neighbour_clerk", "primary", set()),
    ],
)
def test_school_permissions(world: World, person: str, school: str, expected: set[str]) -> None:
    assert school_permissions(getattr(world, person), getattr(world, school)) == expected


def test_a_school_out_of_sight_does_not_exist(world: World) -> None:
    with pytest.raises(Http404):
        access_school(world.neighbour_clerk, world.primary.code)
    with pytest.raises(Http404):
        access_school(world.county_supervisor, "no-such-school")


def test_a_visible_school_without_the_right_is_forbidden(world: World) -> None:
    assert access_school(world.observer, world.primary.code) == world.primary
    with pytest.raises(PermissionDenied):
        access_school(world.observer, world.primary.code, "edit")
    with pytest.raises(PermissionDenied):
        access_school(world.school_clerk, world.primary.code, "review")


def test_regions_and_lists_follow_the_tree(world: World) -> None:
    assert access_region(world.city_inspector, world.county.code) == world.county
    with pytest.raises(Http404):
        access_region(world.county_supervisor, world.neighbour.code)
    with pytest.raises(Http404):
        access_region(world.province_inspector, world.other_county.code)
    assert set(visible_schools(world.county_supervisor)) == {world.primary, world.junior, world.nine_year}
    assert set(visible_schools(world.school_clerk)) == {world.primary}
    assert set(visible_schools(world.city_inspector)) == {
        world.primary,
        world.junior,
        world.nine_year,
        world.neighbour_school,
    }
    assert list(visible_schools(world.department_clerk)) == []


def test_everyone_lands_on_their_own_unit(world: World) -> None:
    assert home_unit(world.province_inspector) == world.province
    assert home_unit(world.county_supervisor) == world.county
    assert home_unit(world.school_clerk) == world.primary
