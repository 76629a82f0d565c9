"""The files under deploy/ hold together: the production environment example passes ``dudao check --deploy``
(only the two HSTS promises it leaves to the county are warned about), every name it sets is one dudao reads,
the scripts parse, and every systemd unit starts its service through deploy/run.sh with that environment."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.ops.commands import ROOT, dudao, environment

DEPLOY = ROOT / "deploy"


def _example() -> dict[str, str]:
    lines = (DEPLOY / "env.production.example").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#")]
    return {k.strip(): v.strip() for k, v in pairs}


def test_the_production_environment_passes_the_deployment_check(tmp_path: Path) -> None:
    env = _example()
    (tmp_path / "secret_key").write_text("Zq7-x_P2wR9sLm4Vt8Yb1Nc6Jd3Hf0Ge5KaTq2Wn8Rs4Uv6Xy0Zb3Cd5\n", encoding="utf-8")
    env["DJANGO_SECRET_KEY_FILE"] = str(tmp_path / "secret_key")  # stands for /etc/dudao/secret_key
    for name in ("DUDAO_DATA_DIR", "DUDAO_MEDIA_ROOT", "DUDAO_STATIC_ROOT"):
        env[name] = str(tmp_path / name.lower())
    env.pop("DATABASE_URL")  # the checks read no database: SQLite in tmp_path stands for it
    done = dudao(environment(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, **env), "check", "--deploy")
    warned = set(re.findall(r"\(security\.W\d+\)", done.stdout + done.stderr))
    assert warned <= {"(security.W005)", "(security.W021)"}, done.stdout + done.stderr


def test_every_name_in_the_example_is_read_by_dudao() -> None:
    code = (ROOT / "dudao/settings.py").read_text(encoding="utf-8")
    for name in _example():
        assert f'"{name.removesuffix("_FILE")}"' in code, name


@pytest.mark.parametrize("script", ["install.sh", "setup.sh", "run.sh"])
def test_the_scripts_parse(script: str) -> None:
    assert subprocess.run(["bash", "-n", str(DEPLOY / script)], capture_output=True).returncode == 0


@pytest.mark.parametrize("unit", ["dudao-web", "dudao-worker", "dudao-beat"])
def test_each_unit_runs_its_service_through_run_sh(unit: str) -> None:
    text = (DEPLOY / "systemd" / f"{unit}.service").read_text(encoding="utf-8")
    service = unit.removeprefix("dudao-")
    assert re.search(rf"^ExecStart=/opt/dudao/deploy/run\.sh {service}\b", text, re.M)
    assert "EnvironmentFile=/etc/dudao/env" in text and "User=dudao" in text
    assert f"  {service})" in (DEPLOY / "run.sh").read_text(encoding="utf-8")


def test_nginx_hands_the_request_id_and_the_scheme_to_gunicorn() -> None:
    text = (DEPLOY / "nginx" / "dudao.conf").read_text(encoding="utf-8")
    for line in ("proxy_set_header X-Request-ID $request_id;", "proxy_set_header X-Forwarded-Proto $scheme;",
                 "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", "server 127.0.0.1:8000"):  # fmt: skip
        assert line in text
