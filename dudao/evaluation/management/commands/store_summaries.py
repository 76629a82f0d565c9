"""``dudao store_summaries``: store every county's census readiness per school year and make the
out-of-date flags of the stored results say what the data versions say (docs/adr/0033). Run once
after upgrading to the release that added them (the actions keep them up to date from then on); safe
to run again at any time: it only writes what the data say."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from dudao.census import readiness
from dudao.evaluation.jobs import latest_and_stale, settle


class Command(BaseCommand):
    help = "存储各县填报进度汇总并校正评估结果的过期标记 / store county summaries and out-of-date flags"

    def handle(self, *args: Any, **opts: Any) -> None:
        with transaction.atomic():
            rows = readiness.store_all()
            latest, stale = latest_and_stale()
            settle(latest, stale)
        self.stdout.write(
            f"已存储 {rows} 条填报进度汇总；{len(latest)} 个评估结果中 {len(stale)} 个已过期 / "
            f"{rows} readiness row(s) stored; {len(stale)} of {len(latest)} stored result(s) out of date"
        )
