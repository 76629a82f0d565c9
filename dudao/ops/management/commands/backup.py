"""``dudao backup OUT_DIR``: the database and the uploaded files into a new folder, every file checksummed,
optionally encrypted (docs/deploy.md, Backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.actors import system
from dudao.ops.actions import backup
from dudao.ops.backup import BackupError
from dudao.ops.passphrase import passphrase_option, read_passphrase


class Command(BaseCommand):
    help = "备份数据库和上传文件到新目录 / back up the database and the uploaded files into a new folder"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path, help="新的（或空的）备份目录 / a new (or empty) folder")
        parser.add_argument(
            "--encrypt", action="store_true",
            help="用口令加密（DUDAO_BACKUP_PASSPHRASE 或 --passphrase-file）/ encrypt with the passphrase",
        )  # fmt: skip
        passphrase_option(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        passphrase = read_passphrase(opts["passphrase_file"], required=opts["encrypt"])
        try:
            summary = backup(system("command backup"), opts["out_dir"], passphrase if opts["encrypt"] else None)
        except BackupError as error:
            raise CommandError(f"{error.message_zh} / {error.message_en}") from None
        encrypted = "，已加密 / encrypted" if summary.manifest["encrypted"] else ""
        self.stdout.write(f"备份完成 / backup written: {summary.folder}\n  {summary.describe()}{encrypted}")
