"""Who gets in: a browser session (with CSRF on changes) or a bearer token; nobody else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from dudao.api.models import ApiToken, hash_key
from dudao.census.models import CensusRecord
from tests.api.conftest import API, call
from tests.personas import PASSWORD, YEAR, World

PUT_PRIMARY = f"/census/records/{{code}}/{YEAR}/primary"


def test_anonymous_is_401_everywhere(world: World, records: dict) -> None:
    client = Client()
    for method, url in [
        ("GET", "/schools?year=2025"),
        ("GET", f"/census/records/{records['home'].pk}"),
        ("PUT", PUT_PRIMARY.format(code=world.primary.code)),
        ("POST", f"/census/records/{records['home'].pk}/submit"),
        ("GET", "/evaluations?county=139901&year=2025"),
    ]:
        response = call(client, method, url, {"values": {}})
        assert response.status_code == 401, url
        assert response.json()["code"] == "unauthenticated"


def test_a_logged_in_browser_reads_with_its_session(world: World) -> None:
    client = Client()
    assert client.login(username="县督导", password=PASSWORD)
    assert call(client, "GET", "/schools?year=2025").json()["count"] == 3


def test_changes_through_a_session_need_the_csrf_token(world: World, records: dict) -> None:
    client = Client(enforce_csrf_checks=True)
    client.login(username="一小填报员", password=PASSWORD)
    url = PUT_PRIMARY.format(code=world.primary.code)
    body = {"values": {"books": 30500}, "expected_version": 1}

    refused = call(client, "PUT", url, body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert CensusRecord.objects.get(pk=records["home"].pk).books == 30000

    client.get("/api/v1/docs")  # any page that hands out the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert call(client, "PUT", url, body, **{"X-CSRFToken": token}).status_code == 200
    assert call(client, "GET", "/schools?year=2025").status_code == 200  # reads never need it


def test_a_token_works_without_session_or_csrf(world: World, records: dict, token_for: Callable) -> None:
    key = token_for(world.school_clerk)
    client = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {key}"}
    assert [s["code"] for s in call(client, "GET", "/schools?year=2025", **auth).json()["items"]] == [
        world.primary.code
    ]
    response = call(client, "PUT", PUT_PRIMARY.format(code=world.primary.code),
                    {"values": {"books": 30500}, "expected_version": 1}, **auth)  # fmt: skip
    assert response.status_code == 200
    assert response.json()["record"]["updated_by"] == "一小填报员"


def test_a_token_acts_with_its_users_roles_only(world: World, records: dict, token_for: Callable) -> None:
    auth = {"Authorization": f"Bearer {token_for(world.neighbour_clerk)}"}
    client = Client()
    assert call(client, "GET", f"/census/records/{records['home'].pk}", **auth).status_code == 404
    assert call(client, "GET", f"/census/records/{records['neighbour'].pk}", **auth).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer dudao_not-a-real-key", "Bearer ", "Bearer", "Bearer something-else", "Token abc", "Basic Zm9vOmJhcg=="],
)
def test_a_wrong_token_is_401(world: World, header: str) -> None:
    response = call(Client(), "GET", "/schools?year=2025", Authorization=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_wrong_token_is_401_even_with_a_session(world: World, as_user: Callable[[User], Client]) -> None:
    """The token alone decides; a bad one is never rescued by the browser's session."""
    client = as_user(world.county_supervisor)
    assert call(client, "GET", "/schools?year=2025").status_code == 200
    assert call(client, "GET", "/schools?year=2025", Authorization="Bearer dudao_wrong").status_code == 401


def test_a_token_of_an_inactive_user_is_401(world: World, token_for: Callable) -> None:
    key = token_for(world.observer)
    world.observer.is_active = False
    world.observer.save()
    assert call(Client(), "GET", "/schools?year=2025", Authorization=f"Bearer {key}").status_code == 401


def test_only_a_hash_of_the_key_is_stored(world: World, token_for: Callable) -> None:
    key = token_for(world.observer)
    token = ApiToken.objects.get(user=world.observer)
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values_list(flat=False).get()]
    assert key not in stored and not any(key[8:] in v for v in stored)
    assert token.key_hash == hash_key(key) and len(token.key_hash) == 64
    assert key.startswith(token.prefix) and len(token.prefix) < 16


def test_last_used_is_recorded_sparingly(world: World, token_for: Callable) -> None:
    key = token_for(world.observer)
    token = ApiToken.objects.get(user=world.observer)
    assert token.last_used is None
    call(Client(), "GET", "/schools?year=2025", Authorization=f"Bearer {key}")
    token.refresh_from_db()
    first = token.last_used
    assert first is not None
    call(Client(), "GET", "/schools?year=2025", Authorization=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used == first  # not rewritten on every call
    ApiToken.objects.filter(pk=token.pk).update(last_used=first - timedelta(hours=1))
    call(Client(), "GET", "/schools?year=2025", Authorization=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used > first - timedelta(hours=1)


def test_the_command_shows_the_key_once(world: World) -> None:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "观察员", "市数据仓库", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("dudao_") and "密钥只显示这一次" in err.getvalue()
    token = ApiToken.objects.get(user=world.observer, name="市数据仓库")
    assert token.key_hash == hash_key(key)
    assert call(Client(), "GET", "/schools?year=2025", Authorization=f"Bearer {key}").status_code == 200

    with pytest.raises(CommandError, match="already has a token"):
        call_command("create_api_token", "观察员", "市数据仓库", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("create_api_token", "nobody", "x", stdout=StringIO(), stderr=StringIO())


def test_the_openapi_document_describes_both_ways_in(db: None) -> None:
    schemes = Client().get(f"{API}/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
