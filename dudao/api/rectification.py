"""Rectification tasks and their progress: list and read the tasks you may see, their timeline and
reports; report progress (with evidence files), accept, return.

The same doors as the pages (``dudao.rectification.access``): a department's clerk sees their department's
tasks (and its sections', and those it cooperates on) and reports on their own; any other task is
404. The county supervision office sees the county's tasks and accepts or returns them (403 for
those who may see a task but not do this). Every change is an action of
``dudao.rectification.actions``.

Errors (the usual body ``{code, message_zh, message_en, details}``): 400 ``required``, ``too_long``,
``bad_percent``, ``bad_file_type``, ``content_mismatch``, ``empty_file``, ``too_many_files``; 413
``file_too_large``; 422 ``bad_state`` (e.g. accepting a task not reported done, reporting on an
accepted one), ``evidence_required`` (reporting done without any evidence file).
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, NinjaAPI, Router, Schema, UploadedFile
from ninja.pagination import paginate

from dudao.api.common import LocalDateTime, Pages, Status, request_user, within_region
from dudao.api.errors import CHANGE, READ, error_response, responses
from dudao.orgs.access import Permission
from dudao.rectification import actions
from dudao.rectification.access import access_task, visible_tasks
from dudao.rectification.actions import RectificationError
from dudao.rectification.models import RectificationItem, Task
from dudao.rectification.rules import rules_for
from dudao.rectification.status import task_state

router = Router()

TaskStatus = Literal["assigned", "in_progress", "submitted", "accepted", "returned"]
TaskState = Literal["done", "on_time", "at_risk", "overdue"]
ERROR_STATUS: dict[str, int] = {"bad_state": 422, "evidence_required": 422, "file_too_large": 413}


def install(api: NinjaAPI) -> None:
    """Refusals of the rectification actions as the usual error body."""

    def on_refusal(request: HttpRequest, exc: RectificationError) -> HttpResponse:
        status = ERROR_STATUS.get(exc.code, 400)
        return error_response(api, request, status, exc.code, exc.message_zh, exc.message_en, exc.details)

    api.exception_handler(RectificationError)(on_refusal)


class MilestoneOut(Schema):
    title: str
    due: dt.date
    done_on: dt.date | None


class ItemOut(Schema):
    source: str
    status: str
    school: str | None
    indicator: str
    target: str
    target_en: str
    gap: float | None
    gap_unit: str
    value: float | None
    threshold: float | None


class TaskOut(Schema):
    id: int
    county: str
    plan: str
    number: int
    title: str
    department: str
    department_id: int
    cooperating: list[str]
    town: str | None
    deadline: dt.date
    indicators: list[str]
    status: str
    state: str
    percent: int
    progress: str
    return_reason: str
    milestones: list[MilestoneOut]
    item: ItemOut | None
    url: str


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    url: str


class ReportOut(Schema):
    id: int
    at: LocalDateTime
    user: str | None
    text: str
    percent: int
    done: bool
    evidence: list[EvidenceOut]


class EventOut(Schema):
    at: LocalDateTime
    user: str | None
    action: str
    label: str
    note: str
    data: dict[str, Any]


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


def _tasks() -> QuerySet[Task]:
    return Task.objects.select_related("county", "department", "town", "plan").prefetch_related(
        "cooperating", "milestones"
    )


def _out(task: Task, item: RectificationItem | None, on: dt.date) -> dict[str, Any]:
    return {
        "id": task.pk, "county": task.county.code, "plan": task.plan.title, "number": task.number,
        "title": task.title, "department": task.department.name, "department_id": task.department_id,
        "cooperating": [d.name for d in task.cooperating.all()], "town": task.town.name if task.town else None,
        "deadline": task.deadline, "indicators": task.indicators, "status": task.status,
        "state": task_state(task, on, rules_for(task.county.code)), "percent": task.percent,
        "progress": task.progress, "return_reason": task.return_reason,
        "milestones": [{"title": m.title, "due": m.due, "done_on": m.done_on} for m in task.milestones.all()],
        "item": None if item is None else {
            "source": item.source, "status": item.status, "school": item.school_name or None,
            "indicator": item.indicator, "target": item.target, "target_en": item.target_en, "gap": item.gap,
            "gap_unit": item.gap_unit, "value": item.value, "threshold": item.threshold,
        },
        "url": reverse("rectification:task", args=[task.pk]),
    }  # fmt: skip


def _one(request: HttpRequest, task_id: int, perm: Permission = "view") -> Task:
    access_task(request_user(request), task_id, perm)  # 404 / 403 first
    task = _tasks().filter(pk=task_id).first()
    if task is None:  # pragma: no cover - removed meanwhile
        raise Http404
    return task


def _detail(task: Task) -> dict[str, Any]:
    return _out(task, RectificationItem.objects.filter(task=task).first(), actions.today())


@router.get("/tasks", response={200: list[TaskOut], **READ}, summary="任务列表 / the tasks you may see")
@paginate(Pages)
def list_tasks(
    request: HttpRequest,
    county: str | None = None,
    department: int | None = None,
    status: TaskStatus | None = None,
    state: TaskState | None = None,
) -> list[dict[str, Any]]:
    """Tasks you may see, by deadline; ``county`` takes a county, city or province code, ``state``
    is the follow-up state today (done, on_time, at_risk, overdue)."""
    tasks = _tasks().filter(pk__in=visible_tasks(request_user(request)).values("pk"))
    tasks = within_region(tasks, "county__path", county)
    if department is not None:
        tasks = tasks.filter(department_id=department)
    if status:
        tasks = tasks.filter(status=status)
    on = actions.today()
    items = {i.task_id: i for i in RectificationItem.objects.filter(task__in=tasks)}
    rows = [_out(t, items.get(t.pk), on) for t in tasks.order_by("deadline", "pk")]
    return [r for r in rows if state is None or r["state"] == state]


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ}, summary="任务 / one task")
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _detail(_one(request, task_id))


@router.get("/tasks/{task_id}/reports", response={200: list[ReportOut], **READ}, summary="进展报告 / reports")
def list_reports(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    task = _one(request, task_id)
    return [
        {"id": r.pk, "at": r.at, "user": r.user.get_username() if r.user else None, "text": r.text,
         "percent": r.percent, "done": r.done,
         "evidence": [{"id": e.pk, "name": e.original_name, "size": e.size, "content_type": e.content_type,
                       "sha256": e.sha256, "url": reverse("rectification:evidence", args=[e.pk])}
                      for e in r.evidence.all()]}
        for r in task.reports.select_related("user").prefetch_related("evidence")
    ]  # fmt: skip


@router.get("/tasks/{task_id}/timeline", response={200: list[EventOut], **READ}, summary="任务轨迹 / timeline")
def timeline(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    task = _one(request, task_id)
    return [
        {"at": e.at, "user": e.user.get_username() if e.user else None, "action": e.action,
         "label": str(e.get_action_display()), "note": e.note, "data": e.data}
        for e in task.events.select_related("user")
    ]  # fmt: skip


@router.post(
    "/tasks/{task_id}/progress",
    response={201: ReportOut, **responses(400, 401, 403, 404, 413, 422)},
    summary="报送进展 / report progress",
)
def report_progress(
    request: HttpRequest,
    task_id: int,
    text: str = Form(...),
    percent: int = Form(..., ge=0, le=100),
    done: bool = Form(False, description="the task is done: for the supervision office to accept (needs evidence)"),
    files: list[UploadedFile] = File(None, description="evidence files (pdf, jpg, png, docx, xlsx, doc, xls, zip)"),  # noqa: B008
) -> Any:
    """A progress report of the responsible department (multipart form), 201 with the report."""
    task = _one(request, task_id, "report")
    report = actions.report_progress(request_user(request), task, text, percent, done=done, files=files or [])
    return Status(201, list_reports(request, task_id)[-1] if report else None)


@router.post("/tasks/{task_id}/accept", response={200: TaskOut, **CHANGE}, summary="验收通过 / accept")
def accept(request: HttpRequest, task_id: int, payload: NoteIn) -> dict[str, Any]:
    task = _one(request, task_id, "review")
    actions.accept_task(request_user(request), task, payload.note)
    return _detail(_one(request, task_id))


@router.post("/tasks/{task_id}/return", response={200: TaskOut, **CHANGE}, summary="退回 / return with a reason")
def send_back(request: HttpRequest, task_id: int, payload: ReasonIn) -> dict[str, Any]:
    task = _one(request, task_id, "review")
    actions.return_task(request_user(request), task, payload.reason)
    return _detail(_one(request, task_id))
