"""On-site sampling pages: the draws of a county (and a new draw), one draw's schools, and one
sampled school's printable checklist with the inspectors' findings (entered on a phone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dudao.actors import person
from dudao.engine.fields import LEVEL_ZH
from dudao.errors import ActionError
from dudao.evaluation.actions import EvaluationError
from dudao.orgs.access import region_permissions
from dudao.rectification.actions import RectificationError
from dudao.rectification.views.common import departments, parse_date
from dudao.reports import actions, sampling
from dudao.reports.access import READ, access_report_county, access_sampled_school, access_sampling_draw
from dudao.reports.content import location_zh
from dudao.reports.models import SampledSchool, SamplingDraw
from dudao.tables import Column, Table, download

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def _text(error: ActionError) -> str:
    return error.message_en if get_language().startswith("en") else error.message_zh


def draws_table(draws: list[SamplingDraw]) -> Table:
    columns = [Column("at", _("抽取时间")), Column("seed", _("随机种子")), Column("per", _("每层抽取校数"), "int"),
               Column("weight", _("未达标学校权重"), "number", 1), Column("n", _("抽中学校数"), "int"),
               Column("by", _("抽取人"))]  # fmt: skip
    rows = [
        {"at": f"{d.created_at:%Y-%m-%d %H:%M}", "seed": str(d.seed), "per": d.per_stratum, "weight": d.failing_weight,
         "n": sum(s["drawn"] for s in d.strata), "by": d.created_by.username if d.created_by else "",
         "_href": {"at": reverse("reports:draw", args=[d.pk])}}
        for d in draws
    ]  # fmt: skip
    return Table("draws", _("实地核验抽样记录"), columns, rows)


_NOTHING_POSTED: Mapping[str, Any] = MappingProxyType({})  # what the forms show before anything is posted


class _Counted(TypedDict):
    n_findings: int


def sampled_table(draw: SamplingDraw, schools: Sequence[WithAnnotations[SampledSchool, _Counted]]) -> Table:
    columns = [Column("order", _("序号"), "int"), Column("name", _("学校名称")), Column("level", _("学段")),
               Column("location", _("城乡类型")), Column("passed", _("每校要求"), "verdict"),
               Column("findings", _("核验发现"), "int")]  # fmt: skip
    rows = [
        {"order": s.order, "name": s.school_name, "level": _(LEVEL_ZH.get(s.level, s.level)),
         "location": _(location_zh(s.location)), "passed": s.passed, "findings": s.n_findings,
         "_href": {"name": reverse("reports:checklist", args=[draw.pk, s.pk])}}
        for s in schools
    ]  # fmt: skip
    return Table("sampled", _("抽中学校"), columns, rows)


def strata_table(draw: SamplingDraw) -> Table:
    columns = [Column("level", _("学段")), Column("location", _("城乡类型")),
               Column("population", _("学校数"), "int"), Column("drawn", _("抽中学校数"), "int")]  # fmt: skip
    rows = [{"level": _(LEVEL_ZH.get(s["level"], s["level"])), "location": _(location_zh(s["location"])),
             "population": s["population"], "drawn": s["drawn"]} for s in draw.strata]  # fmt: skip
    return Table("strata", _("分层情况"), columns, rows)


@login_required
def draws(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county = access_report_county(request.user, code, year, standard_id)
    error, post = "", _NOTHING_POSTED
    if request.method == "POST":
        post = request.POST
        try:
            draw = actions.create_draw(person(request.user), county, year, standard_id, post.get("per_stratum"),
                                        post.get("seed"), post.get("failing_weight"))  # fmt: skip
        except (sampling.SamplingError, EvaluationError) as exc:
            error = _text(exc)
        else:
            return redirect("reports:draw", draw.pk)
    found = list(
        SamplingDraw.objects.filter(county=county, year=year, standard_id=standard_id).select_related("created_by")
    )
    table = draws_table(found)
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "reports/draws.html", {
        "county": county, "year": year, "standard_id": standard_id, "table": table, "error": error, "post": post,
        "may_draw": sampling.may_draw(request.user, county),
    }, status=400 if error else 200)  # fmt: skip


@login_required
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    found = access_sampling_draw(request.user, pk)
    schools = list(found.schools.annotate(n_findings=Count("findings")))
    tables = [sampled_table(found, schools), strata_table(found)]
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "reports/draw.html", {
        "draw": found, "county": found.county, "tables": tables, "reproduced": sampling.reproduce(found),
    })  # fmt: skip


@login_required
def checklist(request: HttpRequest, pk: int, school: int) -> HttpResponse:
    sampled = access_sampled_school(request.user, pk, school)
    found = sampled.draw
    county = found.county
    may_record = READ in region_permissions(request.user, county)
    error, post = "", _NOTHING_POSTED
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        post = request.POST
        try:
            deadline = parse_date(post.get("deadline", ""), "完成时限", "the deadline")
            actions.record_finding(person(request.user), sampled, post.get("text", ""), post.get("target", ""),
                                    post.get("department"), deadline, post.get("indicator", ""),
                                    post.get("observed"))  # fmt: skip
        except (RectificationError, sampling.SamplingError) as exc:
            error = _text(exc)
        else:
            messages.success(request, _("已记录核验发现，并列入整改事项。"))
            return redirect("reports:checklist", found.pk, sampled.pk)
    result = sampling.school_result(sampled)
    level = found.run.result_obj.levels.get(sampled.level)
    names = level.indicators if level is not None else {}
    rows = [(code, names.get(code), ind) for code, ind in (result.indicators if result else {}).items()]
    return render(request, "reports/checklist.html", {
        "draw": found, "county": county, "sampled": sampled, "rows": rows, "may_record": may_record,
        "findings": sampled.findings.select_related("item__task__department"), "departments": departments(county),
        "error": error, "post": post, "level": _(LEVEL_ZH.get(sampled.level, sampled.level)),
        "location": _(location_zh(sampled.location)),
    }, status=400 if error else 200)  # fmt: skip
