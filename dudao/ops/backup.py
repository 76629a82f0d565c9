"""Backups: the database and the uploaded files in one folder, every file checksummed, optionally encrypted;
and their restore into an empty database (docs/deploy.md; the choices in docs/adr/0028-backups.md).

A backup folder holds::

    manifest.json            what is in it: format, time, version, engine, the migrations applied, each table's
                             row count, and every other file with its size and SHA-256 (written last: a folder
                             without it is an unfinished backup)
    database.pgdump          PostgreSQL: pg_dump's custom format (pg_restore reads it)
    database.sqlite3         SQLite: a copy made with SQLite's online backup API
    media/...                the uploaded files (MEDIA_ROOT), under their own relative paths
    key.age                  encrypted backups only: the backup's own age key, encrypted with the passphrase

Encrypted (a passphrase given), the database file and every media file end in ``.age``: age encryption
(pyrage) to the backup's own X25519 key, and that key alone is encrypted with the passphrase (scrypt), so the
slow passphrase step runs once per backup, not once per file. The manifest's ``sha256`` is of the bytes
stored, checked before anything is restored; ``content_sha256`` is of the file itself, checked again after it
is decrypted. The row counts are read in the same snapshot as the dump, so a restore can check them exactly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy as _

from dudao.errors import ActionError
from dudao.ops.state import commit, version

FORMAT = 1
KIND = "dudao-backup"
MANIFEST = "manifest.json"
KEY_FILE = "key.age"
MEDIA = "media"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(ActionError):
    """A backup or restore refused (the target not empty, a checksum that differs, a wrong passphrase …)."""


@dataclass(frozen=True)
class Summary:
    """What a backup wrote or a restore read: the folder, its tables' row counts and its media files."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def tables(self) -> dict[str, int]:
        return dict(self.manifest["tables"])

    @property
    def media_files(self) -> int:
        return sum(1 for f in self.manifest["files"] if f["path"].startswith(MEDIA + "/"))

    def describe(self) -> str:
        """Tables, rows and media files, for the commands' last line."""
        rows = sum(self.tables.values())
        return f"{len(self.tables)} 个表 tables, {rows} 行 rows, {self.media_files} 个上传文件 media files"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def engine() -> str:
    """``postgresql`` or ``sqlite``: the engines a backup knows (others are refused)."""
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError("engine", _("不支持的数据库：%(engine)s（仅 PostgreSQL 和 SQLite）"), engine=vendor)
    return vendor


# ---------------------------------------------------------------------------------------------------------
# The database


def _pg_env() -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore: the password never appears on a command line."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        value = db.get(key)
        if value:
            env[name] = str(value)
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(
            "tool_failed", _("%(tool)s 失败（退出码 %(status)s）：%(error)s"),
            tool=what, status=done.returncode, error=done.stderr.strip()[-2000:],
        )  # fmt: skip


def table_names() -> list[str]:
    """Every table of the configured database (Django's and any other), sorted."""
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _dump_postgresql(out: Path) -> dict[str, int]:
    """pg_dump in the snapshot the row counts are read in (``--snapshot``): the counts describe the dump."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor, table_names())
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={out}"], "pg_dump")  # fmt: skip
        finally:
            cursor.execute("ROLLBACK")
    return counts


def _sqlite_path() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def _dump_sqlite(out: Path) -> dict[str, int]:
    """SQLite's online backup API, in one step while a read transaction holds the counts' snapshot."""
    connection.close()
    source = sqlite3.connect(_sqlite_path(), isolation_level=None)
    target = sqlite3.connect(out)
    try:
        source.execute("BEGIN")
        tables = [r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = _counts(source.cursor(), sorted(t for t in tables if not t.startswith("sqlite_")))
        source.backup(target)
        source.execute("COMMIT")
    finally:
        target.close()
        source.close()
    return counts


def _load_postgresql(dump: Path) -> None:
    connection.close()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={settings.DATABASES['default']['NAME']}", str(dump)], "pg_restore")  # fmt: skip


def _load_sqlite(dump: Path) -> None:
    connection.close()
    target_path = Path(_sqlite_path())
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def applied_migrations() -> list[str]:
    """``app.name`` of every migration applied to the configured database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------------------
