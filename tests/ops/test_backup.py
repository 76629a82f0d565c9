"""``dudao backup`` and ``dudao restore`` as an operator runs them, on PostgreSQL (databases ops_src and
ops_dst) and on SQLite: a populated database with its uploaded files is backed up, restored into a fresh
database, and every table's rows (count and ordered hash), every sequence and every file's SHA-256 are compared.
A restore into a database that is not empty, from a backup whose file changed, or with a wrong passphrase is
refused before anything is written."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.ops.commands import (
    BIN,
    PG,
    ROOT,
    dudao,
    environment,
    file_digests,
    fresh_postgres,
    restore_events,
    table_digests,
)  # fmt: skip

PASSPHRASE = "县域督导 backup passphrase"


@dataclass
class Source:
    url: str
    data: Path
    env: dict[str, str]
    backup: Path


def _populate(env: dict[str, str]) -> None:
    dudao(env, "migrate", "--noinput", "-v", "0")
    done = subprocess.run([str(BIN / "python"), "-m", "tests.ops.populate"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # a file with a Chinese name in a folder of its own, and an empty one, beside the world's evidence
    extra = Path(env["DUDAO_MEDIA_ROOT"]) / "templates" / "130135"
    extra.mkdir(parents=True)
    (extra / "自评报告模板.docx").write_bytes(bytes(range(256)) * 64)
    (extra / "empty.txt").write_bytes(b"")


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def source(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    """A populated database and media root, and the backup ``dudao backup`` made of them (encrypted on
    PostgreSQL, plain on SQLite)."""
    if request.param != connection.vendor:
        # Each engine in its own pass of `make test` (SQLite by default, PostgreSQL with DATABASE_URL, as CI
        # runs both): a pass backs up and restores the engine it is configured for.
        pytest.skip(f"the {request.param} backup runs in the suite's {request.param} pass")
    tmp = tmp_path_factory.mktemp(f"backup-{request.param}")
    data = tmp / "src"
    url = fresh_postgres("ops_src") if request.param == "postgresql" else f"sqlite:///{data / 'src.sqlite3'}"
    env = environment(url, data, DUDAO_BACKUP_PASSPHRASE=PASSPHRASE)
    _populate(env)
    backup = tmp / "backup"
    args = ["--encrypt"] if request.param == "postgresql" else []
    done = dudao(env, "backup", str(backup), *args)
    assert "备份完成 / backup written" in done.stdout
    yield Source(url, data, env, backup)


def _target(source: Source, tmp: Path, name: str = "ops_dst") -> tuple[str, dict[str, str]]:
    data = tmp / name
    url = fresh_postgres(name) if source.url.startswith("postgres") else f"sqlite:///{data / 'dst.sqlite3'}"
    return url, environment(url, data, DUDAO_BACKUP_PASSPHRASE=PASSPHRASE)


def test_a_backup_restores_identically(source: Source, tmp_path: Path) -> None:
    url, env = _target(source, tmp_path)
    done = dudao(env, "restore", str(source.backup))
    assert "恢复完成 / restored" in done.stdout

    before, after = table_digests(source.url), table_digests(url)
    assert len([t for t in before if not t.startswith("sequence:")]) > 50
    assert before["census_censusrecord"][0] > 0 and before["evaluation_evaluationrun"][0] > 0
    assert after == before
    assert restore_events(url) == 1  # the restore's own event, as the system, in the restored database
    files = file_digests(Path(env["DUDAO_MEDIA_ROOT"]))
    assert files == file_digests(Path(source.env["DUDAO_MEDIA_ROOT"]))
    assert len(files) >= 6 and "templates/130135/自评报告模板.docx" in files
    # the restored deployment is whole: nothing to migrate, every check well
    status = dudao(env, "status")
    assert "待执行迁移 migrations:  0" in status.stdout and "正常 / ok" in status.stdout


def test_the_manifest_lists_every_file_and_encryption_hides_them(source: Source) -> None:
    import json

    manifest = json.loads((source.backup / "manifest.json").read_text(encoding="utf-8"))
    stored = {p.relative_to(source.backup).as_posix() for p in source.backup.rglob("*") if p.is_file()}
    assert stored == {f["path"] for f in manifest["files"]} | {"manifest.json"}
    assert manifest["engine"] == ("postgresql" if source.url.startswith("postgres") else "sqlite")
    assert manifest["tables"]["audit_auditevent"] >= 1
    report = source.backup / "media/templates/130135/自评报告模板.docx"
    if manifest["encrypted"]:
        assert not report.exists()
        sealed = (source.backup / "media/templates/130135/自评报告模板.docx.age").read_bytes()
        assert sealed.startswith(b"age-encryption.org/v1") and bytes(range(256)) not in sealed
        assert b"PGDMP" not in (source.backup / "database.pgdump.age").read_bytes()[:4096]
    else:
        assert report.read_bytes() == bytes(range(256)) * 64


def test_a_database_that_is_not_empty_is_refused(source: Source) -> None:
    before = table_digests(source.url)
    done = dudao(source.env, "restore", str(source.backup), check=False)
    assert done.returncode != 0
    assert "配置的数据库不是空的" in done.stderr and "createdb" in done.stderr
    assert table_digests(source.url) == before


def test_a_database_that_does_not_exist_is_named_with_what_to_do(source: Source, tmp_path: Path) -> None:
    if source.url.startswith("postgres"):
        url = fresh_postgres("ops_gone")
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}"')
    else:
        url = f"sqlite:///{tmp_path / 'no such folder' / 'dst.sqlite3'}"
    env = environment(url, tmp_path / "dst", DUDAO_BACKUP_PASSPHRASE=PASSPHRASE)
    done = dudao(env, "restore", str(source.backup), check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "无法打开配置的数据库" in done.stderr and "createdb" in done.stderr and "DATABASE_URL" in done.stderr
    assert not Path(env["DUDAO_MEDIA_ROOT"]).exists()


def test_a_changed_file_or_a_wrong_passphrase_is_refused_before_anything_is_written(
    source: Source, tmp_path: Path
) -> None:
    url, env = _target(source, tmp_path)
    if source.url.startswith("postgres"):
        done = dudao({**env, "DUDAO_BACKUP_PASSPHRASE": "not the passphrase"}, "restore", str(source.backup),
                     check=False)  # fmt: skip
        assert done.returncode != 0 and "口令不对" in done.stderr
    copy = tmp_path / "changed"
    shutil.copytree(source.backup, copy)
    victim = next(p for p in sorted((copy / "media").rglob("*")) if p.is_file() and p.stat().st_size)
    victim.write_bytes(victim.read_bytes()[:-1] + bytes([victim.read_bytes()[-1] ^ 1]))
    done = dudao(env, "restore", str(copy), check=False)
    assert done.returncode != 0 and "校验值不符" in done.stderr and victim.name in done.stderr
    assert table_digests(url) == {}  # nothing was written
    assert not Path(env["DUDAO_MEDIA_ROOT"]).exists()


def test_backup_into_a_folder_that_is_not_empty_is_refused(source: Source) -> None:
    done = dudao(source.env, "backup", str(source.backup), check=False)
    assert done.returncode != 0 and "不是空的" in done.stderr
