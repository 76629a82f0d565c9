"""The centre's table (downloadable like every table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.notifications.models import Delivery, Notification
from dudao.tables import Column, Table


def _local(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def notifications_table(rows_in: Iterable[Notification], lang: str) -> Table:
    columns = [Column("message", _("内容")), Column("kind", _("类别")), Column("at", _("时间")),
               Column("read", _("状态"))]  # fmt: skip
    rows = [
        {"message": n.message(lang), "kind": n.get_kind_display(),
         "at": _local(n.created_at),
         "read": _("已读") if n.read_at else _("未读"), "_row_class": "" if n.read_at else "unread",
         "_href": {"message": n.url} if n.url else {}}
        for n in rows_in
    ]  # fmt: skip
    return Table("notifications", _("通知"), columns, rows)


def deliveries_table(rows_in: Iterable[Delivery], lang: str) -> Table:
    """The delivery log: each notification on each channel, its state, attempts and last error."""
    columns = [
        Column("message", _("通知")), Column("channel", _("渠道")), Column("status", _("状态")),
        Column("attempts", _("尝试次数"), "int"), Column("when", _("时间")), Column("error", _("说明")),
    ]  # fmt: skip
    css: dict[str, str] = {Delivery.Status.SENT: "ok", Delivery.Status.FAILED: "bad", Delivery.Status.RETRY: "warn"}
    rows = []
    for d in rows_in:
        when = d.sent_at if d.status == Delivery.Status.SENT else d.next_attempt_at
        note = d.last_error
        if d.status == Delivery.Status.RETRY and d.next_attempt_at:
            note = _("%(error)s（将于 %(at)s 重试）") % {"error": d.last_error, "at": _local(d.next_attempt_at)}
        rows.append({"message": d.notification.message(lang), "channel": d.get_channel_display(),
                     "status": d.get_status_display(), "attempts": d.attempts, "when": _local(when),
                     "error": note, "_class": {"status": css.get(d.status, "")},
                     "_href": {"message": d.notification.url} if d.notification.url else {}})  # fmt: skip
    return Table("deliveries", _("发送记录"), columns, rows)
