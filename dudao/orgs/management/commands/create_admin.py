"""``dudao create_admin (--province CODE | --city CODE | --county CODE) --username NAME [--name REGION]
[--parent CODE] [--province-name NAME] [--city-name NAME] [--full-name NAME] [--phone PHONE] [--email EMAIL]``:
the first administrator of a region, creating the region when it does not exist yet, and with
``--province-name``/``--city-name`` its missing province and city too (so a new county starts from an empty
database with one command). The temporary password is printed once; it must be changed at the first login."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dudao.actors import system
from dudao.orgs.actions import OrgsError, create_admin


class Command(BaseCommand):
    help = (
        "创建一个区域的管理员（区域不存在时一并创建），打印一次临时密码 / Create a region's administrator "
        "(and the region if it does not exist yet); prints the temporary password once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        level = parser.add_mutually_exclusive_group(required=True)
        level.add_argument("--province", metavar="CODE", help="省级行政区划代码（2 位），如 13")
        level.add_argument("--city", metavar="CODE", help="市级行政区划代码（4 位），如 1301")
        level.add_argument("--county", metavar="CODE", help="县级行政区划代码（6 位），如 130135")
        parser.add_argument("--name", default="", help="区域名称（区域尚未登记时必填），如 河北省")
        parser.add_argument("--parent", default="", help="上级区域代码（默认取代码的前 2 或 4 位）")
        parser.add_argument("--province-name", default="", help="上级省尚未登记时一并登记，给出其名称，如 河北省")
        parser.add_argument("--city-name", default="", help="上级市尚未登记时一并登记，给出其名称，如 示范市")
        parser.add_argument("--username", required=True, help="管理员的用户名")
        parser.add_argument("--full-name", default="", help="管理员姓名（默认“<区域>管理员”）")
        parser.add_argument("--phone", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        level = next(lv for lv in ("province", "city", "county") if opts[lv])
        try:
            made = create_admin(
                system("command create_admin"),
                level,
                opts[level],
                username=opts["username"],
                region_name=opts["name"],
                name=opts["full_name"],
                parent_code=opts["parent"],
                phone=opts["phone"],
                email=opts["email"],
                parent_names={"province": opts["province_name"], "city": opts["city_name"]},
            )
        except OrgsError as error:
            raise CommandError(f"{error.message_zh} / {error.message_en}") from error
        region = made.region
        for parent in made.parents_created:
            self.stderr.write(f"已登记区域 {parent.name}（{parent.code}）/ region {parent.code} created")
        if made.region_created:
            self.stderr.write(f"已登记区域 {region.name}（{region.code}）/ region {region.code} created")
        self.stderr.write(
            f"已创建 {region.name} 的管理员 {made.user.username}。临时密码只显示这一次，首次登录时必须修改：\n"
            f"administrator {made.user.username} of {region.code} created. The temporary password is shown this "
            "once and must be changed at the first login:"
        )
        self.stdout.write(made.password)
