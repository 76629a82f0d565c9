"""``dudao add_region CODE NAME --parent CODE``: a region below an existing one (a town of a county,
a county of a city …), as the system — for setting up from the command line; the pages and the API
do the same for administrators."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dudao.actors import system
from dudao.orgs.actions import OrgsError, create_region
from dudao.orgs.models import Region


class Command(BaseCommand):
    help = "新增下级区域（如县下的乡镇、街道）/ Add a region below an existing one (e.g. a town of a county)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("code", help="行政区划代码，如 130135100")
        parser.add_argument("name", help="名称，如 城关镇")
        parser.add_argument("--parent", required=True, help="上级区域代码，如 130135")

    def handle(self, *args: Any, code: str, name: str, parent: str, **opts: Any) -> None:
        found = Region.objects.filter(code=parent).first()
        if found is None:
            raise CommandError(f"没有区划代码 {parent} / no region {parent}")
        try:
            region = create_region(system("command add_region"), found, code, name)
        except OrgsError as error:
            raise CommandError(f"{error.message_zh} / {error.message_en}") from error
        self.stdout.write(f"{region.name}（{region.code}）→ {found.name}")
