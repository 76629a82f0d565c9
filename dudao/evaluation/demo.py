"""Removing the demo's evaluation rows (``dudao seed_demo --reset``; see EvaluationConfig.reset_demo)."""

from __future__ import annotations

from django.db.models import QuerySet

from dudao.evaluation.models import CountyItemChange, CountyItemValue, EvaluationRun, Evidence
from dudao.orgs.models import Region


def reset(counties: QuerySet[Region]) -> int:
    """Delete the runs, county items, their history and evidence files of ``counties``."""
    items = CountyItemValue.objects.filter(county__in=counties)
    for doc in Evidence.objects.filter(item__in=items):
        doc.file.delete(save=False)
    deleted = 0
    for queryset in (
        Evidence.objects.filter(item__in=items),
        CountyItemChange.objects.filter(item__in=items),
        items,
        EvaluationRun.objects.filter(county__in=counties),
    ):
        deleted += queryset.delete()[0]
    return deleted
