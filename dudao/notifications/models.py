"""A notification: one row per person and event, shown in the header's list and the centre
(通知中心), and delivered on the channels the person chose (docs/adr/0018-notifications.md,
docs/adr/0019-notification-channels.md).

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
    BRIEFING_CALL = "briefing_call", _("简报报送通知")


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


class Channel(models.TextChoices):
    """Where a notification goes besides the site itself (``app``: always)."""

    APP = "app", _("站内通知")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")


class Contact(models.Model):
    """How to reach a person off the site besides their account's e-mail: a mobile number (the SMS
    gateway sends to it; the 企业微信 and 钉钉 group robots @-mention it)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_contact")
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}"


class Preference(models.Model):
    """A person's choice for one kind on one channel; without a row the deployment's default holds
    (``DUDAO_NOTIFY_DEFAULT_CHANNELS``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="notifications_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel} {self.enabled}"


class Delivery(models.Model):
    """One notification on one channel: its state and the attempts so far. Retried with doubling
    waits until sent or ``DUDAO_NOTIFY_MAX_ATTEMPTS`` attempts have failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        RETRY = "retry", _("失败，待重试")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("通知发送")
        verbose_name_plural = _("通知发送")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="notifications_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notifications_due")]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class Attempt(models.Model):
    """One try of a delivery: when, whether it went through, and what went wrong (secrets removed)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at} {self.ok}"
