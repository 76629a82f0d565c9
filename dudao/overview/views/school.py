"""The school page (学校详情): the school's indicators against the standard with its gaps, its history
over the years with a result, and its census records with their review status and timeline.

The school comes through ``access_school`` (a school clerk reaches their own school; others by their
region rights); the figures from the county's stored run (``stored_run``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.census import actions as census
from dudao.census.models import CensusRecord, CensusYear
from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.orgs.access import access_school, region_permissions
from dudao.orgs.models import School, SchoolYear
from dudao.overview import cockpit as data
from dudao.overview.views.county import lang, nav_context, valid_year
from dudao.rectification.actions import today as rectification_today
from dudao.rectification.tables import items_of, items_table
from dudao.tables import Table, columns, download


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def census_tables(records: list[CensusRecord]) -> list[Table]:
    """The school's census records of the year (status, version, last change) and each one's timeline."""
    summary = Table(
        "census-records",
        _("统计数据填报记录"),
        columns(
            ("level", _("学段")),
            ("status", _("状态")),
            ("version", _("版本"), "int"),
            ("updated_at", _("最后修改")),
            ("updated_by", _("修改人")),
            ("return_reason", _("退回原因")),
        ),
        [
            {
                "level": r.get_level_display(),
                "status": r.get_status_display(),
                "version": r.version,
                "updated_at": _when(r.updated_at),
                "updated_by": r.updated_by.get_username() if r.updated_by else "",
                "return_reason": r.return_reason,
                "_class": {"status": f"status-{r.status}"},
            }
            for r in records
        ],
    )
    tables = [summary]
    for r in records:
        rows = [
            {
                "at": _when(e["at"]),
                "user": e["user"] or "",
                "what": f"{e['label']}：{e['old_label'] or '—'} → {e['new_label'] or '—'}"
                if e["kind"] in ("change", "school_change")
                else e["label"],
                "reason": e["why"],
            }
            for e in census.timeline(r)
        ]
        cols = columns(("at", _("时间")), ("user", _("人员")), ("what", _("内容")), ("reason", _("原因")))
        title = _("%(level)s修改与审核记录") % {"level": r.get_level_display()}
        tables.append(Table(f"timeline-{r.level}", title, cols, rows))
    return tables


def rectification_table(school: School, linked: bool) -> Table:
    """The school's rectification items of every year (整改事项), with the state of each one's task;
    linked to the tasks for those who see the county (a school clerk reads them here)."""
    items, states = items_of(school.county, rectification_today(), school=school)
    table = items_table(items, states, rectification_today())
    table.name, table.title = "rectification", _("本校整改事项")
    if not linked:
        for row in table.rows:
            row.pop("_href", None)
    return table


@login_required
def school(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    found = access_school(request.user, code)
    standard = data.evaluable_standard(standard_id)
    if standard is None or not valid_year(year):
        raise Http404
    attributes = SchoolYear.objects.filter(school=found, year__lte=year).order_by("-year").first()
    if attributes is None:
        raise Http404
    county = found.county
    records = list(CensusRecord.objects.filter(school=found, year=year).select_related("updated_by").order_by("level"))
    records_tables = census_tables(records)
    tables: list[Table] = list(records_tables)
    county_visible = "view" in region_permissions(request.user, county)
    context: dict[str, Any] = {
        **(nav_context(county, year, standard_id, "schools") if county_visible else {}),
        "school": found,
        "attributes": attributes,
        "labels": [
            label
            for label in (
                data.school_type_label(attributes.school_type),
                data.location_label(attributes.location),
                data.ownership_label(attributes.ownership),
            )
            if label
        ],
        "county": county,
        "year": year,
        "standard": standard,
        "standard_id": standard_id,
        "county_visible": county_visible,
        "records": records,
        "census_tables": records_tables,
        "locked": CensusYear.objects.filter(county=county, year=year, locked=True).exists(),
        "rectification": rectification_table(found, county_visible),
    }
    tables.append(context["rectification"])
    try:
        run = stored_run(county, year, standard_id)
    except EvaluationError as error:
        context["error"] = error.text(lang())
    else:
        parts = data.school_parts(run.result, found.code)
        runs = data.runs_by_year(county, standard_id)
        runs[year] = run
        history, chart = data.school_history(runs, found.code)
        tables += [p.table for p in parts] + [history]
        context.update(
            {
                "run": run,
                "parts": parts,
                "excluded": data.excluded_reasons(run.result, found.code),
                "history": history,
                "chart": chart if any(len(c["years"]) > 1 for c in chart.values()) else None,
            }
        )
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "overview/school.html", context)
