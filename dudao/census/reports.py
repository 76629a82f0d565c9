"""Read-only views of the census: which schools of a county have submitted, by the deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.census.models import CensusRecord, CensusReminder, CensusYear
from dudao.orgs.models import Region, School, SchoolYear
from dudao.tables import Table, columns

ORDER = {"returned": 0, "draft": 1, "missing": 1, "submitted": 2, "approved": 3}


@dataclass
class SchoolRow:
    code: str
    name: str
    school_type: str
    school_type_label: str
    location: str
    statuses: dict[str, str]  # level -> status
    state: str  # the least advanced: missing | draft | returned | submitted | approved
    updated_at: dt.datetime | None
    overdue: bool


@dataclass
class Completeness:
    deadline: dt.date | None
    locked: bool
    rows: list[SchoolRow] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "approved": self.count("approved"),
            "submitted": self.count("submitted"),
            "returned": self.count("returned"),
            "not_submitted": self.count("missing") + self.count("draft"),
        }

    @property
    def records_submitted(self) -> int:
        """Records (not schools) waiting for review: a school entered by level has one per level."""
        return sum(1 for r in self.rows for status in r.statuses.values() if status == "submitted")

    @property
    def not_submitted(self) -> list[SchoolRow]:
        return [r for r in self.rows if r.state in ("missing", "draft", "returned")]


def expected_schools(county: Region | None, year: int, schools: QuerySet[School] | None = None) -> list[SchoolYear]:
    """Open schools of the county (or among ``schools``) in ``year``; a school last described in ``year - 1``
    and not closed is still expected (its attributes carry over until changed)."""
    latest: dict[int, SchoolYear] = {}
    query = SchoolYear.objects.filter(year__in=(year - 1, year)).select_related("school", "school__county", "town")
    if county is not None:
        query = query.filter(school__county=county)
    elif schools is not None:
        query = query.filter(school__in=schools)
    else:
        raise ValueError("expected_schools: a county or the schools")
    for sy in query:
        if sy.school_id not in latest or sy.year > latest[sy.school_id].year:
            latest[sy.school_id] = sy
    return sorted((sy for sy in latest.values() if sy.status == SchoolYear.Status.OPEN), key=lambda s: s.school.code)


def completeness(county: Region, year: int, today: dt.date) -> Completeness:
    census_year = CensusYear.objects.filter(county=county, year=year).first()
    deadline = census_year.deadline if census_year else None
    records: dict[int, list[CensusRecord]] = {}
    for r in CensusRecord.objects.filter(school__county=county, year=year).only(
        "school_id", "level", "status", "updated_at"
    ):
        records.setdefault(r.school_id, []).append(r)
    report = Completeness(deadline, bool(census_year and census_year.locked))
    for sy in expected_schools(county, year):
        own = records.get(sy.school_id, [])
        statuses = {r.level: r.status for r in own}
        state = min(statuses.values(), key=ORDER.__getitem__) if statuses else "missing"
        report.rows.append(
            SchoolRow(
                code=sy.school.code, name=sy.name, school_type=sy.school_type,
                school_type_label=sy.get_school_type_display(), location=sy.get_location_display(),
                statuses=statuses, state=state,
                updated_at=max((r.updated_at for r in own), default=None),
                overdue=deadline is not None and today > deadline and state in ("missing", "draft", "returned"),
            )
        )  # fmt: skip
    report.rows.sort(key=lambda r: (ORDER[r.state], r.code))
    return report


STATE_LABELS = {
    "missing": gettext_lazy("未报送"), "draft": gettext_lazy("草稿未提交"), "returned": gettext_lazy("已退回"),
    "submitted": gettext_lazy("已提交待审"), "approved": gettext_lazy("已审核"),
}  # fmt: skip


def completeness_table(county: Region, year: int, report: Completeness) -> Table:
    """Each expected school's state, whether it is overdue, its last change and when it was last reminded."""
    reminded = dict(
        CensusReminder.objects.filter(county=county, year=year)
        .values("school__code")
        .annotate(last=Max("sent_at"))
        .values_list("school__code", "last")
    )
    rows = [
        {"school": r.name, "code": r.code, "type": r.school_type_label, "location": r.location,
         "state": str(STATE_LABELS[r.state]) + (_("（已逾期）") if r.overdue else ""),
         "updated": timezone.localtime(r.updated_at).strftime("%Y-%m-%d %H:%M") if r.updated_at else "",
         "reminded": timezone.localtime(reminded[r.code]).strftime("%Y-%m-%d %H:%M") if r.code in reminded else "",
         "_href": {"school": reverse("census:school", args=[r.code, year])},
         "_class": {"state": f"status-{r.state}" + (" bad" if r.overdue else "")}}
        for r in report.rows
    ]  # fmt: skip
    return Table(
        "completeness",
        _("各校填报状态"),
        columns(
            ("school", _("学校")),
            ("code", _("学校标识码")),
            ("type", _("类型")),
            ("location", _("城乡")),
            ("state", _("状态")),
            ("updated", _("最后修改")),
            ("reminded", _("最近催报")),
        ),
        rows,
    )


def reminders_table(county: Region, year: int) -> Table:
    """The county's reminders for ``year``, newest first: one row per click (who, when, which schools)."""
    clicks: dict[tuple[dt.datetime, str], list[str]] = {}
    names = {sy.school_id: sy.name for sy in expected_schools(county, year)}
    for r in CensusReminder.objects.filter(county=county, year=year).order_by("-sent_at", "school__code"):
        clicks.setdefault((r.sent_at, r.sent_by_label), []).append(names.get(r.school_id, str(r.school_id)))
    rows = [
        {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"), "by": by, "n": len(schools),
         "schools": "、".join(schools)}
        for (at, by), schools in clicks.items()
    ]  # fmt: skip
    return Table(
        "reminders",
        _("催报记录"),
        columns(("at", _("时间")), ("by", _("人员")), ("n", _("学校数"), "int"), ("schools", _("学校"))),
        rows,
        note=_("每所学校每天最多催报一次；催报通知发给该校的填报员。"),
    )
