"""Template tags available in every template (registered as a builtin in settings)."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def download_url(context: template.Context, name: str, fmt: str) -> str:
    """This page's URL with ``download=name&format=fmt``: the file holds what the page shows."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    query["download"], query["format"] = name, fmt
    return f"{request.path}?{query.urlencode()}"


@register.simple_tag
def colon() -> str:
    """A label's colon in the page's language: "：" in Chinese, ": " in English."""
    return ": " if (get_language() or "").startswith("en") else "："


@register.inclusion_tag("includes/county_nav.html", takes_context=True)
def county_nav(
    context: template.Context, county: Any, page: str = "", year: int | None = None, standard_id: str | None = None
) -> dict[str, Any]:
    """The county subnav (includes/county_nav.html) on any county page, for a person who may view the
    county (else nothing). ``year`` defaults to the county's latest year with data, ``standard_id`` to
    the default standard; the switch's choices come from the page's ``nav_years``/``nav_standards``."""
    from dudao.orgs.access import region_permissions
    from dudao.overview.cockpit import default_standard, years_with_data

    request: HttpRequest = context["request"]
    if county is None or "view" not in region_permissions(request.user, county):
        return {"county": None}
    if year is None:
        years = years_with_data(county.pk)
        year = years[0] if years else timezone.localdate().year
    return {
        "county": county, "year": year, "standard_id": standard_id or default_standard(), "nav_page": page,
        "nav_years": context.get("nav_years"), "nav_standards": context.get("nav_standards"), "request": request,
    }  # fmt: skip


@register.inclusion_tag("includes/school_nav.html", takes_context=True)
def school_nav(context: template.Context, school: Any, year: int) -> dict[str, Any]:
    """For a clerk who answers for several schools: links to each of them (the current one marked)."""
    from dudao.orgs.access import memberships
    from dudao.orgs.models import Role, SchoolYear

    request: HttpRequest = context["request"]
    own = {m.school.pk: m.school.code for m in memberships(request.user) if m.role == Role.SCHOOL_CLERK and m.school}
    if len(own) < 2 or school is None or school.pk not in own:
        return {"schools": []}
    names: dict[int, str] = {}
    for pk, name in (
        SchoolYear.objects.filter(school_id__in=own, year__lte=year).order_by("year").values_list("school_id", "name")
    ):
        names[pk] = name  # the latest name up to this year
    schools = sorted(((code, names.get(pk, code), pk == school.pk) for pk, code in own.items()), key=lambda s: s[1])
    return {"schools": schools, "year": year}
