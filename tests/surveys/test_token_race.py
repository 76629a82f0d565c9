"""Parallel submits of one token: the database's unique constraint lets exactly one in (PostgreSQL;
SQLite serialises writers and its in-memory test database is not shared between threads)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client

from dudao.surveys import actions
from dudao.surveys.models import QuotaCount, Response, Survey
from tests.personas import build_world
from tests.surveys.helpers import answers, url

THREADS = 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections (PostgreSQL)")
def test_parallel_submits_of_one_token_store_exactly_one() -> None:
    world = build_world()
    survey = actions.create_survey(world.county_supervisor, world.county, 2025, "并发测试")
    actions.set_status(world.county_supervisor, survey, "open")
    tokens = actions.make_tokens(world.county_supervisor, survey, "parent", 3, "")
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(code: str) -> None:
        try:
            data = answers(survey, started=time.time() - 300, t=code)
            barrier.wait()
            status = Client().post(url(survey), data).status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    for token in tokens:
        statuses.clear()
        threads = [threading.Thread(target=submit, args=(token.code,)) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200] + [409] * (THREADS - 1), statuses
        barrier.reset()
    assert Response.objects.count() == len(tokens)
    assert Response.objects.values("token").distinct().count() == len(tokens)
    assert connection.vendor == "postgresql"


def _parallel_teacher_submits(survey: Survey) -> list[int]:
    """THREADS open-link submits of the teachers' form at one instant, each from its own address."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(n: int) -> None:
        try:
            data = answers(survey, "teacher", started=time.time() - 300)
            barrier.wait()
            status = Client(REMOTE_ADDR=f"10.0.0.{n}").post(url(survey, "teacher"), data).status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections (PostgreSQL)")
def test_parallel_submits_into_a_cell_with_one_place_store_exactly_one() -> None:
    """Open links, no codes: the cell's conditional counter UPDATE is what refuses at the quota."""
    world = build_world()
    survey = actions.create_survey(world.county_supervisor, world.county, 2025, "并发测试")
    actions.update_config(world.county_supervisor, survey, {"minimum": 14, "per_mille": 0.01}, None)  # 1 teacher
    actions.set_status(world.county_supervisor, survey, "open")
    assert _parallel_teacher_submits(survey) == [200] + [409] * (THREADS - 1)
    assert Response.objects.filter(group="teacher").count() == 1
    assert QuotaCount.objects.get(survey=survey, group="teacher").count == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections (PostgreSQL)")
def test_parallel_first_answers_of_a_cell_are_all_counted() -> None:
    """The cell's counter does not exist yet: concurrent first answers create it once and none of
    them is told the group is full (the benchmark once caught that)."""
    world = build_world()
    survey = actions.create_survey(world.county_supervisor, world.county, 2025, "并发测试")
    actions.set_status(world.county_supervisor, survey, "open")  # 50 teachers: room for all
    for _round in range(3):
        QuotaCount.objects.filter(survey=survey).delete()
        before = Response.objects.count()
        assert _parallel_teacher_submits(survey) == [200] * THREADS
        assert Response.objects.count() == before + THREADS
        assert QuotaCount.objects.get(survey=survey, group="teacher").count == THREADS
        Response.objects.all().delete()