# Encryption (age, docs/adr/0028)


@dataclass(frozen=True)
class Crypt:
    """The backup's own age key: files are encrypted to it; only the key is encrypted with the passphrase."""

    identity: Any  # pyrage.x25519.Identity (pyrage ships no type information)

    @classmethod
    def new(cls, folder: Path, passphrase: str) -> Crypt:
        identity = pyrage.x25519.Identity.generate()
        (folder / KEY_FILE).write_bytes(pyrage.passphrase.encrypt(str(identity).encode(), passphrase))
        return cls(identity)

    @classmethod
    def open(cls, folder: Path, passphrase: str) -> Crypt:
        try:
            secret = pyrage.passphrase.decrypt((folder / KEY_FILE).read_bytes(), passphrase)
        except pyrage.DecryptError:
            raise BackupError("passphrase", _("口令不对：无法解密这份备份的密钥")) from None
        return cls(pyrage.x25519.Identity.from_str(secret.decode()))

    def encrypt(self, source: Path, target: Path) -> None:
        pyrage.encrypt_file(str(source), str(target), [self.identity.to_public()])

    def decrypt(self, source: Path, target: Path) -> None:
        pyrage.decrypt_file(str(source), str(target), [self.identity])


# ---------------------------------------------------------------------------------------------------------
# Writing a backup


def _empty_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError("out_not_empty", _("备份目录 %(path)s 已存在且不是空的：请指定新的目录"), path=str(folder))
    folder.mkdir(parents=True, exist_ok=True)


def media_files(root: Path) -> Iterator[Path]:
    """Every file under ``root`` (relative paths, sorted); none when it does not exist."""
    if root.is_dir():
        yield from sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def _store(source: Path, folder: Path, name: str, crypt: Crypt | None) -> dict[str, Any]:
    """Copy (or encrypt) ``source`` to ``folder/name`` (``.age`` added when encrypted); its manifest entry."""
    stored = folder / (name + ".age" if crypt else name)
    stored.parent.mkdir(parents=True, exist_ok=True)
    entry: dict[str, Any] = {}
    if crypt:
        entry["content_sha256"] = sha256_file(source)
        crypt.encrypt(source, stored)
    else:
        shutil.copyfile(source, stored)
    return {"path": stored.relative_to(folder).as_posix(), "size": stored.stat().st_size,
            "sha256": sha256_file(stored), **entry}  # fmt: skip


def write_backup(folder: Path, passphrase: str | None) -> Summary:
    """Dump the database and copy the media files into the new, empty ``folder``; write the manifest last."""
    kind = engine()
    _empty_folder(folder)
    crypt = Crypt.new(folder, passphrase) if passphrase else None
    migrations = applied_migrations()
    files = [{"path": KEY_FILE, "size": (folder / KEY_FILE).stat().st_size,
              "sha256": sha256_file(folder / KEY_FILE)}] if crypt else []  # fmt: skip
    with tempfile.TemporaryDirectory(dir=folder, prefix=".dump-") as scratch:
        dump = Path(scratch) / DUMP_NAMES[kind]
        tables = _dump_postgresql(dump) if kind == "postgresql" else _dump_sqlite(dump)
        files.append(_store(dump, folder, DUMP_NAMES[kind], crypt))
    media_root = Path(settings.MEDIA_ROOT)
    for relative in media_files(media_root):
        files.append(_store(media_root / relative, folder, f"{MEDIA}/{relative.as_posix()}", crypt))
    manifest = {
        "kind": KIND, "format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": version(), "commit": commit(), "engine": kind, "database": DUMP_NAMES[kind],
        "encrypted": crypt is not None, "migrations": migrations, "tables": tables, "files": files,
    }  # fmt: skip
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Summary(folder, manifest)


# ---------------------------------------------------------------------------------------------------------
# Restoring one


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(
            "no_manifest", _("%(path)s 不是完整的备份：没有可读的 manifest.json"), path=str(folder)
        ) from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND or manifest.get("format") != FORMAT:
        raise BackupError("format", _("%(path)s 不是本版本可恢复的备份（格式不符）"), path=str(folder))
    return manifest


