"""``dudao seed_rectification_demo``: the rectification demo of 示范县 (see dudao/rectification/demo.py
and docs/demo.md): items from the 2025 evaluation, the county's work plan with tasks in every state,
an inspector's finding, liaison schools, two consultation meetings and a bulletin. Needs
``dudao seed_demo`` first. Running it again changes nothing; ``--reset`` deletes it and writes it anew."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.evaluation.actions import EvaluationError
from dudao.rectification import demo
from dudao.rectification.actions import RectificationError


class Command(BaseCommand):
    help = "写入示范县整改督办示范数据 / Seed 示范县's rectification demo (after seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="先删除已有整改示范数据 / delete it first")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["reset"]:
            deleted = demo.reset()
            self.stdout.write(f"已删除整改示范数据 {deleted} 行 / deleted {deleted} rows")
        try:
            summary = demo.seed()
        except (demo.DemoMissing, EvaluationError, RectificationError) as error:
            raise CommandError(getattr(error, "message_zh", None) or str(error)) from None
        if not summary.seeded:
            self.stdout.write("整改示范数据已存在，未作改动（--reset 可重建） / already there; nothing changed")
            return
        units = "、".join(summary.overdue_units) or "无"
        self.stdout.write(
            f"整改示范数据已写入：整改事项 {summary.items} 项，任务 {summary.tasks} 项；通报点名逾期单位：{units}\n"
            f"rectification demo written: {summary.items} items, {summary.tasks} tasks. "
            "Log in as county (督导室) or finance, hr, development, housing, staffing, edu-equipment (部门联络员)."
        )
