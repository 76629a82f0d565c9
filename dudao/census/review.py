"""What the county's review queue shows (read only): each submitted record with its findings of the census
rule table, its figures against last year's, and the school's indicators as the stored evaluation has them
(``dudao.evaluation.actions.stored_run``: the engine's result; a page never evaluates, ADR 0020)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dudao.census.fields import CENSUS_FIELD_BY_KEY
from dudao.census.forms import fields_for
from dudao.census.models import CensusRecord
from dudao.census.plausibility import Warning, plausibility, shown
from dudao.orgs.models import Region, SchoolYear

SUBMITTED = CensusRecord.Status.SUBMITTED


def figure(value: float | Decimal | None) -> str:
    """A stored figure as it is written: 500, 8789.28, — for none."""
    return "—" if value is None else shown(float(value))


@dataclass
class Entry:
    """One record in the queue, with what the reviewer needs to decide."""

    record: CensusRecord
    name: str
    school_type: str
    previous: dict[str, Any] | None
    findings: list[Warning] = field(default_factory=list)

    @property
    def impossible(self) -> list[Warning]:
        return [w for w in self.findings if w.impossible]

    @property
    def unusual(self) -> list[Warning]:
        return [w for w in self.findings if not w.impossible]

    @property
    def clean(self) -> bool:
        """No finding at all: may be approved in the batch."""
        return not self.findings


def entries(records: list[CensusRecord], year: int) -> list[Entry]:
    """The records with their school's name and type in ``year`` and their findings (two queries)."""
    school_ids = {r.school_id for r in records}
    previous = {
        (r.school_id, r.level): r.values() for r in CensusRecord.objects.filter(school_id__in=school_ids, year=year - 1)
    }
    described: dict[int, SchoolYear] = {}
    for row in SchoolYear.objects.filter(school_id__in=school_ids, year__lte=year).order_by("year"):
        described[row.school_id] = row
    out = []
    for r in records:
        sy = described.get(r.school_id)
        before = previous.get((r.school_id, r.level))
        school_type = sy.school_type if sy else ""
        out.append(Entry(r, sy.name if sy else r.school.code, school_type, before,
                         plausibility(r.values(), before, school_type or None, r.level)))  # fmt: skip
    return out


def queue(county: Region, year: int) -> list[Entry]:
    """The county's submitted records of ``year``, by school code and level."""
    records = list(
        CensusRecord.objects.filter(school__county=county, year=year, status=SUBMITTED)
        .select_related("school", "updated_by")
        .order_by("school__code", "level")
    )
    return entries(records, year)


def neighbours(county: Region, year: int, record: CensusRecord) -> tuple[int | None, int | None, int, int]:
    """The previous and next submitted records around ``record`` in the queue's order (it need not be in
    the queue any more: after an approval the next one is the one that followed it), its position (1-based,
    0 when not in the queue) and the queue's length."""
    order = list(
        CensusRecord.objects.filter(school__county=county, year=year, status=SUBMITTED)
        .order_by("school__code", "level")
        .values_list("pk", "school__code", "level")
    )
    key = (record.school.code, record.level)
    before = [pk for pk, code, level in order if (code, level) < key]
    after = [pk for pk, code, level in order if (code, level) > key]
    position = len(before) + 1 if any(pk == record.pk for pk, *_ in order) else 0
    return (before[-1] if before else None), (after[0] if after else None), position, len(order)


def change_rows(entry: Entry) -> list[dict[str, Any]]:
    """Each figure of the record's form with last year's, the change, and whether a rule flags it."""
    flagged = {w.field for w in entry.findings}
    now = entry.record.values()
    rows = []
    for spec in fields_for(entry.record.level):
        value, before = now.get(spec.key), (entry.previous or {}).get(spec.key)
        if value is None and before is None:
            continue
        change = None
        if value is not None and before not in (None, 0, Decimal(0)):
            change = float(value) / float(before) - 1
        rows.append({
            "field": CENSUS_FIELD_BY_KEY[spec.key].label, "before": figure(before), "now": figure(value),
            "change": change,
            "_row_class": "flagged" if spec.key in flagged else "", "_class": {"before": "num", "now": "num"},
        })  # fmt: skip
    return rows
