"""What a briefing says, read from the platform's data (no Django templates; the page, the .docx and
``dudao briefing`` all read :func:`briefing_data`, so their numbers are the same).

- The period is a month, "YYYY-MM"; the figures stand as on the month's last day, or today while the
  month is not over (``as_of``).
- The school year is the one the month falls in (September starts it), or the latest before it with
  census records (a county's census is filled once a year).
- Census completeness: ``overview.regions.readiness`` (the completeness page's counts per school).
- Rectification: ``rectification.reports.county_progress`` on ``as_of`` (the dashboard's states) and the
  county's rectification items by status.
- Surveys: the county's surveys of the school year, answers against the planned sample, and the
  recognition rate (SR-01) as stored in the county's items.
- Standing among the city's counties: the stored evaluation runs and the city page's ranking and first
  tier (``overview.regions.rank_counties`` with its default criteria and ``DUDAO_FIRST_TIER``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.census.models import CensusRecord
from dudao.errors import ActionError
from dudao.evaluation.actions import current_items, latest_run
from dudao.orgs.models import Department, Region
from dudao.overview import regions
from dudao.overview.cockpit import standard as load_standard
from dudao.rectification.models import RectificationItem
from dudao.rectification.reports import county_progress, overdue_units
from dudao.surveys import actions as surveys
from dudao.surveys.models import RECOGNITION_ITEM, RECOGNITION_STANDARD, Survey

STANDARD = "national-2017"
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BriefingError(ActionError):
    """A refused briefing action (docs/adr/0026)."""


def parse_period(text: str) -> tuple[int, int]:
    """(year, month) of "YYYY-MM"; refused otherwise, and outside the platform's years."""
    m = _PERIOD.match(text.strip())
    if m is None or not 1990 <= int(m[1]) <= 2100:
        raise BriefingError("bad_period", gettext_lazy("期间应写作“年-月”，如 2026-12：%(period)s"), period=text)
    return int(m[1]), int(m[2])


def as_of(period: str, today: dt.date | None = None) -> dt.date:
    """The day the briefing's figures stand on: the month's last day, or today within the month."""
    year, month = parse_period(period)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return min(last, today or timezone.localdate())


def school_year(county: Region, period: str) -> int:
    year, month = parse_period(period)
    current = year if month >= 9 else year - 1
    latest = CensusRecord.objects.filter(school__county=county, year__lte=current).aggregate(y=Max("year"))["y"]
    return int(latest) if latest is not None else current


def issuer_of(county: Region) -> str:
    """The county's supervision office as named in its departments (编印单位)."""
    office = Department.objects.filter(county=county, kind=Department.Kind.SUPERVISION).first()
    return office.name if office else f"{county.name}人民政府教育督导室"


@dataclass
class CensusFigures:
    expected: int
    approved: int
    submitted: int
    returned: int
    not_submitted: int
    locked: bool


@dataclass
class RectificationFigures:
    tasks: int
    states: dict[str, int]  # done / on_time / at_risk / overdue
    overdue_units: list[str]
    items: dict[str, int]  # RectificationItem.Status → count


@dataclass
class SurveyFigures:
    title: str
    status: str
    answers: int
    planned: int


@dataclass
class Standing:
    evaluated: bool
    passed: bool | None = None
    schools: int = 0
    schools_failing: int = 0
    areas_not_assessed: int = 0
    rank: int | None = None
    ranked: int = 0
    peers: int = 0
    first_tier: bool = False
    tier_rule: str = ""
    criteria: list[str] = field(default_factory=list)
    run_at: dt.datetime | None = None


@dataclass
class BriefingData:
    county: Region
    period: str
    as_of: dt.date
    year: int
    number: int
    issuer: str
    highlights: list[str]
    send_to: str
    copy_to: str
    census: CensusFigures
    rectification: RectificationFigures
    surveys: list[SurveyFigures]
    recognition: float | None
    standing: Standing

    @property
    def title(self) -> str:
        return f"{self.county.name}教育督导工作简报"


