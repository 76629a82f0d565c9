"""Leaders' liaison schools (挂钩联系学校): visits and things done for schools (办实事), with the
yearly target (rules.yaml)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_county, region_permissions
from dudao.orgs.models import Region, SchoolYear
from dudao.parsing import id_or_404, read_id, read_int
from dudao.rectification import actions
from dudao.rectification.actions import RectificationError
from dudao.rectification.models import Leader, PracticalMatter, Visit
from dudao.rectification.rules import rules_for
from dudao.rectification.tables import leaders_table, matters_table, visits_table
from dudao.rectification.views.common import parse_date, parse_int, refuse, schools
from dudao.tables import download
from dudao.views import current_year


def _names(county: Region) -> dict[int, str]:
    """School names by school pk (the latest year's name)."""
    names: dict[int, str] = {}
    for school_id, name in (
        SchoolYear.objects.filter(school__county=county).order_by("year").values_list("school_id", "name")
    ):
        names[school_id] = name
    return names


def _page(request: HttpRequest, county: Region, status: int = 200) -> HttpResponse:
    year = read_int(request.GET.get("year"), MIN_YEAR, MAX_YEAR) or current_year()
    leaders = list(Leader.objects.filter(county=county).prefetch_related("links", "visits", "matters"))
    names = _names(county)
    visits = Visit.objects.filter(leader__county=county).select_related("leader")
    matters = list(PracticalMatter.objects.filter(leader__county=county, year=year).select_related("leader"))
    tables = [
        leaders_table(leaders, year, rules_for(county.code).practical_matters, names),
        visits_table(visits, names),
        matters_table(matters, names),
    ]
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "rectification/liaison.html", {
        "county": county, "year": year, "tables": tables, "leaders": leaders,
        "open_matters": [m for m in matters if m.status == PracticalMatter.Status.PLANNED],
        "names": names, "schools": schools(county, current_year()), "today": actions.today(),
        "perms": region_permissions(request.user, county), "target": rules_for(county.code).practical_matters,
        "post": request.POST if request.method == "POST" else {},
    }, status=status)  # fmt: skip


@login_required
def liaison(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _page(request, access_county(request.user, code))


def _leader(county: Region, raw: str | None) -> Leader:
    pk = read_id(raw)
    leader = Leader.objects.filter(county=county, pk=pk).first() if pk is not None else None
    if leader is None:
        raise RectificationError("unknown_leader", gettext_lazy("请选择县领导"))
    return leader


@login_required
@require_POST
def change(request: AuthenticatedHttpRequest, code: str, what: str) -> HttpResponse:
    county = access_county(request.user, code, "review")
    post = request.POST
    try:
        if what == "leader":
            actions.add_leader(request.user, county, post.get("name", ""), post.get("post", ""))
        elif what == "link":
            actions.link_school(request.user, _leader(county, post.get("leader")), post.get("school", ""))
        elif what == "visit":
            visited = parse_date(post.get("on"), "走访日期", "visit date")
            leader = _leader(county, post.get("leader"))
            actions.record_visit(request.user, leader, post.get("school", ""), visited, post.get("note", ""))
        elif what == "matter":
            actions.add_matter(request.user, _leader(county, post.get("leader")), post.get("school", ""),
                               parse_int(post.get("year"), "年度", "year"), post.get("title", ""))  # fmt: skip
        elif what == "matter-done":
            matter = get_object_or_404(PracticalMatter, leader__county=county, pk=id_or_404(post.get("matter")))
            actions.complete_matter(request.user, matter, parse_date(post.get("on"), "办结日期", "completion date"))
        else:
            raise Http404
    except RectificationError as error:
        refuse(request, error)
        return _page(request, county, 400)
    messages.success(request, _("已保存。"))
    return redirect("rectification:liaison", code=code)
