"""``dudao import_register FILE --county CODE [--year YEAR] [--dry-run] [--lang zh|en]``: import a
county's school register (学校名录); ``dudao import_register FILE --template`` writes the template
to FILE instead. Exits non-zero on any problem (each listed; nothing written)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dudao.actors import system
from dudao.engine.problems import InputError
from dudao.orgs.actions import OrgsError
from dudao.orgs.importing import RegisterResult, import_register, register_template
from dudao.orgs.models import Region


class Command(BaseCommand):
    help = "导入学校名录（.xlsx/.csv）/ Import a county's school register (.xlsx/.csv)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="学校名录文件；与 --template 一起时为模板的保存位置")
        parser.add_argument("--county", help="县级行政区划代码")
        parser.add_argument("--year", type=int, help="生效学年（默认：当前学年，9 月起算）")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个可识别的工作表）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将要发生的变化，不写入")
        parser.add_argument("--template", action="store_true", help="把空白模板写到 FILE，不导入")
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        zh = opts["lang"] == "zh"
        if opts["template"]:
            path.write_bytes(register_template())
            self.stdout.write(f"模板已写入 {path}" if zh else f"template written to {path}")
            return
        if not opts["county"]:
            raise CommandError("请用 --county 指定县级行政区划代码" if zh else "give the county with --county")
        county = Region.objects.filter(code=opts["county"], level=Region.Level.COUNTY).first()
        if county is None:
            code = opts["county"]
            raise CommandError(f"没有县级行政区划代码 {code}" if zh else f"no county with code {code}")
        try:
            result = import_register(
                path,
                county,
                actor=system("command import_register"),
                year=opts["year"],
                dry_run=opts["dry_run"],
                sheet=opts["sheet"],
            )
        except InputError as error:
            for problem in error.problems:
                self.stderr.write(problem.text(opts["lang"]))
            n = len(error.problems)
            raise CommandError(
                f"{n} 处错误，未导入任何数据" if zh else f"{n} problem(s); nothing was imported"
            ) from error
        except OrgsError as error:
            raise CommandError(error.message_zh if zh else error.message_en) from error
        self.stdout.write(summary(result, zh))


def summary(result: RegisterResult, zh: bool) -> str:
    head = (
        ("试运行（未写入任何数据）" if result.dry_run else "已导入")
        if zh
        else ("Dry run (nothing written)" if result.dry_run else "Imported")
    )
    lines = [
        f"{head}：{result.filename}（{result.sheet}），自{result.year}学年起：新开办 {len(result.created)} 所，"
        f"变更 {len(result.updated)} 所，未变化 {result.unchanged} 所"
        if zh
        else f"{head}: {result.filename} ({result.sheet}), from {result.year}: {len(result.created)} opened, "
        f"{len(result.updated)} changed, {result.unchanged} unchanged"
    ]
    for plan in result.created:
        lines.append(f"  + {plan.code} {plan.name}")
    for plan in result.updated:
        changes = "; ".join(f"{k}: {old or '—'} → {new or '—'}" for k, (old, new) in plan.changes.items())
        lines.append(f"  ~ {plan.code} {plan.name}: {changes}")
    for warning in result.warnings:
        lines.append("  ! " + warning.text("zh" if zh else "en"))
    return "\n".join(lines)
