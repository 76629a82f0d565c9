"""The survey of a county's round, its versioned questionnaires per group, one-use tokens, the
anonymous responses and the short-lived rate-limit counters.

Privacy: a response stores no account, no address and no device id. Rate limiting keeps, per
window of ``RATE_WINDOW`` seconds, a counter keyed by a salted SHA-256 of the address (and of a
random device cookie); counters older than ``RATE_KEEP`` are deleted on the next submission."""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.standards import load
from dudao.surveys.questionnaire import GROUPS

GROUP_CHOICES = list(GROUPS.items())
RATE_WINDOW = 600  # seconds
RATE_KEEP = 3600  # seconds a counter is kept at most

DEFAULT_CONFIG = {
    # per_mille, minimum and parent_share come from the standard's survey_sample (default_config).
    "sample_rule": "rate",  # rate: per_mille of the population, at least minimum | tiers: preschool table
    "split_by": [],  # divide the groups' quotas by "town" (resident population) and/or "stage" (evenly)
    "full_policy": "stop",  # stop | accept
    "recognition_items": ["overall"],
    "recognition_answers": ["满意", "比较满意"],
    "min_seconds_per_item": 1.5,  # faster than this per answered item: flagged "too_fast"
    "straight_min_items": 6,  # this many identical Likert answers or more: flagged "straight"
    "burst_per_window": 10,  # open-link responses from one address in a window beyond this: flagged "burst"
    "address_limit": 20,  # per address and window: refused (429) beyond this on open links
    "token_address_limit": 60,  # per address and window: refused beyond this with one-use codes
    "device_limit": 3,  # per device cookie and window: refused beyond this on open links
}


# The county item the survey's rate feeds, and the standard it belongs to; the standard whose
# tiered sample table is the alternative sample rule.
RECOGNITION_STANDARD, RECOGNITION_ITEM = "national-2017", "SR-01"
TIERS_STANDARD = "preschool-2020"
SPLITS = ("town", "stage")


@cache
def default_config() -> dict[str, Any]:
    """The defaults above, with the sample rule and the pass line read from the standard: its
    survey_sample and its SR-01 threshold (the survey passes exactly when the evaluation's
    社会认可度 item would)."""
    standard = load(RECOGNITION_STANDARD)
    item = next(i for area in standard.areas for i in area.items if i.code == RECOGNITION_ITEM)
    sample = standard.survey_sample
    assert sample is not None and sample.per_mille and sample.minimum and sample.parent_share
    assert item.threshold is not None
    return {
        **DEFAULT_CONFIG, "threshold": float(item.threshold.value), "per_mille": float(sample.per_mille.value),
        "minimum": int(sample.minimum.value), "parent_share": float(sample.parent_share.value),
    }  # fmt: skip


@cache
def sample_tiers() -> list[tuple[int | None, dict[str, int]]]:
    """The tiered sample table (preschool 2020, 济源), rows of (population below, quotas by column)."""
    sample = load(TIERS_STANDARD).survey_sample
    assert sample is not None and sample.tiers
    return [(t.below, dict(t.groups)) for t in sample.tiers]


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
    # The sample plan worked out from config and population (actions.replan): {"groups": {group: n},
    # "cells": [[group, town, stage, n], ...], "towns": {code: name}, "stages": {group: [stage, ...]}}.
    plan = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def setting(self, name: str) -> Any:
        """A value of the survey's config (JSON: a number, a text or a list), else its default."""
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
    # Where the answer counts in the sample plan: the school of the link (if any), its town (or the
    # town the respondent chose) and the school stage answered; nothing else identifies anyone.
    school = models.ForeignKey("orgs.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    town = models.CharField(max_length=20, blank=True, default="")
    stage = models.CharField(max_length=20, blank=True, default="")
    seconds = models.PositiveIntegerField(null=True, blank=True)
    flags = models.JSONField(default=list)
    review = models.CharField(max_length=8, choices=Review.choices, default="", blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "group"])]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.group}/{self.pk}"


class QuotaCount(models.Model):
    """The answers counted so far in one cell of the sample plan (reviewers' exclusions deducted):
    one conditional UPDATE takes a place, so a full cell refuses exactly at its quota, also under
    concurrent submits. ``actions.recount`` rebuilds the counts from the responses."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quota_counts")
    group = models.CharField(max_length=16, choices=GROUP_CHOICES)
    town = models.CharField(max_length=20, blank=True, default="")
    stage = models.CharField(max_length=20, blank=True, default="")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "group", "town", "stage"], name="survey_quota_count_cell")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.group}/{self.town}/{self.stage}: {self.count}"


class RateCounter(models.Model):
    key = models.CharField(max_length=64)  # salted SHA-256 of the address or device cookie
    window = models.BigIntegerField()  # unix time // RATE_WINDOW
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="survey_rate_key_window")]

    def __str__(self) -> str:
        return f"{self.window}:{self.count}"
