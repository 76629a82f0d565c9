"""Where ``dudao backup --encrypt`` and ``dudao restore`` read the passphrase: ``--passphrase-file FILE``,
else ``DUDAO_BACKUP_PASSPHRASE`` (or ``DUDAO_BACKUP_PASSPHRASE_FILE``, the environment file's way). Never
from the command line itself, where every user of the machine could read it in the process list."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError, CommandParser


def passphrase_option(parser: CommandParser) -> None:
    parser.add_argument(
        "--passphrase-file", type=Path,
        help="含口令的文件（默认读 DUDAO_BACKUP_PASSPHRASE）/ a file holding the passphrase",
    )  # fmt: skip


def read_passphrase(path: Path | None, required: bool) -> str | None:
    if path is not None:
        try:
            passphrase = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CommandError(f"无法读取口令文件 / cannot read the passphrase file: {error}") from None
    else:
        passphrase = str(settings.DUDAO_BACKUP_PASSPHRASE)
    if required and not passphrase:
        raise CommandError(
            "加密需要口令：--passphrase-file 或 DUDAO_BACKUP_PASSPHRASE / "
            "--encrypt needs a passphrase: --passphrase-file or DUDAO_BACKUP_PASSPHRASE"
        )
    return passphrase or None
