"""The county cockpit (县域总览) and the county's school list, with the county subnav's year/standard switch.

Views parse, fetch through ``dudao.orgs.access`` and render what ``dudao.overview.cockpit`` builds
from the current evaluation run. ``county_page`` and ``nav_context`` are for every county page
(balance, what-if too): the first checks the address (404 for what does not exist), the second fills
the subnav (``overview/_county_nav.html``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.evaluation.render import LOCATIONS, level_label
from dudao.jobs.actions import updating
from dudao.orgs.access import access_region, region_permissions
from dudao.orgs.models import Region
from dudao.overview import cockpit as data
from dudao.parsing import read_int
from dudao.standards import Standard
from dudao.tables import download

MIN_YEAR = 2000
COUNTY_PAGES = ("county", "schools", "balance", "whatif")


def valid_year(year: int) -> bool:
    """A school year these pages can be asked about (from 2000 to next year)."""
    return MIN_YEAR <= year <= timezone.localdate().year + 1


def county_page(request: HttpRequest, code: str, year: int, standard_id: str) -> tuple[Region, Standard]:
    """The county (through ``access_region``: 404 when not visible) and the standard of a county page's
    address; 404 for a region that is not a county, a year out of range or a standard not judged from
    school figures."""
    county = access_region(request.user, code)
    if county.level != Region.Level.COUNTY or not valid_year(year):
        raise Http404
    standard = data.evaluable_standard(standard_id)
    if standard is None:
        raise Http404
    return county, standard


def nav_context(county: Region, year: int, standard_id: str, page: str) -> dict[str, Any]:
    """What ``overview/_county_nav.html`` reads (one query): merge it into a county page's context."""
    years = sorted({*data.years_with_data(county.pk), year}, reverse=True)
    return {
        "county": county,
        "year": year,
        "standard_id": standard_id,
        "nav_page": page,
        "nav_years": years,
        "nav_standards": data.evaluable_standards(),
    }


def school_url(year: int, standard_id: str) -> Any:
    def url(code: str) -> str:
        return reverse("overview:school", args=[code, year, standard_id])

    return url


def lang() -> str:
    return get_language() or "zh-hans"


@login_required
def cockpit(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county, standard = county_page(request, code, year, standard_id)
    report, overdue = data.census_status(county, year, timezone.localdate())
    context: dict[str, Any] = {
        **nav_context(county, year, standard_id, "county"),
        "standard": standard,
        "standard_title": standard.title_en if data.english() else standard.title_zh,
        "perms": region_permissions(request.user, county),
        "report": report,
        "overdue": overdue,
        "job": updating([county.pk], year, standard_id).get(county.pk),  # a background job updating it
    }
    try:
        view = data.cockpit(county, year, standard_id, school_url(year, standard_id), context["nav_years"])
    except EvaluationError as error:
        download(request, [])  # a table asked for that is not shown: 404
        context["error"], context["error_code"] = error.text(lang()), error.code
        return render(request, "overview/county.html", context)
    if (response := download(request, view.all_tables())) is not None:
        return response
    context["c"] = view
    return render(request, "overview/county.html", context)


class SchoolFilter(forms.Form):
    level = forms.ChoiceField(label=_("学段"), required=False)
    location = forms.ChoiceField(label=_("城乡"), required=False)
    verdict = forms.ChoiceField(label=_("每校要求"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = ("", _("全部"))
        level, location, verdict = (cast(forms.ChoiceField, self.fields[k]) for k in ("level", "location", "verdict"))
        level.choices = [every, *((lvl, level_label(lvl)) for lvl in ("primary", "junior"))]
        location.choices = [every, *LOCATIONS.items()]
        verdict.choices = [
            every,
            ("passed", _("达标")),
            ("failed", _("未达标")),
            ("undetermined", _("未判定")),
        ]


@login_required
def schools(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county, standard = county_page(request, code, year, standard_id)
    form = SchoolFilter(request.GET)
    context: dict[str, Any] = {**nav_context(county, year, standard_id, "schools"), "standard": standard, "form": form}
    if not form.is_valid():
        return render(request, "overview/schools.html", context, status=400)
    try:
        run = stored_run(county, year, standard_id)
    except EvaluationError as error:
        download(request, [])
        context["error"] = error.text(lang())
        return render(request, "overview/schools.html", context)
    table = data.school_list(run.result_obj, school_url(year, standard_id), **form.cleaned_data)
    if (response := download(request, [table])) is not None:
        return response
    context.update({"run": run, "table": table, "total": len(run.result_obj.schools)})
    return render(request, "overview/schools.html", context)


@login_required
def latest(request: HttpRequest, code: str) -> HttpResponse:
    """A county's cockpit for the latest school year with data, under the default standard."""
    county = access_region(request.user, code)
    if county.level != Region.Level.COUNTY:
        raise Http404
    years = data.years_with_data(county.pk)
    year = years[0] if years else timezone.localdate().year
    return redirect("overview:county", code=county.code, year=year, standard_id=data.default_standard())


@login_required
def switch(request: HttpRequest, code: str) -> HttpResponse:
    """The subnav's form: the same county page for another year or standard."""
    county = access_region(request.user, code)
    if county.level != Region.Level.COUNTY:
        raise Http404
    year = read_int(request.GET.get("year"))
    if year is None:
        return HttpResponseBadRequest(gettext("学年应为四位数字，如 2025"))
    standard_id = request.GET.get("standard", data.default_standard())
    if not valid_year(year) or data.evaluable_standard(standard_id) is None:
        return HttpResponseBadRequest(gettext("没有该学年或评估标准"))
    page = request.GET.get("page", "county")
    page = page if page in COUNTY_PAGES else "county"
    try:
        return redirect(reverse(f"overview:{page}", args=[county.code, year, standard_id]))
    except NoReverseMatch:
        return redirect("overview:county", code=county.code, year=year, standard_id=standard_id)
