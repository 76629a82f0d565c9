"""Notification delivery as Celery tasks: the deliveries a ``notify`` planned go to the queue once the
transaction commits (``deliver_notifications``), and beat tries again the ones whose time has come every
minute (``deliver_due_notifications``, what ``dudao deliver_notifications`` does from cron). Without a
broker both run in-process (ADR 0020). Each delivery is tried at most once per call and records its own
outcome and next attempt (``actions.deliver``), so running a task twice sends nothing twice that was sent."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from dudao.notifications.actions import deliver_all, deliver_due

RETRYABLE = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=RETRYABLE, retry_backoff=True, max_retries=5)
def deliver_notifications(ids: list[int]) -> dict[str, int]:
    """Try these deliveries now; what became of them (sent, retry, failed)."""
    return dict(deliver_all(ids))


@shared_task(acks_late=True, autoretry_for=RETRYABLE, retry_backoff=True, max_retries=5)
def deliver_due_notifications(limit: int = 1000) -> dict[str, int]:
    """Try again every delivery whose time has come (the beat schedule, every minute)."""
    return dict(deliver_due(limit=limit))
