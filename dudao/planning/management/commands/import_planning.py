"""``dudao import_planning {births,history} FILE --county CODE [--dry-run] [--lang zh|en]``: import a county's
births per town and year, or its grade history (学籍/事业统计), from the file the births page's templates
describe. Every problem of the file is listed (sheet, row, column, value, rule) and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.actors import system
from dudao.engine.problems import InputError
from dudao.orgs.models import Region
from dudao.planning import actions
from dudao.planning.importing import read_births, read_history


class Command(BaseCommand):
    help = "导入出生人口或分年级在校生历史数据（.xlsx/.csv）/ Import births or the grade history of a county."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=["births", "history"], help="births：出生人口；history：分年级在校生历史数据"
        )
        parser.add_argument("file", type=Path, help=".xlsx 或 .csv（格式见出生人口页的模板）")
        parser.add_argument("--county", required=True, help="县级行政区划代码")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将要发生的变化，不写入")
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args: Any, **opts: Any) -> None:
        zh = opts["lang"] == "zh"
        county = Region.objects.filter(code=opts["county"], level=Region.Level.COUNTY).first()
        if county is None:
            code = opts["county"]
            raise CommandError(f"没有县级行政区划代码 {code}" if zh else f"No county with code {code}")
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}" if zh else f"No file {path}")
        read = read_births if opts["kind"] == "births" else read_history
        try:
            plan = read(county, path.name, path.read_bytes())
        except InputError as exc:
            for problem in exc.problems:
                self.stderr.write(problem.text(opts["lang"]))
            n = len(exc.problems)
            raise CommandError(
                f"{n} 处错误，未导入任何数据" if zh else f"{n} problem(s); nothing was imported"
            ) from exc
        created, updated, unchanged = (plan.count(a) for a in ("create", "update", "unchanged"))
        if not opts["dry_run"]:
            actions.import_plan(system("command import_planning"), county, plan)
        if zh:
            done = "检查完成（未写入）" if opts["dry_run"] else "已导入"
            self.stdout.write(f"{path.name}：{done}，新增 {created} 项，修改 {updated} 项，未变 {unchanged} 项")
        else:
            done = "checked (nothing written)" if opts["dry_run"] else "imported"
            self.stdout.write(f"{path.name}: {done}; {created} added, {updated} changed, {unchanged} unchanged")
