"""Shared fixtures: ``world`` (tests/personas.py) gives every role a named person on a real hierarchy,
built once per test module and copied for each test (tests/worlds.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

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
