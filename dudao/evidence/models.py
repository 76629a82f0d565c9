"""A link of one evidence file to one indicator of a standard, made by a supervisor on the "evidence by
indicator" page. The links a file's source gives (a county item's code, a rectification item's
indicator, a task's served indicators) are not stored: they are read from the source
(``dudao.evidence.catalogue``), so they follow the source when it changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.orgs.models import Region


class EvidenceLink(models.Model):
    """File → indicator: exactly one of ``item_evidence`` (a county item's file), ``task_evidence``
    (a task progress report's file, a meeting decision's task included) and ``liaison_evidence`` (a
    leader's visit or a practical matter's file)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    standard_id = models.CharField(_("评估标准"), max_length=32)
    code = models.CharField(_("指标代码"), max_length=16)
    item_evidence = models.ForeignKey(
        "evaluation.Evidence", on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    task_evidence = models.ForeignKey(
        "rectification.TaskEvidence", on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    liaison_evidence = models.ForeignKey(
        "rectification.LiaisonEvidence", on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    linked_at = models.DateTimeField(_("关联时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料关联指标")
        verbose_name_plural = _("佐证材料关联指标")
        ordering = ["standard_id", "code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item_evidence__isnull=True, task_evidence__isnull=False, liaison_evidence__isnull=True)
                | Q(item_evidence__isnull=False, task_evidence__isnull=True, liaison_evidence__isnull=True)
                | Q(item_evidence__isnull=True, task_evidence__isnull=True, liaison_evidence__isnull=False),
                name="evidence_link_one_file",
            ),
            models.UniqueConstraint(
                fields=["item_evidence", "standard_id", "code"],
                condition=Q(item_evidence__isnull=False),
                name="evidence_link_item_once",
            ),
            models.UniqueConstraint(
                fields=["task_evidence", "standard_id", "code"],
                condition=Q(task_evidence__isnull=False),
                name="evidence_link_task_once",
            ),
            models.UniqueConstraint(
                fields=["liaison_evidence", "standard_id", "code"],
                condition=Q(liaison_evidence__isnull=False),
                name="evidence_link_liaison_once",
            ),
        ]

    def __str__(self) -> str:
        doc = self.item_evidence_id or self.task_evidence_id or self.liaison_evidence_id
        return f"{doc} → {self.standard_id} {self.code}"
