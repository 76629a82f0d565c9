"""``dudao evaluate_county --county CODE --year Y``: evaluate a county's stored census, store the run,
print the same report as ``dudao evaluate``.

``dudao evaluate_county --all [--year Y]``: evaluate every county × year with census records (a
nightly refresh, or after a bulk import), skipping those whose latest run is still current; one line
per county and year, and the refusals, on stderr."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.actors import system
from dudao.census.models import CensusRecord
from dudao.evaluation.actions import EvaluationError, evaluate_county, latest_run
from dudao.evaluation.management.commands.evaluate import SCHOOL_TABLE_STANDARDS
from dudao.evaluation.render import to_text
from dudao.orgs.models import Region
from dudao.standards import available_provinces

ACTOR = system("command evaluate_county")


class Command(BaseCommand):
    help = "评估一个县已入库的统计数据并保存评估记录 / Evaluate a county's stored census and store the run."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--county", help="县级行政区划代码，如 130102")
        which.add_argument(
            "--all", action="store_true", help="评估所有有统计数据的县和学年 / every county and year with data"
        )
        parser.add_argument("--year", type=int, help="学年（起始年份，如 2025 表示 2025—2026 学年）")
        parser.add_argument("--standard", default="national-2017", choices=SCHOOL_TABLE_STANDARDS)
        parser.add_argument("--province", choices=available_provinces(), help="省级配置，如 hebei")
        parser.add_argument("--format", default="text", choices=["text", "json"])
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = opts["lang"]
        if opts["all"]:
            self._all(opts)
            return
        if opts["year"] is None:
            raise CommandError("请用 --year 指定学年" if lang == "zh" else "--year is required with --county")
        county = Region.objects.filter(code=opts["county"]).first()
        if county is None:
            raise CommandError(
                f"没有行政区划代码为 {opts['county']} 的区域"
                if lang == "zh"
                else f"no region with code {opts['county']}"
            )
        try:
            run = evaluate_county(ACTOR, county, opts["year"], opts["standard"], opts["province"])
        except EvaluationError as exc:
            raise CommandError(exc.text(lang)) from exc
        text = run.result_obj.to_json() if opts["format"] == "json" else to_text(run.result_obj, lang)
        self.stdout.write(text, ending="")
        self.stderr.write(
            f"已保存评估记录 #{run.pk}（数据版本 {run.data_version[:12]}）"
            if lang == "zh"
            else f"stored evaluation run #{run.pk} (data version {run.data_version[:12]})"
        )

    def _all(self, opts: dict[str, Any]) -> None:
        records = CensusRecord.objects.filter(school__county__level=Region.Level.COUNTY)
        if opts["year"] is not None:
            records = records.filter(year=opts["year"])
        pairs = records.values_list("school__county_id", "year").distinct().order_by("school__county_id", "year")
        counties = Region.objects.in_bulk({county_id for county_id, _ in pairs})
        failed = 0
        for county_id, year in pairs:
            county = counties[county_id]
            latest = latest_run(county, year, opts["standard"])
            if latest is not None and latest.province == (opts["province"] or "") and not latest.is_stale():
                self.stdout.write(
                    f"{county.code} {county.name} {year}: #{latest.pk} "
                    + ("无变化" if opts["lang"] == "zh" else "unchanged")
                )
                continue
            try:
                run = evaluate_county(ACTOR, county, year, opts["standard"], opts["province"])
            except EvaluationError as exc:
                failed += 1
                self.stderr.write(f"{county.code} {county.name} {year}: {exc.text(opts['lang'])}")
                continue
            verdict = {True: "达标", False: "未达标", None: "未判定"}[run.passed]
            self.stdout.write(f"{county.code} {county.name} {year}: #{run.pk} {verdict}")
        if failed:
            raise CommandError(f"{failed} 个县未能评估" if opts["lang"] == "zh" else f"{failed} counties not evaluated")
