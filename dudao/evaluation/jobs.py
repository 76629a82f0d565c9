"""Background jobs of the evaluation: bring stored results up to date after the data changed.

Each job is idempotent (a result already up to date is left alone) and safe to retry; it acts as the
system (``dudao.actors.system``). Pages only read stored results: no GET evaluates (ADR 0020).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import OperationalError

from dudao.actors import system
from dudao.evaluation.actions import EvaluationError, evaluate_county
from dudao.evaluation.models import EvaluationRun, RefreshFailure, data_version, data_versions
from dudao.orgs.models import Region

log = logging.getLogger(__name__)
ACTOR = system("re-evaluation after a data change")


def latest_and_stale(
    county_ids: list[int] | None = None, year: int | None = None
) -> tuple[list[EvaluationRun], list[EvaluationRun]]:
    """The latest run of every county × year × standard × provincial profile (all counties and years
    when not given), and those of them whose data changed since. Two queries per year and standard,
    whatever the counties."""
    runs = EvaluationRun.objects.order_by("county_id", "year", "standard_id", "province", "-created_at", "-pk")
    if county_ids is not None:
        runs = runs.filter(county_id__in=county_ids)
    if year is not None:
        runs = runs.filter(year=year)
    latest: dict[tuple[int, int, str, str], EvaluationRun] = {}
    for run in runs.defer("result", "inputs"):
        latest.setdefault((run.county_id, run.year, run.standard_id, run.province), run)
    groups: dict[tuple[int, str], list[EvaluationRun]] = {}
    for run in latest.values():
        groups.setdefault((run.year, run.standard_id), []).append(run)
    stale = []
    for (run_year, standard_id), members in sorted(groups.items()):
        versions = data_versions({r.county_id for r in members}, run_year, standard_id)
        stale += [r for r in members if r.data_version != versions[r.county_id]]
    return list(latest.values()), stale


def stale_runs(county_ids: list[int] | None = None, year: int | None = None) -> list[EvaluationRun]:
    """The latest runs whose data changed since (see :func:`latest_and_stale`)."""
    return latest_and_stale(county_ids, year)[1]


def settle(latest: list[EvaluationRun], stale: list[EvaluationRun]) -> None:
    """Make the stored out-of-date flags (``EvaluationRun.outdated``) of these latest runs say what the
    data versions say: a run whose data did not change is up to date (the change was to another
    standard's county item, or undone), a stale one that could not be re-evaluated stays out of date."""
    stale_pks = {r.pk for r in stale}
    EvaluationRun.objects.filter(pk__in=[r.pk for r in latest if r.pk not in stale_pks], outdated=True).update(
        outdated=False
    )
    EvaluationRun.objects.filter(pk__in=stale_pks, outdated=False).update(outdated=True)


def _refresh(runs: list[EvaluationRun]) -> list[int]:
    made = []
    counties = Region.objects.in_bulk({r.county_id for r in runs})
    for run in runs:
        where: dict[str, Any] = {"county_id": run.county_id, "year": run.year, "standard_id": run.standard_id}
        try:
            fresh = evaluate_county(ACTOR, counties[run.county_id], run.year, run.standard_id, run.province or None)
        except EvaluationError as error:  # the data as they are now cannot be evaluated: the pages say why
            log.warning("county %s %s %s not re-evaluated: %s", run.county_id, run.year, run.standard_id, error)
            RefreshFailure.objects.update_or_create(
                **where,
                defaults={"data_version": data_version(run.county_id, run.year, run.standard_id), "code": error.code,
                          "message_zh": error.message_zh, "message_en": error.message_en},
            )  # fmt: skip
            continue
        made.append(fresh.pk)
    return made


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_county(county_id: int, year: int) -> list[int]:
    """Re-evaluate the county's stored results of ``year`` whose data changed; the new runs' ids."""
    latest, stale = latest_and_stale([county_id], year)
    settle(latest, stale)
    return _refresh(stale)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_stale() -> list[int]:
    """The periodic sweep (``CELERY_BEAT_SCHEDULE``, or ``dudao evaluate_stale``): every stale result."""
    latest, stale = latest_and_stale()
    settle(latest, stale)
    return _refresh(stale)
