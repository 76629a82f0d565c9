"""The doors to the evidence app's objects, in the vocabulary of ``dudao.orgs.access``.

A county's evidence by indicator (and the pack made of it) is for those who inspect the county
(``inspect``: its supervision office and the city and province inspectors above it); linking a file to
indicators is the supervision office's (``review``). Anyone else gets a 404, as for a county, year,
standard or file that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.evaluation.models import Evidence
from dudao.evidence.catalogue import ITEM, LIAISON, TASK
from dudao.orgs.access import Permission, access_county, region_permissions, require
from dudao.orgs.models import Region
from dudao.rectification.models import LiaisonEvidence, TaskEvidence
from dudao.standards import StandardError, load

READ: Permission = "inspect"
LINK: Permission = "review"


def access_evidence_county(
    user: User | AnonymousUser, code: str, year: int, standard_id: str, perm: Permission = READ
) -> Region:
    """The county whose evidence of ``year`` and ``standard_id`` the user may see (``inspect``) or link
    (``review``); 404 for a standard that does not exist."""
    county = access_county(user, code)
    _require(user, county, perm)
    try:
        load(standard_id)
    except StandardError:
        raise Http404 from None
    return county


@dataclass(frozen=True)
class FileRef:
    """A stored evidence file named by its key (``item-<pk>``, ``task-<pk>`` or ``liaison-<pk>``), with
    its county."""

    kind: str
    doc: Evidence | TaskEvidence | LiaisonEvidence
    county: Region


def access_evidence_file(user: User | AnonymousUser, key: str, perm: Permission = READ) -> FileRef:
    """A county item's, a task's or a liaison visit's or practical matter's evidence file, for those who
    may see (or link, ``review``) its county's evidence."""
    kind, _, number = key.partition("-")
    ref: FileRef | None = None
    if number.isdigit() and kind == ITEM:
        item_doc = Evidence.objects.select_related("item__county").filter(pk=int(number)).first()
        ref = FileRef(kind, item_doc, item_doc.item.county) if item_doc is not None else None
    elif number.isdigit() and kind == TASK:
        task_doc = TaskEvidence.objects.select_related("report__task__county").filter(pk=int(number)).first()
        ref = FileRef(kind, task_doc, task_doc.report.task.county) if task_doc is not None else None
    elif number.isdigit() and kind == LIAISON:
        related = ("visit__leader__county", "matter__leader__county")
        liaison_doc = LiaisonEvidence.objects.select_related(*related).filter(pk=int(number)).first()
        owner = (liaison_doc.visit or liaison_doc.matter) if liaison_doc is not None else None
        ref = FileRef(kind, liaison_doc, owner.leader.county) if liaison_doc and owner else None
    if ref is None:
        raise Http404
    _require(user, ref.county, perm)
    return ref


def _require(user: User | AnonymousUser, county: Region, perm: Permission) -> None:
    perms = region_permissions(user, county)
    require(perms if READ in perms else frozenset(), perm)
