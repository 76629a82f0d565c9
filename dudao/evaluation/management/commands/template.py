"""``dudao template FILE``: write the school-table input template (.xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.sheets.template import write_template


class Command(BaseCommand):
    help = "生成学校数据填报模板 / Write the school-table input template (.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="模板文件路径，如 schools.xlsx")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if path.suffix.lower() != ".xlsx":
            raise CommandError("模板须为 .xlsx 文件 / the template must be an .xlsx file")
        try:
            write_template(path)
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(str(path))
