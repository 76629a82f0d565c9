"""Schools over the API: only the ones you may see, as they were in the year asked for, a page at a time."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from dudao.api.common import MAX_PAGE, MAX_PAGE_SIZE
from dudao.orgs.models import School, SchoolYear
from tests.api.conftest import call
from tests.personas import YEAR, World

Login = Callable[[User | None], Client]


def codes(response: object) -> list[str]:
    return [item["code"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_the_list_holds_what_you_may_see(world: World, as_user: Login) -> None:
    expected = {
        "county_supervisor": [world.primary.code, world.junior.code, world.nine_year.code],
        "school_clerk": [world.primary.code],
        "city_inspector": [world.primary.code, world.junior.code, world.nine_year.code, world.neighbour_school.code],
        "neighbour_clerk": [world.neighbour_school.code],
        "department_clerk": [],
    }
    for person, schools in expected.items():
        response = call(as_user(getattr(world, person)), "GET", f"/schools?year={YEAR}")
        assert response.status_code == 200
        assert codes(response) == schools, person
        assert response.json()["count"] == len(schools)


def test_attributes_are_those_of_the_year_asked_for(world: World, as_user: Login) -> None:
    SchoolYear.objects.filter(school=world.primary, year=YEAR).update(name="示范县实验小学", location="town")
    client = as_user(world.county_supervisor)
    now = call(client, "GET", f"/schools?year={YEAR}").json()["items"][0]
    before = call(client, "GET", f"/schools?year={YEAR - 1}").json()["items"][0]
    assert (now["name"], now["location"], now["year"]) == ("示范县实验小学", "town", YEAR)
    assert (before["name"], before["location"], before["year"]) == ("示范县第一小学", "urban", YEAR - 1)
    assert now["county"] == world.county.code and now["county_name"] == "示范县"
    assert now["school_type"] == "primary" and now["ownership"] == "public" and now["status"] == "open"
    # A school that did not exist that year is not listed.
    assert call(client, "GET", f"/schools?year={YEAR - 5}").json() == {"items": [], "count": 0}


def test_county_narrows_and_never_widens(world: World, as_user: Login) -> None:
    city = as_user(world.city_inspector)
    assert codes(call(city, "GET", f"/schools?year={YEAR}&county={world.neighbour.code}")) == [
        world.neighbour_school.code
    ]
    assert call(city, "GET", f"/schools?year={YEAR}&county={world.city.code}").json()["count"] == 4
    # Another province's county, a code that does not exist: empty, alike.
    assert call(city, "GET", f"/schools?year={YEAR}&county={world.other_county.code}").json()["count"] == 0
    assert call(city, "GET", f"/schools?year={YEAR}&county=999999").json()["count"] == 0


def test_the_year_is_required(world: World, as_user: Login) -> None:
    response = call(as_user(world.county_supervisor), "GET", "/schools")
    assert response.status_code == 400
    assert response.json()["details"][0]["loc"] == ["query", "year"]


def test_one_school_with_its_history(world: World, as_user: Login) -> None:
    response = call(as_user(world.observer), "GET", f"/schools/{world.nine_year.code}")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["county"]) == (world.nine_year.code, world.county.code)
    assert [(y["year"], y["school_type"], y["location"]) for y in body["years"]] == [
        (YEAR - 1, "nine_year", "town"),
        (YEAR, "nine_year", "town"),
    ]


def test_a_school_in_a_town_names_its_town(world: World, as_user: Login) -> None:
    """Was a 500 (the detail lost its resolved town), found by tests/security/test_fuzz_api.py."""
    SchoolYear.objects.filter(school=world.primary).update(town=world.town)
    response = call(as_user(world.county_supervisor), "GET", f"/schools/{world.primary.code}")
    assert response.status_code == 200, response.content
    assert {(y["town"], y["town_name"]) for y in response.json()["years"]} == {(world.town.code, world.town.name)}


def test_pages_past_the_last_are_empty_and_page_numbers_are_bounded(world: World, as_user: Login) -> None:
    client = as_user(world.county_supervisor)
    assert call(client, "GET", f"/schools?year={YEAR}&page={MAX_PAGE}").json()["items"] == []
    assert call(client, "GET", f"/schools?year={YEAR}&page={MAX_PAGE + 1}").status_code == 400
    assert call(client, "GET", f"/schools?year={YEAR}&page={2**64}").status_code == 400


def test_an_invisible_school_looks_like_a_missing_one(world: World, as_user: Login) -> None:
    client = as_user(world.county_supervisor)
    invisible = call(client, "GET", f"/schools/{world.neighbour_school.code}")
    missing = call(client, "GET", "/schools/0000000000")
    assert invisible.status_code == missing.status_code == 404
    assert invisible.json() == missing.json()


def _many_schools(world: World, n: int) -> None:
    schools = School.objects.bulk_create(School(code=f"13990190{i:04d}", county=world.county) for i in range(n))
    SchoolYear.objects.bulk_create(
        SchoolYear(school=s, year=YEAR, name=f"学校{i}", school_type="primary", town=world.town)
        for i, s in enumerate(schools)
    )


def test_pages(world: World, as_user: Login) -> None:
    client = as_user(world.county_supervisor)
    first = call(client, "GET", f"/schools?year={YEAR}&page_size=2").json()
    second = call(client, "GET", f"/schools?year={YEAR}&page_size=2&page=2").json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert codes(client.get(f"/api/v1/schools?year={YEAR}&page_size=2")) + [s["code"] for s in second["items"]] == [
        world.primary.code,
        world.junior.code,
        world.nine_year.code,
    ]
    assert call(client, "GET", f"/schools?year={YEAR}&page=0").status_code == 400


def test_page_size_is_capped(world: World, as_user: Login) -> None:
    _many_schools(world, MAX_PAGE_SIZE + 10)
    body = call(as_user(world.county_supervisor), "GET", f"/schools?year={YEAR}&page_size=100000").json()
    assert body["count"] == MAX_PAGE_SIZE + 13
    assert len(body["items"]) == MAX_PAGE_SIZE


def test_the_list_costs_the_same_queries_for_3_schools_or_60(
    world: World, as_user: Login, django_assert_max_num_queries: Callable
) -> None:
    client = as_user(world.county_supervisor)
    # session, user, memberships, the region of the filter, count, page
    with django_assert_max_num_queries(6):
        assert call(client, "GET", f"/schools?year={YEAR}&county={world.county.code}").json()["count"] == 3
    _many_schools(world, 57)
    with django_assert_max_num_queries(6):
        body = call(client, "GET", f"/schools?year={YEAR}&county={world.county.code}&page_size=100").json()
    assert body["count"] == 60 and body["items"][-1]["town_name"] == "城关镇"
    with django_assert_max_num_queries(5):  # session, user, memberships, school, its years
        call(client, "GET", f"/schools/{world.primary.code}")
