"""``dudao send_reminders [--date YYYY-MM-DD]``: remind the responsible departments' clerks of tasks
due within N days and of overdue tasks, and each county's supervision office of its overdue tasks
(in the application and by e-mail). For a daily timer: a reminder is sent once per person, task and
day, so running it twice the same day sends nothing new."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.rectification.actions import send_reminders


class Command(BaseCommand):
    help = "发送任务到期与逾期提醒（每日运行） / Send due-soon and overdue task reminders (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按哪一天计算（默认今天），YYYY-MM-DD / the day to count from")

    def handle(self, *args: Any, **opts: Any) -> None:
        on = None
        if opts["date"]:
            try:
                on = dt.date.fromisoformat(opts["date"])
            except ValueError:
                raise CommandError(f"日期应为 YYYY-MM-DD：{opts['date']}") from None
        result = send_reminders(on)
        self.stdout.write(
            f"即将到期提醒 {result.due_soon} 条，逾期提醒 {result.overdue} 条，督导室汇总 {result.digests} 条 / "
            f"{result.due_soon} due-soon, {result.overdue} overdue reminders, {result.digests} digests"
        )
