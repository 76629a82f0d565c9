"""机构设置: a region's page (its child regions; for a county its towns and departments with their
sections), and the changes of the tree: create, rename, move, close a region; create and change a
department. Views parse, call ``dudao.orgs.actions`` and render; a GET never writes."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.http import AuthenticatedHttpRequest
from dudao.orgs import actions
from dudao.orgs.access import CHILD_LEVEL, access_department, access_region, admin_regions, region_permissions
from dudao.orgs.actions import OrgsError
from dudao.orgs.models import Department, Membership, Region, Role, SchoolYear
from dudao.orgs.views.common import county_of, nav, parse_year, refused, register_year
from dudao.parsing import id_or_404
from dudao.tables import Table, columns, download


def child_title(region: Region) -> str:
    """What lies below ``region`` (市, 县（市、区）, 乡镇（街道）), translated; "" below a town."""
    child = CHILD_LEVEL.get(region.level)
    return str(Region.Level(child).label) if child else ""


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """机构设置 opens on the highest region the user administers (404 for anyone else)."""
    regions = admin_regions(request.user)
    if not regions:
        raise Http404
    return redirect("orgs:region", code=regions[0].code)


def _school_counts(region: Region, year: int) -> Counter[int | None]:
    """Open schools in ``year`` by town (for a county) or by county (above)."""
    rows = SchoolYear.objects.filter(school__county__path__startswith=region.path, year__lte=year).order_by("year")
    latest: dict[int, tuple[int | None, int, str]] = {}
    for school_id, town_id, county_id, status in rows.values_list(
        "school_id", "town_id", "school__county_id", "status"
    ):
        latest[school_id] = (town_id, county_id, status)
    by_town = region.level == Region.Level.COUNTY
    return Counter(
        (town if by_town else county) for town, county, status in latest.values() if status == SchoolYear.Status.OPEN
    )


def children_table(region: Region, year: int) -> Table:
    children = list(region.children.order_by("closed_from", "code"))
    counts = _school_counts(region, year) if region.level in ("county", "city") else Counter()
    rows = []
    for child in children:
        rows.append(
            {
                "code": child.code,
                "name": child.name,
                "schools": counts.get(child.pk, 0) if region.level in ("county", "city") else None,
                "status": _("自%(year)s学年起撤销") % {"year": child.closed_from} if child.closed_from else _("存续"),
                "_href": {"name": reverse("orgs:region", args=[child.code])},
                "_row_class": "muted" if child.closed_from else "",
            }
        )
    cols: list[tuple[str, ...]] = [("code", _("区划代码")), ("name", _("名称"))]
    if region.level in ("county", "city"):
        cols.append(("schools", _("%(year)s学年在办学校") % {"year": year}, "int"))
    cols.append(("status", _("状态")))
    title = child_title(region)
    return Table("regions", title, columns(*cols), rows)


def departments_table(county: Region) -> Table:
    departments = list(Department.objects.filter(county=county).select_related("parent").order_by("name"))
    clerks = Counter(
        Membership.objects.filter(role=Role.DEPARTMENT_CLERK, department__county=county).values_list(
            "department_id", flat=True
        )
    )
    by_parent: dict[int | None, list[Department]] = {}
    for d in departments:
        by_parent.setdefault(d.parent_id, []).append(d)
    rows = []
    for d in by_parent.get(None, []):
        for item in [d, *by_parent.get(d.pk, [])]:
            rows.append(
                {
                    "name": item.name if item.parent_id is None else f"└ {item.name}",
                    "kind": item.get_kind_display(),
                    "parent": item.parent.name if item.parent else "",
                    "clerks": clerks.get(item.pk, 0),
                    "_href": {"name": reverse("orgs:department", args=[item.pk])},
                }
            )
    cols = columns(
        ("name", _("部门（科室）")), ("kind", _("类别")), ("parent", _("上级部门")), ("clerks", _("联络员"), "int")
    )
    return Table("departments", _("部门和科室"), cols, rows)


@login_required
def region(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """机构设置 of a region: what lies below it, and (for those who manage its parent) its own changes."""
    found = access_region(request.user, code)
    year = parse_year(request.GET.get("year"), register_year(county_of(found)))
    tables: list[Table] = []
    if found.level != Region.Level.TOWN:
        tables.append(children_table(found, year))
    if found.level == Region.Level.COUNTY:
        tables.append(departments_table(found))
    if (response := download(request, tables)) is not None:
        return response
    parent_perms = region_permissions(request.user, found.parent) if found.parent else frozenset()
    context = {
        **nav(request, found, "tree"),
        "year": year,
        "tables": tables,
        "child_level": child_title(found),
        "can_change_self": "org" in parent_perms,
        "move_targets": _move_targets(request, found) if "org" in parent_perms else [],
        "sibling_towns": list(
            Region.objects.filter(parent=found.parent, level="town", closed_from__isnull=True).exclude(pk=found.pk)
        )
        if found.level == Region.Level.TOWN
        else [],
        "departments": list(Department.objects.filter(county=found, parent__isnull=True).order_by("name"))
        if found.level == Region.Level.COUNTY
        else [],
        "kinds": Department.Kind.choices,
        "town_schools": _town_schools(found, year) if found.level == Region.Level.TOWN else None,
    }
    return render(request, "orgs/region.html", context)


def _town_schools(town: Region, year: int) -> Table:
    rows = SchoolYear.objects.filter(school__county_id=town.parent_id, year__lte=year).select_related("school")
    latest: dict[int, SchoolYear] = {}
    for sy in rows.order_by("year"):
        latest[sy.school_id] = sy
    shown = sorted((sy for sy in latest.values() if sy.town_id == town.pk), key=lambda sy: sy.school.code)
    table_rows = [
        {
            "code": sy.school.code,
            "name": sy.name,
            "type": sy.get_school_type_display(),
            "status": sy.get_status_display(),
            "_href": {"name": reverse("orgs:school", args=[sy.school.code])},
        }
        for sy in shown
    ]
    cols = columns(("code", _("学校标识码")), ("name", _("学校名称")), ("type", _("学校类型")), ("status", _("状态")))
    return Table("town-schools", _("%(year)s学年本乡镇（街道）的学校") % {"year": year}, cols, table_rows)


def _move_targets(request: HttpRequest, region: Region) -> list[Region]:
    """The regions ``region`` may move under: open regions of its parent's level the user manages."""
    if region.parent is None:
        return []
    candidates = Region.objects.filter(level=region.parent.level, closed_from__isnull=True).exclude(pk=region.parent.pk)
    return [r for r in candidates.order_by("path") if "org" in region_permissions(request.user, r)][:500]


