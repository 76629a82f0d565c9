"""学位预警 (seats) and 达标预测 (projected compliance): the county's enrolment forecast
(:func:`dudao.planning.forecasting.county_forecast`) turned into seats, class sizes and teachers, and into
each future year's evaluation with today's resources. Pages for whoever may view the county
(``dudao.planning.access.access_planning_county``, as the cockpit); GETs, nothing is written.

Query: ``scenario`` (low / medium / high; medium by default), on the seats page ``years`` (the 学位预警
window, 1 … the forecast's horizon) and ``sort`` (first_year / gap / max_gap / name); a value that is
none of these is a 404, as an unknown level is on the balance page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dudao.engine.forecast import SCENARIOS, Scenario
from dudao.engine.problems import InputError
from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.orgs.models import Region
from dudao.overview import cockpit
from dudao.overview.views.county import lang, nav_context, valid_year
from dudao.parsing import read_int
from dudao.planning.access import access_planning_county
from dudao.planning.forecast_tables import SCENARIO_LABELS
from dudao.planning.forecasting import HORIZON
from dudao.planning.seats import SORTS, county_projected, county_seats, has_inputs, projected_page, seats_page
from dudao.tables import download


def _county(request: HttpRequest, code: str, year: int, standard_id: str) -> Region:
    """The county through planning's door (404 unless the user may view it), and 404 for a year out of range
    or a standard not judged from school figures."""
    county = access_planning_county(request.user, code)
    if not valid_year(year) or cockpit.evaluable_standard(standard_id) is None:
        raise Http404
    return county


def _scenario(request: HttpRequest) -> Scenario:
    scenario = request.GET.get("scenario") or "medium"
    for known in SCENARIOS:
        if scenario == known:
            return known
    raise Http404


def _context(county: Region, year: int, standard_id: str, tab: str, scenario: str) -> dict[str, Any]:
    return {
        **nav_context(county, year, standard_id, "planning"),
        "tab": tab,
        "scenario": scenario,
        "scenarios": [(s, SCENARIO_LABELS[s]) for s in SCENARIOS],
    }


def _problems_text(error: InputError) -> str:
    english = lang().startswith("en")
    return "；".join(p.text("en" if english else "zh") for p in error.problems[:5])


@login_required
def seats(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county = _county(request, code, year, standard_id)
    scenario = _scenario(request)
    sort = request.GET.get("sort") or "first_year"
    years = read_int(request.GET.get("years")) if request.GET.get("years") else None
    if sort not in SORTS or (years is not None and not 1 <= years <= HORIZON):
        raise Http404
    context = _context(county, year, standard_id, "seats", scenario)
    try:
        planning, result, forecast = county_seats(county, year, standard_id, scenario, years)
    except InputError as error:
        download(request, [])
        context["error"] = _("无法测算学位：%(problems)s") % {"problems": _problems_text(error)}
        return render(request, "planning/seats.html", context)
    page = seats_page(result, planning, sort)
    if (response := download(request, page.tables)) is not None:
        return response
    context.update(
        {
            "p": page,
            "forecast": forecast,
            "sort": sort,
            "sorts": list(SORTS.items()),
            "window": result.warning_years,
            "windows": list(range(1, HORIZON + 1)),
        }
    )
    return render(request, "planning/seats.html", context)


@login_required
def projected(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county = _county(request, code, year, standard_id)
    scenario = _scenario(request)
    context = _context(county, year, standard_id, "projected", scenario)
    try:
        run = stored_run(county, year, standard_id)
    except EvaluationError as error:
        download(request, [])
        context["error"] = error.text(lang())
        return render(request, "planning/projected.html", context)
    if not has_inputs(run):
        context["error"] = _("该评估记录没有保存评估所用的数据，请重新评估后再看达标预测")
        return render(request, "planning/projected.html", context)
    try:
        result, forecast = county_projected(run, scenario)
    except InputError as error:
        download(request, [])
        context["error"] = _("无法预测达标情况：%(problems)s") % {"problems": _problems_text(error)}
        return render(request, "planning/projected.html", context)
    page = projected_page(result)
    if (response := download(request, page.tables)) is not None:
        return response
    context.update({"p": page, "run": run, "forecast": forecast})
    return render(request, "planning/projected.html", context)
