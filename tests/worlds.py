"""Test worlds built once per test module (docs/testing.md, docs/adr/0024-test-worlds-and-parallel-suite.md).

Building the personas' world (tests/personas.py) and what sits on it (the rectification departments, a
stored census) costs far more than most tests that read it. So a module's first test that asks for a
world opens a transaction for the module and builds the world in it; every test of the module still
runs in its own savepoint inside that transaction (pytest-django's ``db``), so what a test writes is
rolled back after it, and the module's transaction is rolled back after its last test: the next module
starts from an empty database, as before.

Each test gets deep copies of the shared objects (one copy per test, shared between its fixtures:
``rect.world is world``), as Django's ``TestCase.setUpTestData`` does, so a test that changes an
attribute in memory does not change it for the next one.

A module with a test that needs committed data (``transaction=True``, ``transactional_db``,
``live_server``: the browser tests) cannot run inside a transaction: there every test builds its world
itself, as before.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.db import transaction
from django.test.utils import override_settings

T = TypeVar("T")

TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or "_django_db_helper" in getattr(item, "fixturenames", ())


def module_items(request: pytest.FixtureRequest) -> list[pytest.Item]:
    prefix = request.node.nodeid + "::"
    return [item for item in request.session.items if item.nodeid.startswith(prefix)]


def module_shares(request: pytest.FixtureRequest, fixture: str) -> bool:
    """Whether the module's ``fixture`` is built once: only where no test needs committed data and every
    test that touches the database asks for ``fixture`` (so no test sees rows it did not ask for)."""
    items = module_items(request)
    if any(is_transactional(item) for item in items):
        return False
    return all(fixture in getattr(item, "fixturenames", ()) for item in items if uses_database(item))


@pytest.fixture(scope="module")
def module_transaction(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> Iterator[bool]:
    """The module's transaction the shared worlds are built in (True), rolled back after its last test;
    False where the module cannot share (then the world fixtures build per test)."""
    if any(is_transactional(item) for item in module_items(request)):
        yield False
        return
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]  # as Django's TestCase marks its own
        atomic.__enter__()
    try:
        yield True
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def build_shared(request: pytest.FixtureRequest, fixture: str, build: Callable[..., T], *args: Any) -> T | None:
    """``build(*args)`` run once in the module's transaction (with the tests' fast password hasher) when
    the module shares ``fixture`` (``module_shares``); None when it does not (the fixture builds per test)."""
    if not module_shares(request, fixture) or not request.getfixturevalue("module_transaction"):
        return None
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        return build(*args)


@pytest.fixture
def world_copies() -> dict[int, Any]:
    """The memo of this test's deep copies: every shared object is copied once per test."""
    return {}


def copy_for_test(shared: T, memo: dict[int, Any]) -> T:
    return copy.deepcopy(shared, memo)
