"""A county's census readiness for a school year — schools expected, approved, submitted, returned,
not submitted; records stored; whether the year is locked — computed by one function
(:func:`readiness`) and stored per county × year (:class:`~dudao.census.models.CensusReadiness`), so
that the city, province and national views read one row per county instead of counting 60,000
schools on every view (docs/adr/0033-stored-county-summaries.md).

The stored rows are written by :func:`store` from :func:`readiness` itself, by every action that
changes what it counts: census records saved, submitted, approved, returned or imported (through
``dudao.evaluation.refresh.after_change``), a year locked or unlocked, a school opened, closed or
changed in the register (which also moves the next year's expected schools), a town with its schools
moved to another county. ``dudao store_summaries`` fills them for data that existed before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from dudao.census.models import CensusReadiness, CensusRecord, CensusYear
from dudao.census.reports import ORDER
from dudao.orgs.models import Region, SchoolYear

FIELDS = ("expected", "approved", "submitted", "returned", "not_submitted", "records", "locked")


@dataclass(frozen=True)
class Readiness:
    """A county's census for the year, counted per school as on the completeness page (a school is
    as far as its least advanced record): schools expected, approved, submitted (awaiting review),
    returned, not submitted (draft or missing); records stored; whether the year is locked."""

    expected: int = 0
    approved: int = 0
    submitted: int = 0
    returned: int = 0
    not_submitted: int = 0
    records: int = 0
    locked: bool = False


def readiness(counties: Sequence[Region] | Sequence[int], year: int) -> dict[int, Readiness]:
    """Readiness of each county (by pk; regions or their pks) in three queries, whatever the number of
    counties.

    Expected schools follow ``census.reports.expected_schools``: open in ``year``, or last described
    in ``year - 1`` and open then."""
    ids = [c if isinstance(c, int) else c.pk for c in counties]
    latest: dict[int, tuple[int, int, str]] = {}  # school -> (year, county, status)
    for school_id, county_id, sy_year, status in SchoolYear.objects.filter(
        school__county_id__in=ids, year__in=(year - 1, year)
    ).values_list("school_id", "school__county_id", "year", "status"):
        if school_id not in latest or sy_year > latest[school_id][0]:
            latest[school_id] = (sy_year, county_id, status)
    expected = {pk: county for pk, (_y, county, status) in latest.items() if status == SchoolYear.Status.OPEN}
    states: dict[int, str] = {}
    records: dict[int, int] = defaultdict(int)
    for county_id, school_id, status in CensusRecord.objects.filter(school__county_id__in=ids, year=year).values_list(
        "school__county_id", "school_id", "status"
    ):
        records[county_id] += 1
        if school_id in expected and (school_id not in states or ORDER[status] < ORDER[states[school_id]]):
            states[school_id] = status
    counts: dict[int, dict[str, int]] = {pk: defaultdict(int) for pk in ids}
    for school_id, county_id in expected.items():
        state = states.get(school_id, "missing")
        counts[county_id]["expected"] += 1
        counts[county_id][{"draft": "not_submitted", "missing": "not_submitted"}.get(state, state)] += 1
    locked = set(
        CensusYear.objects.filter(county_id__in=ids, year=year, locked=True).values_list("county_id", flat=True)
    )
    return {
        pk: Readiness(
            expected=counts[pk]["expected"], approved=counts[pk]["approved"], submitted=counts[pk]["submitted"],
            returned=counts[pk]["returned"], not_submitted=counts[pk]["not_submitted"], records=records[pk],
            locked=pk in locked,
        )
        for pk in ids
    }  # fmt: skip


def store(county_ids: Iterable[int], years: Iterable[int]) -> None:
    """Compute (:func:`readiness`) and store the readiness of these counties in these years, in the
    caller's transaction: three queries and one write per year."""
    ids = sorted(set(county_ids))
    if not ids:
        return
    for year in sorted(set(years)):
        rows = [CensusReadiness(county_id=pk, year=year, **asdict(ready)) for pk, ready in readiness(ids, year).items()]
        CensusReadiness.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["county", "year"], update_fields=list(FIELDS)
        )


def register_changed(county_ids: Iterable[int], years: Iterable[int]) -> None:
    """The school register of these counties changed in these years: a year's expected schools also
    count the schools last described the year before, so the next year is stored again too."""
    years = set(years)
    store(county_ids, years | {y + 1 for y in years})


def stored(county_ids: Iterable[int], year: int) -> dict[int, Readiness]:
    """The stored readiness of each county (by pk) in one query; a county without a stored row has
    nothing to count (no school and no record was ever written for it that year)."""
    ids = list(county_ids)
    found = {
        row["county_id"]: Readiness(**{f: row[f] for f in FIELDS})
        for row in CensusReadiness.objects.filter(county_id__in=ids, year=year).values("county_id", *FIELDS)
    }
    return {pk: found.get(pk, Readiness()) for pk in ids}


def store_all() -> int:
    """Every county × year that has schools described or census records (and the year after each
    described year): what ``dudao store_summaries`` writes for existing data. Returns the rows written."""
    years = set(SchoolYear.objects.values_list("year", flat=True).distinct())
    years |= {y + 1 for y in years} | set(CensusRecord.objects.values_list("year", flat=True).distinct())
    ids = list(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", flat=True))
    store(ids, years)
    return len(ids) * len(years)
