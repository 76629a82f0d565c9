"""Shared fixtures: ``world`` (tests/personas.py) gives every role a named person on a real hierarchy,
built once per test module and copied for each test (tests/worlds.py); the SQLite test database is a
copy of the run's one migrated file (tests/migrated.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connections
from django.db.backends.sqlite3.creation import DatabaseCreation
from django.utils import translation

from tests.migrated import Migrated, migrate_once
from tests.personas import World, build_world
from tests.sheets._hostile import build_corpus
from tests.worlds import build_shared, copy_for_test, module_transaction, world_copies  # noqa: F401


@pytest.fixture(scope="module")
def shared_world(request: pytest.FixtureRequest) -> World | None:
    """The module's world, built once (None where the module does not share it: tests/worlds.py)."""
    return build_shared(request, "world", build_world)


@pytest.fixture
def world(db: None, shared_world: World | None, world_copies: dict[int, Any]) -> World:  # noqa: F811
    return copy_for_test(shared_world, world_copies) if shared_world else build_world()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Migrated:
    """The run's ``dudao migrate`` on a fresh SQLite file (tests/migrated.py), shared by all xdist workers:
    their temporary folders sit side by side in the run's one."""
    base = tmp_path_factory.getbasetemp()
    return migrate_once(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


@pytest.fixture(scope="session")
def _sqlite_test_database_from_the_migrated_file(request: pytest.FixtureRequest) -> Iterator[None]:
    """On SQLite, each worker's in-memory test database is filled with the run's migrated file instead of
    migrating it again; PostgreSQL (and an SQLite test database on disk) are created by Django as before."""
    database = connections["default"].settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3" or database["TEST"]["NAME"] not in (None, ":memory:"):
        yield
        return
    migrated: Migrated = request.getfixturevalue("migrated_sqlite")
    create_test_db = DatabaseCreation.create_test_db

    def from_migrated_file(self: DatabaseCreation, verbosity: int = 1, autoclobber: bool = False,
                           serialize: bool = True, keepdb: bool = False) -> str:  # fmt: skip
        """Django's ``create_test_db`` with the migrated file copied in where it runs ``migrate``."""
        name = self._get_test_db_name()
        if not self.is_in_memory_db(name):
            return create_test_db(self, verbosity, autoclobber, serialize, keepdb)
        self.connection.close()
        self.connection.settings_dict["NAME"] = name
        django_settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.ensure_connection()
        migrated.load_into(self.connection.connection)
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        call_command("createcachetable", database=self.connection.alias)
        return name

    patch = pytest.MonkeyPatch()
    patch.setattr(DatabaseCreation, "create_test_db", from_migrated_file)
    try:
        yield
    finally:
        patch.undo()


@pytest.fixture(scope="session")
def django_db_setup(_sqlite_test_database_from_the_migrated_file: None, django_db_setup: None) -> None:
    """pytest-django's test databases, the SQLite one from the migrated file."""


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Real hashing makes every test user cost ~0.3 s; the tests do not test hashing strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded files (evidence, census files kept for their preview) go to a temporary folder, never var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The corpus of hostile files (tests/sheets/_hostile.py), built once per session."""
    return build_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(autouse=True)
def _language_back_to_chinese() -> Iterator[None]:
    """A request in English leaves English active in the thread (Django's LocaleMiddleware activates the
    request's language and nothing deactivates it); the next test starts in the default language."""
    yield
    translation.deactivate()


# CI's second pass runs the suite again on PostgreSQL (`.ci/run`), for what the engine can change: the
# queries. A test that never opens the test database answers the same on either engine and has run in the
# SQLite pass, so that pass may leave it out (DUDAO_TEST_DATABASE_TESTS_ONLY=1; docs/testing.md). So may the
# browser tests (marker e2e) and the LibreOffice tests (marker libreoffice): what they check is what Chromium
# draws of the pages and LibreOffice of the documents, whose every route, answer, query count and content
# the test client and the document tests check on PostgreSQL too; they ran in the SQLite pass. The operator
# tests (tests/ops) start their own databases and stay.
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def _opens_the_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    case = getattr(item, "cls", None)
    from django.test import TransactionTestCase

    return (isinstance(case, type) and issubclass(case, TransactionTestCase)) or "tests/ops/" in item.nodeid


def _in_the_database_pass(item: pytest.Item) -> bool:
    clients = ("e2e", "libreoffice")
    return _opens_the_database(item) and not any(item.get_closest_marker(m) for m in clients)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DUDAO_TEST_DATABASE_TESTS_ONLY") != "1":
        return
    keep, leave = [], []
    for item in items:
        (keep if _in_the_database_pass(item) else leave).append(item)
    config.hook.pytest_deselected(items=leave)
    items[:] = keep
