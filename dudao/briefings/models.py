"""Work briefings (工作简报 / 信息报送): a county's periodic briefing and a city's call for them.

A :class:`Briefing` is one county's issue for one month (``period`` "YYYY-MM"): its 期号, 编印单位, the
highlights the county writes, the 报送 and 抄送 lines. Its figures are not stored: they are read from the
platform's data when the document is written (``briefings.content``), so the page, the download and
``dudao briefing`` give the same numbers. When the county submits it in answer to a city's
:class:`BriefingCall`, the .docx as submitted is kept (``document``), so the city reads what was sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.orgs.models import Region

USER = settings.AUTH_USER_MODEL


class BriefingCall(models.Model):
    """A city's supervision office calls for its counties' briefings of one month, by a deadline."""

    city = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="briefing_calls")
    period = models.CharField(_("期间"), max_length=7)  # YYYY-MM
    deadline = models.DateField(_("报送截止日期"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("简报报送通知")
        ordering = ["-period", "-pk"]
        constraints = [models.UniqueConstraint(fields=["city", "period"], name="briefings_one_call_per_month")]

    def __str__(self) -> str:
        return f"{self.city.name} {self.period}"


class Briefing(models.Model):
    """One county's briefing of one month."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="briefings")
    period = models.CharField(_("期间"), max_length=7)  # YYYY-MM
    number = models.PositiveIntegerField(_("期号"))
    issuer = models.CharField(_("编印单位"), max_length=100)
    highlights = models.TextField(_("工作动态与亮点"), blank=True)  # paragraphs, a blank line between them
    send_to = models.CharField(_("报送"), max_length=200, blank=True)
    copy_to = models.CharField(_("抄送"), max_length=200, blank=True)
    call = models.ForeignKey(BriefingCall, on_delete=models.PROTECT, null=True, blank=True, related_name="briefings")
    document = models.BinaryField(null=True, blank=True)  # the .docx as submitted
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作简报")
        ordering = ["-period", "county__code"]
        constraints = [models.UniqueConstraint(fields=["county", "period"], name="briefings_one_per_month")]

    def __str__(self) -> str:
        return f"{self.county.name} {self.period} 第{self.number}期"
