"""Errors before a permission decision say nothing about other units (issue #13).

For a person without rights there, an object of another county that exists and one that does not exist
get the same answer: the same status and the same body (the page's CSRF token aside), on pages and on the
API, for reading and for changing, with good and with broken parameters.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from dudao.api.models import ApiToken
from dudao.orgs.models import Membership
from dudao.rectification import actions as rectification
from dudao.surveys import actions as surveys
from tests.api.conftest import store
from tests.personas import SYSTEM, YEAR, World
from tests.rectification.conftest import make_rect, task_for

MISSING_ID = 10**12
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=|"csrfToken": ?|data-csrf=)"[^"]*"')


@pytest.fixture
def neighbour(world: World) -> dict[str, Any]:
    """Objects of 邻县, which 示范县's people may not see."""
    rect = make_rect(world)
    plan = rectification.create_plan(SYSTEM, world.neighbour, "邻县工作方案", YEAR, doc_no="", goal="")
    survey = surveys.create_survey(world.neighbour_supervisor, world.neighbour, YEAR, "邻县调查")
    return {
        "record": store(world.neighbour_school),
        "task": task_for(plan, rect.neighbour_finance),
        "plan": plan,
        "survey": survey,
        "department": rect.neighbour_finance,
        "role": Membership.objects.get(user=world.neighbour_clerk),
    }


def shown(response: Any, url: str) -> bytes:
    """The body without the CSRF token and without the page's own address (the language form's ``next``)."""
    return CSRF.sub(b"", response.content).replace(url.encode(), b"URL")


def same(a: Any, b: Any, a_url: str, b_url: str) -> None:
    assert a.status_code == b.status_code, (a.status_code, b.status_code)
    assert a.status_code in (302, 400, 403, 404), a.status_code
    assert shown(a, a_url) == shown(b, b_url)
    assert a.get("Location") == b.get("Location")


def page_pairs(world: World, n: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(method, an other county's object, a missing one)."""
    county, school = world.neighbour.code, world.neighbour_school.code
    return [
        ("GET", f"/overview/county/{county}/", "/overview/county/999999/"),
        ("GET", f"/census/county/{county}/{YEAR}/", f"/census/county/999999/{YEAR}/"),
        ("GET", f"/census/school/{school}/{YEAR}/", f"/census/school/9999999999/{YEAR}/"),
        ("POST", f"/census/school/{school}/{YEAR}/primary/", f"/census/school/9999999999/{YEAR}/primary/"),
        ("POST", f"/census/record/{n['record'].pk}/submit/", f"/census/record/{MISSING_ID}/submit/"),
        ("GET", f"/rectification/plan/{n['plan'].pk}/", f"/rectification/plan/{MISSING_ID}/"),
        ("GET", f"/rectification/task/{n['task'].pk}/", f"/rectification/task/{MISSING_ID}/"),
        ("POST", f"/rectification/task/{n['task'].pk}/report/", f"/rectification/task/{MISSING_ID}/report/"),
        ("GET", f"/rectification/county/{county}/liaison/", "/rectification/county/999999/liaison/"),
        ("POST", f"/rectification/county/{county}/liaison/matter-done/",
         "/rectification/county/999999/liaison/matter-done/"),
        ("GET", f"/surveys/{n['survey'].pk}/", f"/surveys/{MISSING_ID}/"),
        ("GET", f"/orgs/department/{n['department'].pk}/", f"/orgs/department/{MISSING_ID}/"),
        ("GET", f"/orgs/account/{world.neighbour_clerk.pk}/", f"/orgs/account/{MISSING_ID}/"),
        ("GET", f"/orgs/school/{school}/", "/orgs/school/9999999999/"),
        ("GET", f"/reports/county/{county}/{YEAR}/national-2017/", f"/reports/county/999999/{YEAR}/national-2017/"),
    ]  # fmt: skip


@pytest.mark.parametrize("person", ["county_supervisor", "school_clerk", "department_clerk", "observer"])
@pytest.mark.parametrize("form", [{}, {"matter": "abc", "year": "x", "id": str(2**64), "next": "abc"}])
def test_pages_answer_alike_for_other_units_and_nothing(
    world: World, neighbour: dict[str, Any], person: str, form: dict[str, str]
) -> None:
    client = Client()
    client.force_login(getattr(world, person))
    for method, other, missing in page_pairs(world, neighbour):
        send = client.get if method == "GET" else client.post
        a, b = send(other, form), send(missing, form)
        try:
            same(a, b, other, missing)
        except AssertionError as error:
            raise AssertionError(f"{person} {method} {other} vs {missing}: {error}") from None


def api_pairs(world: World, n: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    county, school, clerk = world.neighbour.code, world.neighbour_school.code, world.neighbour_clerk.username
    return [
        ("GET", f"/schools/{school}", "/schools/9999999999", None),
        ("GET", f"/census/records/{n['record'].pk}", f"/census/records/{MISSING_ID}", None),
        ("POST", f"/census/records/{n['record'].pk}/approve", f"/census/records/{MISSING_ID}/approve", None),
        ("PUT", f"/census/records/{school}/{YEAR}/primary", f"/census/records/9999999999/{YEAR}/primary",
         {"values": {"students": 1}}),
        ("POST", f"/census/years/{county}/{YEAR}/unlock", f"/census/years/999999/{YEAR}/unlock", {"reason": "x"}),
        ("GET", f"/evaluations?county={county}&year={YEAR}", f"/evaluations?county=999999&year={YEAR}", None),
        ("POST", "/evaluations", "/evaluations", None),  # body below: the county named in it
        ("GET", f"/rectification/tasks/{n['task'].pk}", f"/rectification/tasks/{MISSING_ID}", None),
        ("POST", f"/rectification/tasks/{n['task'].pk}/progress", f"/rectification/tasks/{MISSING_ID}/progress",
         {"text": "x", "percent": 10}),
        ("PATCH", f"/orgs/departments/{n['department'].pk}", f"/orgs/departments/{MISSING_ID}", {"name": "x"}),
        ("PATCH", f"/orgs/register/{school}", "/orgs/register/9999999999", {"why": "x"}),
        ("POST", f"/orgs/accounts/{clerk}/deactivate", "/orgs/accounts/nobody-here/deactivate", {"why": "x"}),
        ("POST", f"/orgs/accounts/{clerk}/roles/{n['role'].pk}/revoke",
         f"/orgs/accounts/nobody-here/roles/{MISSING_ID}/revoke", {"why": "x"}),
    ]  # fmt: skip


@pytest.mark.parametrize("person", ["county_supervisor", "school_clerk", "department_clerk", "observer"])
def test_the_api_answers_alike_for_other_units_and_nothing(
    world: World, neighbour: dict[str, Any], person: str
) -> None:
    client = Client()
    token = ApiToken.issue(getattr(world, person), "scope")[1]
    headers = {"Authorization": f"Bearer {token}"}
    for method, other, missing, body in api_pairs(world, neighbour):
        if other == missing:  # POST /evaluations names the county in the body
            bodies = [{"county": world.neighbour.code, "year": YEAR}, {"county": "999999", "year": YEAR}]
        else:
            bodies = [body, body]
        answers = [
            client.generic(method, f"/api/v1{url}", "" if data is None else json.dumps(data),
                           content_type="application/json", headers=headers)
            for url, data in zip((other, missing), bodies, strict=True)
        ]  # fmt: skip
        a, b = answers
        assert (a.status_code, a.json()) == (b.status_code, b.json()), f"{person} {method} {other} vs {missing}"
        assert a.status_code in (400, 403, 404), (person, method, other, a.status_code)
