"""``dudao unlock USERNAME [--address IP] --why TEXT``: lift a login lock-out at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.actors import system
from dudao.security.actions import UnlockError, lift_lockout


class Command(BaseCommand):
    help = "解除登录锁定（账号或网络地址），原因记入操作记录 / lift a login lock-out (account or address), audited"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="", help="被锁定的用户名 / the locked username")
        parser.add_argument("--address", default="", help="被锁定的网络地址 / the locked IP address")
        parser.add_argument("--why", required=True, help="解除原因 / the reason, for the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            removed = lift_lockout(
                system("command unlock"), username=options["username"], address=options["address"], why=options["why"]
            )
        except UnlockError as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}") from None
        self.stdout.write(f"已解除 / lifted: {removed}")
