"""Every error has one shape, ``{code, message_zh, message_en, details}``, and a status chosen by one
documented rule; a 404 never tells an invisible object from a missing one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

import dudao.census.actions
from dudao.api import errors
from dudao.census.models import CensusRecord
from tests.api.conftest import API, call, store
from tests.personas import YEAR, World

Login = Callable[[User | None], Client]
SHAPE = {"code", "message_zh", "message_en", "details"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == code
    assert isinstance(body["details"], list)
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    return body


def test_each_status_has_the_same_shape(world: World, as_user: Login, settings: Any) -> None:
    record = store(world.primary)
    clerk = as_user(world.school_clerk)
    put_url = f"/census/records/{world.primary.code}/{YEAR}/primary"
    assert_error(call(clerk, "GET", "/schools?year=soon"), 400, "invalid_request")
    assert_error(call(Client(), "GET", "/schools?year=2025"), 401, "unauthenticated")
    assert_error(call(clerk, "POST", f"/census/records/{record.pk}/approve"), 403, "forbidden")
    assert_error(call(clerk, "GET", "/census/records/999999"), 404, "not_found")
    assert_error(call(clerk, "PUT", put_url, {"values": {"books": 1}, "expected_version": 7}), 409, "conflict")
    assert_error(call(clerk, "PUT", put_url, {"values": {"pe_art_teachers": 99}, "expected_version": 1}), 422,
                 "note_required")  # fmt: skip
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert_error(call(clerk, "PUT", put_url, {"values": {}, "note": "长" * 1000, "expected_version": 1}), 413,
                 "too_large")  # fmt: skip
    record.refresh_from_db()
    assert record.version == 1


def test_a_body_that_is_not_json_is_400(world: World, as_user: Login) -> None:
    client = as_user(world.school_clerk)
    url = f"{API}/census/records/{world.primary.code}/{YEAR}/primary"
    response = client.put(url, "{not json", content_type="application/json")
    assert_error(response, 400, "invalid_request")


def test_unknown_paths_and_methods_answer_in_the_same_shape(world: World, as_user: Login) -> None:
    client = as_user(world.county_supervisor)
    assert_error(client.get(f"{API}/no/such/thing"), 404, "not_found")
    assert_error(Client().get(f"{API}/no/such/thing"), 404, "not_found")
    response = client.delete(f"{API}/schools?year=2025")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_validation_details_name_each_field(world: World, as_user: Login) -> None:
    response = call(as_user(world.school_clerk), "GET", "/census/records?year=x&status=lost")
    body = assert_error(response, 400, "invalid_request")
    assert {tuple(d["loc"]) for d in body["details"]} == {("query", "year"), ("query", "status")}
    assert all(d["type"] and d["message_en"] for d in body["details"])


@pytest.mark.parametrize(
    "url",
    [
        "/schools/{school}",
        "/census/records/{record}",
        "/census/records/{record}/timeline",
    ],
)
def test_an_invisible_object_looks_exactly_like_a_missing_one(world: World, as_user: Login, url: str) -> None:
    record = store(world.neighbour_school)
    client = as_user(world.county_supervisor)
    invisible = call(client, "GET", url.format(school=world.neighbour_school.code, record=record.pk))
    missing = call(client, "GET", url.format(school="0000000000", record=record.pk + 1000))
    assert_error(invisible, 404, "not_found")
    assert invisible.json() == missing.json()
    assert invisible.headers.get("Content-Length") == missing.headers.get("Content-Length")


def test_changes_to_an_invisible_object_look_like_changes_to_a_missing_one(world: World, as_user: Login) -> None:
    record = store(world.neighbour_school)
    client = as_user(world.county_supervisor)
    for invisible, missing in [
        (f"/census/records/{record.pk}/submit", f"/census/records/{record.pk + 1000}/submit"),
        (f"/census/years/{world.neighbour.code}/{YEAR}/lock", f"/census/years/000000/{YEAR}/lock"),
        (f"/census/records/{world.neighbour_school.code}/{YEAR}/primary", f"/census/records/0000000000/{YEAR}/primary"),
    ]:
        method = "PUT" if invisible.endswith("primary") else "POST"
        a = call(client, method, invisible, {"values": {}})
        b = call(client, method, missing, {"values": {}})
        assert_error(a, 404, "not_found")
        assert a.json() == b.json()
    assert CensusRecord.objects.get(pk=record.pk).status == "draft"


def test_every_census_error_code_has_a_documented_status() -> None:
    """A new CensusError code must be placed in the table (400, 409 or 422) and in the docs."""
    package = Path(dudao.census.actions.__file__).parent  # the actions and the import they run
    source = "".join(p.read_text(encoding="utf-8") for p in [*package.glob("*.py"), package.parent / "importing.py"])
    raised = set(re.findall(r'CensusError\(\s*"(\w+)"', source))
    assert raised, "no CensusError codes found: has the pattern changed?"
    assert raised <= set(errors.CENSUS_ERROR_STATUS)
    documented = errors.__doc__ or ""
    for code in [*errors.CENSUS_ERROR_STATUS, *errors.EVALUATION_ERROR_STATUS]:
        assert f"``{code}``" in documented, code
