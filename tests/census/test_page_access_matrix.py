"""Every role × every census page × own and other unit: the exact status. Adding a page means adding a row."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.census import actions
from tests.personas import SYSTEM, YEAR, World, client_for

PEOPLE = [
    "province_inspector", "city_inspector", "county_supervisor", "department_clerk", "school_clerk", "observer",
    "neighbour_supervisor", "neighbour_clerk",
]  # fmt: skip

# page → (method, url builder, {person: status}); a person not listed gets 404 (the unit does not exist for them).
PAGES = {
    "completeness of 示范县": (
        "get", lambda w, r: reverse("census:completeness", args=[w.county.code, YEAR]),
        {"province_inspector": 200, "city_inspector": 200, "county_supervisor": 200, "observer": 200},
    ),
    "completeness of 邻县": (
        "get", lambda w, r: reverse("census:completeness", args=[w.neighbour.code, YEAR]),
        {"province_inspector": 200, "city_inspector": 200, "neighbour_supervisor": 200},
    ),
    "school page of 第一小学": (
        "get", lambda w, r: reverse("census:school", args=[w.primary.code, YEAR]),
        {"province_inspector": 200, "city_inspector": 200, "county_supervisor": 200, "observer": 200,
         "school_clerk": 200},
    ),
    "school page of 邻县第一小学": (
        "get", lambda w, r: reverse("census:school", args=[w.neighbour_school.code, YEAR]),
        {"province_inspector": 200, "city_inspector": 200, "neighbour_supervisor": 200, "neighbour_clerk": 200},
    ),
    "school page in another province": (
        "get", lambda w, r: reverse("census:school", args=[w.other_school.code, YEAR]), {},
    ),
    "save figures of 第一小学": (
        "post", lambda w, r: reverse("census:save", args=[w.primary.code, YEAR, "primary"]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302,
         "school_clerk": 302},
    ),
    "approve 第一小学": (
        "post", lambda w, r: reverse("census:transition", args=[r.pk, "approve"]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302,
         "school_clerk": 403},
    ),
    "lock 示范县": (
        "post", lambda w, r: reverse("census:lock", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302},
    ),
    "upload for 示范县": (
        "get", lambda w, r: reverse("census:upload", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 200,
         "school_clerk": 200},
    ),
    "deadline of 示范县": (
        "post", lambda w, r: reverse("census:deadline", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302},
    ),
    "review queue of 示范县": (
        "get", lambda w, r: reverse("census:review", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 200},
    ),
    "review of 第一小学's record": (
        "get", lambda w, r: reverse("census:review_record", args=[w.county.code, YEAR, r.pk]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 200},
    ),
    "approve from the queue": (
        "post", lambda w, r: reverse("census:decide", args=[w.county.code, YEAR, r.pk, "approve"]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302},
    ),
    "batch approval": (
        "post", lambda w, r: reverse("census:approve_clean", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302},
    ),
    "remind 示范县's schools": (
        "post", lambda w, r: reverse("census:remind", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302},
    ),
    "lock confirmation of 示范县": (
        "get", lambda w, r: reverse("census:lock", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 200},
    ),
    "unlock 示范县": (
        "post", lambda w, r: reverse("census:unlock", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 302},
    ),
    "template page": (
        "get", lambda w, r: reverse("census:templates", args=[YEAR]), dict.fromkeys(PEOPLE, 200),
    ),
    "prefilled template of 示范县": (
        "get", lambda w, r: reverse("census:county_template", args=[w.county.code, YEAR]),
        {"province_inspector": 403, "city_inspector": 403, "observer": 403, "county_supervisor": 200},
    ),
    "a clerk's prefilled template": (
        "get", lambda w, r: reverse("census:my_template", args=[YEAR]),
        {"school_clerk": 200, "neighbour_clerk": 200},
    ),
    "blank template": (
        "get", lambda w, r: reverse("census:blank_template"), dict.fromkeys(PEOPLE, 200),
    ),
}  # fmt: skip


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("person", PEOPLE)
def test_access_matrix(world: World, person: str, page: str) -> None:
    record = actions.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 500}).record
    actions.submit(SYSTEM, record)
    method, url, expected = PAGES[page]
    client = client_for(getattr(world, person))
    response = getattr(client, method)(url(world, record))
    assert response.status_code == expected.get(person, 404), (person, page)


def test_nobody_anonymous_gets_in(world: World) -> None:
    record = actions.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 500}).record
    for method, url, _ in PAGES.values():
        response = getattr(Client(), method)(url(world, record))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
