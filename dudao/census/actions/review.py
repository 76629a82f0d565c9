"""The county's review queue in one step: approve every record shown that has no finding (docs/adr/0016)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, user_of
from dudao.census import notices
from dudao.census.actions import CensusError, _require_county
from dudao.census.models import CensusEvent, CensusRecord, CensusYear
from dudao.census.review import entries
from dudao.evaluation.refresh import after_change
from dudao.orgs.models import Region

Status = CensusRecord.Status


@dataclass
class BatchApproval:
    approved: list[CensusRecord] = field(default_factory=list)
    changed: int = 0  # no longer submitted, or changed since they were shown
    flagged: int = 0  # with a finding of the rule table: one by one


def approve_many(actor: Actor, county: Region, year: int, shown: dict[int, int]) -> BatchApproval:
    """Approve the county's records ``shown`` (record id → the version the reviewer saw) that are still
    submitted, unchanged since, and without any finding of the census rule table. The others are left
    for one-by-one review and counted. Each approval is a workflow event and tells the school's clerks."""
    _require_county(actor, county)
    if CensusYear.objects.filter(county=county, year=year, locked=True).exists():
        raise CensusError(
            "year_locked", gettext_lazy("%(year)s学年数据已锁定，修改前须由县级解锁并说明原因"), year=year
        )
    result = BatchApproval()
    with transaction.atomic():
        records = list(
            CensusRecord.objects.select_for_update()
            .filter(pk__in=list(shown), school__county=county, year=year)
            .select_related("school")
            .order_by("school__code", "level")
        )
        result.changed = len(shown) - len(records)
        for entry in entries(records, year):
            record = entry.record
            if record.status != Status.SUBMITTED or record.version != shown[record.pk]:
                result.changed += 1
            elif not entry.clean:
                result.flagged += 1
            else:
                person = user_of(actor)
                record.status, record.return_reason, record.updated_by = Status.APPROVED, "", person
                record.save(update_fields=["status", "return_reason", "updated_by", "updated_at"])
                event = CensusEvent.objects.create(record=record, action=CensusEvent.Action.APPROVE, user=person,
                                                   reason="批量审核通过")  # fmt: skip
                notices.reviewed(record, CensusEvent.Action.APPROVE, event.pk)
                result.approved.append(record)
        if result.approved:
            after_change([county.pk], year)
    return result
