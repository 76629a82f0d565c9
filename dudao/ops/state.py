"""The deployment's state as ``dudao status`` prints it: version, database, migrations, queue, workers,
disk, media and the main counts. Reads only."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from dudao.ops import health

WORKER_PING_TIMEOUT = 1.0  # seconds


def version() -> str:
    try:
        return package_version("dudao")
    except PackageNotFoundError:  # pragma: no cover - run from a tree that was never installed
        return "unknown"


def commit() -> str:
    """The code's commit: ``DUDAO_COMMIT`` (install.sh writes it to a file named by DUDAO_COMMIT_FILE), else
    ``git rev-parse HEAD`` of the checkout the code runs from, else ""."""
    if settings.DUDAO_COMMIT:
        return str(settings.DUDAO_COMMIT)
    root = Path(settings.BASE_DIR).parent
    if not (root / ".git").exists():
        return ""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def workers() -> list[str] | None:
    """The Celery workers answering a ping within a second (None when jobs run in-process)."""
    if health.in_process():
        return None
    from dudao.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            replies = app.control.ping(timeout=WORKER_PING_TIMEOUT, connection=conn) or []
    except Exception:  # an unreachable broker: the queue's check says so
        return []
    return sorted(name for reply in replies for name in reply)


def media_usage(root: Path) -> tuple[int, int]:
    """(files, bytes) under the media root."""
    count = size = 0
    if root.is_dir():
        for path in root.rglob("*"):
            if path.is_file():
                count += 1
                size += path.stat().st_size
    return count, size


def counts() -> dict[str, int]:
    from django.contrib.auth.models import User

    from dudao.audit.models import AuditEvent
    from dudao.census.models import CensusRecord
    from dudao.evaluation.models import EvaluationRun
    from dudao.orgs.models import Region, School

    models: dict[str, Any] = {
        "regions": Region, "schools": School, "users": User, "census_records": CensusRecord,
        "evaluation_runs": EvaluationRun, "audit_events": AuditEvent,
    }  # fmt: skip
    return {name: model.objects.count() for name, model in models.items()}


@dataclass
class State:
    version: str
    commit: str
    checks: list[health.Check]
    database: dict[str, str]
    pending: list[str] | None = None  # None: the database could not be read
    workers: list[str] | None = None
    media: tuple[int, int] = (0, 0)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks) and self.pending == []

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "version": self.version, "commit": self.commit, "database": self.database,
            "checks": {check.name: check.public() for check in self.checks}, "pending_migrations": self.pending,
            "workers": self.workers, "media": {"files": self.media[0], "bytes": self.media[1]},
            "counts": self.counts,
        }  # fmt: skip


def database_label() -> dict[str, str]:
    """Engine, name, host and port of the configured database; never its password."""
    db = settings.DATABASES["default"]
    return {"engine": connection.vendor, "name": str(db.get("NAME", "")), "host": str(db.get("HOST") or ""),
            "port": str(db.get("PORT") or "")}  # fmt: skip


def gather() -> State:
    checks = health.checks()
    state = State(version(), commit(), checks, database_label(), workers=workers() if checks[1].ok else [])
    state.media = media_usage(Path(settings.MEDIA_ROOT))
    if checks[0].ok:
        state.pending = pending_migrations()
        if not state.pending:
            state.counts = counts()
    return state
