"""Leaders' liaison schools (挂钩联系学校): visits and things done for schools (办实事), with the
yearly target (rules.yaml)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.evidence import ACCEPT_ATTRIBUTE, ACCEPTED, max_bytes
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_county, region_permissions
from dudao.orgs.models import Region, SchoolYear
from dudao.parsing import id_or_404, read_id, read_int
from dudao.rectification import actions
from dudao.rectification.access import access_liaison_evidence, access_matter, access_visit
from dudao.rectification.actions import RectificationError
from dudao.rectification.models import Leader, LiaisonEvidence, PracticalMatter, Visit
from dudao.rectification.rules import rules_for
from dudao.rectification.tables import leaders_table, liaison_evidence_table, matters_table, visits_table
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
    visits = list(Visit.objects.filter(leader__county=county).select_related("leader").prefetch_related("evidence"))
    matters = list(
        PracticalMatter.objects.filter(leader__county=county, year=year)
        .select_related("leader")
        .prefetch_related("evidence")
    )
    docs = LiaisonEvidence.objects.filter(
        Q(visit__leader__county=county) | Q(matter__leader__county=county, matter__year=year)
    ).select_related("visit__leader", "matter")
    tables = [
        leaders_table(leaders, year, rules_for(county.code).practical_matters, names),
        visits_table(visits, names),
        matters_table(matters, names),
        liaison_evidence_table(docs, names),
    ]
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "rectification/liaison.html", {
        "county": county, "year": year, "tables": tables, "leaders": leaders,
        "open_matters": [m for m in matters if m.status == PracticalMatter.Status.PLANNED],
        "names": names, "schools": schools(county, current_year()), "today": actions.today(),
        "perms": region_permissions(request.user, county), "target": rules_for(county.code).practical_matters,
        "post": request.POST if request.method == "POST" else {}, "visit_choices": [
            (f"visit-{v.pk}", f"{v.on:%Y-%m-%d} {v.leader.name} · {names.get(v.school_id, '')}") for v in visits[:50]
        ],
        "matter_choices": [
            (f"matter-{m.pk}", f"{m.leader.name} · {names.get(m.school_id, '')} · {m.title}") for m in matters
        ],
        "accept": ACCEPT_ATTRIBUTE, "accepted_types": ACCEPTED, "max_mb": max_bytes() // (1024 * 1024),
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


@login_required
@require_POST
def files(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Evidence files (photos, minutes, acceptance papers) of a leader's visit (``owner=visit-<pk>``)
    or of a practical matter (``owner=matter-<pk>``) of the county."""
    county = access_county(request.user, code, "review")
    kind, _sep, number = request.POST.get("owner", "").partition("-")
    owner: Visit | PracticalMatter
    if kind == "visit":
        owner = access_visit(request.user, id_or_404(number), "review")
    elif kind == "matter":
        owner = access_matter(request.user, id_or_404(number), "review")
    else:
        refuse(request, RectificationError("no_owner", gettext_lazy("请选择走访记录或实事")))
        return _page(request, county, 400)
    if owner.leader.county_id != county.pk:
        raise Http404
    return _attach(request, owner, county)


def _attach(request: AuthenticatedHttpRequest, owner: Visit | PracticalMatter, county: Region) -> HttpResponse:
    try:
        stored = actions.attach_liaison_files(request.user, owner, request.FILES.getlist("files"))
    except RectificationError as error:
        refuse(request, error)
        return _page(request, county, 400)
    messages.success(request, _("已上传 %(n)s 个佐证材料。") % {"n": len(stored)})
    year = owner.year if isinstance(owner, PracticalMatter) else owner.on.year
    return redirect(reverse("rectification:liaison", args=[county.code]) + f"?year={year}")


@login_required
def liaison_evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    doc = access_liaison_evidence(request.user, pk)  # only those who may see the county get its files
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name)
