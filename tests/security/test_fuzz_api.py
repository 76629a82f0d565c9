"""Every API operation of the OpenAPI document, fuzzed in-process: never a 5xx, and every 4xx carries the
project's error body ``{code, message_zh, message_en, details}`` (ADR 0005, ADR 0021).

schemathesis reads the document from the app itself (``/api/v1/openapi.json`` through WSGI) and generates
requests from it, valid ones and broken ones; each request is sent as every identity below (API tokens of
the demo roles, and nobody). Path parameters are, by a coin the fuzzer throws, either generated or an
object that exists (the county's school, a stored record, a task), so the fuzzed bodies reach the actions
behind the permission checks too.

Bounded and reproducible: ``DUDAO_FUZZ_EXAMPLES`` examples per operation (default 5), derandomized, no
example database. A longer run, locally::

    DUDAO_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/security/test_fuzz_api.py -q
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from werkzeug.test import Client as WerkzeugClient

from dudao.api.models import ApiToken
from dudao.orgs.models import Membership
from tests.api.conftest import store
from tests.api.test_errors import SHAPE
from tests.api.test_openapi import EXPECTED_PATHS
from tests.personas import YEAR, World
from tests.rectification.conftest import make_rect, plan_of, task_for
from tests.security.fuzzing import in_process_requests, one_request

EXAMPLES = int(os.environ.get("DUDAO_FUZZ_EXAMPLES", "5"))
IDENTITIES = ("anonymous", "county_supervisor", "school_clerk", "department_clerk", "observer", "province_inspector")
# One address per identity: the bad tokens the fuzzer sends as nobody lock out nobody's address only.
ADDRESSES = {name: f"198.51.100.{i + 1}" for i, name in enumerate(IDENTITIES)}
OPERATIONS = sorted((method.upper(), path) for path, methods in EXPECTED_PATHS.items() for method in methods)


@cache
def _schema() -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


def known_values(world: World) -> dict[str, list[Any]]:
    """Objects that exist, by the name of the path parameter that names them."""
    make_rect(world)
    record = store(world.primary)
    task = task_for(plan_of(world), world.finance)
    role = Membership.objects.get(user=world.school_clerk)
    return {
        "code": [world.primary.code, world.county.code, world.town.code, world.neighbour.code],
        "school_code": [world.primary.code, world.neighbour_school.code],
        "county": [world.county.code, world.neighbour.code],
        "year": [YEAR],
        "level": ["primary", "junior"],
        "record_id": [record.pk],
        "task_id": [task.pk],
        "department_id": [world.finance.pk],
        "username": [world.school_clerk.username, world.observer.username],
        "role_id": [role.pk],
    }


def tokens(world: World) -> dict[str, dict[str, str]]:
    def bearer(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {ApiToken.issue(user, 'fuzz')[1]}"}

    return {"anonymous": {}} | {name: bearer(getattr(world, name)) for name in IDENTITIES if name != "anonymous"}


def assert_answer(response: Any, request: str) -> None:
    status = response.status_code
    assert status < 500, f"{request} → {status}\n{response.text[:2000]}"
    if status >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), request
        body = response.json()
        assert set(body) == SHAPE, (request, body)
        assert body["code"] and body["message_zh"] and body["message_en"], (request, body)
        assert isinstance(body["details"], list), (request, body)


@pytest.fixture
def wsgi_requests() -> Iterator[None]:
    with in_process_requests():
        yield


def test_the_fuzzed_operations_are_the_documented_ones(db: None, wsgi_requests: None) -> None:
    documented = {(op.method.upper(), op.path) for op in (r.ok() for r in _schema().get_all_operations())}
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_gives_a_server_error(world: World, wsgi_requests: None, method: str, path: str) -> None:
    operation = _schema()[path][method]
    known = known_values(world)
    headers = tokens(world)
    app = WSGIHandler()
    modes = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        case = data.draw(modes.flatmap(lambda mode: operation.as_strategy(generation_mode=mode)))
        for name in list(case.path_parameters or {}):
            if name in known and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(known[name]))
        for identity in IDENTITIES:
            with one_request() as caught:
                response = case.call(
                    session=WerkzeugClient(app),  # no cookie kept from one identity's answer to the next
                    headers=headers[identity], environ_base={"REMOTE_ADDR": ADDRESSES[identity]},
                )  # fmt: skip
            assert_answer(response, f"{identity}: {case.as_curl_command()} cookies={case.cookies!r} {caught}")

    fuzz()
