"""A database that fails during an import — a real one: read-only, locked by another connection, or
refusing a write — is said plainly in both languages (the command exits 1, the page shows a message, the
API answers 503 ``database_error``), never as a traceback; and nothing of the import is written (B7)."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dudao.census.models import CensusEvent, CensusRecord, ImportBatch
from dudao.orgs.models import School
from dudao.sheets.template import write_rows
from tests.census._db import on_insert
from tests.census.web import confirm, upload
from tests.migrated import Migrated
from tests.personas import YEAR, World, client_for

ROOT = Path(__file__).resolve().parents[2]
ROWS = [
    {"county_code": "139901", "school_code": "1399019001", "school_name": "示范县新建小学", "school_type": "primary",
     "level": "primary", "location": "urban", "students": 500, "teachers": 30},
]  # fmt: skip


def workbook(folder: Path) -> Path:
    path = folder / "示范县.xlsx"
    write_rows(path, ROWS)
    return path


@pytest.mark.django_db
def test_a_database_refusing_the_write_is_said_on_every_path(world: World, tmp_path: Path) -> None:
    path = workbook(tmp_path)
    client = client_for(world.county_supervisor)
    with on_insert(CensusEvent._meta.db_table):
        with pytest.raises(CommandError, match="本次导入未写入任何数据"):
            call_command("import_census", str(path), "--year", str(YEAR), "--county", "139901", stderr=io.StringIO())
        page = confirm(client, upload(client, "139901", YEAR, path.read_bytes()))  # the page: preview, confirm
        assert page.status_code == 200 and "本次导入未写入任何数据" in page.text
        with path.open("rb") as fh:
            api = client.post("/api/v1/census/imports", {"file": fh, "year": YEAR, "county": "139901"})
        assert api.status_code == 503
        body = api.json()
        assert (
            body["code"] == "database_error" and body["message_zh"] and "nothing of this import" in body["message_en"]
        )
    assert not CensusRecord.objects.exists() and not ImportBatch.objects.exists()
    assert not School.objects.filter(code="1399019001").exists()


# -- a real SQLite file, read-only or locked, under the command in a process of its own


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Migrated) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("sqlite")
    db = migrated_sqlite.copy_to(folder / "dudao.sqlite3")  # as after `dudao migrate` (tests/migrated.py)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "dudao.settings"}
    run = [sys.executable, "-m", "dudao.cli"]
    create = (
        "from dudao.orgs.models import Region; p = Region.objects.create(code='13', name='河北省', level='province'); "
        "c = Region.objects.create(code='1399', name='示范市', level='city', parent=p); "
        "Region.objects.create(code='139901', name='示范县', level='county', parent=c)"
    )
    subprocess.run([*run, "shell", "-c", create], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    yield db


def command(db_settings: str, folder: Path, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    (folder / "failing_settings.py").write_text(f"from dudao.settings import *  # noqa\n{db_settings}\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "failing_settings", "PYTHONPATH": f"{folder}:{ROOT}"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "dudao.cli", "import_census", str(path), "--year", str(YEAR), "--county", "139901",
         *extra],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def rows_in(db: Path) -> Any:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM census_censusrecord").fetchone()[0]


def test_a_read_only_database(sqlite_file: Path, tmp_path: Path) -> None:
    read_only = (
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", '
        f'"NAME": "file:{sqlite_file}?mode=ro", "OPTIONS": {{"uri": True}}}}}}'
    )
    for lang, said in (("zh", "数据库当前为只读，本次导入未写入任何数据"), ("en", "the database is read-only")):
        done = command(read_only, tmp_path, workbook(tmp_path), "--lang", lang)
        assert done.returncode == 1, done.stderr
        assert said in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert rows_in(sqlite_file) == 0


def test_a_database_locked_by_another_connection(sqlite_file: Path, tmp_path: Path) -> None:
    timeout = (
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", '
        f'"NAME": "{sqlite_file}", "OPTIONS": {{"timeout": 0.5}}}}}}'
    )
    other = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the database: readers go on, writers wait
        done = command(timeout, tmp_path, workbook(tmp_path))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert done.returncode == 1, done.stderr
    assert "数据库正被其他操作占用，本次导入未写入任何数据" in done.stderr and "Traceback" not in done.stderr
    assert rows_in(sqlite_file) == 0
    again = command(timeout, tmp_path, workbook(tmp_path))  # once the other is done, the import goes through
    assert again.returncode == 0, again.stderr
    assert rows_in(sqlite_file) == 1
