"""Every role × the balance and what-if pages of their own and another county: the exact status.
Reading the county is enough for the what-if too (it saves nothing); a unit one may not view is a 404."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from dudao.census.actions import save_record
from tests.engine.schools import PRIMARY
from tests.personas import SYSTEM, YEAR, World, client_for, evaluate
from tests.worlds import build_shared

STANDARD = "national-2017"
PEOPLE = [
    "province_inspector", "city_inspector", "county_supervisor", "department_clerk", "school_clerk", "observer",
    "neighbour_supervisor", "neighbour_clerk",
]  # fmt: skip
SEES_COUNTY = {"province_inspector": 200, "city_inspector": 200, "county_supervisor": 200, "observer": 200}
SEES_NEIGHBOUR = {"province_inspector": 200, "city_inspector": 200, "neighbour_supervisor": 200}


def _args(world: World, county: str) -> list:
    return [getattr(world, county).code, YEAR, STANDARD]


def _get(name: str, county: str, query: dict | None = None):
    return lambda c, w: c.get(reverse(f"overview:{name}", args=_args(w, county)), query or {})


def _compute(county: str, school: str):
    def call(c: Client, w: World):
        body = {"school": f"{getattr(w, school).code}:primary", "values": {"pe_art_teachers": "9"}}
        url = reverse("overview:whatif_compute", args=_args(w, county))
        return c.post(url, json.dumps(body), content_type="application/json")

    return call


def _form(county: str, school: str):
    def call(c: Client, w: World):
        url = reverse("overview:whatif", args=_args(w, county))
        return c.post(url, {"school": f"{getattr(w, school).code}:primary", "pe_art_teachers": "9"})

    return call


# page → (request, {person: status}); a person not listed gets 404 (the county does not exist for them).
PAGES = {
    "balance of 示范县": (_get("balance", "county"), SEES_COUNTY),
    "balance of 示范县, junior level": (_get("balance", "county", {"level": "junior"}), {}),  # no junior school
    "balance of 邻县": (_get("balance", "neighbour"), SEES_NEIGHBOUR),
    "balance in another province": (_get("balance", "other_county"), {}),
    "what-if of 示范县": (_get("whatif", "county"), SEES_COUNTY),
    "what-if of 示范县 with a school": (_get("whatif", "county", {"school": "1399010001:primary"}), SEES_COUNTY),
    "what-if of 邻县": (_get("whatif", "neighbour"), SEES_NEIGHBOUR),
    "what-if form of 示范县": (_form("county", "primary"), SEES_COUNTY),
    "what-if JSON of 示范县": (_compute("county", "primary"), SEES_COUNTY),
    "what-if JSON of 邻县": (_compute("neighbour", "neighbour_school"), SEES_NEIGHBOUR),
    "what-if JSON in another province": (_compute("other_county", "other_school"), {}),
}


def enter_census(world: World) -> bool:
    values = {k: v for k, v in PRIMARY.items() if k != "school_type"}
    for school in (world.primary, world.neighbour_school, world.other_school):
        save_record(SYSTEM, school, YEAR, "primary", values)
    evaluate(world.county, world.neighbour, world.other_county)
    return True


@pytest.fixture(scope="module")
def shared_census(request: pytest.FixtureRequest, shared_world: World | None) -> bool:
    """The three counties' census and stored results, entered once for the module (tests/worlds.py)."""
    return bool(shared_world and build_shared(request, "census", enter_census, shared_world))


@pytest.fixture
def census(world: World, shared_census: bool) -> None:
    if not shared_census:
        enter_census(world)


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("person", PEOPLE)
def test_access_matrix(world: World, census: None, person: str, page: str) -> None:
    call, expected = PAGES[page]
    client = client_for(getattr(world, person))
    response = call(client, world)
    assert response.status_code == expected.get(person, 404), (person, page, response.status_code)


def test_nobody_anonymous_gets_in(world: World, census: None) -> None:
    for call, _expected in PAGES.values():
        response = call(Client(), world)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
