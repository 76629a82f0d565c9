"""The doors to the reports app's objects (a county's reports, on-site sampling draws and their sampled
schools), in the vocabulary of ``dudao.orgs.access``.

A county's self-evaluation report, annex, evidence pack and sampling are for those who inspect it
(``inspect``: its supervision office and the city and province inspectors above it); anyone else, an
observer or a clerk included, gets a 404, as for a county, year or standard that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.orgs.access import Permission, access_county, region_permissions, require_region
from dudao.orgs.models import Region
from dudao.reports.models import PracticeText, SampledSchool, SamplingDraw
from dudao.standards import StandardError, load

# The permission that opens a county's reports and sampling (the shared vocabulary's "an inspector's work").
READ: Permission = "inspect"


def _reportable(user: User | AnonymousUser, county: Region, year: int, standard_id: str) -> Region:
    if READ not in region_permissions(user, county) or not 2000 <= year <= 2100:
        raise Http404
    try:
        load(standard_id)
    except StandardError:
        raise Http404 from None
    return county


def access_report_county(user: User | AnonymousUser, code: str, year: int, standard_id: str) -> Region:
    """The county whose reports for ``year`` and ``standard_id`` the user may fetch, else 404."""
    return _reportable(user, access_county(user, code), year, standard_id)


def access_sampling_draw(user: User | AnonymousUser, pk: int) -> SamplingDraw:
    """A sampling draw, with its county, run and who drew it, for those who may fetch its county's reports."""
    draw = SamplingDraw.objects.select_related("county", "run", "created_by").filter(pk=pk).first()
    if draw is None:
        raise Http404
    _reportable(user, require_region(user, draw.county), draw.year, draw.standard_id)
    return draw


def access_sampled_school(user: User | AnonymousUser, pk: int, school: int) -> SampledSchool:
    """One school of draw ``pk`` (a school of another draw is a 404), with the draw."""
    draw = access_sampling_draw(user, pk)
    sampled = SampledSchool.objects.filter(draw=draw, pk=school).first()
    if sampled is None:
        raise Http404
    sampled.draw = draw
    return sampled


def access_practice_text(
    user: User | AnonymousUser, code: str, year: int, standard_id: str, pk: int
) -> tuple[Region, PracticeText]:
    """A part of the county's 主要做法与成效 for ``year`` (one of another county or year is a 404)."""
    county = access_report_county(user, code, year, standard_id)
    text = PracticeText.objects.filter(county=county, year=year, pk=pk).first()
    if text is None:
        raise Http404
    text.county = county
    return county, text
