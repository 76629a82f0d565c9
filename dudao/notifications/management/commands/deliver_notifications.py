"""``dudao deliver_notifications``: try again the deliveries whose time has come (run it every minute
from cron or a systemd timer; see docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dudao.notifications.actions import deliver_due
from dudao.notifications.models import Delivery


class Command(BaseCommand):
    help = "发送到期的通知（失败的按间隔重试）/ deliver due notifications, retrying failed ones with backoff"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="at most this many in one run")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        done = deliver_due(limit=max(limit, 1))
        sent, retry, failed = (done[s] for s in (Delivery.Status.SENT, Delivery.Status.RETRY, Delivery.Status.FAILED))
        zh = f"已发送 {sent} 条，待重试 {retry} 条，发送失败 {failed} 条"
        self.stdout.write(f"{zh} / sent {sent}, to retry {retry}, failed {failed}")
