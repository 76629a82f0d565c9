"""``dudao seed_evaluation_demo``: store 示范县's 2025 county items (政府保障、教育质量、一票否决) in the
database, so the website judges every area (docs/demo.md). A second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dudao.evaluation.demo import seed_items
from dudao.orgs.models import Region


class Command(BaseCommand):
    help = "写入示范县县级指标 / Store the demo county's county-level items."

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            changed = seed_items()
        except Region.DoesNotExist as exc:
            raise CommandError("请先运行 dudao seed_demo / run dudao seed_demo first") from exc
        self.stdout.write(f"示范县县级指标已写入：{changed} 项有变化 / demo county items stored: {changed} changed")
