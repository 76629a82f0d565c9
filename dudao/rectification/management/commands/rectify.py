"""``dudao rectify --county CODE --year Y [--standard S]``: turn the county's current evaluation's
shortfalls into rectification items (each with a task in the county's rectification list), close
those now met and update the gaps of those still short — the same action as the button on the
items page, run as the system. Running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.actors import system
from dudao.evaluation.actions import EvaluationError
from dudao.orgs.models import Region
from dudao.rectification.actions import RectificationError, generate_items


class Command(BaseCommand):
    help = "由当前评估结果生成整改事项 / Turn a county's current evaluation shortfalls into rectification items."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="县级行政区划代码，如 130135")
        parser.add_argument("--year", type=int, required=True, help="学年（起始年份，如 2025）")
        parser.add_argument("--standard", default=None, help="评估标准，默认 DUDAO_DEFAULT_STANDARD")
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = opts["lang"]
        county = Region.objects.filter(code=opts["county"], level=Region.Level.COUNTY).first()
        if county is None:
            raise CommandError(
                f"没有代码为 {opts['county']} 的县级区域" if lang == "zh" else f"no county with code {opts['county']}"
            )
        standard = opts["standard"] or settings.DUDAO_DEFAULT_STANDARD
        try:
            result = generate_items(system("command rectify"), county, opts["year"], standard)
        except (EvaluationError, RectificationError) as exc:
            raise CommandError(exc.message_en if lang == "en" else exc.message_zh) from exc
        for item in result.created:
            self.stdout.write(f"+ {item.target}（{item.task.department.name}，{item.task.deadline:%Y-%m-%d}）")
        for item in result.updated:
            self.stdout.write(f"~ {item.target}")
        for item in result.met:
            self.stdout.write(f"✓ {item.target}")
        for item in result.void:
            self.stdout.write(f"× {item.target}")
        counts = (len(result.created), len(result.updated), len(result.met), len(result.void), result.unchanged)
        zh = "{}：新增 {}，差距变化 {}，已达标销号 {}，撤销 {}，未变 {}（评估记录 #{}）"
        en = "{}: {} new, {} updated, {} met and closed, {} withdrawn, {} unchanged (run #{})"
        name = county.name if lang == "zh" else county.code
        self.stdout.write((zh if lang == "zh" else en).format(name, *counts, result.run.pk))
