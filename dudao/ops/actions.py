"""Backup and restore as actions: the platform itself is their only actor (an operator's command or the
nightly timer, ``dudao.actors.system``), and each leaves an audit event (``ops.backup``, ``ops.restore``).

The backup's event is written before the dump, so the backup holds its own event; the restore's event is
written into the restored database once every file and row count has been checked.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied

from dudao.actors import Actor, is_system
from dudao.audit.record import record_event
from dudao.ops.backup import Summary, restore_backup, write_backup


def _require_system(actor: Actor) -> None:
    """Backups read and write the whole database: only the platform itself (a command on the server)."""
    if not is_system(actor):
        raise PermissionDenied


def backup(actor: Actor, folder: Path, passphrase: str | None = None) -> Summary:
    """Write a backup of the database and the uploaded files into the new, empty ``folder``."""
    _require_system(actor)
    record_event(actor, "ops.backup", data={"folder": str(folder), "encrypted": bool(passphrase)})
    return write_backup(folder, passphrase)


def restore(actor: Actor, folder: Path, passphrase: str | None = None) -> Summary:
    """Restore the backup in ``folder`` into the configured, empty database and media root."""
    _require_system(actor)
    summary = restore_backup(folder, passphrase)
    record_event(
        actor, "ops.restore",
        data={"folder": str(folder), "created_at": summary.manifest["created_at"],
              "commit": summary.manifest["commit"], "tables": len(summary.tables),
              "rows": sum(summary.tables.values()), "media_files": summary.media_files},
    )  # fmt: skip
    return summary
