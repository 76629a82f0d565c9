"""Making notifications and marking them read (the only writes of this app).

E-mail leaves when the surrounding transaction commits, through Django's e-mail framework
(``EMAIL_BACKEND``; the console by default), for people with an address; a failing mail server leaves
the in-app notification standing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from dudao.notifications.models import Kind, Notification

log = logging.getLogger(__name__)


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
    mailed = [n for n in made if n.user.email]
    if mailed:
        transaction.on_commit(lambda: _mail(mailed), robust=True)
    return made


def link(notification: Notification) -> str:
    """The notification's address for a message sent off the site."""
    site = str(settings.DUDAO_SITE_URL).rstrip("/")
    return f"{site}{notification.url or reverse('notifications:centre')}"


def _mail(notifications: list[Notification]) -> None:
    for n in notifications:
        body = f"{n.message_zh}\n\n{n.message_en}\n\n{link(n)}\n"
        try:
            send_mail(f"【督导】{n.message_zh[:60]}", body, None, [n.user.email])
        except OSError:  # the mail server is down: the in-app notification stands
            log.exception("could not e-mail notification %s", n.pk)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed=True)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all when ``ids`` is None); returns how many."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
