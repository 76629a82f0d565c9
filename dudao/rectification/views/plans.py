"""Work plans (工作方案) and their task lists: create, add tasks, import and export .xlsx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.engine.problems import InputError
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import Permission, region_permissions
from dudao.orgs.models import Region
from dudao.rectification import actions
from dudao.rectification.access import access_plan
from dudao.rectification.actions import RectificationError, TaskSpec
from dudao.rectification.importing import read_task_list, write_task_list
from dudao.rectification.models import Task, WorkPlan
from dudao.rectification.rules import rules_for
from dudao.rectification.status import task_state
from dudao.rectification.tables import plans_table, tasks_table
from dudao.rectification.views.common import (
    departments,
    indicators,
    lang,
    page_or_create,
    parse_date,
    parse_int,
    refuse,
)
from dudao.tables import XLSX_TYPE, download
from dudao.views import current_year


def _plans_page(request: HttpRequest, county: Region, status: int = 200) -> HttpResponse:
    rows = list(WorkPlan.objects.filter(county=county))
    counts = dict(Task.objects.filter(plan__county=county).values_list("plan").annotate(n=Count("pk")).order_by())
    table = plans_table(rows, counts)
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "rectification/plans.html", {
        "county": county, "table": table, "perms": region_permissions(request.user, county),
        "year": current_year(), "post": request.POST if request.method == "POST" else {},
    }, status=status)  # fmt: skip


@login_required
def plans(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    post = request.POST

    def create(county: Region) -> tuple[str, HttpResponse]:
        year = parse_int(post.get("year"), "年度", "year")
        plan = actions.create_plan(request.user, county, post.get("title", ""), year, post.get("doc_no", ""),
                                   post.get("goal", ""))  # fmt: skip
        return _("已建立工作方案，请添加任务或导入任务清单。"), redirect("rectification:plan", pk=plan.pk)

    return page_or_create(request, code, _plans_page, create)


def _plan(request: HttpRequest, pk: int, perm: Permission = "view") -> WorkPlan:
    return access_plan(request.user, pk, perm)


def _tasks(plan: WorkPlan) -> list[Task]:
    return list(
        Task.objects.filter(plan=plan)
        .select_related("department", "county")
        .prefetch_related("cooperating", "milestones")
        .order_by("number")
    )


def _plan_page(request: HttpRequest, plan: WorkPlan, status: int = 200, problems: list | None = None) -> HttpResponse:
    on = actions.today()
    tasks = _tasks(plan)
    rules = rules_for(plan.county.code)
    states = {t.pk: task_state(t, on, rules) for t in tasks}
    table = tasks_table("tasks", _("任务清单"), tasks, states, on)
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "rectification/plan.html", {
        "plan": plan, "county": plan.county, "table": table,
        "perms": region_permissions(request.user, plan.county), "departments": departments(plan.county),
        "indicators": indicators(), "problems": [p.text(lang()) for p in problems or []],
        "post": request.POST if request.method == "POST" else {},
    }, status=status)  # fmt: skip


@login_required
def plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _plan(request, pk))


@login_required
@require_POST
def add_task(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _plan(request, pk, "review")
    post = request.POST
    try:
        milestones = []
        for title, due in zip(post.getlist("milestone_title"), post.getlist("milestone_due"), strict=False):
            if title.strip() or due.strip():
                milestones.append((title, parse_date(due, "节点时限", "milestone date")))
        spec = TaskSpec(
            title=post.get("title", ""), department=post.get("department", ""),
            deadline=parse_date(post.get("deadline"), "完成时限", "deadline"),
            cooperating=post.getlist("cooperating"), indicators=post.getlist("indicators"), milestones=milestones,
        )  # fmt: skip
        task = actions.create_task(request.user, found, spec)
    except RectificationError as error:
        refuse(request, error)
        return _plan_page(request, found, 400)
    messages.success(request, _("已下达任务 %(number)d，已通知%(unit)s。") % {"number": task.number,
                                                                         "unit": task.department.name})  # fmt: skip
    return redirect("rectification:plan", pk=found.pk)


@login_required
@require_POST
def import_tasks(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole file is checked first; any problem is listed and nothing is imported."""
    found = _plan(request, pk, "review")
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("请选择要导入的任务清单（.xlsx）"))
        return _plan_page(request, found, 400)
    try:
        checked = read_task_list(file.name or "", file.read(), found)
    except InputError as error:
        messages.error(request, _("任务清单有 %(n)d 处问题，未导入任何任务：") % {"n": len(error.problems)})
        return _plan_page(request, found, 400, error.problems)
    created = actions.create_tasks(request.user, found, checked.tasks, filename=file.name or "")
    messages.success(request, _("已导入 %(n)d 项任务（%(same)d 项与清单中已有任务相同，未重复导入）。") % {
        "n": len(created), "same": checked.unchanged})  # fmt: skip
    return redirect("rectification:plan", pk=found.pk)


@login_required
def export_tasks(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _plan(request, pk)
    response = HttpResponse(write_task_list(found, _tasks(found)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tasks-{found.county.code}-{found.pk}.xlsx"'
    return response
