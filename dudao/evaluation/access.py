"""The doors to the evaluation app's objects (stored runs, county items' evidence), in the vocabulary of
``dudao.orgs.access``: whoever may view the county sees them; anyone else gets a 404, as for an id that
does not exist."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.evaluation.models import EvaluationRun, Evidence
from dudao.orgs.access import Permission, require_region


def access_evaluation_run(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> EvaluationRun:
    """A stored evaluation run, with its county and who made it."""
    run = EvaluationRun.objects.select_related("county", "created_by").filter(pk=pk).first()
    if run is None:
        raise Http404
    require_region(user, run.county, perm)
    return run


def access_item_evidence(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Evidence:
    """A file attached to a county item (政府保障、教育质量 …), with its item and county."""
    doc = Evidence.objects.select_related("item__county").filter(pk=pk).first()
    if doc is None:
        raise Http404
    require_region(user, doc.item.county, perm)
    return doc
