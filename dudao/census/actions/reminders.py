"""催报: the county reminds the schools that have not submitted their census — all of them, or one — at most
once a day per school; every reminder is logged (who, when, which school, its state then)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from dudao.actors import Actor, actor_label, user_of
from dudao.audit.record import record_event
from dudao.census import notices
from dudao.census.actions import _require_county, census_year
from dudao.census.models import CensusReminder, CensusYear
from dudao.census.reports import SchoolRow, completeness
from dudao.orgs.models import Region, School


@dataclass
class Reminded:
    sent: list[SchoolRow] = field(default_factory=list)  # reminded now
    already: list[SchoolRow] = field(default_factory=list)  # reminded earlier today: nothing sent again
    submitted: list[str] = field(default_factory=list)  # codes asked for that have submitted meanwhile
    notified: int = 0  # clerks notified
    without_clerk: list[SchoolRow] = field(default_factory=list)  # reminded (logged) but nobody to tell


def remind(actor: Actor, county: Region, year: int, codes: list[str] | None = None) -> Reminded:
    """Remind every school of the county not yet submitted for ``year`` (missing, draft or returned), or only
    those of ``codes``. A school already reminded today is not reminded again."""
    _require_county(actor, county)
    result = Reminded()
    with transaction.atomic():
        census_year(county, year)
        CensusYear.objects.select_for_update().get(county=county, year=year)  # one reminder at a time per county-year
        today = timezone.localdate()
        report = completeness(county, year, today)
        due = report.not_submitted
        if codes is not None:
            wanted = set(codes)
            due = [row for row in due if row.code in wanted]
            result.submitted = sorted(wanted - {row.code for row in due})
        done_today = set(
            CensusReminder.objects.filter(county=county, year=year, day=today).values_list("school__code", flat=True)
        )
        result.already = [row for row in due if row.code in done_today]
        due = [row for row in due if row.code not in done_today]
        if not due:
            return result
        schools = {s.code: s for s in School.objects.filter(county=county, code__in=[row.code for row in due])}
        clerks = notices.school_clerks(s.pk for s in schools.values())
        deadline = report.deadline.isoformat() if report.deadline else ""
        now, label = timezone.now(), actor_label(actor)
        rows = []
        for row in due:
            school = schools[row.code]
            people = clerks.get(school.pk, [])
            key = f"census_reminder:{school.pk}:{year}:{today.isoformat()}"
            sent = notices.remind(school, year, row.name, people, key, deadline) if people else 0
            result.notified += sent
            if not people:
                result.without_clerk.append(row)
            rows.append(CensusReminder(county=county, year=year, school=school, day=today, state=row.state,
                                       recipients=sent, sent_by=user_of(actor), sent_by_label=label,
                                       sent_at=now))  # fmt: skip
            result.sent.append(row)
        CensusReminder.objects.bulk_create(rows)
        record_event(actor, "census.reminded", region=county,
                     data={"year": year, "day": today.isoformat(), "schools": [row.code for row in due],
                           "notified": result.notified})  # fmt: skip
    return result
