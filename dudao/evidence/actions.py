"""Linking an evidence file to indicators (with an audit event)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.audit.record import record_event
from dudao.errors import ActionError
from dudao.evidence.access import LINK, FileRef
from dudao.evidence.catalogue import LINK_FIELDS, code_order, indicator_names
from dudao.evidence.models import EvidenceLink
from dudao.orgs.access import region_permissions


class EvidenceError(ActionError):
    """A link refused (docs/adr/0026)."""


def set_links(actor: Actor, ref: FileRef, standard_id: str, codes: Iterable[str]) -> list[str]:
    """Link the file to exactly ``codes`` of ``standard_id`` (beside what its source gives it): links
    not named are removed, new ones made. Refused for a code the standard does not have. Returns the
    linked codes in the standard's order."""
    if not is_system(actor) and LINK not in region_permissions(actor, ref.county):
        raise EvidenceError("forbidden", gettext_lazy("只有县级督导室可以关联佐证材料与指标"))
    names = indicator_names(standard_id)
    wanted = {c.strip() for c in codes if c.strip()}
    if unknown := sorted(wanted - names.keys()):
        raise EvidenceError(
            "unknown_indicator",
            gettext_lazy("“%(codes)s”不是本评估标准的指标"),
            codes="、".join(unknown),
        )
    field = LINK_FIELDS[ref.kind]
    with transaction.atomic():
        current = EvidenceLink.objects.select_for_update().filter(**{field: ref.doc}, standard_id=standard_id)
        before = sorted({link.code for link in current}, key=code_order)
        current.exclude(code__in=wanted).delete()
        for code in sorted(wanted - set(before), key=code_order):
            EvidenceLink.objects.create(
                county=ref.county, standard_id=standard_id, code=code, linked_by=user_of(actor), **{field: ref.doc}
            )
        after = sorted(wanted, key=code_order)
        if after != before:
            record_event(
                actor, "evidence.link", target=ref.doc, region=ref.county,
                data={"file": ref.doc.original_name, "standard": standard_id, "before": before, "after": after},
            )  # fmt: skip
    return after
