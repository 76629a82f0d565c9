"""The stored county summaries (docs/adr/0033): each county's census readiness per school year, stored
by the actions that change it, always equals what ``readiness`` computes from the data; and the stored
out-of-date flag of each latest evaluation run equals what the data versions say — set in the
changing transaction, cleared when the refresh job stores or finds an up-to-date run."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from dudao.census import actions as census
from dudao.census import readiness
from dudao.census.importing import import_census
from dudao.census.models import CensusReadiness, CensusRecord
from dudao.evaluation.actions import latest_runs, set_county_item, stale_counties
from dudao.evaluation.jobs import refresh_county
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.actions import schools as register
from dudao.orgs.models import Region
from tests.census.test_import import workbook
from tests.overview.test_cockpit import STANDARD, county_census
from tests.personas import SYSTEM, YEAR, World, evaluate


def counties() -> list[int]:
    return list(Region.objects.filter(level="county").values_list("pk", flat=True))


def assert_stored_equals_computed(*years: int) -> None:
    for year in years or (YEAR, YEAR + 1):
        assert readiness.stored(counties(), year) == readiness.readiness(counties(), year), year


def assert_flags_equal_data_versions() -> None:
    regions = list(Region.objects.filter(level="county"))
    runs = latest_runs(regions, YEAR, STANDARD)
    assert {pk for pk, run in runs.items() if run.outdated} == stale_counties(runs, YEAR, STANDARD)


def test_census_actions_keep_the_stored_readiness_equal_to_the_computed(world: World) -> None:
    census.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 500})
    census.save_record(SYSTEM, world.junior, YEAR, "junior", {"students": 400})
    census.save_record(SYSTEM, world.neighbour_school, YEAR, "primary", {"students": 300})
    assert_stored_equals_computed()
    first, second, third = CensusRecord.objects.order_by("pk")
    census.submit(SYSTEM, first)
    census.submit(SYSTEM, second)
    census.submit(SYSTEM, third)
    assert_stored_equals_computed()
    census.approve(SYSTEM, first)
    census.return_record(SYSTEM, second, "数字有误")
    assert_stored_equals_computed()
    assert readiness.stored([world.county.pk], YEAR)[world.county.pk] == readiness.Readiness(
        expected=3, approved=1, returned=1, not_submitted=1, records=2
    )
    census.submit(SYSTEM, CensusRecord.objects.get(pk=second.pk))
    census.approve_many(SYSTEM, world.county, YEAR, {second.pk: CensusRecord.objects.get(pk=second.pk).version})
    assert_stored_equals_computed()
    census.approve(SYSTEM, third)
    census.save_record(SYSTEM, world.nine_year, YEAR, "all", {})
    record = CensusRecord.objects.get(school=world.nine_year)
    census.submit(SYSTEM, record)
    census.approve(SYSTEM, record)
    census.lock_year(SYSTEM, world.county, YEAR)
    assert_stored_equals_computed()
    assert readiness.stored([world.county.pk], YEAR)[world.county.pk].locked is True
    census.unlock_year(SYSTEM, world.county, YEAR, "补录")
    assert_stored_equals_computed()
    assert readiness.stored([world.county.pk], YEAR)[world.county.pk].locked is False


def test_an_import_stores_the_readiness_of_its_counties(world: World, tmp_path: Path) -> None:
    import_census(workbook(tmp_path), YEAR, county=world.county, user=SYSTEM)
    assert_stored_equals_computed()
    ready = readiness.stored([world.county.pk], YEAR)[world.county.pk]
    assert (ready.expected, ready.records) == (4, 4)
    # the next year expects the schools described this year
    assert readiness.stored([world.county.pk], YEAR + 1)[world.county.pk].expected == 4


def test_register_changes_keep_it_equal_too(world: World) -> None:
    census.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 500})
    register.open_school(SYSTEM, world.county, "1399010009", YEAR, name="示范县新小学", school_type="primary")
    assert_stored_equals_computed()
    register.close_school(SYSTEM, world.junior, YEAR + 1, why="生源减少")
    assert_stored_equals_computed()
    assert readiness.stored([world.county.pk], YEAR + 1)[world.county.pk].expected == 3
    register.change_school(SYSTEM, world.nine_year, YEAR, why="更名", name="示范县城关学校")
    assert_stored_equals_computed()


def test_the_command_fills_the_summaries_of_existing_data(world: World) -> None:
    census.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 500})
    CensusReadiness.objects.all().delete()  # as before the release that added them
    assert readiness.stored(counties(), YEAR)[world.county.pk] == readiness.Readiness()
    call_command("store_summaries")
    assert_stored_equals_computed()
    assert readiness.stored([world.county.pk], YEAR)[world.county.pk].expected == 3


@pytest.fixture
def stored(world: World) -> dict:
    schools = county_census(world)
    evaluate(world.county)
    return schools


def test_the_out_of_date_flag_follows_the_data(world: World, stored: dict, django_capture_on_commit_callbacks) -> None:
    assert_flags_equal_data_versions()
    assert EvaluationRun.objects.get().outdated is False
    # a change: flagged in its transaction, before any job runs
    with django_capture_on_commit_callbacks(execute=False) as queued:
        census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})
    assert EvaluationRun.objects.get().outdated is True and len(queued) == 1
    assert_flags_equal_data_versions()
    # the job stores a fresh run, which is up to date
    queued[0]()
    assert EvaluationRun.objects.latest("pk").outdated is False
    assert_flags_equal_data_versions()
    # another standard's county item: flagged by the change, cleared by the job that finds nothing to do
    with django_capture_on_commit_callbacks(execute=False) as queued:
        set_county_item(SYSTEM, world.county, YEAR, "basic-2012", "GG-01", "1")
    assert EvaluationRun.objects.latest("pk").outdated is True
    assert refresh_county(world.county.pk, YEAR) == []
    assert EvaluationRun.objects.latest("pk").outdated is False
    assert_flags_equal_data_versions()


def test_the_command_repairs_the_flags(world: World, stored: dict, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})
    EvaluationRun.objects.update(outdated=False)  # as after the migration that added the flag
    call_command("store_summaries")
    assert EvaluationRun.objects.get().outdated is True
    assert_flags_equal_data_versions()
