"""Settings come from the environment, strictly parsed; the suite runs on the database DATABASE_URL names."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from dudao.env import env_bool, env_list, env_str


@pytest.mark.django_db
def test_suite_runs_on_the_configured_database() -> None:
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'auth'")
        assert cursor.fetchone()[0] > 0


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


def test_console_script_is_manage_py(tmp_path) -> None:
    env = {**os.environ, "DUDAO_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "dudao.cli", "migrate", "--noinput", "-v", "0"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "db.sqlite3").exists()
    help_text = subprocess.run(
        [sys.executable, "-m", "dudao.cli", "help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "evaluate" in help_text and "template" in help_text
