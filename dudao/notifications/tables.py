"""The centre's table (downloadable like every table)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.notifications.models import Notification
from dudao.tables import Column, Table


def notifications_table(rows_in: Iterable[Notification], lang: str) -> Table:
    columns = [Column("message", _("内容")), Column("kind", _("类别")), Column("at", _("时间")),
               Column("read", _("状态"))]  # fmt: skip
    rows = [
        {"message": n.message(lang), "kind": n.get_kind_display(),
         "at": timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M"),
         "read": _("已读") if n.read_at else _("未读"), "_row_class": "" if n.read_at else "unread",
         "_href": {"message": n.url} if n.url else {}}
        for n in rows_in
    ]  # fmt: skip
    return Table("notifications", _("通知"), columns, rows)