def census_figures(county: Region, year: int) -> CensusFigures:
    r = regions.readiness([county], year)[county.pk]
    return CensusFigures(r.expected, r.approved, r.submitted, r.returned, r.not_submitted, r.locked)


def rectification_figures(county: Region, on: dt.date) -> RectificationFigures:
    progress = county_progress(county, on)
    items = dict(
        RectificationItem.objects.filter(county=county).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return RectificationFigures(
        len(progress.tasks), dict(progress.totals), [d.name for d, _ in overdue_units(progress)], items
    )


def survey_figures(county: Region, year: int) -> list[SurveyFigures]:
    out = []
    for survey in Survey.objects.filter(county=county, year=year).order_by("pk"):
        planned = sum(surveys.quotas(survey).values())
        out.append(
            SurveyFigures(survey.title, str(survey.get_status_display()), sum(surveys.counts(survey).values()), planned)
        )
    return out


def standing(county: Region, year: int) -> Standing:
    """The county's verdict and its place among the counties of its city (the city page's ranking)."""
    run = latest_run(county, year, STANDARD)
    if run is None:
        return Standing(evaluated=False)
    summary = run.summary_obj
    out = Standing(
        evaluated=True, passed=summary.passed, schools=summary.schools, schools_failing=summary.schools_failing,
        areas_not_assessed=sum(1 for s in summary.areas.values() if s == "not_assessed"), run_at=run.created_at,
    )  # fmt: skip
    if county.parent is None:
        return out
    peers = regions.counties_of(county.parent)
    rows = regions.county_rows(peers, year, STANDARD)
    chosen = [c for c in regions.criteria(load_standard(STANDARD, run.province or None)) if c.default]
    rule = regions.tier_rule()
    ranked = regions.rank_counties(rows, chosen, rule)
    entry = next(e for e in ranked if e.row.county.pk == county.pk)
    out.rank, out.first_tier, out.peers = entry.rank, entry.first_tier, len(peers)
    out.ranked = sum(1 for e in ranked if e.rank is not None)
    out.tier_rule = rule.describe(out.ranked)
    out.criteria = [c.label for c in chosen]
    return out


def next_number(county: Region, period: str) -> int:
    """The 期号 of a new briefing: one more than the county's briefings of earlier months that year."""
    from dudao.briefings.models import Briefing

    year, _month = parse_period(period)
    return Briefing.objects.filter(county=county, period__startswith=f"{year}-", period__lt=period).count() + 1


def paragraphs(text: str) -> list[str]:
    """The highlights' paragraphs: blocks separated by blank lines, lines inside a block joined."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [" ".join(line.strip() for line in b.splitlines() if line.strip()) for b in blocks if b.strip()]


def briefing_data(county: Region, period: str, today: dt.date | None = None) -> BriefingData:
    """Everything a briefing says for ``county`` and ``period``; the county's saved briefing gives the
    期号, 编印单位, highlights and 报送/抄送 lines (defaults when none is saved)."""
    from dudao.briefings.models import Briefing

    on = as_of(period, today)
    year = school_year(county, period)
    saved = Briefing.objects.filter(county=county, period=period).first()
    city = county.parent.name if county.parent else ""
    items = current_items(county, year, RECOGNITION_STANDARD)
    rate = items.get(RECOGNITION_ITEM)
    return BriefingData(
        county=county, period=period, as_of=on, year=year,
        number=saved.number if saved else next_number(county, period),
        issuer=saved.issuer if saved else issuer_of(county),
        highlights=paragraphs(saved.highlights) if saved else [],
        send_to=saved.send_to if saved else (f"{city}人民政府教育督导室" if city else ""),
        copy_to=saved.copy_to if saved else f"{county.name}人民政府，县教育局各股室",
        census=census_figures(county, year),
        rectification=rectification_figures(county, on),
        surveys=survey_figures(county, year),
        recognition=float(rate) if isinstance(rate, int | float) else None,
        standing=standing(county, year),
    )  # fmt: skip
