"""Every role × the cockpit, the school list, the school page and the subnav's helpers, for their own unit
and another: the exact status. A unit a person may not see does not exist for them (404); nobody
anonymous gets in. Adding a page means adding a row."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.overview.test_cockpit import STANDARD, county_census
from tests.personas import YEAR, World, client_for

PEOPLE = [
    "province_inspector", "city_inspector", "county_supervisor", "department_clerk", "school_clerk", "observer",
    "neighbour_supervisor", "neighbour_clerk",
]  # fmt: skip
OVER_示范县 = {"province_inspector": 200, "city_inspector": 200, "county_supervisor": 200, "observer": 200}
OVER_邻县 = {"province_inspector": 200, "city_inspector": 200, "neighbour_supervisor": 200}


def _redirects(statuses: dict[str, int]) -> dict[str, int]:
    return {person: 302 for person in statuses}


# page → (url builder, {person: status}); a person not listed gets 404.
PAGES = {
    "cockpit of 示范县": (lambda w: reverse("overview:county", args=[w.county.code, YEAR, STANDARD]), OVER_示范县),
    "cockpit of 邻县": (lambda w: reverse("overview:county", args=[w.neighbour.code, YEAR, STANDARD]), OVER_邻县),
    "cockpit of 其他县": (lambda w: reverse("overview:county", args=[w.other_county.code, YEAR, STANDARD]), {}),
    "school list of 示范县": (lambda w: reverse("overview:schools", args=[w.county.code, YEAR, STANDARD]), OVER_示范县),
    "school list of 邻县": (lambda w: reverse("overview:schools", args=[w.neighbour.code, YEAR, STANDARD]), OVER_邻县),
    "school page of 第一小学": (
        lambda w: reverse("overview:school", args=[w.primary.code, YEAR, STANDARD]),
        {**OVER_示范县, "school_clerk": 200},
    ),
    "school page of 第一中学": (
        lambda w: reverse("overview:school", args=[w.junior.code, YEAR, STANDARD]), OVER_示范县,
    ),
    "school page of 邻县第一小学": (
        lambda w: reverse("overview:school", args=[w.neighbour_school.code, YEAR, STANDARD]),
        {**OVER_邻县, "neighbour_clerk": 200},
    ),
    "school page in another province": (
        lambda w: reverse("overview:school", args=[w.other_school.code, YEAR, STANDARD]), {},
    ),
    "latest year of 示范县": (
        lambda w: reverse("overview:county_latest", args=[w.county.code]), _redirects(OVER_示范县),
    ),
    "switch on 示范县": (
        lambda w: reverse("overview:county_switch", args=[w.county.code]) + f"?year={YEAR - 1}",
        _redirects(OVER_示范县),
    ),
    "switch on 邻县": (
        lambda w: reverse("overview:county_switch", args=[w.neighbour.code]) + f"?year={YEAR}",
        _redirects(OVER_邻县),
    ),
}  # fmt: skip


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("person", PEOPLE)
def test_access_matrix(world: World, person: str, page: str) -> None:
    county_census(world)
    url, expected = PAGES[page]
    client = client_for(getattr(world, person))
    response = client.get(url(world))
    assert response.status_code == expected.get(person, 404), (person, page)


def test_downloads_follow_the_page(world: World) -> None:
    county_census(world)
    client = client_for(world.neighbour_supervisor)
    url = reverse("overview:county", args=[world.county.code, YEAR, STANDARD])
    assert client.get(url + "?download=cvs&format=csv").status_code == 404
    url = reverse("overview:school", args=[world.primary.code, YEAR, STANDARD])
    assert client.get(url + "?download=indicators-primary&format=csv").status_code == 404


def test_nobody_anonymous_gets_in(world: World) -> None:
    for url, _expected in PAGES.values():
        response = Client().get(url(world))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
