"""Evaluations over HTTP: evaluate a county's stored census, read the latest run, know when it is stale."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from dudao.evaluation.models import EvaluationRun
from tests.api.conftest import call, store
from tests.personas import YEAR, World

Login = Callable[[User | None], Client]


def test_evaluate_then_read_the_latest_run(world: World, as_user: Login) -> None:
    record = store(world.primary)
    store(world.junior, level="junior")
    supervisor = as_user(world.county_supervisor)

    missing = call(supervisor, "GET", f"/evaluations?county={world.county.code}&year={YEAR}")
    assert (missing.status_code, missing.json()["code"]) == (404, "no_run")

    ran = call(supervisor, "POST", "/evaluations", {"county": world.county.code, "year": YEAR})
    assert ran.status_code == 201
    body = ran.json()
    assert (body["county"], body["year"], body["standard"]) == (world.county.code, YEAR, "national-2017")
    assert body["stale"] is False and body["created_by"] == "县督导"
    assert body["records_by_status"] == {"draft": 2}
    assert body["result"]["county"]["code"] == world.county.code
    assert body["created_at"].endswith("+08:00")

    latest = call(as_user(world.city_inspector), "GET", f"/evaluations?county={world.county.code}&year={YEAR}")
    assert latest.status_code == 200
    assert latest.json()["id"] == body["id"] and latest.json()["result"] == body["result"]

    call(supervisor, "PUT", f"/census/records/{world.primary.code}/{YEAR}/primary",
         {"values": {"books": 31000}, "expected_version": record.version})  # fmt: skip
    stale = call(supervisor, "GET", f"/evaluations?county={world.county.code}&year={YEAR}").json()
    assert stale["id"] == body["id"] and stale["stale"] is True


def test_evaluation_refusals(world: World, as_user: Login) -> None:
    supervisor = as_user(world.county_supervisor)
    empty = call(supervisor, "POST", "/evaluations", {"county": world.county.code, "year": YEAR})
    assert (empty.status_code, empty.json()["code"]) == (422, "no_records")
    store(world.primary)
    unknown = call(supervisor, "POST", "/evaluations", {"county": world.county.code, "year": YEAR,
                                                        "standard": "national-1900"})  # fmt: skip
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_standard")
    observer = call(as_user(world.observer), "POST", "/evaluations", {"county": world.county.code, "year": YEAR})
    assert observer.status_code == 403
    town = call(supervisor, "GET", f"/evaluations?county={world.town.code}&year={YEAR}")
    assert (town.status_code, town.json()["code"]) == (404, "not_found")
    assert not EvaluationRun.objects.exists()
