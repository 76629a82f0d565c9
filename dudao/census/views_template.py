"""The census template on the website: the page naming what each download holds, the county's prefilled
workbook (its supervision office), a clerk's for their own schools, and the blank template. Downloads are
GETs that write nothing; the workbooks are ``dudao.census.template``'s, as ``dudao template --prefill``."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dudao.census.reports import expected_schools
from dudao.census.template import write_census_template
from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_region, memberships, region_permissions, school_permissions
from dudao.orgs.models import Region, Role, School, SchoolYear
from dudao.sheets.template import write_template


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def _workbook(write: Any, filename: str) -> FileResponse:
    buffer = io.BytesIO()
    write(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename)


def editable_counties(user: Any) -> list[Region]:
    """The counties whose every school the user may enter figures for (a county's supervision office)."""
    found = {m.region.pk: m.region for m in memberships(user) if m.region is not None}
    return sorted(
        (r for r in found.values() if r.level == Region.Level.COUNTY and "edit" in region_permissions(user, r)),
        key=lambda r: r.code,
    )


def clerk_schools(user: Any) -> list[School]:
    """The schools the user enters figures for as their clerk."""
    return [
        m.school
        for m in memberships(user)
        if m.school is not None and m.role == Role.SCHOOL_CLERK and "edit" in school_permissions(user, m.school)
    ]


def _clerk_school_years(user: Any, year: int) -> list[SchoolYear]:
    schools = clerk_schools(user)
    return expected_schools(None, year, School.objects.filter(pk__in=[s.pk for s in schools])) if schools else []


@login_required
def templates(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """What the user may download: each county they supervise, their own schools as a clerk, the blank one."""
    _year(year)
    counties = [(county, len(expected_schools(county, year))) for county in editable_counties(request.user)]
    mine = _clerk_school_years(request.user, year)
    supervised = {county.pk for county, _n in counties}
    mine_counties = sorted(
        {s.county.pk: s.county for s in clerk_schools(request.user) if s.county_id not in supervised}.values(),
        key=lambda c: c.code,
    )
    context = {"year": year, "counties": counties, "mine": mine, "mine_counties": mine_counties}
    return render(request, "census/templates.html", context)


@login_required
def county_template(request: AuthenticatedHttpRequest, code: str, year: int) -> FileResponse:
    county = access_region(request.user, code, "edit")
    if county.level != Region.Level.COUNTY:
        raise Http404
    school_years = expected_schools(county, _year(year))
    filename = _("%(county)s%(year)d学年学校数据（预填）.xlsx") % {"county": county.name, "year": year}
    return _workbook(lambda out: write_census_template(out, school_years, year), filename)


@login_required
def my_template(request: AuthenticatedHttpRequest, year: int) -> FileResponse:
    school_years = _clerk_school_years(request.user, _year(year))
    if not school_years:
        raise Http404
    filename = _("%(year)d学年本人负责学校数据（预填）.xlsx") % {"year": year}
    return _workbook(lambda out: write_census_template(out, school_years, year), filename)


@login_required
def blank_template(request: AuthenticatedHttpRequest) -> FileResponse:
    return _workbook(write_template, _("学校数据填报模板.xlsx"))
