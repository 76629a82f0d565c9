"""Stored results follow the data (ADR 0020): a committed change queues a job that re-evaluates the
county as the system; the job is idempotent; a result that cannot be brought up to date says why; and
no page a person opens (a GET) ever writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.signals import task_prerun
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.census import actions as census
from dudao.evaluation.actions import set_county_item
from dudao.evaluation.jobs import refresh_county, refresh_stale, stale_runs
from dudao.evaluation.models import EvaluationRun, RefreshFailure
from dudao.orgs.models import SchoolYear
from tests.overview.test_cockpit import STANDARD, county_census
from tests.personas import SYSTEM, YEAR, World, client_for, evaluate

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def stored(world: World) -> dict:
    schools = county_census(world)
    evaluate(world.county)
    return schools


def test_a_committed_change_brings_the_stored_result_up_to_date(
    world: World, stored: dict, django_capture_on_commit_callbacks
) -> None:
    first = EvaluationRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})
    assert len(queued) == 1
    latest = EvaluationRun.objects.latest("pk")
    assert latest.pk != first.pk and not latest.is_stale() and latest.created_by is None
    assert next(s for s in latest.result["schools"] if s["school_code"] == stored["weak"].code)["passed"] is True
    # the job again, or the sweep: nothing to do, nothing written
    assert refresh_county(world.county.pk, YEAR) == [] and refresh_stale() == []
    assert EvaluationRun.objects.count() == 2


@pytest.fixture
def jobs_run() -> Iterator[list[tuple[str, tuple]]]:
    """The jobs that ran (in-process without a broker), by name and arguments, as Celery signals them."""
    ran: list[tuple[str, tuple]] = []

    def record(sender: Any = None, args: tuple = (), **kwargs: Any) -> None:
        ran.append((sender.name, tuple(args)))

    task_prerun.connect(record, weak=False)
    yield ran
    task_prerun.disconnect(record)


def test_many_changes_in_one_transaction_run_one_job_for_the_county(
    world: World, stored: dict, django_capture_on_commit_callbacks, jobs_run: list
) -> None:
    """An import or a seed saves and approves many records in one transaction: one re-evaluation."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})
        census.save_record(SYSTEM, world.junior, YEAR, "junior", {"backbone_teachers": 9})
        set_county_item(SYSTEM, world.county, YEAR, STANDARD, "SR-01", "0.9")
    assert jobs_run == [("dudao.evaluation.jobs.refresh_county", (world.county.pk, YEAR))]
    assert EvaluationRun.objects.count() == 2 and stale_runs() == []
    latest = EvaluationRun.objects.latest("pk")
    assert next(s for s in latest.result["schools"] if s["school_code"] == stored["weak"].code)["passed"] is True


def test_a_change_after_a_rolled_back_one_is_still_queued(
    world: World, stored: dict, django_capture_on_commit_callbacks, jobs_run: list
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            census.save_record(SYSTEM, world.junior, YEAR, "junior", {"backbone_teachers": 9})
            raise RuntimeError("the savepoint is rolled back, and the callback it asked for with it")
        census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})
    assert len(jobs_run) == 1 and EvaluationRun.objects.count() == 2 and stale_runs() == []


def test_a_refused_change_queues_nothing(world: World, stored: dict, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as queued, pytest.raises(census.CensusError):
        census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"students": -1})
    assert queued == [] and EvaluationRun.objects.count() == 1


def test_county_items_and_workflow_steps_queue_it_too(
    world: World, stored: dict, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        set_county_item(SYSTEM, world.county, YEAR, STANDARD, "SR-01", "0.9")
    assert EvaluationRun.objects.latest("pk").result != EvaluationRun.objects.earliest("pk").result
    record = census.save_record(SYSTEM, world.junior, YEAR, "junior", {}).record
    with django_capture_on_commit_callbacks(execute=True):
        census.submit(SYSTEM, record)
    assert EvaluationRun.objects.count() == 3 and stale_runs() == []


def test_only_counties_and_standards_with_a_stored_result_are_refreshed(
    world: World, stored: dict, django_capture_on_commit_callbacks
) -> None:
    evaluate(world.county, standard="basic-2012")
    census.save_record(SYSTEM, world.neighbour_school, YEAR, "primary", {"students": 300})
    with django_capture_on_commit_callbacks(execute=True):
        census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})
    assert sorted(EvaluationRun.objects.filter(county=world.county).values_list("standard_id", flat=True)) == [
        "basic-2012", "basic-2012", "national-2017", "national-2017"
    ]  # fmt: skip
    assert not EvaluationRun.objects.filter(county=world.neighbour).exists()  # its first evaluation is the county's


def test_a_result_that_cannot_be_updated_keeps_why_until_one_can(world: World, stored: dict) -> None:
    SchoolYear.objects.filter(school=world.junior, year=YEAR).update(school_type="")
    assert refresh_stale() == []
    failure = RefreshFailure.objects.get()
    assert failure.code == "invalid_data" and world.junior.code in failure.message_zh
    SchoolYear.objects.filter(school=world.junior, year=YEAR).update(location="rural")
    assert refresh_stale() == [] and RefreshFailure.objects.count() == 1  # still not evaluable: kept, updated
    SchoolYear.objects.filter(school=world.junior, year=YEAR).update(school_type="junior")
    assert len(refresh_stale()) == 1 and not RefreshFailure.objects.exists()


def _pages(world: World, stored: dict) -> list[str]:
    county, year = world.county.code, YEAR
    return [
        reverse("overview:county", args=[county, year, STANDARD]),
        reverse("overview:schools", args=[county, year, STANDARD]),
        reverse("overview:school", args=[stored["weak"].code, year, STANDARD]),
        reverse("overview:balance", args=[county, year, STANDARD]),
        reverse("overview:whatif", args=[county, year, STANDARD]),
        reverse("overview:region", args=[world.city.code, year, STANDARD]),
        reverse("overview:region", args=[world.province.code, year, STANDARD]),
        reverse("evaluation:items", args=[county, year, STANDARD]),
        reverse("reports:county", args=[county, year, STANDARD]),
        reverse("reports:report", args=[county, year, STANDARD]),
        reverse("census:completeness", args=[county, year]),
        reverse("home"),
    ]


@pytest.mark.parametrize("person", ["county_supervisor", "city_inspector", "province_inspector", "observer"])
def test_no_page_a_person_opens_writes(world: World, stored: dict, person: str) -> None:
    census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})  # the result is stale
    census.save_record(SYSTEM, world.primary, YEAR - 1, "primary", {"students": 900})  # a year never evaluated
    client = client_for(getattr(world, person))
    for url in _pages(world, stored):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == [], (url, writes)
    assert EvaluationRun.objects.count() == 1


def test_a_register_change_brings_the_result_up_to_date(
    world: World, stored: dict, django_capture_on_commit_callbacks
) -> None:
    from dudao.orgs.actions import change_school

    with django_capture_on_commit_callbacks(execute=True):
        change_school(world.county_supervisor, stored["weak"], YEAR, why="更正城乡类型", location="urban")
    latest = EvaluationRun.objects.latest("pk")
    assert EvaluationRun.objects.count() == 2 and not latest.is_stale()
    assert next(s for s in latest.result["schools"] if s["school_code"] == stored["weak"].code)["location"] == "urban"
