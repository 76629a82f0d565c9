"""``dudao evaluate_county --county CODE --year Y``: evaluate a county's stored census, store the run,
print the same report as ``dudao evaluate``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.evaluation.actions import EvaluationError, evaluate_county
from dudao.evaluation.management.commands.evaluate import SCHOOL_TABLE_STANDARDS
from dudao.evaluation.render import to_json, to_text
from dudao.orgs.models import Region
from dudao.standards import available_provinces


class Command(BaseCommand):
    help = "评估一个县已入库的统计数据并保存评估记录 / Evaluate a county's stored census and store the run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="县级行政区划代码，如 130102")
        parser.add_argument("--year", required=True, type=int, help="学年（起始年份，如 2025 表示 2025—2026 学年）")
        parser.add_argument("--standard", default="national-2017", choices=SCHOOL_TABLE_STANDARDS)
        parser.add_argument("--province", choices=available_provinces(), help="省级配置，如 hebei")
        parser.add_argument("--format", default="text", choices=["text", "json"])
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = opts["lang"]
        county = Region.objects.filter(code=opts["county"]).first()
        if county is None:
            raise CommandError(
                f"没有行政区划代码为 {opts['county']} 的区域"
                if lang == "zh"
                else f"no region with code {opts['county']}"
            )
        try:
            run = evaluate_county(None, county, opts["year"], opts["standard"], opts["province"])
        except EvaluationError as exc:
            raise CommandError(exc.text(lang)) from exc
        text = to_json(run.result) if opts["format"] == "json" else to_text(run.result, lang)
        self.stdout.write(text, ending="")
        self.stderr.write(
            f"已保存评估记录 #{run.pk}（数据版本 {run.data_version[:12]}）"
            if lang == "zh"
            else f"stored evaluation run #{run.pk} (data version {run.data_version[:12]})"
        )
