"""Every write of this app: making notifications (with their deliveries), delivering them, the
person's own choices of channels, and read marks.

Delivery (docs/adr/0019-notification-channels.md): :func:`notify` writes a :class:`Delivery` per
channel the person receives the kind on; after the transaction commits each is tried once at once;
:func:`deliver_due` (``dudao deliver_notifications``, from cron or a systemd timer) tries again
those that failed, waiting ``DUDAO_NOTIFY_RETRY_SECONDS`` × 2ⁿ⁻¹ after the n-th failure, until
``DUDAO_NOTIFY_MAX_ATTEMPTS``. :func:`deliver` is idempotent — a delivery already sent, not yet due,
or being sent by another worker is left alone — so a queue may call it as often as it likes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.errors import ActionError
from dudao.notifications.channels import CHANNELS, SENT_CHANNELS, Result, offered
from dudao.notifications.models import Attempt, Contact, Delivery, Kind, Notification, Preference

log = logging.getLogger(__name__)
MOBILE = re.compile(r"1[3-9]\d{9}")
OPEN = (Delivery.Status.PENDING, Delivery.Status.RETRY)


class NotificationError(ActionError):
    """A refused notification setting (docs/adr/0026)."""


def notify(
    users: Iterable[User], kind: str, key: str, message_zh: str, message_en: str, url: str = ""
) -> list[Notification]:
    """See :func:`dudao.notifications.notify`."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r} (one of {', '.join(Kind.values)})")
    if url and not url.startswith("/"):
        raise ValueError(f"a notification's url is a path on this site, not {url!r}")
    made = []
    for user in users:
        try:
            with transaction.atomic():
                made.append(
                    Notification.objects.create(
                        user=user, kind=kind, key=key, message_zh=message_zh, message_en=message_en, url=url
                    )
                )
        except IntegrityError:  # already notified of this
            continue
    if made:
        ids = _plan_deliveries(made, kind)
        if ids:
            transaction.on_commit(lambda: _queue_delivery(ids), robust=True)
    return made


def _queue_delivery(ids: list[int]) -> None:
    """Hand the deliveries to the queue (a worker; in-process without a broker: ADR 0020)."""
    from dudao.notifications.tasks import deliver_notifications

    deliver_notifications.delay(ids)


def chosen(users: list[User], kinds: Iterable[str]) -> dict[tuple[int, str, str], bool]:
    """(user id, kind, channel) → on, for every channel this deployment offers besides the site:
    the person's choice, else the default (``DUDAO_NOTIFY_DEFAULT_CHANNELS``). One query."""
    kinds = list(kinds)
    channels = [c for c in offered() if c in SENT_CHANNELS]
    default = set(settings.DUDAO_NOTIFY_DEFAULT_CHANNELS)
    out = {(u.pk, k, c): c in default for u in users for k in kinds for c in channels}
    rows = Preference.objects.filter(user__in=users, kind__in=kinds, channel__in=channels)
    for user_id, kind, channel, enabled in rows.values_list("user_id", "kind", "channel", "enabled"):
        out[(user_id, kind, channel)] = enabled
    return out


def mobiles(users: list[User]) -> dict[int, str]:
    return dict(Contact.objects.filter(user__in=users).exclude(mobile="").values_list("user_id", "mobile"))


def _plan_deliveries(made: list[Notification], kind: str) -> list[int]:
    users = [n.user for n in made]
    on, numbers, now = chosen(users, [kind]), mobiles(users), timezone.now()
    rows = [
        Delivery(notification=n, channel=channel, next_attempt_at=now)
        for n in made
        for (user_id, _kind, channel), enabled in on.items()
        if enabled and user_id == n.user_id and CHANNELS[channel].reachable(n.user, numbers.get(user_id, ""))
    ]
    return [d.pk for d in Delivery.objects.bulk_create(rows)] if rows else []


def retry_after(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: the base doubled each time."""
    return dt.timedelta(seconds=settings.DUDAO_NOTIFY_RETRY_SECONDS * 2 ** (attempts - 1))


def deliver(delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Try one delivery if it is due (pending or to be retried, its time come); returns it, or None
    when there was nothing to do. The row stays locked while it is tried, so two workers never send
    the same delivery twice; a crash before the commit leaves it to be tried again (at least once)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
            .filter(pk=delivery_id, status__in=OPEN, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        notification = Notification.objects.select_related("user").get(pk=delivery.notification_id)
        result = CHANNELS[delivery.channel].deliver(notification)
        _record(delivery, result, now)
    return delivery


def _record(delivery: Delivery, result: Result, now: dt.datetime) -> None:
    delivery.attempts += 1
    Attempt.objects.create(delivery=delivery, ok=result.ok, error=result.error)
    if result.ok:
        delivery.status, delivery.sent_at, delivery.next_attempt_at, delivery.last_error = (
            Delivery.Status.SENT, now, None, ""
        )  # fmt: skip
    else:
        delivery.last_error = result.error
        if result.retry and delivery.attempts < settings.DUDAO_NOTIFY_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = Delivery.Status.RETRY, now + retry_after(delivery.attempts)
        else:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        log.warning(
            "notification %s: %s delivery %s failed (attempt %s, now %s): %s",
            delivery.notification_id, delivery.channel, delivery.pk, delivery.attempts, delivery.status, result.error,
        )  # fmt: skip
    delivery.save()


def deliver_all(ids: Iterable[int], now: dt.datetime | None = None) -> Counter[str]:
    """Try each of these deliveries (see :func:`deliver`); the count of what became of them."""
    done: Counter[str] = Counter()
    for pk in ids:
        delivery = deliver(pk, now)
        if delivery is not None:
            done[delivery.status] += 1
    return done


def deliver_due(now: dt.datetime | None = None, limit: int = 1000) -> Counter[str]:
    """Try every delivery whose time has come, the longest waiting first (at most ``limit``)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status__in=OPEN, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")
    return deliver_all(list(due.values_list("pk", flat=True)[:limit]), now)


def set_preferences(user: User, mobile: str, enabled: Iterable[tuple[str, str]]) -> None:
    """The person's own choices: their mobile number ("" for none) and, for every kind and every
    channel offered, on or off (``enabled`` lists the (kind, channel) pairs that are on)."""
    mobile = re.sub(r"[\s-]", "", mobile or "").removeprefix("+86")
    if mobile and not MOBILE.fullmatch(mobile):
        raise NotificationError(
            "bad_mobile", gettext_lazy("手机号码“%(mobile_20)s”应为 11 位数字，以 1 开头"), mobile_20=mobile[:20]
        )
    on = set(enabled)
    channels = [c for c in offered() if c in SENT_CHANNELS]
    unknown = {(k, c) for k, c in on if k not in Kind.values or c not in channels}
    if unknown:
        shown = ", ".join(f"{kind}/{channel}" for kind, channel in sorted(unknown))
        raise NotificationError("bad_choice", gettext_lazy("所选通知方式无效：%(choices)s"), choices=shown)
    with transaction.atomic():
        Contact.objects.update_or_create(user=user, defaults={"mobile": mobile})
        Preference.objects.filter(user=user, channel__in=channels).delete()
        Preference.objects.bulk_create(
            Preference(user=user, kind=k, channel=c, enabled=(k, c) in on) for k in Kind.values for c in channels
        )


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all when ``ids`` is None); returns how many."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
