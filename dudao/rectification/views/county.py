"""A county's supervision dashboard, its rectification items and its bulletins (督导通报)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.evaluation.actions import EvaluationError
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import Permission, access_county, region_permissions
from dudao.orgs.models import Region
from dudao.rectification import actions
from dudao.rectification.access import access_bulletin
from dudao.rectification.actions import RectificationError
from dudao.rectification.models import Bulletin, RectificationItem
from dudao.rectification.reports import county_progress
from dudao.rectification.tables import bulletins_table, items_of, items_table, tasks_table, unit_table
from dudao.rectification.views.common import (
    departments,
    indicators,
    page_or_create,
    parse_date,
    parse_int,
    refuse,
    schools,
    standards,
)
from dudao.tables import download
from dudao.views import current_year


@login_required
def dashboard(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Tasks by department and by town (done / on time / at risk / overdue), the overdue and
    at-risk tasks, and the items' progress."""
    county = access_county(request.user, code)
    on = actions.today()
    progress = county_progress(county, on)
    tables = [
        unit_table("by-department", _("各部门任务推进情况"), _("责任单位"), progress.by_department),
        unit_table("by-town", _("各乡镇（街道）任务推进情况"), _("乡镇（街道）"), progress.by_town),
        tasks_table("overdue", _("逾期任务"), progress.of("overdue"), progress.states, on),
        tasks_table("at-risk", _("存在风险的任务"), progress.of("at_risk"), progress.states, on),
    ]
    if (response := download(request, tables)) is not None:
        return response
    items = dict(
        RectificationItem.objects.filter(county=county).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return render(request, "rectification/dashboard.html", {
        "county": county, "on": on, "progress": progress, "tables": tables, "items": items,
        "perms": region_permissions(request.user, county),
    })  # fmt: skip


def _items_page(request: HttpRequest, county: Region, status: int = 200) -> HttpResponse:
    on = actions.today()
    shown = request.GET.get("status", "open")
    rows, states = items_of(county, on, **({"status": shown} if shown in RectificationItem.Status.values else {}))
    table = items_table(rows, states, on)
    if (response := download(request, [table])) is not None:
        return response
    perms = region_permissions(request.user, county)
    year = current_year()
    return render(request, "rectification/items.html", {
        "county": county, "table": table, "perms": perms, "shown": shown, "statuses": RectificationItem.Status.choices,
        "year": year, "standard": settings.DUDAO_DEFAULT_STANDARD, "departments": departments(county),
        "standards": standards() if "review" in perms else [],
        "schools": schools(county, year) if perms & {"review", "inspect"} else [], "indicators": indicators(),
        "post": request.POST if request.method == "POST" else {},
    }, status=status)  # fmt: skip


@login_required
def items(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _items_page(request, access_county(request.user, code))


@login_required
@require_POST
def generate(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """One click: the current evaluation's shortfalls become items (and tasks)."""
    county = access_county(request.user, code, "review")
    try:
        year = parse_int(request.POST.get("year"), "学年", "year")
        standard = (request.POST.get("standard") or settings.DUDAO_DEFAULT_STANDARD).strip()
        result = actions.generate_items(request.user, county, year, standard)
    except (RectificationError, EvaluationError) as error:
        refuse(request, error)
        return _items_page(request, county, 400)
    messages.success(request, _(
        "已按%(year)d学年评估结果（记录 #%(run)d）生成整改事项：新增 %(created)d 项，差距变化 %(updated)d 项，"
        "已达标销号 %(met)d 项，撤销 %(void)d 项，未变 %(unchanged)d 项。"
    ) % {"year": year, "run": result.run.pk, "created": len(result.created), "updated": len(result.updated),
         "met": len(result.met), "void": len(result.void), "unchanged": result.unchanged})  # fmt: skip
    return redirect("rectification:items", code=code)


@login_required
@require_POST
def add_item(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """An item entered by the county office, or an inspector's finding."""
    county = access_county(request.user, code)
    source = request.POST.get("source", "")
    needed: Permission = "review" if source == RectificationItem.Source.MANUAL else "inspect"
    access_county(request.user, code, needed)
    try:
        item = actions.add_item(
            request.user, county, source, request.POST.get("target", ""), request.POST.get("department", ""),
            parse_date(request.POST.get("deadline"), "完成时限", "deadline"),
            finding=request.POST.get("finding", ""), school=request.POST.get("school", ""),
            year=parse_int(request.POST.get("year") or str(current_year()), "学年", "year"),
            indicators=[request.POST["indicator"]] if request.POST.get("indicator") else [],
        )  # fmt: skip
    except RectificationError as error:
        refuse(request, error)
        return _items_page(request, county, 400)
    messages.success(request, _("已登记整改事项，并下达给%(unit)s。") % {"unit": item.task.department.name})
    return redirect("rectification:task", pk=item.task_id)


def _bulletins_page(request: HttpRequest, county: Region, status: int = 200) -> HttpResponse:
    table = bulletins_table(Bulletin.objects.filter(county=county))
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "rectification/bulletins.html", {
        "county": county, "table": table, "perms": region_permissions(request.user, county),
        "post": request.POST if request.method == "POST" else {}, "today": actions.today(),
    }, status=status)  # fmt: skip


@login_required
def bulletins(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def issue(county: Region) -> tuple[str, HttpResponse]:
        start = parse_date(request.POST.get("start"), "起始日期", "first day")
        bulletin = actions.issue_bulletin(
            request.user, county, start, parse_date(request.POST.get("end"), "截止日期", "last day")
        )
        return _("已生成%(title)s。") % {"title": bulletin.title}, redirect("rectification:bulletins", code=code)

    return page_or_create(request, code, _bulletins_page, issue)


@login_required
def bulletin(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    found = access_bulletin(request.user, pk)
    name = f"{found.county.name}督导通报{found.year}年第{found.number}期.docx"
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=name)
