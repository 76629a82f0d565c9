"""One migrated SQLite file for the whole test run (docs/testing.md, docs/adr/0024-test-worlds-and-parallel-suite.md).

Applying the project's migrations to a new database costs about 10 CPU seconds. The suite used to pay it
once per xdist worker (the in-memory test database) and once more for every test that starts the command
line on a fresh SQLite file. Now ``dudao migrate`` runs once per test run, from the command line, on a new
SQLite file and without any ``DJANGO_``/``DUDAO_`` setting (so without a secret key): the migrations stay
tested on an empty database, and the tests that asserted that this command works assert its result. The
file is then copied: into each worker's in-memory test database (SQLite's backup, as Django's own parallel
runner clones its in-memory databases) and for the command-line tests that need a migrated database.

All xdist workers of a run share the file: the first to need it migrates under a lock, the others wait
for it and read the recorded outcome.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Migrated:
    """The run's ``dudao migrate`` on a fresh SQLite file: the file and how the command ended."""

    path: Path
    returncode: int
    stderr: str

    def copy_to(self, target: Path) -> Path:
        """A migrated database of one's own (``target``), as after running ``dudao migrate`` there."""
        assert self.returncode == 0, self.stderr
        shutil.copyfile(self.path, target)
        return target

    def load_into(self, connection: sqlite3.Connection) -> None:
        """Every page of the migrated file into ``connection``'s database (which it replaces)."""
        assert self.returncode == 0, self.stderr
        source = sqlite3.connect(self.path)
        try:
            source.backup(connection)
        finally:
            source.close()


def command_line_env(data_dir: Path, database: Path, **env: str) -> dict[str, str]:
    """The environment of the command line as a new installation has it: none of the suite's ``DJANGO_``
    or ``DUDAO_`` settings (no secret key), its data in ``data_dir`` and its database the SQLite file
    ``database``; ``env`` on top."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUDAO_"))}
    base.update({"DUDAO_DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{database}"})
    base.update(env)
    return base


def migrate_once(shared: Path) -> Migrated:
    """``dudao migrate`` on a new SQLite file in ``shared`` (a folder all workers of the run see), run by
    the first worker that asks; the others read what it recorded."""
    folder = shared / "migrated"
    folder.mkdir(parents=True, exist_ok=True)
    database, outcome = folder / "db.sqlite3", folder / "outcome.json"
    with (shared / "migrated.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not outcome.exists():
            done = subprocess.run(
                [sys.executable, "-m", "dudao.cli", "migrate", "--noinput", "-v", "0"],
                env=command_line_env(folder, database), capture_output=True, text=True, cwd=ROOT, timeout=600,
            )  # fmt: skip
            outcome.write_text(json.dumps({"returncode": done.returncode, "stderr": done.stderr}), encoding="utf-8")
    recorded: dict[str, Any] = json.loads(outcome.read_text(encoding="utf-8"))
    return Migrated(database, recorded["returncode"], recorded["stderr"])
