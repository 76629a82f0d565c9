"""On-site sampling (实地核验): a recorded random draw of schools and the inspectors' findings.

A draw is never edited: its seed, parameters and the run it drew from are kept, so anyone can draw
again from the same run with the same seed and get the same schools (``sampling.reproduce``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.evaluation.models import EvaluationRun
from dudao.evidence import StoredFile
from dudao.orgs.models import Region
from dudao.rectification.models import RectificationItem


class SamplingDraw(models.Model):
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sampling_draws")
    year = models.PositiveSmallIntegerField(_("学年"))
    standard_id = models.CharField(_("评估标准"), max_length=32)
    run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, related_name="+")
    seed = models.BigIntegerField(_("随机种子"))
    per_stratum = models.PositiveSmallIntegerField(_("每层抽取校数"))
    failing_weight = models.FloatField(_("未达标学校权重"), default=1.0)
    strata = models.JSONField(default=list)  # [{"level", "location", "population", "drawn"}]
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("实地核验抽样")
        verbose_name_plural = _("实地核验抽样")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year} seed={self.seed}"


class SampledSchool(models.Model):
    draw = models.ForeignKey(SamplingDraw, on_delete=models.PROTECT, related_name="schools")
    order = models.PositiveSmallIntegerField()
    school_code = models.CharField(_("学校标识码"), max_length=32)
    school_name = models.CharField(_("学校名称"), max_length=100)
    level = models.CharField(_("学段"), max_length=8)
    location = models.CharField(_("城乡类型"), max_length=8)
    passed = models.BooleanField(_("每校要求"), null=True)

    class Meta:
        ordering = ["draw", "order"]
        constraints = [models.UniqueConstraint(fields=["draw", "school_code", "level"], name="sampled_school_unique")]

    def __str__(self) -> str:
        return f"{self.school_name}（{self.level}）"


class Finding(models.Model):
    """What an inspector found at a sampled school; it becomes a rectification item (督导检查发现)."""

    sampled = models.ForeignKey(SampledSchool, on_delete=models.PROTECT, related_name="findings")
    indicator = models.CharField(_("指标"), max_length=16, blank=True)
    text = models.TextField(_("核验发现"))
    observed = models.FloatField(_("核实值"), null=True, blank=True)
    item = models.OneToOneField(RectificationItem, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class ReportTemplate(StoredFile):
    """A county's own report template (.docx), edited from the shipped one; the latest is used."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="report_templates")
    file = models.FileField(_("文件"), upload_to="reports/templates/%Y/", max_length=255)

    class Meta(StoredFile.Meta):
        verbose_name = _("报告模板")
        verbose_name_plural = _("报告模板")


class ReportHeading(models.Model):
    """What the county writes on its self-evaluation report for one year and standard: the document number
    (文号, e.g. 示政报〔2025〕12号) and the signature (落款: the issuing unit and the date). Empty fields
    take the defaults: no 文号 line, 「县名」人民政府, the day the report is generated."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("学年"))
    standard_id = models.CharField(_("评估标准"), max_length=32)
    doc_no = models.CharField(_("文号"), max_length=64, blank=True)
    issuer = models.CharField(_("落款单位"), max_length=100, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报告文号与落款")
        verbose_name_plural = _("报告文号与落款")
        constraints = [models.UniqueConstraint(fields=["county", "year", "standard_id"], name="report_heading_unique")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year} {self.doc_no}"


class PracticeText(models.Model):
    """One part of 主要做法与成效 the county writes for a year: a heading (（一）高位推动，强化保障) and
    its text; the report prints the parts in ``order``."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("学年"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("小标题"), max_length=100)
    body = models.TextField(_("正文"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("主要做法与成效")
        verbose_name_plural = _("主要做法与成效")
        ordering = ["county", "year", "order", "pk"]

    def __str__(self) -> str:
        return self.title
