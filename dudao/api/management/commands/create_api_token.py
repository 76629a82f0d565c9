"""Issue an API token for a user: ``dudao create_api_token <username> <name>``.

The key is printed once, on standard output, and never stored (only its hash is); keep it safe. The
token acts with exactly the user's roles. Delete the ApiToken row to revoke it.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dudao.api.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key once (only a hash is stored)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="the user the token acts as")
        parser.add_argument("name", help="what the token is for, e.g. 'city data warehouse'")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在 / no user {username!r}")
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用 / user {username!r} is inactive")
        if ApiToken.objects.filter(user=user, name=name).exists():
            raise CommandError(f"该用户已有名为“{name}”的令牌 / {username!r} already has a token named {name!r}")
        token, key = ApiToken.issue(user, name)
        self.stderr.write(
            f"已为 {username} 创建令牌“{name}”（{token.prefix}…）。密钥只显示这一次：\n"
            f"token {name!r} created for {username} ({token.prefix}…). The key is shown this once:"
        )
        self.stdout.write(key)
