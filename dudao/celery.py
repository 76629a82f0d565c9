"""The task queue (Celery). Workers run ``celery -A dudao worker``; ``celery -A dudao beat`` runs the
schedule in ``settings.CELERY_BEAT_SCHEDULE``.

Without ``DUDAO_BROKER_URL`` there is no broker: a queued job runs at once, in the process that queued
it (Celery's eager mode), after the transaction that queued it commits. The demo and the tests need no
Redis that way; a deployment sets the broker and runs workers (docs/adr/0020-recompute-on-change.md).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")

app = Celery("dudao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["dudao.evaluation"], related_name="jobs")
app.autodiscover_tasks(["dudao.jobs", "dudao.notifications", "dudao.rectification"], related_name="tasks")
