"""Fills the configured database (DATABASE_URL, DUDAO_MEDIA_ROOT) with the route matrix's world of 示范县 —
every kind of object, uploaded evidence among them — through the actions, for the backup tests. Run as a
separate process: ``python -m tests.ops.populate`` (after ``dudao migrate``)."""

from __future__ import annotations

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.test.utils import override_settings, setup_test_environment

    from tests.test_route_matrix import _build

    setup_test_environment()  # the test client's host, mail kept in memory
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        _build()


if __name__ == "__main__":
    main()
