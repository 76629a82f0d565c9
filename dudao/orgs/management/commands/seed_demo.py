"""``dudao seed_demo``: write the demo province, city and counties with three years of census and a
user for every role (see docs/demo.md). Running it again changes nothing; ``--reset`` deletes the
demo first and writes it afresh: every app's ``AppConfig.reset_demo(counties)`` (rows that refer to
the demo counties: runs, tasks, ...) in reverse INSTALLED_APPS order, then the regions, schools,
census and users themselves."""

from __future__ import annotations

import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dudao.orgs import demo
from dudao.orgs.models import Region


def reset() -> int:
    """Delete the demo, the apps' rows first (an app refers only to apps installed before it)."""
    with transaction.atomic():
        city = Region.objects.filter(code=demo.CITY[0], name=demo.CITY[1]).first()
        deleted = 0
        if city is not None:
            counties = Region.objects.filter(path__startswith=city.path, level=Region.Level.COUNTY)
            for config in reversed(list(apps.get_app_configs())):
                if hasattr(config, "reset_demo"):
                    deleted += config.reset_demo(counties)
        return deleted + demo.reset()


class Command(BaseCommand):
    help = (
        "写入示范数据：河北省示范市三个县、示范县三个学年的统计数据及各角色演示账号 / "
        "Seed the demo county, its city and province, three census years and a user for every role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除已有示范数据再重新写入 / delete the demo data first, then write it again",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        if opts["reset"]:
            deleted = reset()
            self.stdout.write(f"已删除示范数据 {deleted} 行 / deleted {deleted} demo rows")
        try:
            summary = demo.seed()
        except demo.DemoConflict as error:
            raise CommandError(str(error)) from None
        if summary.seeded:
            figures = "，".join(f"{key} {value}" for key, value in summary.counts.items())
            mix = "，".join(f"{status} {n}" for status, n in sorted(demo.status_mix().items()))
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"示范数据已写入（{seconds:.1f} 秒），库中行数 / demo written; rows now: {figures}\n"
                f"示范县{demo.CURRENT_YEAR}学年记录状态 / {demo.CURRENT_YEAR} records: {mix}"
            )
        else:
            self.stdout.write(
                "示范数据已存在，未作改动（--reset 可重建） / the demo is already there; nothing changed "
                "(use --reset to write it afresh)"
            )
        self.stdout.write(f"演示账号（密码均为 {demo.PASSWORD}） / demo users (password {demo.PASSWORD} for all):")
        for user in summary.users:
            self.stdout.write(f"  {user.username:<18} {user.label}")
