"""学校名录: a county's schools as they are in a school year, and a school's register page with its
history; open, change (from a school year on), merge and close (each confirmed on a page stating its
effect). Views parse, call ``dudao.orgs.actions`` and render; a GET never writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.audit.models import AuditEvent
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs import actions
from dudao.orgs.access import access_region, access_register_school
from dudao.orgs.actions import OrgsError
from dudao.orgs.actions.schools import ATTRIBUTES, CONTACT
from dudao.orgs.lists import states
from dudao.orgs.models import (
    LOCATION_CHOICES,
    OWNERSHIP_CHOICES,
    SCHOOL_TYPE_CHOICES,
    Region,
    School,
    SchoolYear,
)
from dudao.orgs.views.common import nav, parse_year, refused, register_year
from dudao.tables import Table, columns, download

STATUSES = ("open", "all")


def county_for(request: HttpRequest, code: str, perm: str = "view") -> Region:
    county = access_region(request.user, code, perm)  # type: ignore[arg-type]
    if county.level != Region.Level.COUNTY:
        raise Http404
    return county


def register_table(county: Region, year: int, status: str) -> Table:
    rows = []
    for sy in states(county, year):
        if status == "open" and sy.status != SchoolYear.Status.OPEN:
            continue
        state = sy.get_status_display()
        if sy.status == SchoolYear.Status.MERGED and sy.merged_into:
            state = _("并入 %(code)s") % {"code": sy.merged_into.code}
        rows.append(
            {
                "code": sy.school.code,
                "name": sy.name,
                "type": sy.get_school_type_display(),
                "town": sy.town.name if sy.town else "",
                "location": sy.get_location_display() if sy.location else "",
                "ownership": sy.get_ownership_display(),
                "status": state,
                "since": sy.year,
                "head": sy.school.head,
                "phone": sy.school.phone,
                "address": sy.school.address,
                "_href": {"name": reverse("orgs:school", args=[sy.school.code])},
                "_row_class": "" if sy.status == SchoolYear.Status.OPEN else "muted",
            }
        )
    cols = columns(
        ("code", _("学校标识码")),
        ("name", _("学校名称")),
        ("type", _("学校类型")),
        ("town", _("乡镇（街道）")),
        ("location", _("城乡类型")),
        ("ownership", _("办学性质")),
        ("status", _("状态")),
        ("since", _("信息所属学年"), "int"),
        ("head", _("校长")),
        ("phone", _("联系电话")),
        ("address", _("地址")),
    )
    title = _("%(year)s学年学校名录") % {"year": year}
    return Table("register", title, cols, rows)


def _choices() -> dict[str, Any]:
    return {"school_types": SCHOOL_TYPE_CHOICES, "locations": LOCATION_CHOICES, "ownerships": OWNERSHIP_CHOICES}


def _towns(county: Region) -> list[Region]:
    return list(
        Region.objects.filter(parent=county, level=Region.Level.TOWN, closed_from__isnull=True).order_by("code")
    )


@login_required
def schools(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county = county_for(request, code)
    year = parse_year(request.GET.get("year"), register_year(county))
    status = request.GET.get("status", "")
    if status not in STATUSES:
        status = "open"
    table = register_table(county, year, status)
    if (response := download(request, [table])) is not None:
        return response
    context = {
        **nav(request, county, "schools"),
        "year": year,
        "status": status,
        "table": table,
        "towns": _towns(county),
        **_choices(),
    }
    return render(request, "orgs/schools.html", context)


def _town(request: HttpRequest, county: Region, raw: str) -> Region | None:
    if not raw:
        return None
    town = Region.objects.filter(code=raw, parent=county, level=Region.Level.TOWN).first()
    if town is None:
        raise Http404
    return town


@login_required
@require_POST
def open_school(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county = county_for(request, code, "org")
    post = request.POST
    try:
        school = actions.open_school(
            request.user,
            county,
            post.get("code", ""),
            post.get("year", ""),
            name=post.get("name", ""),
            school_type=post.get("school_type", ""),
            location=post.get("location", ""),
            ownership=post.get("ownership", "public"),
            town=_town(request, county, post.get("town", "")),
            address=post.get("address", ""),
            head=post.get("head", ""),
            phone=post.get("phone", ""),
            why=post.get("why", ""),
        )
    except OrgsError as error:
        refused(request, error)
        return redirect(
            f"{reverse('orgs:schools', args=[county.code])}?year={parse_year(post.get('year'), register_year(county))}"
        )
    messages.success(request, _("已登记开办学校（%(code)s）。") % {"code": school.code})
    return redirect("orgs:school", code=school.code)


def history_table(school: School) -> Table:
    rows = []
    for sy in school.years.select_related("town", "merged_into").order_by("year"):
        rows.append(
            {
                "year": sy.year,
                "name": sy.name,
                "type": sy.get_school_type_display(),
                "town": sy.town.name if sy.town else "",
                "location": sy.get_location_display() if sy.location else "",
                "ownership": sy.get_ownership_display(),
                "status": sy.get_status_display(),
                "merged_into": sy.merged_into.code if sy.merged_into else "",
            }
        )
    cols = columns(
        ("year", _("学年"), "int"),
        ("name", _("学校名称")),
        ("type", _("学校类型")),
        ("town", _("乡镇（街道）")),
        ("location", _("城乡类型")),
        ("ownership", _("办学性质")),
        ("status", _("状态")),
        ("merged_into", _("并入学校")),
    )
    return Table("history", _("各学年信息"), cols, rows, note=_("某学年没有记录时，沿用此前最近一个学年的信息。"))


@login_required
def school(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access_register_school(request.user, code)
    county = found.county
    year = parse_year(request.GET.get("year"), register_year(county))
    history = history_table(found)
    from dudao.orgs.views.audit import events_table

    trail = events_table(
        AuditEvent.objects.filter(target_type="orgs.school", target_id=str(found.pk)), "school-events", _("操作记录")
    )
    if (response := download(request, [history, trail])) is not None:
        return response
    current = actions.schools.state(found, year) or found.years.order_by("year").first()
    others = [sy for sy in states(county, year) if sy.school_id != found.pk and sy.status == SchoolYear.Status.OPEN]
    context = {
        **nav(request, county, "schools"),
        "school": found,
        "year": year,
        "current": current,
        "history": history,
        "trail": trail,
        "towns": _towns(county),
        "others": others,
        **_choices(),
    }
    return render(request, "orgs/school.html", context)


@login_required
@require_POST
def change_school(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access_register_school(request.user, code, "org")
    post = request.POST
    given: dict[str, Any] = {k: post[k] for k in (*ATTRIBUTES, *CONTACT) if k in post and k != "town"}
    if "town" in post:
        given["town"] = _town(request, found.county, post["town"])
    try:
        changed = actions.change_school(request.user, found, post.get("year") or None, why=post.get("why", ""), **given)
    except OrgsError as error:
        refused(request, error)
    else:
        messages.success(request, _("已保存。") if changed else _("没有变化。"))
    return redirect("orgs:school", code=found.code)


@login_required
def end_school(request: AuthenticatedHttpRequest, code: str, how: str) -> HttpResponse:
    """Merge or close: the GET (from the school page's form) states the effect; the POST does it."""
    if how not in ("merge", "close"):
        raise Http404
    found = access_register_school(request.user, code, "org")
    source = request.POST if request.method == "POST" else request.GET
    year = parse_year(source.get("year"), register_year(found.county))
    why = source.get("why", "")
    into = None
    if how == "merge":
        into = access_register_school(request.user, source.get("into", ""), "org") if source.get("into") else None
    if request.method == "POST":
        try:
            if how == "merge":
                if into is None:
                    raise OrgsError("bad_target", gettext_lazy("请选择并入的学校"))
                actions.merge_school(request.user, found, into, year, why=why)
            else:
                actions.close_school(request.user, found, year, why=why)
        except OrgsError as error:
            refused(request, error)
        else:
            messages.success(request, _("已保存，自%(year)s学年起生效。") % {"year": year})
            return redirect("orgs:school", code=found.code)
    state = actions.schools.state(found, year)
    into_state = actions.schools.state(into, year) if into else None
    context = {
        **nav(request, found.county, "schools"),
        "school": found,
        "how": how,
        "year": year,
        "why": why,
        "into": into,
        "into_name": into_state.name if into_state else "",
        "name": state.name if state else found.code,
    }
    return render(request, "orgs/school_end.html", context)
