"""``dudao evaluate_stale``: bring every out-of-date stored result up to date now (the sweep the task
queue's schedule runs every five minutes; ADR 0020)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dudao.evaluation.jobs import refresh_stale
from dudao.evaluation.models import RefreshFailure


class Command(BaseCommand):
    help = "重新评估数据已变动的县（已有评估结果的）/ re-evaluate every stored result whose data changed"

    def handle(self, *args: Any, **opts: Any) -> None:
        made = refresh_stale()
        self.stdout.write(f"已更新 {len(made)} 个评估结果 / {len(made)} result(s) brought up to date")
        for failure in RefreshFailure.objects.select_related("county").order_by("county__code", "year"):
            self.stdout.write(
                f"{failure.county.name}（{failure.county.code}）{failure.year} {failure.standard_id}："
                f"{failure.message_zh} / {failure.message_en}"
            )
