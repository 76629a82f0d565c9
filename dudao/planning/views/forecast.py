"""The enrolment forecast page (入学预测): the county's and each town's history and forecast with its
interval as charts, tables per area and per school (method, back-test error, forecast per year,
interval), a scenario switch (``?scenario=low|medium|high``) and downloads. Computed on each request
from the stored inputs (:func:`dudao.planning.forecasting.county_forecast`); nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dudao.engine.forecast import SCENARIOS, Scenario
from dudao.engine.problems import InputError
from dudao.http import AuthenticatedHttpRequest
from dudao.overview import cockpit
from dudao.overview.views.county import lang, nav_context, valid_year
from dudao.planning import forecast_tables as ft
from dudao.planning.access import access_planning_county
from dudao.planning.forecasting import county_forecast
from dudao.tables import download


@login_required
def forecast_latest(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The forecast from the latest school year with data, under the default standard (the menu's link)."""
    county = access_planning_county(request.user, code)
    years = cockpit.years_with_data(county.pk)
    year = years[0] if years else timezone.localdate().year
    return redirect("planning:forecast", code=county.code, year=year, standard_id=cockpit.default_standard())


@login_required
def forecast(request: AuthenticatedHttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county = access_planning_county(request.user, code)
    if not valid_year(year) or cockpit.evaluable_standard(standard_id) is None:
        raise Http404
    scenario = request.GET.get("scenario", "medium")
    if scenario not in SCENARIOS:
        raise Http404
    context: dict[str, Any] = {
        **nav_context(county, year, standard_id, "planning"),
        "scenario": scenario,
        "scenarios": [(s, ft.SCENARIO_LABELS[s]) for s in SCENARIOS],
    }
    try:
        result = county_forecast(county, year, scenario)
    except InputError as error:
        download(request, [])  # a table asked for that is not shown: 404
        context["errors"] = [p.text(lang()) for p in error.problems[:20]]
        return render(request, "planning/forecast.html", context)
    tables = _tables(result, scenario)
    if (response := download(request, tables)) is not None:
        return response
    english = lang().startswith("en")
    chart = ft.chart_data(result, scenario)
    context |= {
        "f": result,
        "areas": tables[0],
        "schools": tables[1],
        "methods": tables[2],
        "chart": chart,
        "charts": list(chart["charts"].items()),
        "notes": [n.message_en if english else n.message_zh for n in result.notes],
        "backtest_years": (", " if english else "、").join(str(y) for y in result.backtest_years),
    }
    return render(request, "planning/forecast.html", context)


def _tables(result: Any, scenario: Scenario) -> list[Any]:
    return [
        ft.areas_table(result, scenario),
        ft.schools_table(result, scenario, lang()),
        ft.methods_table(result, lang()),
    ]
