"""The survey of a county's round, its versioned questionnaires per group, one-use tokens, the
anonymous responses and the short-lived rate-limit counters.

Privacy: a response stores no account, no address and no device id. Rate limiting keeps, per
window of ``RATE_WINDOW`` seconds, a counter keyed by a salted SHA-256 of the address (and of a
random device cookie); counters older than ``RATE_KEEP`` are deleted on the next submission."""

from __future__ import annotations

import secrets
from functools import cache

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.standards import load
from dudao.surveys.questionnaire import GROUPS

GROUP_CHOICES = list(GROUPS.items())
RATE_WINDOW = 600  # seconds
RATE_KEEP = 3600  # seconds a counter is kept at most

DEFAULT_CONFIG = {
    "per_mille": 1.5,  # [M] the standard's sample rate of the resident population
    "minimum": 600,  # [M]
    "parent_share": 0.5,  # [M] parents at least half
    "full_policy": "stop",  # stop | accept
    "recognition_items": ["overall"],
    "recognition_answers": ["满意", "比较满意"],
    "min_seconds_per_item": 1.5,  # faster than this per answered item: flagged "too_fast"
    "straight_min_items": 6,  # this many identical Likert answers or more: flagged "straight"
    "burst_per_window": 20,  # responses from one address in a window beyond this: flagged "burst"
    "address_limit": 120,  # per address and window: refused (429) beyond this on open links
    "device_limit": 3,  # per device cookie and window: refused beyond this on open links
}


# The county item the survey's rate feeds, and the standard it belongs to.
RECOGNITION_STANDARD, RECOGNITION_ITEM = "national-2017", "SR-01"


@cache
def default_config() -> dict[str, object]:
    """The defaults above, with the pass line read from the standard's SR-01 threshold (the survey
    passes exactly when the evaluation's 社会认可度 item would)."""
    standard = load(RECOGNITION_STANDARD)
    item = next(i for area in standard.areas for i in area.items if i.code == RECOGNITION_ITEM)
    return {**DEFAULT_CONFIG, "threshold": float(item.threshold.value)}


def new_key() -> str:
    return secrets.token_urlsafe(9)


def new_token() -> str:
    return secrets.token_urlsafe(12)


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("未开始")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    county = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="surveys")
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    key = models.CharField(max_length=16, unique=True, default=new_key, editable=False)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    config = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def setting(self, name: str) -> object:
        return self.config.get(name, default_config()[name])


class Questionnaire(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questionnaires")
    group = models.CharField(max_length=16, choices=GROUP_CHOICES)
    version = models.PositiveIntegerField(default=1)
    intro = models.CharField(max_length=300, blank=True)
    items = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "group", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "group", "version"], name="survey_questionnaire_version")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.group}/v{self.version}"


class Token(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tokens")
    group = models.CharField(max_length=16, choices=GROUP_CHOICES)
    code = models.CharField(max_length=32, unique=True, default=new_token)
    label = models.CharField(max_length=100, blank=True)  # e.g. the school and class it was printed for
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class Response(models.Model):
    class Review(models.TextChoices):
        NONE = "", _("无需复核")
        PENDING = "pending", _("待复核")
        KEPT = "kept", _("复核保留")
        EXCLUDED = "excluded", _("复核剔除")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    group = models.CharField(max_length=16, choices=GROUP_CHOICES)
    # The database refuses a second response with the same token: one-use also under double submits.
    token = models.OneToOneField(Token, on_delete=models.PROTECT, null=True, blank=True, related_name="response")
    answers = models.JSONField()
    seconds = models.PositiveIntegerField(null=True, blank=True)
    flags = models.JSONField(default=list)
    review = models.CharField(max_length=8, choices=Review.choices, default="", blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "group"])]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.group}/{self.pk}"


class RateCounter(models.Model):
    key = models.CharField(max_length=64)  # salted SHA-256 of the address or device cookie
    window = models.BigIntegerField()  # unix time // RATE_WINDOW
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="survey_rate_key_window")]

    def __str__(self) -> str:
        return f"{self.window}:{self.count}"
