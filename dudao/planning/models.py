"""The planning app's stored inputs (births, known changes) and plans; each part adds its own models."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
