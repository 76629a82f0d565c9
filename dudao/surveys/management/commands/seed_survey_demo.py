from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.surveys import demo


class Command(BaseCommand):
    help = "写入示范县社会认可度调查示范数据 / Seed 示范县's public-recognition survey demo (after seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="先删除已有调查示范数据 / delete it first")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["reset"]:
            deleted = demo.reset()
            self.stdout.write(f"已删除调查示范数据 {deleted} 行 / deleted {deleted} rows")
        try:
            survey = demo.seed()
        except demo.DemoMissing as error:
            raise CommandError(str(error)) from None
        if survey is None:
            self.stdout.write("调查示范数据已存在，未作改动（--reset 可重建） / already there; nothing changed")
        else:
            n = survey.responses.count()
            self.stdout.write(
                f"已创建调查“{survey.title}”，{n} 份答卷 / created the demo survey with {n} responses: "
                f"/surveys/{survey.pk}/ (public link /s/{survey.key}/parent/)"
            )
        rate = demo.to_evaluation()
        if rate is not None:
            self.stdout.write(f"认可度 {rate * 100:.1f}% 已写入评估指标 SR-01 / recognition rate written to SR-01")
