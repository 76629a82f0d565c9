"""Shared fixtures: ``world`` (tests/personas.py) gives every role a named person on a real hierarchy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.personas import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Real hashing makes every test user cost ~0.3 s; the tests do not test hashing strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _language_back_to_chinese() -> Iterator[None]:
    """A request in English leaves English active in the thread (Django's LocaleMiddleware activates the
    request's language and nothing deactivates it); the next test starts in the default language."""
    yield
    translation.deactivate()
