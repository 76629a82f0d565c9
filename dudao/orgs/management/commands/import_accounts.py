"""``dudao import_accounts FILE [--dry-run] [--lang zh|en]``: create accounts and grant roles from a
sheet (as the system); ``dudao import_accounts FILE --template`` writes the template to FILE. New
accounts' temporary passwords are printed once (user name, tab, password). Exits non-zero on any
problem (each listed; nothing written)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dudao.actors import system
from dudao.engine.problems import InputError
from dudao.orgs.actions import OrgsError
from dudao.orgs.importing import accounts_template, import_accounts


class Command(BaseCommand):
    help = "导入账号（.xlsx/.csv）/ Import accounts and their roles (.xlsx/.csv)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="账号文件；与 --template 一起时为模板的保存位置")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个可识别的工作表）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将要发生的变化，不写入")
        parser.add_argument("--template", action="store_true", help="把空白模板写到 FILE，不导入")
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        zh = opts["lang"] == "zh"
        if opts["template"]:
            path.write_bytes(accounts_template())
            self.stdout.write(f"模板已写入 {path}" if zh else f"template written to {path}")
            return
        try:
            result = import_accounts(
                path, actor=system("command import_accounts"), dry_run=opts["dry_run"], sheet=opts["sheet"]
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
        head = (
            ("试运行（未写入任何数据）" if result.dry_run else "已导入")
            if zh
            else ("Dry run (nothing written)" if result.dry_run else "Imported")
        )
        counts = (len(result.created), len(result.updated), len(result.granted), result.unchanged)
        self.stderr.write(
            f"{head}：{result.filename}：新建账号 {counts[0]} 个，修改信息 {counts[1]} 个，新授予角色 {counts[2]} 项，"
            f"未变化 {counts[3]} 行"
            if zh
            else f"{head}: {result.filename}: {counts[0]} accounts created, {counts[1]} changed, {counts[2]} roles "
            f"granted, {counts[3]} rows unchanged"
        )
        for plan in [*result.created, *result.granted, *result.updated]:
            self.stderr.write(f"  {plan.action} {plan.username} {plan.name}: {plan.detail}")
        if result.passwords:
            self.stderr.write(
                "新账号的临时密码只显示这一次，首次登录时必须修改："
                if zh
                else "New accounts' temporary passwords, shown this once (to be changed at the first login):"
            )
            for username, password in result.passwords.items():
                self.stdout.write(f"{username}\t{password}")
