"""One task: what it asks, its milestones, progress reports with evidence, acceptance or return,
its item's target and closure, and its timeline. And "my tasks" for a department's clerk."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.evidence import ACCEPT_ATTRIBUTE, ACCEPTED, max_bytes
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import Permission, clerk_departments, home_unit, region_permissions, visible_regions
from dudao.orgs.models import Region
from dudao.rectification import actions
from dudao.rectification.access import (
    access_milestone,
    access_task,
    access_task_evidence,
    task_permissions,
    visible_tasks,
)
from dudao.rectification.actions import RectificationError
from dudao.rectification.models import RectificationItem, Task, TaskEvidence
from dudao.rectification.rules import rules_for
from dudao.rectification.status import STATE_LABELS, task_state
from dudao.rectification.tables import evidence_table, milestones_table, tasks_table, timeline_table, why_text
from dudao.rectification.views.common import departments, indicators, lang, parse_date, refuse
from dudao.tables import Column, Table, download


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A clerk's tasks; a county supervisor goes to the county's dashboard; others choose a county."""
    own = clerk_departments(request.user)
    unit = home_unit(request.user)
    if not own and isinstance(unit, Region) and unit.level == Region.Level.COUNTY:
        return redirect("rectification:dashboard", code=unit.code)
    on = actions.today()
    tables: list[Table] = []
    if own:
        tasks = list(
            visible_tasks(request.user)
            .select_related("department", "county")
            .prefetch_related("cooperating", "milestones")
            .order_by("deadline", "pk")
        )
        states = {t.pk: task_state(t, on, rules_for(t.county.code)) for t in tasks}
        open_tasks = [t for t in tasks if t.status != Task.Status.ACCEPTED]
        done = [t for t in tasks if t.status == Task.Status.ACCEPTED]
        tables += [tasks_table("open", _("待办任务"), open_tasks, states, on),
                   tasks_table("done", _("已完成任务"), done, states, on)]  # fmt: skip
    counties = visible_regions(request.user).filter(level=Region.Level.COUNTY).select_related("parent")
    county_rows = [
        {"county": c.name, "city": c.parent.name if c.parent else "",
         "_href": {"county": reverse("rectification:dashboard", args=[c.code])}}
        for c in counties
    ]  # fmt: skip
    if county_rows:
        columns = [Column("county", _("县（市、区）")), Column("city", _("所属市"))]
        tables.append(Table("counties", _("各县整改督办"), columns, county_rows))
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "rectification/mine.html", {"tables": tables, "clerk": bool(own)})


def _task_page(request: HttpRequest, task: Task, status: int = 200) -> HttpResponse:
    on = actions.today()
    perms = task_permissions(request.user, task)
    item = RectificationItem.objects.filter(task=task).first()
    files = TaskEvidence.objects.filter(report__task=task).select_related("uploaded_by")
    tables = [
        milestones_table(task, on),
        evidence_table(files),
        timeline_table(task.events.select_related("user"), lang()),
    ]
    if (response := download(request, tables)) is not None:
        return response
    state = task_state(task, on, rules_for(task.county.code))
    return render(request, "rectification/task.html", {
        "task": task, "item": item, "perms": perms, "tables": tables, "state": state,
        "closed_why": why_text({"why": item.status, **item.close_data.get("new", {})}) if item else "",
        "county_nav": "view" in region_permissions(request.user, task.county),
        "state_label": STATE_LABELS[state], "cooperating": list(task.cooperating.all()),
        "can_report": "report" in perms and task.status not in (Task.Status.SUBMITTED, Task.Status.ACCEPTED),
        "departments": departments(task.county) if "review" in perms else [],
        "indicators": indicators(), "accept": ACCEPT_ATTRIBUTE, "accepted_types": ACCEPTED,
        "max_mb": max_bytes() // (1024 * 1024), "post": request.POST if request.method == "POST" else {},
    }, status=status)  # fmt: skip


@login_required
def task(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, access_task(request.user, pk))


def _act(
    request: HttpRequest, pk: int, perm: Permission, act: Callable[[Task], object], done: str = ""
) -> HttpResponse:
    """Fetch the task through access (404/403), call the action; a refusal re-renders the task page
    with the message (400), else back to the task (PRG)."""
    found = access_task(request.user, pk, perm)
    try:
        act(found)
    except RectificationError as error:
        refuse(request, error)
        return _task_page(request, found, 400)
    if done:
        messages.success(request, done)
    return redirect("rectification:task", pk=pk)


@login_required
@require_POST
def report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post, done = request.POST, request.POST.get("done") in ("1", "on", "true")
    files = request.FILES.getlist("files")
    return _act(request, pk, "report", lambda t: actions.report_progress(
        request.user, t, post.get("text", ""), post.get("percent", ""), done=done, files=files,
    ), _("已报告完成，等待督导室验收。") if done else _("已报送进展。"))  # fmt: skip


@login_required
@require_POST
def accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _act(request, pk, "review", lambda t: actions.accept_task(request.user, t, note), _("已验收通过。"))


@login_required
@require_POST
def send_back(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(request, pk, "review", lambda t: actions.return_task(request.user, t, reason),
                _("已退回，并通知责任单位。"))  # fmt: skip


@login_required
@require_POST
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = request.POST

    def change(task: Task) -> object:
        return actions.update_task(
            request.user, task, title=post.get("title"), department=post.get("department") or None,
            deadline=parse_date(post.get("deadline"), "完成时限", "deadline"),
            cooperating=post.getlist("cooperating"), indicators=post.getlist("indicators"),
            reason=post.get("reason", ""),
        )  # fmt: skip

    return _act(request, pk, "review", change, _("任务已修改。"))


@login_required
@require_POST
def add_milestone(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    return _act(request, pk, "review", lambda t: actions.add_milestone(
        request.user, t, post.get("title", ""), parse_date(post.get("due"), "节点时限", "milestone date")
    ))  # fmt: skip


@login_required
@require_POST
def milestone_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = access_milestone(request.user, pk, "report")
    actions.complete_milestone(request.user, milestone)
    return redirect("rectification:task", pk=milestone.task.pk)


@login_required
@require_POST
def close_item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = RectificationItem.objects.filter(task_id=pk).first()
    if item is None:
        access_task(request.user, pk)  # a task without an item: 404 as for any page that is not there
        raise Http404
    reason = request.POST.get("reason", "")
    return _act(request, pk, "review", lambda t: actions.close_item(request.user, item, reason), _("整改事项已销号。"))


@login_required
def evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    doc = access_task_evidence(request.user, pk)  # only those who may see the task get its files
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name)
