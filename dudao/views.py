"""The landing page: each user goes to their own unit.

A county's people land on its cockpit (县域总览), a school clerk on their school's page (学校详情), both for
the latest school year with census data under the default standard; city and province people see
their counties with links to the region view and each county's cockpit.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.orgs.access import clerk_departments, home_unit, visible_regions
from dudao.orgs.models import Region, School, SchoolYear
from dudao.overview.cockpit import DEFAULT_STANDARD, latest_years, years_with_data
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
                    "county": reverse("overview:county", args=[county.code, year, DEFAULT_STANDARD]),
                    "census": reverse("census:completeness", args=[county.code, year]),
                },
            }
        )
    cols = columns(
        ("county", _("县（市、区）")), ("code", _("区划代码")), ("city", _("所属市")), ("census", _("填报进度"))
    )
    return Table("counties", _("县（市、区）"), cols, rows)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request.user)
    if isinstance(unit, School):
        return redirect("overview:school", code=unit.code, year=data_year(unit.county_id), standard_id=DEFAULT_STANDARD)
    if isinstance(unit, Region) and unit.level == Region.Level.COUNTY:
        return redirect("overview:county", code=unit.code, year=data_year(unit.pk), standard_id=DEFAULT_STANDARD)
    if unit is None and clerk_departments(request.user):  # a department's clerk: their tasks
        return redirect("rectification:mine")
    year = current_year()
    counties = list(visible_regions(request.user).filter(level="county").select_related("parent").order_by("path"))
    table = counties_table(counties, year) if counties else None
    if (response := download(request, [table])) is not None:
        return response
    return render(
        request,
        "home.html",
        {"unit": unit, "table": table, "year": year, "standard_id": DEFAULT_STANDARD},
    )
