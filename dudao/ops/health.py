"""The state of a deployment's parts: the database, the task queue and the disk of the media root.

Each check answers quickly (a broker that does not answer within two seconds is "unreachable") and never
raises; what it reports names no address, password or error text, so the public ``/healthz`` can show it.
``dudao status`` prints the same checks with the details an operator needs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

BROKER_TIMEOUT = 2  # seconds


@dataclass(frozen=True)
class Check:
    """One part's state: ``ok`` and a stable word for it (``ok``, ``in-process``, ``unreachable`` …)."""

    name: str
    ok: bool
    state: str
    details: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {"ok": self.ok, "state": self.state, **self.details}


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach or query the database is its state, not an error page
        return Check("database", False, "unreachable", {"engine": connection.vendor})
    return Check("database", True, "ok", {"engine": connection.vendor})


def in_process() -> bool:
    """No broker configured: jobs run at once in the process that queues them (dudao/celery.py)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def queue() -> Check:
    if in_process():
        return Check("queue", True, "in-process")
    from dudao.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
    except Exception:  # the broker's error text may carry its address: only the state is reported
        return Check("queue", False, "unreachable")
    return Check("queue", True, "reachable")


def existing(path: Path) -> Path:
    """``path`` or its nearest existing parent (the media root is created on the first upload)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk() -> Check:
    minimum = int(settings.DUDAO_HEALTH_MIN_FREE_BYTES)
    try:
        free = shutil.disk_usage(existing(Path(settings.MEDIA_ROOT))).free
    except OSError:
        return Check("disk", False, "unreadable", {"min_free_bytes": minimum})
    ok = free >= minimum
    return Check("disk", ok, "ok" if ok else "low", {"free_bytes": free, "min_free_bytes": minimum})


def checks() -> list[Check]:
    return [database(), queue(), disk()]