def verify_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there with its size and SHA-256; nothing is restored otherwise."""
    for entry in manifest["files"]:
        path = folder / entry["path"]
        if not path.is_file():
            raise BackupError("missing_file", _("备份缺少文件 %(file)s"), file=entry["path"])
        if path.stat().st_size != entry["size"] or sha256_file(path) != entry["sha256"]:
            raise BackupError("checksum", _("备份文件 %(file)s 的校验值不符：文件已损坏或被改动"), file=entry["path"])


def _check_target(manifest: dict[str, Any]) -> None:
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(
            "engine_mismatch", _("这份备份来自 %(backup)s 数据库，配置的数据库是 %(target)s"),
            backup=manifest["engine"], target=kind,
        )  # fmt: skip
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = [name for name in manifest["migrations"] if name not in known]
    if unknown:
        raise BackupError(
            "newer_backup", _("这份备份来自更新的版本（本程序不认识迁移 %(names)s）：请先升级程序再恢复"),
            names=", ".join(unknown[:5]),
        )  # fmt: skip
    try:
        tables = table_names()
    except DatabaseError as error:  # e.g. the database named in DATABASE_URL was never created
        raise BackupError(
            "database_unreachable",
            _("无法打开配置的数据库（%(error)s）：请先新建这个空数据库（如 createdb），并检查 DATABASE_URL"),
            error=str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
        ) from None
    if tables:
        raise BackupError(
            "database_not_empty",
            _("配置的数据库不是空的（已有 %(count)s 个表）：恢复只写入新建的空数据库。请新建一个数据库"
              "（如 createdb），把 DATABASE_URL 指向它，不要先运行 migrate"),
            count=len(tables),
        )  # fmt: skip
    media_root = Path(settings.MEDIA_ROOT)
    if next(media_files(media_root), None) is not None:
        raise BackupError(
            "media_not_empty", _("上传文件目录 %(path)s 不是空的：恢复只写入空目录"), path=str(media_root)
        )


def _fetch(folder: Path, entry: dict[str, Any], target: Path, crypt: Crypt | None) -> None:
    """Copy (or decrypt) one stored file to ``target`` and check what came out."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = folder / entry["path"]
    if crypt:
        crypt.decrypt(source, target)
        if sha256_file(target) != entry["content_sha256"]:
            raise BackupError("checksum", _("备份文件 %(file)s 的校验值不符：文件已损坏或被改动"), file=entry["path"])
    else:
        shutil.copyfile(source, target)


def _plain_name(entry: dict[str, Any], encrypted: bool) -> str:
    """The file's own name: without the ``.age`` an encrypted backup added."""
    return str(entry["path"]).removesuffix(".age") if encrypted else str(entry["path"])


def restore_backup(folder: Path, passphrase: str | None) -> Summary:
    """Check the backup whole, then load it into the configured, empty database and media root."""
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    _check_target(manifest)
    crypt = None
    if manifest["encrypted"]:
        if not passphrase:
            raise BackupError(
                "passphrase_needed", _("这份备份已加密：请提供口令（--passphrase-file 或 DUDAO_BACKUP_PASSPHRASE）")
            )
        crypt = Crypt.open(folder, passphrase)
    entries = {_plain_name(e, crypt is not None): e for e in manifest["files"] if e["path"] != KEY_FILE}
    with tempfile.TemporaryDirectory(prefix="dudao-restore-") as scratch:
        dump = Path(scratch) / manifest["database"]
        _fetch(folder, entries.pop(manifest["database"]), dump, crypt)
        (_load_postgresql if manifest["engine"] == "postgresql" else _load_sqlite)(dump)
    media_root = Path(settings.MEDIA_ROOT)
    for name, entry in sorted(entries.items()):
        _fetch(folder, entry, media_root / name.removeprefix(MEDIA + "/"), crypt)
    with connection.cursor() as cursor:
        counts = _counts(cursor, sorted(manifest["tables"]))
    if counts != manifest["tables"]:
        differ = sorted(t for t in counts if counts[t] != manifest["tables"][t])
        raise BackupError("rows_differ", _("恢复后这些表的行数与备份不符：%(tables)s"), tables=", ".join(differ))
    return Summary(folder, manifest)
