"""The balance view (均衡分析): each indicator's distribution across schools, urban / town / rural and
public / private comparisons, and the schools that pull each CV up most — charts with the same
figures as downloadable tables beside them. One level at a time (``?level=junior``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.access import region_permissions
from dudao.orgs.actions.town_groups import town_groups
from dudao.overview.balance import balance_view, levels_of
from dudao.overview.views.county import county_page, lang, nav_context
from dudao.tables import download


def county_run(
    request: HttpRequest, code: str, year: int, standard_id: str, page: str
) -> tuple[dict[str, Any], EvaluationRun | None]:
    """A county page's context (subnav, standard) and the county's current run; None, with the reason
    in ``context["error"]``, when there is nothing to evaluate (a table asked for is then a 404)."""
    county, standard = county_page(request, code, year, standard_id)
    context: dict[str, Any] = {**nav_context(county, year, standard_id, page), "standard": standard}
    try:
        return context, stored_run(county, year, standard_id)
    except EvaluationError as error:
        download(request, [])
        context["error"] = error.text(lang())
        return context, None


@login_required
def balance(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    context, run = county_run(request, code, year, standard_id, "balance")
    levels = levels_of(run.result_obj) if run is not None else []
    if run is not None and not levels:
        context["error"] = _("本学年没有参评学校，无法做均衡分析")
    if "error" in context or run is None:  # county_run says why there is no run
        return render(request, "overview/balance.html", context)
    level = request.GET.get("level") or levels[0]
    if level not in levels:
        raise Http404
    county = context["county"]
    view = balance_view(run.result_obj, level, town_groups(county))
    if (response := download(request, view.tables)) is not None:
        return response
    context.update({"run": run, "b": view, "can_group": "review" in region_permissions(request.user, county)})
    return render(request, "overview/balance.html", context)
