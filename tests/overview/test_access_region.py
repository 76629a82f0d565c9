"""Every role × the city and province views and the evaluate endpoint, own and other unit: the exact
status. A unit the person cannot see is a 404; only the county's supervision office evaluates (an
inspector or observer who sees the county gets 403 and stores nothing: results follow the data by
themselves, ADR 0020); no GET stores a run."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.census import actions as census
from dudao.evaluation.models import EvaluationRun
from tests.engine.schools import PRIMARY
from tests.personas import SYSTEM, YEAR, World, client_for

STANDARD = "national-2017"
PEOPLE = [
    "province_inspector", "city_inspector", "county_supervisor", "department_clerk", "school_clerk", "observer",
    "neighbour_supervisor", "neighbour_clerk",
]  # fmt: skip


def region(code: str) -> str:
    return reverse("overview:region", args=[code, YEAR, STANDARD])


def evaluate(code: str) -> str:
    return reverse("overview:evaluate_county", args=[code, YEAR, STANDARD])


# page → (method, url builder, {person: status}); a person not listed gets 404.
PAGES = {
    "city view of 示范市": ("get", lambda w: region(w.city.code), {"province_inspector": 200, "city_inspector": 200}),
    "province view of 河北省": ("get", lambda w: region(w.province.code), {"province_inspector": 200}),
    "city view in another province": ("get", lambda w: region(w.other_county.parent.code), {}),
    "province view of another province": ("get", lambda w: region(w.other_province.code), {}),
    "evaluate 示范县": (
        "post", lambda w: evaluate(w.county.code),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 200},
    ),
    "evaluate 邻县": (
        "post", lambda w: evaluate(w.neighbour.code),
        {"province_inspector": 403, "city_inspector": 403, "neighbour_supervisor": 200},
    ),
    "evaluate a county in another province": ("post", lambda w: evaluate(w.other_county.code), {}),
}  # fmt: skip


@pytest.fixture
def census_data(world: World) -> World:
    values = {k: v for k, v in PRIMARY.items() if k != "school_type"}
    for school in (world.primary, world.neighbour_school, world.other_school):
        census.save_record(SYSTEM, school, YEAR, "primary", values)
    return world


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("person", PEOPLE)
def test_access_matrix(census_data: World, person: str, page: str) -> None:
    world = census_data
    method, url, expected = PAGES[page]
    client = client_for(getattr(world, person), HTTP_ACCEPT="application/json")
    response = getattr(client, method)(url(world))
    assert response.status_code == expected.get(person, 404), (person, page)
    runs = EvaluationRun.objects.count()
    assert runs == (1 if method == "post" and response.status_code == 200 else 0)


def test_nobody_anonymous_gets_in(census_data: World) -> None:
    for method, url, _ in PAGES.values():
        response = getattr(Client(), method)(url(census_data))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not EvaluationRun.objects.exists()
