"""The visible record of a background job (后台任务): who asked for what, over which place and year, how far
it has come, and how it ended (docs/adr/0031-background-jobs.md).

A job is queued by an action (``dudao.jobs.actions``) and run by the Celery task
``dudao.jobs.tasks.run_job``, which keeps this record up to date; pages only read it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.orgs.models import Region


class Job(models.Model):
    class Kind(models.TextChoices):
        EVALUATE = "evaluate", _("批量评估")
        REPORTS = "reports", _("报告与佐证材料打包")
        IMPORT = "import", _("统计数据导入")
        SURVEY_EXPORT = "survey_export", _("调查结果导出")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("申请人")
    )
    requested_label = models.CharField(_("申请人"), max_length=150)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    year = models.PositiveSmallIntegerField(_("学年"))
    standard_id = models.CharField(_("标准"), max_length=64)
    # What the job works on: {"counties": [pk, ...], ...} (each kind reads its own keys).
    params = models.JSONField(default=dict)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    # One entry per item done: {"county": pk, "name": ..., "ok": bool, "message": ...}; a retried or
    # redelivered job skips the items already here (idempotent).
    outcomes = models.JSONField(default=list)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    result = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("结果文件名"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "kind"]), models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.region.name} · {self.year}"

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.state == self.State.DONE else 0)

    def counties(self) -> list[int]:
        return [int(pk) for pk in self.params.get("counties", [])]

    def failed_items(self) -> list[dict[str, Any]]:
        return [o for o in self.outcomes if not o.get("ok")]
