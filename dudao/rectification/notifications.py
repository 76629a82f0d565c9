"""Notifications: a row per person in the application (the header's list) and, for a person with
an e-mail address, a message through Django's e-mail framework (``EMAIL_BACKEND``; the console by
default). A notification has a key — the event it reports, or the task and day of a reminder — and
is made at most once per person and key, so a reminder run twice a day sends nothing new.

E-mails go out when the surrounding transaction commits (nothing is sent for a refused action).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from dudao.orgs.models import Department, Membership, Region, Role
from dudao.rectification.models import Notification, Task

log = logging.getLogger(__name__)


def clerks(departments: Iterable[Department | int]) -> QuerySet[User]:
    """The active clerks of these departments."""
    ids = [d if isinstance(d, int) else d.pk for d in departments]
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(role=Role.DEPARTMENT_CLERK, department_id__in=ids).values("user_id"),
    )


def supervisors(county: Region) -> QuerySet[User]:
    """The county supervision office's people."""
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(role=Role.COUNTY_SUPERVISOR, region=county).values("user_id"),
    )


def task_url(task: Task) -> str:
    return reverse("rectification:task", args=[task.pk])


def notify(
    users: Iterable[User], kind: str, key: str, message_zh: str, message_en: str, task: Task | None = None
) -> list[Notification]:
    """One notification per user for ``key`` (skipped where the user already has it)."""
    made = []
    for user in users:
        try:
            with transaction.atomic():
                made.append(
                    Notification.objects.create(
                        user=user, kind=kind, key=key, task=task, message_zh=message_zh, message_en=message_en
                    )
                )
        except IntegrityError:  # already notified of this
            continue
    mailed = [n for n in made if n.user.email]
    if mailed:
        transaction.on_commit(lambda: _mail(mailed), robust=True)
    return made


def _mail(notifications: list[Notification]) -> None:
    site = str(getattr(settings, "DUDAO_SITE_URL", "")).rstrip("/")
    for n in notifications:
        link = f"{site}{task_url(n.task)}" if n.task is not None else f"{site}{reverse('rectification:notifications')}"
        body = f"{n.message_zh}\n\n{n.message_en}\n\n{link}\n"
        try:
            send_mail(f"【督导】{n.message_zh[:60]}", body, None, [n.user.email])
        except OSError:  # the mail server is down: the in-app notification stands, the next run retries nothing
            log.exception("could not e-mail notification %s to %s", n.pk, n.user.email)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed=True)
