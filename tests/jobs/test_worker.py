"""Background jobs on a real Celery worker against Redis (database 5 on 127.0.0.1) and PostgreSQL: the
worker is started by the module's fixture on the test database, in its own process, bounded in time, and
stopped after. Skipped where there is no PostgreSQL (SQLite's test database lives in the test's memory)
or no Redis. The same jobs in eager mode: tests/jobs/test_jobs.py.

What only a worker shows: the job goes through the broker, its record moves from queued to done as another
process works, and a database error (a county locked by another transaction, as when two workers evaluate
it) is retried with backoff, visible with its error while it waits, and fails the job for good, with its
error on the 后台任务 page, when it does not clear."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.urls import reverse

from dudao.celery import app
from dudao.evaluation.models import EvaluationRun
from dudao.jobs.models import Job
from dudao.orgs.models import Region
from tests.jobs.helpers import city_supervisor, evaluate_url, fill, region_url
from tests.personas import World, client_for

BROKER = "redis://127.0.0.1:6379/5"
STARTUP, WAIT = 90.0, 60.0  # seconds: the worker to be ready; a job to reach a state

pytestmark = pytest.mark.django_db(transaction=True)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def worker(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A worker (``celery -A dudao worker``, one process) on a queue of its own, consuming from Redis db 5 and
    writing to the test database; the test process sends to it. Yields the worker's log file."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database server (DATABASE_URL=postgres://...)")
    if not _redis_up():
        pytest.skip(f"no Redis at {BROKER}")
    request.getfixturevalue("django_db_setup")  # the test database, named in connection.settings_dict
    db = connection.settings_dict
    queue, log = f"dudao-test-{uuid.uuid4().hex[:8]}", tmp_path_factory.mktemp("worker") / "worker.log"
    media = tmp_path_factory.mktemp("worker-media")
    env = {
        **os.environ, "DUDAO_BROKER_URL": BROKER, "DUDAO_MEDIA_ROOT": str(media),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "DUDAO_JOB_RETRIES": "2", "DUDAO_JOB_RETRY_SECONDS": "1",
    }  # fmt: skip
    celery = [sys.executable, "-m", "celery", "-A", "dudao", "worker", "--pool=solo", "-Q", queue, "-l", "info",
              "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h"]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(celery, env=env, stdout=out, stderr=subprocess.STDOUT)
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    try:
        deadline = time.monotonic() + STARTUP
        while " ready." not in log.read_text():
            assert process.poll() is None, "the worker stopped:\n" + log.read_text()
            assert time.monotonic() < deadline, "the worker did not start:\n" + log.read_text()
            time.sleep(0.3)
        app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
        _fresh_connections()
        yield log
    finally:
        app.conf.update(saved)
        _fresh_connections()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        broker = redis.Redis.from_url(BROKER)
        for key in broker.scan_iter(f"*{queue}*"):  # the queue and kombu's bindings of it
            broker.delete(key)


def _fresh_connections() -> None:
    """Celery keeps the broker connection and producers it made on first use (an eager ``delay`` makes them
    too, on ``memory://``): a test that changes the broker drops them so that the next send uses it."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    vars(app).pop("amqp", None)


def until(check: Callable[[], Any], what: str, log: Path, seconds: float = WAIT) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}; the worker's log:\n{log.read_text()}"
        time.sleep(0.1)
    return found


class Lock:
    """Another transaction holding a county's row (as a second worker evaluating it does), in its own thread
    and database connection, until released."""

    def __init__(self, county: Region) -> None:
        self.held, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(county.pk,), daemon=True)
        self.thread.start()
        assert self.held.wait(10)

    def _hold(self, pk: int) -> None:
        try:
            with transaction.atomic():
                Region.objects.select_for_update().get(pk=pk)
                self.held.set()
                self.release.wait(WAIT * 2)
        finally:
            connections.close_all()

    def end(self) -> None:
        self.release.set()
        self.thread.join(10)


def _state(job_pk: int) -> Job:
    return Job.objects.get(pk=job_pk)


