"""Queueing background jobs (后台任务): each action checks the actor's permission, writes the job's record
and its audit event in one transaction, and hands the job to the queue once that commits (a worker, or
in-process without a broker: ADR 0031). The work itself is in :mod:`dudao.jobs.work`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, actor_label, is_system, user_of
from dudao.audit.record import record_event
from dudao.census.models import PendingImport
from dudao.errors import ActionError
from dudao.jobs.models import Job
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.overview import regions
from dudao.surveys.models import Survey


class JobError(ActionError):
    """A job that cannot be queued."""


def _may(actor: Actor, county: Region, perm: str) -> bool:
    return is_system(actor) or perm in region_permissions(actor, county)


def updating(county_ids: list[int], year: int, standard_id: str) -> dict[int, Job]:
    """The counties among ``county_ids`` that a queued or running evaluation job is about to update."""
    wanted, found = set(county_ids), {}
    active = Job.objects.filter(kind=Job.Kind.EVALUATE, state__in=Job.ACTIVE, year=year, standard_id=standard_id)
    for job in active.order_by("created_at"):
        finished = {o["county"] for o in job.outcomes}
        found.update({pk: job for pk in job.counties() if pk in wanted and pk not in finished})
    return found


def _queue(actor: Actor, kind: str, place: Region, year: int, standard_id: str, params: dict[str, Any]) -> Job:
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, requested_by=user_of(actor), requested_label=actor_label(actor), region=place, year=year,
            standard_id=standard_id, params=params, total=len(params["counties"]),
        )  # fmt: skip
        data = {"kind": kind, "counties": job.total, **({"file": params["file"]} if "file" in params else {})}
        record_event(actor, "job.queue", target=job, region=place, data=data)

        def send() -> None:
            from dudao.jobs.tasks import run_job

            run_job.delay(job.pk)

        transaction.on_commit(send, robust=True)
    return job


def queue_evaluation(actor: Actor, place: Region, year: int, standard_id: str) -> Job:
    """One job that evaluates every county below ``place`` whose result is out of date or missing and that
    the actor may evaluate (``review``: its supervision office); counties another job is already updating
    are left to it. Refused (``nothing_to_evaluate``) when no county is left."""
    rows = regions.county_rows(regions.counties_of(place), year, standard_id)
    busy = updating([r.county.pk for r in rows], year, standard_id)
    counties = [
        r.county.pk
        for r in rows
        if r.needs_evaluation() and r.county.pk not in busy and _may(actor, r.county, "review")
    ]
    if not counties:
        raise JobError("nothing_to_evaluate", gettext_lazy("没有需要您评估的县（市、区），或已在更新中"))
    return _queue(actor, Job.Kind.EVALUATE, place, year, standard_id, {"counties": counties})


def queue_reports(actor: Actor, place: Region, year: int, standard_id: str, with_pack: bool = True) -> Job:
    """One job that writes every county's self-evaluation report, annex and (``with_pack``) evidence pack
    below ``place`` into one .zip, for the counties whose reports the actor may fetch (``inspect``)."""
    counties = [c.pk for c in regions.counties_of(place) if _may(actor, c, "inspect")]
    if not counties:
        raise JobError("nothing_to_report", gettext_lazy("没有您可以下载报告的县（市、区）"))
    return _queue(actor, Job.Kind.REPORTS, place, year, standard_id, {"counties": counties, "pack": with_pack})


def background_import(pending: PendingImport) -> bool:
    """Whether confirming this staged census file imports it in the background (at least
    ``DUDAO_IMPORT_BACKGROUND_BYTES``): the preview and its checks are the same either way."""
    return pending.size >= settings.DUDAO_IMPORT_BACKGROUND_BYTES


def queue_import(actor: User, pending: PendingImport, digest: str) -> Job:
    """One job that imports the staged file exactly as previewed (``digest``), as the person who uploaded it
    (only they see the staged file: ``census.access.access_pending_import``); the import checks everything
    again when it runs (``census.actions.uploads.confirm_upload``)."""
    if pending.user_id != actor.pk:
        raise PermissionDenied
    params = {"counties": [pending.county_id], "pending": pending.pk, "digest": digest, "file": pending.filename}
    return _queue(actor, Job.Kind.IMPORT, pending.county, pending.year, "", params)


def queue_survey_export(actor: Actor, survey: Survey) -> Job:
    """One job that writes every table of the survey's results (rate, progress, each question, the texts,
    the answers to review) into one .zip of .xlsx files, for those who may see its results (``view``)."""
    if not _may(actor, survey.county, "view"):
        raise PermissionDenied
    params = {"counties": [survey.county_id], "survey": survey.pk, "file": survey.title}
    return _queue(actor, Job.Kind.SURVEY_EXPORT, survey.county, survey.year, "", params)