def _back(region: Region) -> HttpResponse:
    return redirect("orgs:region", code=region.code)


@login_required
@require_POST
def create_child(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    parent = access_region(request.user, code, "org")
    try:
        child = actions.create_region(
            request.user,
            parent,
            request.POST.get("code", ""),
            request.POST.get("name", ""),
            why=request.POST.get("why", ""),
        )
    except OrgsError as error:
        refused(request, error)
    else:
        messages.success(request, _("已新增“%(name)s”。") % {"name": child.name})
    return _back(parent)


@login_required
@require_POST
def rename(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access_region(request.user, code)
    try:
        actions.rename_region(request.user, found, request.POST.get("name", ""), why=request.POST.get("why", ""))
    except OrgsError as error:
        refused(request, error)
    else:
        messages.success(request, _("已更名。"))
    return _back(found)


@login_required
@require_POST
def move(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access_region(request.user, code)
    target = access_region(request.user, request.POST.get("parent", ""), "org")
    try:
        actions.move_region(request.user, found, target, why=request.POST.get("why", ""))
    except OrgsError as error:
        refused(request, error)
    else:
        messages.success(request, _("已移至“%(name)s”。") % {"name": target.name})
    return _back(found)


@login_required
def close(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Closing a region: the GET states the effect and asks for confirmation; the POST closes."""
    found = access_region(request.user, code)
    if found.parent is None or "org" not in region_permissions(request.user, found.parent):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    year = parse_year(source.get("year"), register_year(county_of(found)))
    schools_to = None
    if source.get("schools_to"):
        schools_to = access_region(request.user, source["schools_to"], "org")
    why = source.get("why", "")
    if request.method == "POST":
        try:
            actions.close_region(request.user, found, year, why=why, schools_to=schools_to)
        except OrgsError as error:
            refused(request, error)
        else:
            messages.success(request, _("“%(name)s”已自%(year)s学年起撤销。") % {"name": found.name, "year": year})
            return _back(found.parent)
    context = {
        **nav(request, found, "tree"),
        "year": year,
        "why": why,
        "schools_to": schools_to,
        "town_schools": _town_schools(found, year) if found.level == Region.Level.TOWN else None,
        "sibling_towns": list(
            Region.objects.filter(parent=found.parent, level="town", closed_from__isnull=True).exclude(pk=found.pk)
        ),
    }
    return render(request, "orgs/region_close.html", context)


@login_required
@require_POST
def create_department(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county = access_region(request.user, code, "org")
    parent = None
    if request.POST.get("parent"):
        parent = access_department(request.user, _int(request.POST["parent"]), "org")
    try:
        department = actions.create_department(
            request.user,
            county,
            request.POST.get("name", ""),
            request.POST.get("kind", ""),
            parent=parent,
            why=request.POST.get("why", ""),
        )
    except OrgsError as error:
        refused(request, error)
    else:
        messages.success(request, _("已新增“%(name)s”。") % {"name": department.name})
    return _back(county)


def _int(raw: str) -> int:
    return id_or_404(raw)


@login_required
def department(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = access_department(request.user, pk)
    if request.method == "POST":
        access_department(request.user, pk, "org")
        parent = None
        if request.POST.get("parent"):
            parent = access_department(request.user, _int(request.POST["parent"]), "org")
        try:
            changed = actions.change_department(
                request.user,
                found,
                name=request.POST.get("name"),
                kind=request.POST.get("kind"),
                parent=parent,
                why=request.POST.get("why", ""),
            )
        except OrgsError as error:
            refused(request, error)
        else:
            if changed:
                messages.success(request, _("已保存。"))
        return redirect("orgs:department", pk=pk)
    clerks = Membership.objects.filter(role=Role.DEPARTMENT_CLERK, department=found).select_related("user")
    context = {
        **nav(request, found.county, "tree"),
        "department": found,
        "clerks": [m.user for m in clerks.order_by("user__username")],
        "parents": list(
            Department.objects.filter(county=found.county, parent__isnull=True).exclude(pk=found.pk).order_by("name")
        ),
        "kinds": Department.Kind.choices,
        "sections": list(found.sections.order_by("name")),
    }
    return render(request, "orgs/department.html", context)
