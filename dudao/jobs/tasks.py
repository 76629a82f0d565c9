"""The Celery task that runs every background job (``run_job``) and keeps its record (``Job``) up to date:
state, progress item by item, error, attempts.

Retried with backoff on database and connection errors (``autoretry_for``; ``DUDAO_JOB_RETRIES`` times,
first after ``DUDAO_JOB_RETRY_SECONDS``, doubling), acknowledged only once done (``acks_late``: a worker
that dies mid-job leaves it to another). Idempotent: a finished job is not run again, and a job run again
skips the items already done. Any other error fails the job at once, its message kept for the people
who see the job."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from dudao.jobs.models import Job
from dudao.jobs.work import WORK

log = logging.getLogger(__name__)
RETRYABLE = (OperationalError, InterfaceError, ConnectionError)


def _claim(job_id: int, attempt: int) -> Job | None:
    """Mark the job running (None when it is finished or gone: nothing to do)."""
    with transaction.atomic():
        found = Job.objects.select_for_update(of=("self",)).select_related("region", "requested_by")
        job = found.filter(pk=job_id).first()
        if job is None or job.state == Job.State.DONE:
            return None
        job.state, job.attempts, job.error = Job.State.RUNNING, attempt, ""
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["state", "attempts", "error", "started_at"])
    return job


def _progress(job: Job) -> Any:
    def step(outcome: dict[str, Any]) -> None:
        job.outcomes = [*job.outcomes, outcome]
        job.done = len(job.outcomes)
        Job.objects.filter(pk=job.pk).update(outcomes=job.outcomes, done=job.done)

    return step


def _end(job_id: int, state: str, error: str = "") -> None:
    Job.objects.filter(pk=job_id).update(state=state, error=error[:4000], finished_at=timezone.now())


@shared_task(
    bind=True, acks_late=True, autoretry_for=RETRYABLE, max_retries=settings.DUDAO_JOB_RETRIES,
    retry_backoff=settings.DUDAO_JOB_RETRY_SECONDS, retry_backoff_max=600, retry_jitter=False,
)  # fmt: skip
def run_job(self: Any, job_id: int) -> str:
    """Run the job ``job_id``; its final state."""
    attempt = self.request.retries + 1
    try:
        job = _claim(job_id, attempt)
        if job is None:
            return "skipped"
        WORK[job.kind](job, _progress(job))
    except RETRYABLE as error:
        last = self.request.retries >= self.max_retries
        log.warning("job %s attempt %s: %s%s", job_id, attempt, error, "" if last else " (will retry)")
        if last:
            _end(job_id, Job.State.FAILED, str(error))
        else:
            Job.objects.filter(pk=job_id).update(state=Job.State.QUEUED, error=str(error)[:4000])
        raise
    except Exception as error:  # any other error fails the job; its people see why
        log.exception("job %s failed", job_id)
        _end(job_id, Job.State.FAILED, f"{type(error).__name__}: {error}")
        return Job.State.FAILED
    _end(job_id, Job.State.DONE)
    return Job.State.DONE
