"""The page after login (``/``): the person's work home (工作台), one section per role they hold
(dudao.workhome builds them; this view only parses, reads and renders — a GET never writes)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao import workhome
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_region, access_school, home_unit, visible_regions
from dudao.orgs.models import Region, SchoolYear
from dudao.overview import regions
from dudao.overview.cockpit import default_standard, latest_years, years_with_data
from dudao.overview.views.region import shown
from dudao.tables import Table, columns, download


def current_year() -> int:
    """The latest school year with schools on record, else the school year running today (starts in September)."""
    latest = SchoolYear.objects.aggregate(latest=Max("year"))["latest"]
    if latest is not None:
        return latest
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def data_year(county_id: int) -> int:
    """The county's latest school year with census data, else :func:`current_year`."""
    years = years_with_data(county_id)
    return years[0] if years else current_year()


def counties_table(counties: list[Region], default_year: int) -> Table:
    """The counties with links to each one's cockpit and census progress for its latest year with data."""
    years = latest_years([c.pk for c in counties])
    rows = []
    for county in counties:
        year = years.get(county.pk, default_year)
        rows.append(
            {
                "county": county.name,
                "code": county.code,
                "city": county.parent.name if county.parent else "",
                "census": _("%(year)s学年填报进度") % {"year": year},
                "_href": {
                    "county": reverse("overview:county", args=[county.code, year, default_standard()]),
                    "census": reverse("census:completeness", args=[county.code, year]),
                },
            }
        )
    cols = columns(
        ("county", _("县（市、区）")), ("code", _("区划代码")), ("city", _("所属市")), ("census", _("填报进度"))
    )
    return Table("counties", _("县（市、区）"), cols, rows)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user, today, year = request.user, timezone.localdate(), current_year()
    schools = workhome.clerk_schools(user, today, year)
    desks = workhome.county_desks(user, today, year)
    tables: list[Table | None] = []
    for desk in desks:
        desk.tables = [
            workhome.overdue_schools_table(desk),
            workhome.county_tasks_table(
                f"awaiting-{desk.county.code}", _("待验收任务"), desk.awaiting_acceptance, desk
            ),
            workhome.county_tasks_table(f"overdue-{desk.county.code}", _("逾期任务"), desk.overdue_tasks, desk),
        ]
        tables += desk.tables
    clerk = workhome.clerk_tasks(user, today)
    if clerk is not None:
        tables.append(clerk[0])
    places = workhome.region_desks(user, today, year)
    for place in places:
        workhome.glance(place)
    try:
        sort = regions.parse_sort(request.GET.get("sort", ""), [p.table for p in places])
    except ValueError as exc:
        return HttpResponseBadRequest(_("无法识别的参数：%(value)s") % {"value": exc.args[0]})
    for place in places:
        if sort is not None:
            place.table.rows = regions.sort_rows(place.table.rows, *sort)
        place.shown = shown(place.table, f"glance-{place.region.code}", request, sort)
    tables += [p.table for p in places]
    fallback = None
    if not (schools or desks or clerk or places):  # e.g. an observer of a city: the counties they may view
        counties = list(visible_regions(user).filter(level="county").select_related("parent").order_by("path"))
        fallback = counties_table(counties, year) if counties else None
        tables.append(fallback)
    if (response := download(request, tables)) is not None:
        return response
    unit = home_unit(user)
    context: dict[str, Any] = {
        "unit_name": unit.name if isinstance(unit, Region) else user.first_name,
        "schools": schools, "desks": desks, "clerk": clerk, "places": places,
        "fallback": fallback, "year": year, "standard_id": default_standard(), "today": today,
        "acting": [s for s in schools if s.act],
    }  # fmt: skip
    return render(request, "home.html", context)


@login_required
def region_latest(request: HttpRequest, code: str) -> HttpResponse:
    """A city's or province's comparison of its counties for the latest school year with data."""
    region = access_region(request.user, code)
    if region.level not in (Region.Level.CITY, Region.Level.PROVINCE):
        raise Http404
    years = latest_years([c.pk for c in regions.counties_of(region)])
    year = max(years.values(), default=current_year())
    return redirect("overview:region", code=region.code, year=year, standard_id=default_standard())


@login_required
def school_latest(request: HttpRequest, code: str) -> HttpResponse:
    """A school's census page for its county's latest school year with data."""
    school = access_school(request.user, code)
    return redirect("census:school", code=school.code, year=data_year(school.county_id))
