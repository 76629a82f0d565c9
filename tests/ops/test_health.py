"""``/healthz``, the request id and the JSON log lines, and ``dudao status``: against the real database and,
for the queue, the real Redis on 127.0.0.1 (database 6) and a port where nothing listens."""

from __future__ import annotations

import json
import logging.config
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from dudao.ops.logs import logging_config
from tests.ops.commands import dudao, environment

REDIS = "redis://127.0.0.1:6379/6"
NOWHERE = "redis://127.0.0.1:1/6"


def _health(client: Client, **headers: str) -> tuple[int, dict]:
    response = client.get("/healthz", headers=headers)
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.status_code, response.json()


def test_all_well_without_a_broker_is_200_and_names_each_part(db: None, client: Client) -> None:
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "state": "ok", "engine": connection.vendor}
    assert body["checks"]["queue"] == {"ok": True, "state": "in-process"}
    assert body["checks"]["disk"]["ok"] and body["checks"]["disk"]["free_bytes"] > 0


def test_it_tells_no_secret(db: None, client: Client) -> None:
    with override_settings(CELERY_BROKER_URL="redis://:hunter2@127.0.0.1:1/6", CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/healthz")
    text = response.content.decode()
    assert response.status_code == 503
    for secret in ("hunter2", "127.0.0.1", settings.SECRET_KEY, str(settings.MEDIA_ROOT), "NAME", "version"):
        assert secret not in text


def test_a_reachable_broker_is_ok_and_an_unreachable_one_is_503(db: None, client: Client) -> None:
    with override_settings(CELERY_BROKER_URL=REDIS, CELERY_TASK_ALWAYS_EAGER=False):
        status, body = _health(client)
    assert (status, body["checks"]["queue"]) == (200, {"ok": True, "state": "reachable"})
    with override_settings(CELERY_BROKER_URL=NOWHERE, CELERY_TASK_ALWAYS_EAGER=False):
        status, body = _health(client)
    assert (status, body["status"], body["checks"]["queue"]) == (503, "fail", {"ok": False, "state": "unreachable"})
    assert body["checks"]["database"]["ok"] and body["checks"]["disk"]["ok"]


def test_too_little_free_disk_is_503(db: None, client: Client) -> None:
    with override_settings(DUDAO_HEALTH_MIN_FREE_BYTES=10**18):
        status, body = _health(client)
    assert status == 503
    assert body["checks"]["disk"]["state"] == "low" and body["checks"]["disk"]["min_free_bytes"] == 10**18


def test_it_answers_over_plain_http_when_https_is_required(db: None, client: Client) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200  # a monitor on the server asks gunicorn directly
        assert client.get("/accounts/login/").status_code == 301


def test_it_only_reads(db: None, client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_every_response_carries_its_request_id(db: None, client: Client) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "nginx-0f3a9c"})
    assert given["X-Request-ID"] == "nginx-0f3a9c"
    made = client.get("/accounts/login/")
    assert re.fullmatch(r"[0-9a-f]{32}", made["X-Request-ID"])
    refused = client.get("/healthz", headers={"X-Request-ID": "no spaces\nor newlines"})
    assert re.fullmatch(r"[0-9a-f]{32}", refused["X-Request-ID"])


def test_json_log_lines_carry_the_request_id(db: None, client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(logging_config("json", "INFO"))
    try:
        client.get("/healthz", headers={"X-Request-ID": "req-42"})
        client.get("/accounts/login/?next=/secret-token")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    health = next(line for line in lines if line.get("path") == "/healthz")
    assert health["request_id"] == "req-42" and health["status"] == 200 and health["method"] == "GET"
    assert health["logger"] == "dudao.request" and health["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", health["time"])
    assert health["duration_ms"] >= 0
    login = next(line for line in lines if line.get("path") == "/accounts/login/")
    assert re.fullmatch(r"[0-9a-f]{32}", login["request_id"]) and "secret-token" not in json.dumps(lines)


def test_status_prints_the_deployment(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("status", "--json")
    state = json.loads(capsys.readouterr().out)
    assert state["ok"] is True and state["pending_migrations"] == []
    assert state["checks"]["queue"]["state"] == "in-process" and state["workers"] is None
    assert set(state["counts"]) == {"regions", "schools", "users", "census_records", "evaluation_runs", "audit_events"}
    assert state["version"] and "PASSWORD" not in json.dumps(state)
    with override_settings(CELERY_BROKER_URL=REDIS, CELERY_TASK_ALWAYS_EAGER=False):
        call_command("status")
    text = capsys.readouterr().out
    assert "任务队列 queue:         可连接 / reachable" in text and "工作进程 workers:" in text
    assert "状态 state:             正常 / ok" in text


def test_status_exits_1_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    env = environment("postgres://postgres@127.0.0.1:1/nowhere", tmp_path)
    done = dudao(env, "status", check=False)
    assert done.returncode == 1
    assert "数据库 database:        无法连接 / unreachable" in done.stdout
    assert "状态 state:             异常 / not well" in done.stdout