def test_bulk_evaluation_runs_on_the_worker_with_progress(worker: Path, world: World) -> None:
    fill(world.primary)
    fill(world.neighbour_school)
    user = city_supervisor(world)
    response = client_for(user).post(evaluate_url(world), {"next": region_url(world)})
    assert response.status_code == 302
    job = Job.objects.get()
    seen = []

    def finished() -> bool:
        status = client_for(user).get(reverse("jobs:status", args=[job.pk])).json()
        seen.append((status["state"], status["done"], status["total"]))
        return status["state"] in ("done", "failed")

    until(finished, "the job to finish", worker)
    assert seen[-1] == ("done", 2, 2)
    dones = [done for _state_, done, _total in seen]
    assert dones == sorted(dones) and {total for *_x, total in seen} == {2}  # progress only moves forward
    job = _state(job.pk)
    assert job.attempts == 1 and job.error == "" and job.started_at <= job.finished_at
    runs = EvaluationRun.objects.all()
    assert {r.county_id for r in runs} == {world.county.pk, world.neighbour.pk}
    assert {r.created_by for r in runs} == {user}
    assert "Task dudao.jobs.tasks.run_job[" in worker.read_text() and "succeeded" in worker.read_text()
    page = client_for(user).get(reverse("jobs:list")).content.decode()
    assert f'id="job-{job.pk}"' in page and "已完成" in page and "2 / 2" in page


@contextmanager
def evaluating_with_neighbour_locked(world: World) -> Iterator[tuple[User, Job]]:
    """Both counties to evaluate, the city's supervisor queues the job while 邻县's row is locked; the lock
    is released when the block ends."""
    fill(world.primary)
    fill(world.neighbour_school)
    user = city_supervisor(world)
    lock = Lock(world.neighbour)
    try:
        client_for(user).post(evaluate_url(world))
        yield user, Job.objects.get()
    finally:
        lock.end()


def test_a_database_error_is_retried_then_the_job_is_done(worker: Path, world: World) -> None:
    with evaluating_with_neighbour_locked(world) as (user, job):
        # 示范县 is done; 邻县 is locked: the attempt fails and waits for its retry, its error visible
        waiting = until(lambda: (j := _state(job.pk)).error and j, "the first attempt's error", worker)
        assert "could not obtain lock" in waiting.error and waiting.done == 1
        page = client_for(user).get(reverse("jobs:detail", args=[job.pk])).content.decode()
        assert "could not obtain lock" in page
    job = until(lambda: (j := _state(job.pk)).state == "done" and j, "the retried job to finish", worker)
    assert job.attempts >= 2 and job.error == "" and (job.done, job.total) == (2, 2)
    assert EvaluationRun.objects.filter(county=world.neighbour).count() == 1
    assert EvaluationRun.objects.filter(county=world.county).count() == 1  # the retry did not do 示范县 again
    assert "Retry in 1s" in worker.read_text()


def test_the_worker_knows_every_task_of_the_beat_schedule(worker: Path) -> None:
    """Beat sends a task by its name; the worker must have it (autodiscovery: dudao/celery.py)."""
    listed = worker.read_text().split("[tasks]", 1)[1].split("\n\n", 1)[0]
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert f". {entry['task']}" in listed, entry["task"]
    assert ". dudao.notifications.tasks.deliver_notifications" in listed


def test_a_job_that_keeps_failing_is_failed_with_its_error(worker: Path, world: World) -> None:
    with evaluating_with_neighbour_locked(world) as (user, job):
        job = until(lambda: (j := _state(job.pk)).state == "failed" and j, "the job to fail", worker)
    # three attempts (DUDAO_JOB_RETRIES=2), then failed for good with the database's error
    assert job.attempts == 3 and "could not obtain lock" in job.error and job.finished_at is not None
    assert (job.done, job.total) == (1, 2) and not EvaluationRun.objects.filter(county=world.neighbour).exists()
    for person in (user, world.city_inspector):  # who asked, and the city's inspector
        page = client_for(person).get(reverse("jobs:list")).content.decode()
        card = page.split(f'id="job-{job.pk}"', 1)[1].split("</li>", 1)[0]
        assert "失败" in card and "could not obtain lock" in card and "1 / 2" in card and "第 3 次尝试" in card
    # the region page no longer shows 邻县 as updating, and offers it again
    page = client_for(user).get(region_url(world)).content.decode()
    assert "更新中" not in page and 'id="evaluate-all"' in page
