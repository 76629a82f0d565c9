"""Settings come from the environment, strictly parsed; the suite runs on the database DATABASE_URL names."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dudao.env import env_bool, env_list, env_str
from tests.migrated import Migrated


@pytest.mark.django_db
def test_suite_runs_on_the_configured_database() -> None:
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'auth'")
        assert cursor.fetchone()[0] > 0
    executor = MigrationExecutor(connection)  # every migration applied (on SQLite: a copy of tests/migrated.py's)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_booleans_are_parsed_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUDAO_FLAG", "yes")
    assert env_bool("DUDAO_FLAG", False) is True
    monkeypatch.setenv("DUDAO_FLAG", "0")
    assert env_bool("DUDAO_FLAG", True) is False
    monkeypatch.setenv("DUDAO_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DUDAO_FLAG"):
        env_bool("DUDAO_FLAG", False)


def test_secrets_can_come_from_files(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("DUDAO_SECRET_FILE", str(secret))
    assert env_str("DUDAO_SECRET", "") == "s3cret"
    monkeypatch.setenv("DUDAO_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("DUDAO_SECRET", "")
    monkeypatch.setenv("DUDAO_HOSTS", "a.example, b.example,")
    assert env_list("DUDAO_HOSTS", []) == ["a.example", "b.example"]


def test_console_script_is_manage_py(tmp_path, migrated_sqlite: Migrated) -> None:
    # `python -m dudao.cli migrate --noinput` on a new SQLite file: run once for the run (tests/migrated.py)
    assert migrated_sqlite.returncode == 0, migrated_sqlite.stderr
    assert migrated_sqlite.path.exists() and migrated_sqlite.path.name == "db.sqlite3"
    env = {**os.environ, "DUDAO_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    help_text = subprocess.run(
        [sys.executable, "-m", "dudao.cli", "help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "evaluate" in help_text and "template" in help_text
