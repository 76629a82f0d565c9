"""The planning app's stored inputs (births, known changes, grade history) and its plans (:class:`CountyPlan`).

The enrolment forecast (issue #14) reads, besides the census's enrolment by grade:

* :class:`Births` — births per town (or county-wide) and calendar year, from the county's health or public
  security statistics: the entry grade six years later follows them;
* :class:`KnownChange` — a change the history cannot show (a new housing estate): extra pupils entering the
  entry grade of a level each year from a year on;
* :class:`GradeHistory` — enrolment by grade of the years before the platform held the census (学籍/事业统计),
  so progression ratios have a history from the first year on.

:func:`dudao.planning.inputs.forecast_inputs` turns them into the forecast's frames.
"""

from __future__ import annotations

from django.conf import settings
from django.conf import settings as django_settings  # CountyPlan has a field named settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.orgs.models import Region, School


class Births(models.Model):
    """Births of one calendar year in a town of the county (``town`` None: the county as a whole)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）"))
    town = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("乡镇（街道）")
    )
    year = models.PositiveSmallIntegerField(_("出生年份"))
    births = models.PositiveIntegerField(_("出生人口数"))
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("出生人口")
        verbose_name_plural = _("出生人口")
        ordering = ["county", "town", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "town", "year"], condition=models.Q(town__isnull=False), name="births_town_year"
            ),
            models.UniqueConstraint(
                fields=["county", "year"], condition=models.Q(town__isnull=True), name="births_county_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town.name if self.town else self.county.name} {self.year}: {self.births}"


class Level(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")


class KnownChange(models.Model):
    """A known change the history cannot show: ``pupils`` more children entering grade 1 (primary) or 7
    (junior) each year from ``from_year`` on, in a town (``school`` None) or at one school."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）"))
    name = models.CharField(_("名称"), max_length=100)
    town = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("乡镇（街道）")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("学校")
    )
    level = models.CharField(_("学段"), max_length=8, choices=Level.choices)
    from_year = models.PositiveSmallIntegerField(_("起始学年"))
    pupils = models.PositiveIntegerField(_("每年新增入学人数"))
    note = models.TextField(_("说明"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("已知变化")
        verbose_name_plural = _("已知变化")
        ordering = ["county", "from_year", "name"]

    def __str__(self) -> str:
        return self.name


class GradeHistory(models.Model):
    """Pupils of one grade of a school in a school year before the platform held the census."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    year = models.PositiveSmallIntegerField(_("学年"))
    grade = models.PositiveSmallIntegerField(_("年级"))
    students = models.PositiveIntegerField(_("在校生数"))
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("分年级在校生历史数据")
        verbose_name_plural = _("分年级在校生历史数据")
        ordering = ["county", "school", "year", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "grade"], name="grade_history_unique"),
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=9), name="grade_history_grade"),
        ]
        indexes = [models.Index(fields=["county", "year"])]

    def __str__(self) -> str:
        return f"{self.school_id} {self.year} {self.grade}"


class CountyPlan(models.Model):
    """A cheapest plan (达标方案) computed for a county, year and standard from its stored evaluation run:
    the settings it was asked with (unit costs, caps, budget, move cost) and the plan (docs/plan-json.md).
    Stored by ``dudao.planning.plans.make_plan`` (an action with its audit event); never changed."""

    county = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveIntegerField()
    standard_id = models.CharField(max_length=40)
    run = models.ForeignKey(
        "evaluation.EvaluationRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settings = models.JSONField(default=dict)  # {"costs", "caps", "budget", "move_cost", "time_limit"}
    result = models.JSONField(default=dict)  # Plan.as_dict()
    # The county with the plan carried out (the run's what-if): per level, before → after
    effect = models.JSONField(default=dict)
    status = models.CharField(max_length=40, blank=True)
    feasible = models.BooleanField(default=False)
    total_cost = models.FloatField(null=True, blank=True)
    # When the plan was turned into rectification items and department tasks (once), and their ids
    items_created_at = models.DateTimeField(null=True, blank=True)
    item_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("达标方案")
        verbose_name_plural = _("达标方案")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["county", "year", "standard_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year} {self.standard_id} plan #{self.pk}"
