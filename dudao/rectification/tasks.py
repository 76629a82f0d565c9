"""The daily reminders as a Celery task, run by beat (``CELERY_BEAT_SCHEDULE["task-reminders"]``) instead
of a cron line calling ``dudao send_reminders``. A reminder is keyed by its day, so a second run the same
day (a retry, a redelivery, the command run by hand too) sends nothing new."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from dudao.rectification.actions import send_reminders


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def send_task_reminders() -> dict[str, int]:
    """Send today's due-soon and overdue reminders and the supervision offices' digests; how many of each."""
    result = send_reminders()
    return {"due_soon": result.due_soon, "overdue": result.overdue, "digests": result.digests}
