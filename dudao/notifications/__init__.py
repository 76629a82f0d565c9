"""Notifications (通知): the one interface every app calls to tell people something.

    from dudao.notifications import Kind, notify

    notify(clerks, Kind.CENSUS_RETURNED, f"census_returned:{event.pk}",
           "示范县第五小学 2025 学年小学数据被退回：……", "The 2025 primary figures of … were returned: …",
           url=reverse("census:school", args=[code, 2025]))

One row per person and ``key`` (a second call with the same key notifies nobody twice), shown in the
header's list and the centre at ``/notifications/``, and delivered by e-mail when the transaction
commits. The implementation is in :mod:`dudao.notifications.actions`; this module only forwards, so
importing it never loads models before Django is ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from dudao.notifications.models import Notification


def notify(
    users: Iterable[User], kind: str, key: str, message_zh: str, message_en: str, url: str = ""
) -> list[Notification]:
    """Notify each of ``users`` once for ``key`` (those who already have it are skipped); returns the
    notifications made. ``kind`` is a :class:`~dudao.notifications.models.Kind` value, ``url`` a path
    on this site (``reverse(...)``) or "". Call it inside the action's transaction: a rolled-back
    action notifies nobody, and deliveries leave only after the commit."""
    from dudao.notifications.actions import notify as _notify

    return _notify(users, kind, key, message_zh, message_en, url)


def __getattr__(name: str) -> Any:
    if name == "Kind":  # dudao.notifications.Kind, once the app registry is ready
        from dudao.notifications.models import Kind

        return Kind
    raise AttributeError(name)
