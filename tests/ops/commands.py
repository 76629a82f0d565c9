"""Running ``dudao`` commands as an operator does: separate processes on a database and media root of their
own (the tests' own database is not involved), and reading those databases back for comparison."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432"


def environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUDAO_", "PYTEST_"))}
    env.update(DATABASE_URL=database_url, DUDAO_DATA_DIR=str(data_dir), DUDAO_MEDIA_ROOT=str(data_dir / "media"))
    env.update(extra)
    return env


def dudao(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(BIN / "dudao"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if check and done.returncode:
        raise AssertionError(f"dudao {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def fresh_postgres(name: str) -> str:
    """An empty PostgreSQL database ``name`` (dropped first if it exists); its URL. Under pytest-xdist the
    worker's name is added (``ops_src_gw1``): a module's tests may run on two workers at once."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{name}_{worker}" if worker else name
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def _digest(rows: list[Any]) -> tuple[int, str]:
    lines = sorted(repr(tuple(row)) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


RESTORE_EVENT = "ops.restore"


def table_digests(database_url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and the SHA-256 of its rows in order (the restore's own audit event left out,
    and the sequences' positions listed as ``sequence:NAME``)."""
    if database_url.startswith("sqlite:///"):
        return _sqlite_digests(database_url.removeprefix("sqlite:///"))
    digests = {}
    with psycopg.connect(database_url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            where = f" WHERE verb <> '{RESTORE_EVENT}'" if table == "audit_auditevent" else ""
            digests[table] = _digest(conn.execute(f'SELECT * FROM "{table}"{where}').fetchall())
        for (sequence,) in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"):
            if sequence != "audit_auditevent_id_seq":
                digests[f"sequence:{sequence}"] = _digest(
                    conn.execute(f'SELECT last_value FROM "{sequence}"').fetchall()
                )
    return digests


def _sqlite_digests(path: str) -> dict[str, tuple[int, str]]:
    digests = {}
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            where = {"audit_auditevent": f" WHERE verb <> '{RESTORE_EVENT}'",
                     "sqlite_sequence": " WHERE name <> 'audit_auditevent'"}.get(table, "")  # fmt: skip
            digests[table] = _digest(conn.execute(f'SELECT * FROM "{table}"{where}').fetchall())
    finally:
        conn.close()
    return digests


def restore_events(database_url: str) -> int:
    query = (
        f"SELECT COUNT(*) FROM audit_auditevent WHERE verb = '{RESTORE_EVENT}' "
        "AND actor_label = 'system (command restore)'"
    )
    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return int(conn.execute(query).fetchone()[0])
        finally:
            conn.close()
    with psycopg.connect(database_url) as pg:
        row = pg.execute(query).fetchone()
        assert row is not None
        return int(row[0])


def file_digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
