"""A notification: one row per person and event, shown in the header's list and the centre
(通知中心), and delivered on the channels the person chose (docs/adr/0018-notifications.md).

``key`` says what makes it the same notification — the event it reports (``task_accepted:<event>``)
or the thing and day of a reminder (``task_due:<task>:<day>``) — and is unique per person, so a
reminder run twice a day notifies nobody twice. ``url`` is a path on this site (the task, the
school's census page); the e-mail and the webhooks prefix it with ``DUDAO_SITE_URL``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification reports. Apps pass these values to :func:`dudao.notifications.notify`."""

    CENSUS_RETURNED = "census_returned", _("填报被退回")
    CENSUS_APPROVED = "census_approved", _("填报已审核")
    CENSUS_REMINDER = "census_reminder", _("填报催报")
    TASK_ASSIGNED = "task_assigned", _("新任务")
    TASK_DUE = "task_due", _("任务即将到期")
    TASK_OVERDUE = "task_overdue", _("任务已逾期")
    TASK_RETURNED = "task_returned", _("任务被退回")
    TASK_ACCEPTED = "task_accepted", _("任务已验收")
    TASK_SUBMITTED = "task_submitted", _("任务待验收")
    FINDING = "finding", _("督导发现问题")


class Notification(models.Model):
    Kind = Kind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    key = models.CharField(max_length=100)
    message_zh = models.TextField()
    message_en = models.TextField()
    url = models.CharField(max_length=300, blank=True)  # a path on this site, "" for none
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notifications_once_per_user")]
        indexes = [models.Index(fields=["user", "read_at"], name="notifications_unread")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"

    def message(self, lang: str) -> str:
        return self.message_en if lang.startswith("en") else self.message_zh
