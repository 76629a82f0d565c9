"""``dudao import_census FILE --year 2025 [--county CODE] [--dry-run] [--lang zh|en] [--user USERNAME]``:
import a county's census file (or a file of several counties with a ``county_code`` column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import translation

from dudao.actors import Actor, system
from dudao.census.actions import CensusError
from dudao.census.importing import ImportResult, database_error, import_census
from dudao.census.preview import preview_text
from dudao.engine.problems import InputError
from dudao.orgs.models import Region


class Command(BaseCommand):
    help = "导入学校年度统计数据（.xlsx/.csv，模板格式）/ Import a census file (.xlsx/.csv in the template layout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="统计数据文件 .xlsx 或 .csv（见 dudao template）")
        parser.add_argument("--year", type=int, required=True, help="学年（开始的年份，如 2025 表示 2025–2026 学年）")
        parser.add_argument("--county", help="县级行政区划代码；文件有“县级行政区划代码”列时可省略")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个可识别的工作表）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将要发生的变化，不写入")
        parser.add_argument("--user", help="以该用户身份导入（按其权限）；默认以系统身份")
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            self._import(opts)
        except DatabaseError as exc:  # before the import (the county, the user) or in it: said plainly
            error = database_error(exc)
            raise CommandError(error.message_zh if opts["lang"] == "zh" else error.message_en) from exc

    def _import(self, opts: dict[str, Any]) -> None:
        lang = opts["lang"]
        zh = lang == "zh"
        county = None
        if opts["county"]:
            county = Region.objects.filter(code=opts["county"]).first()
            if county is None:
                code = opts["county"]
                raise CommandError(f"没有县级行政区划代码 {code}" if zh else f"No county with code {code}")
        user: Actor = system("command import_census")
        if opts["user"]:
            person = User.objects.filter(username=opts["user"], is_active=True).first()
            if person is None:
                name = opts["user"]
                raise CommandError(f"没有（启用的）用户 {name}" if zh else f"No active user {name!r}")
            user = person
        try:
            result = import_census(
                opts["file"], opts["year"], county=county, user=user, dry_run=opts["dry_run"], sheet=opts["sheet"]
            )
        except InputError as exc:
            for problem in exc.problems:
                self.stderr.write(problem.text(lang))
            n = len(exc.problems)
            raise CommandError(
                f"{n} 处错误，未导入任何数据" if zh else f"{n} problem(s); nothing was imported"
            ) from exc
        except CensusError as exc:
            raise CommandError(exc.message_zh if zh else exc.message_en) from exc
        except PermissionDenied as exc:
            target_zh = f" {county.code} 的" if county else "任何县的"
            target_en = f" for {county.code}" if county else " for any county"
            raise CommandError(
                f"用户 {opts['user']} 无权导入{target_zh}数据（需县级督导室的审核权限）"
                if zh
                else f"User {opts['user']!r} may not import data{target_en} (it needs the county's review permission)"
            ) from exc
        self.stdout.write(summary(result, lang), ending="")


def summary(result: ImportResult, lang: str = "zh") -> str:
    """The import's outcome as plain text in ``lang`` (zh or en)."""
    zh = lang == "zh"
    lines = _totals_zh(result) if zh else _totals_en(result)
    if result.dry_run:  # the preview: each record, each changed figure, the approved ones back to review
        with translation.override("zh-hans" if zh else "en"):
            lines += preview_text(result, lang)
    if result.not_submitted:
        n = len(result.not_submitted)
        lines.append(f"未报送（{n} 所）：" if zh else f"Not submitted ({n} school(s)):")
        lines += [f"  {a.name}（{a.code}，{a.county_code}）" if zh else f"  {a.name} ({a.code}, {a.county_code})"
                  for a in result.not_submitted]  # fmt: skip
    if result.warnings:
        lines.append(f"提示（{len(result.warnings)} 条）：" if zh else f"Warnings ({len(result.warnings)}):")
        lines += [f"  {w.text(lang)}" for w in result.warnings]
    if result.batch is not None:
        lines.append(f"导入批次：#{result.batch.pk}" if zh else f"Import batch: #{result.batch.pk}")
    return "\n".join(lines) + "\n"


def _counties(result: ImportResult) -> str:
    return ", ".join(result.counties[:10]) + (" …" if len(result.counties) > 10 else "")


def _totals_zh(result: ImportResult) -> list[str]:
    head = "试运行（未写入任何数据）" if result.dry_run else "已导入"
    verb = "将" if result.dry_run else ""
    return [
        f"{head}：{result.filename}（工作表“{result.sheet}”），{result.year}学年，"
        f"{len(result.counties)} 个县（{_counties(result)}），{result.rows} 行",
        f"记录：{verb}新建 {result.created} 条，{verb}更新 {result.updated} 条（{result.values_changed} 项数值），"
        f"未变 {result.unchanged} 条",
        f"学校：{verb}新建 {result.schools_created} 所；学年信息{verb}新建 {result.school_years_created} 条，"
        f"{verb}更新 {result.school_years_updated} 条",
    ]


def _totals_en(result: ImportResult) -> list[str]:
    verb = "would be " if result.dry_run else ""
    return [
        f"{'Dry run (nothing written)' if result.dry_run else 'Imported'}: {result.filename} "
        f"(sheet {result.sheet!r}), school year {result.year}, {len(result.counties)} county(ies) "
        f"({_counties(result)}), {result.rows} rows",
        f"Records: {result.created} {verb}created, {result.updated} {verb}updated ({result.values_changed} "
        f"values), {result.unchanged} unchanged",
        f"Schools: {result.schools_created} {verb}created; school-year attributes {result.school_years_created} "
        f"{verb}created, {result.school_years_updated} {verb}updated",
    ]
