"""The documented start-up (docs/deploy.md) as far as this machine allows without root: the scripts the
systemd units and install.sh use — ``deploy/setup.sh`` (venv, check, migrate, collectstatic, status) and
``deploy/run.sh web|worker`` — against PostgreSQL (database ops_prod) and Redis (database 6), gunicorn on
127.0.0.1 at a free port and one Celery worker. /healthz answers 200 with every part well, a change to a
county's data is evaluated by the worker and stored, and everything is stopped. What needs root (apt, the
dudao user, systemd, nginx, TLS) is install.sh's alone and is not run here.

Marked ``production``: ``pytest -m production`` runs it alone (about two minutes, most of it pip and the
migrations).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.db import connection  # noqa: F401 (read by the skipif below)

from tests.ops.commands import BIN, ROOT, dudao, environment, fresh_postgres

pytestmark = [
    pytest.mark.production,
    # the production form is PostgreSQL: run in the suite's PostgreSQL pass (DATABASE_URL, as CI runs it)
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="runs in the PostgreSQL pass (DATABASE_URL)"),
]

REDIS = "redis://127.0.0.1:6379/6"
COUNTY, YEAR, STANDARD = "139901", 2025, "national-2017"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except OSError:
        return 0, {}, b""


def _wait(what: str, ready: Callable[[], Any], seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {seconds} s")


@contextmanager
def _service(name: str, env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """``deploy/run.sh name`` in its own process group, stopped (SIGTERM, then SIGKILL) on the way out."""
    with log.open("wb") as out:
        process = subprocess.Popen(["bash", str(ROOT / "deploy/run.sh"), name, *args], env=env, cwd=ROOT,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _runs(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM evaluation_evaluationrun r JOIN orgs_region c ON c.id = r.county_id "
            "WHERE c.code = %s AND r.year = %s",
            [COUNTY, YEAR],
        ).fetchone()
        assert row is not None
        return int(row[0])


def test_setup_start_health_and_a_county_evaluated_by_the_worker(tmp_path: Path) -> None:
    url = fresh_postgres("ops_prod")
    redis.Redis.from_url(REDIS).flushdb()  # database 6 is this test's
    port = _free_port()
    env = environment(
        url, tmp_path / "var",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DUDAO_BROKER_URL=REDIS, DUDAO_LOG_FORMAT="json", DUDAO_STATIC_ROOT=str(tmp_path / "static"),
        DUDAO_BIND=f"127.0.0.1:{port}", DUDAO_WEB_WORKERS="2", DUDAO_WORKER_CONCURRENCY="1",
        APP_DIR=str(ROOT), VENV=str(BIN.parent),
    )  # fmt: skip

    setup = subprocess.run(["bash", str(ROOT / "deploy/setup.sh")], env=env, cwd=ROOT, capture_output=True,
                           text=True, timeout=900)  # fmt: skip
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "== database migrations" in setup.stdout and "任务队列 queue:         可连接 / reachable" in setup.stdout
    assert (tmp_path / "static/dudao/tables.js").is_file()  # collectstatic wrote STATIC_ROOT

    # a county with a stored evaluation (the route matrix's world of 示范县), written before the services start
    in_process = {k: v for k, v in env.items() if k != "DUDAO_BROKER_URL"}
    populate = subprocess.run([str(BIN / "python"), "-m", "tests.ops.populate"], env=in_process, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
    assert populate.returncode == 0, populate.stderr
    before = _runs(url)
    assert before >= 1

    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    with (
        _service("web", env, web_log),
        _service("worker", env, worker_log, f"--hostname=ops-ci-{port}@%h"),
    ):
        base = f"http://127.0.0.1:{port}"
        status, headers, body = _wait("gunicorn answers /healthz", lambda: (r := _get(base + "/healthz"))[0] and r)
        health = json.loads(body)
        assert status == 200, health
        assert health == {
            "status": "ok",
            "checks": {
                "database": {"ok": True, "state": "ok", "engine": "postgresql"},
                "queue": {"ok": True, "state": "reachable"},
                "disk": health["checks"]["disk"] | {"ok": True, "state": "ok"},
            },
        }
        assert len(headers["X-Request-ID"]) == 32
        assert _get(base + "/static/dudao/tables.js")[0] == 200
        assert _get(base + "/accounts/login/")[0] == 200

        # the worker is seen by `dudao status`
        def worker_seen() -> dict[str, Any] | None:
            state = json.loads(dudao(env, "status", "--json", check=False).stdout)
            return state if state["workers"] else None

        state = _wait("the worker answers", worker_seen)
        assert state["ok"] and state["workers"] == [next(w for w in state["workers"] if w.startswith("ops-ci-"))]

        # a change to the county's data queues its re-evaluation (after the commit); the worker stores it
        dudao(env, "shell", "-c", (
            "from dudao.actors import system; from dudao.orgs.models import Region; "
            "from dudao.evaluation.actions import set_county_item; "
            f"set_county_item(system('ci'), Region.objects.get(code='{COUNTY}'), {YEAR}, '{STANDARD}', 'GG-01', '否')"
        ))  # fmt: skip
        _wait("the worker stores the county's new evaluation", lambda: _runs(url) > before)

    # the worker's JSON log says it ran the job (evaluation through the queue, not in the shell's process)
    worker_lines = [json.loads(line) for line in worker_log.read_text(encoding="utf-8").splitlines()
                    if line.startswith("{")]  # fmt: skip
    assert any(
        line["logger"] == "celery.app.trace" and "dudao.evaluation.jobs.refresh_county" in line["message"]
        and "succeeded" in line["message"] for line in worker_lines
    ), worker_lines[-5:]  # fmt: skip
    web_lines = [json.loads(line) for line in web_log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    assert any(line.get("path") == "/healthz" and line.get("status") == 200 for line in web_lines), web_lines[-5:]
    assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 0  # stopped
