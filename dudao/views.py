"""The landing page: each user goes to their own unit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dudao.orgs.access import home_unit, visible_regions
from dudao.orgs.models import Region, School, SchoolYear


def current_year() -> int:
    """The latest school year with schools on record, else the school year running today (starts in September)."""
    latest = SchoolYear.objects.aggregate(latest=Max("year"))["latest"]
    if latest is not None:
        return latest
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


@login_required
def home(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request.user)
    year = current_year()
    if isinstance(unit, School):
        return redirect("census:school", code=unit.code, year=year)
    if isinstance(unit, Region) and unit.level == "county":
        return redirect("census:completeness", code=unit.code, year=year)
    counties = visible_regions(request.user).filter(level="county").select_related("parent").order_by("path")
    return render(request, "home.html", {"unit": unit, "counties": counties, "year": year})
