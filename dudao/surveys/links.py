"""The public addresses of a survey: one per respondent group, optionally for one school. A school
link carries the school's code (``?school=``); the answers it brings are counted in that school's
town for the sample plan (docs/surveys.md), and nothing else about the respondent is recorded."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.http import HttpRequest
from django.urls import reverse

from dudao.orgs.models import School, SchoolYear
from dudao.surveys.models import Survey

SCHOOL_PARAM = "school"


def public_url(request: HttpRequest, survey: Survey, group: str, school: School | None = None, **extra: str) -> str:
    """The absolute address of the form of ``group`` (for ``school`` when given)."""
    query = {SCHOOL_PARAM: school.code} if school is not None else {}
    query.update(extra)
    url = request.build_absolute_uri(reverse("surveys_public:public", args=[survey.key, group]))
    return f"{url}?{urlencode(query)}" if query else url


def survey_school(survey: Survey, code: str | None) -> School | None:
    """The school of the survey's county with this code, or None (an unknown code is no school)."""
    if not code:
        return None
    return School.objects.filter(county_id=survey.county_id, code=code[:20]).first()


def school_name(survey: Survey, school: School) -> str:
    """The school's name in the survey's year: its latest row up to the year, else its first row;
    the code when it has none."""
    rows = SchoolYear.objects.filter(school=school)
    row = rows.filter(year__lte=survey.year).order_by("-year").first() or rows.order_by("year").first()
    return row.name if row else school.code


def qr_svg(url: str, scale: int = 3) -> str:
    """An inline SVG QR code of ``url`` (error correction M: a printed code survives a crease)."""
    return segno.make(url, error="m").svg_inline(scale=scale)


def qr_file(url: str, kind: str) -> bytes:
    """A PNG or SVG file of ``url``'s QR code, large enough to print."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind=kind, scale=8, border=2)
    return out.getvalue()
