"""F6 and F7 (issue #13): with DEBUG off the web application does not start without a secret key,
and nothing is signed with a key written in the source; `dudao check --deploy` with the production
settings documented in docs/security.md prints no warning."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import signing
from django.test import Client

from dudao.surveys import actions
from dudao.surveys.models import Survey
from tests.migrated import Migrated, command_line_env
from tests.surveys.conftest import survey  # noqa: F401
from tests.surveys.helpers import answers, post

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
PUBLIC_CONSTANTS = ("dudao-unset-secret-key", "dudao-insecure-development-key-change-me")


def documented_production_env() -> dict[str, str]:
    """The environment of the fenced block after "Production settings" in docs/security.md."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- production-env -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/security.md lost its production settings block"
    pairs = [line.split("=", 1) for line in block.group(1).splitlines() if "=" in line and not line.startswith("#")]
    return {k.strip(): v.strip() for k, v in pairs}


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = command_line_env(tmp_path, tmp_path / "db.sqlite3", **env)
    return subprocess.run([sys.executable, *args], env=base, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    env = documented_production_env()
    key_file = tmp_path / "secret-key"  # stands for /etc/dudao/secret-key
    key_file.write_text("Zq7-x_P2wR9sLm4Vt8Yb1Nc6Jd3Hf0Ge5KaTq2Wn8Rs4Uv6Xy0Zb3Cd5\n", encoding="utf-8")
    env["DJANGO_SECRET_KEY_FILE"] = str(key_file)
    done = run(["-m", "dudao.cli", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_warns_without_them(tmp_path: Path) -> None:
    done = run(["-m", "dudao.cli", "check", "--deploy"], tmp_path, DJANGO_SECRET_KEY="x" * 60)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr + done.stdout, warning


def test_the_web_application_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done = run(["-c", "import dudao.wsgi"], tmp_path, DJANGO_DEBUG="false")
    assert done.returncode != 0 and "DJANGO_SECRET_KEY is not set" in done.stderr and "未设置" in done.stderr
    assert run(["-c", "import dudao.wsgi"], tmp_path, DJANGO_SECRET_KEY="s" * 60).returncode == 0
    assert run(["-c", "import dudao.wsgi"], tmp_path, DJANGO_DEBUG="true").returncode == 0  # make demo
    key_file = tmp_path / "key"
    key_file.write_text("f" * 60, encoding="utf-8")
    assert run(["-c", "import dudao.wsgi"], tmp_path, DJANGO_SECRET_KEY_FILE=str(key_file)).returncode == 0


def test_commands_that_never_sign_run_without_a_key(tmp_path: Path, migrated_sqlite: Migrated) -> None:
    # `dudao migrate` ran once for the run in this very environment (tests/migrated.py): no key, a new file
    assert migrated_sqlite.returncode == 0, migrated_sqlite.stderr
    migrated_sqlite.copy_to(tmp_path / "db.sqlite3")
    done = run(["-m", "dudao.cli", "template", str(tmp_path / "t.xlsx")], tmp_path)
    assert done.returncode == 0, done.stderr
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    key = run(["-c", script], tmp_path, DJANGO_SETTINGS_MODULE="dudao.settings").stdout.strip()
    assert len(key) >= 50 and key not in PUBLIC_CONSTANTS  # a key of the process, known to no one


@pytest.mark.django_db
def test_a_form_stamp_signed_with_a_key_from_the_source_is_refused(survey: Survey) -> None:  # noqa: F811
    data = answers(survey)
    an_hour_ago = int(time.time()) - 3600  # the forged start time: an instant answer looks unhurried
    for constant in PUBLIC_CONSTANTS:
        data["s"] = signing.Signer(key=constant, salt="dudao.surveys.form").sign(f"{survey.key}:parent:{an_hour_ago}")
        response = post(Client(), survey, data)
        assert response.status_code == 400 and "已过期" in response.content.decode()
    assert not survey.responses.exists()
    data["s"] = actions.form_stamp(survey, "parent", an_hour_ago)  # signed by the server: accepted
    assert post(Client(), survey, data).status_code == 200
