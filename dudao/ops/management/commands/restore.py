"""``dudao restore BACKUP_DIR``: check every file of a backup, then load it into the configured database, which
must be empty (a new database, before ``migrate``), and the empty media root (docs/deploy.md, Backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.actors import system
from dudao.ops.actions import restore
from dudao.ops.backup import BackupError
from dudao.ops.passphrase import passphrase_option, read_passphrase


class Command(BaseCommand):
    help = "把备份恢复到配置的空数据库 / restore a backup into the configured, empty database"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_dir", type=Path, help="dudao backup 写出的目录 / a folder dudao backup wrote")
        passphrase_option(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        passphrase = read_passphrase(opts["passphrase_file"], required=False)
        try:
            summary = restore(system("command restore"), opts["backup_dir"], passphrase)
        except BackupError as error:
            raise CommandError(f"{error.message_zh} / {error.message_en}") from None
        self.stdout.write(
            f"恢复完成 / restored: {summary.folder} ({summary.manifest['created_at']})\n"
            f"  {summary.describe()}；校验全部相符 / every checksum and row count matches\n"
            "  下一步 / next: dudao migrate（升级时 / after an upgrade）, dudao status"
        )
