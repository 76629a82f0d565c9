"""Work plans and their tasks: create, check, number and update tasks, milestones; the clerks of the
responsible and cooperating departments are notified of a new task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.notifications import notify
from dudao.notifications.models import Kind
from dudao.notifications.recipients import clerks
from dudao.orgs.models import Department, Region
from dudao.rectification.access import task_permissions
from dudao.rectification.actions.common import (
    RectificationError,
    _event,
    _require,
    _require_task,
    check_cooperating,
    check_county,
    check_deadline,
    check_department,
    check_indicators,
    check_text,
    today,
    town_of,
)
from dudao.rectification.models import (
    Milestone,
    Task,
    TaskEvent,
    WorkPlan,
)


def create_plan(actor: Actor, county: Region, title: str, year: int, doc_no: str = "", goal: str = "") -> WorkPlan:
    _require(actor, county, "review")
    check_county(county)
    title = check_text(title, "方案名称", "the title", 200)
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise RectificationError("bad_year", gettext_lazy("年度 %(year)s 无效"), year=year)
    return WorkPlan.objects.create(
        county=county, title=title, year=year, doc_no=(doc_no or "").strip()[:64], goal=(goal or "").strip(),
        created_by=user_of(actor),
    )  # fmt: skip


SYSTEM_LISTS = {
    WorkPlan.Kind.RECTIFICATION: ("{county}{year}年义务教育优质均衡发展对标整改任务清单", "rectification list"),
    WorkPlan.Kind.MEETING: ("{county}{year}年会商决定事项督办清单", "meeting decisions"),
}


def system_plan(county: Region, year: int, kind: WorkPlan.Kind) -> WorkPlan:
    """The county's rectification list or meeting-decision list of ``year`` (made when first needed)."""
    title = SYSTEM_LISTS[kind][0].format(county=county.name, year=year)
    plan, _ = WorkPlan.objects.get_or_create(county=county, year=year, kind=kind, defaults={"title": title})
    return plan


@dataclass
class TaskSpec:
    """A task as entered (form, import, API), checked by :func:`check_task`."""

    title: str
    department: Department | int | str | None
    deadline: dt.date | None
    cooperating: Sequence[Department | int | str] = ()
    indicators: Sequence[str] = ()
    milestones: Sequence[tuple[str, dt.date | None]] = ()  # a date missing is refused as the deadline is
    progress: str = ""


@dataclass
class CheckedTask:
    title: str
    department: Department
    deadline: dt.date
    cooperating: list[Department]
    indicators: list[str]
    milestones: list[tuple[str, dt.date]]
    progress: str = ""


def check_task(county: Region, spec: TaskSpec, on: dt.date | None = None) -> CheckedTask:
    """Every rule a new task must meet; raises the first broken one."""
    title = check_text(spec.title, "任务内容", "the task")
    department = check_department(county, spec.department)
    deadline = check_deadline(spec.deadline, on)
    milestones = []
    for name, due in spec.milestones:
        due = check_deadline(due, on, gettext_lazy("节点时限"))
        if due > deadline:
            raise RectificationError(
                "milestone_after_deadline",
                gettext_lazy("节点“%(name)s”的时限 %(f_due_y_m_d)s 晚于任务完成时限 %(f_deadline_y_m_d)s"),
                name=name,
                f_due_y_m_d=f"{due:%Y-%m-%d}",
                f_deadline_y_m_d=f"{deadline:%Y-%m-%d}",
            )
        milestones.append((check_text(name, "节点名称", "the milestone", 200), due))
    return CheckedTask(
        title, department, deadline, check_cooperating(county, department, spec.cooperating),
        check_indicators(spec.indicators), milestones, (spec.progress or "").strip(),
    )  # fmt: skip


def _next_number(plan: WorkPlan) -> int:
    return (Task.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1


def _insert_task(actor: Actor, plan: WorkPlan, checked: CheckedTask, town: Region | None = None, **why: Any) -> Task:
    """Write one checked task with its milestones and its ``create`` event (inside a transaction);
    ``why`` says where it came from (``why="evaluation", year=, run=``; see ``tables.event_note``)."""
    task = Task.objects.create(
        county_id=plan.county_id, plan=plan, number=_next_number(plan), title=checked.title,
        department=checked.department, town=town or town_of(checked.department), deadline=checked.deadline,
        indicators=checked.indicators, progress=checked.progress, created_by=user_of(actor),
    )  # fmt: skip
    task.cooperating.set(checked.cooperating)
    Milestone.objects.bulk_create(Milestone(task=task, title=t, due=d) for t, d in checked.milestones)
    _event(task, TaskEvent.Action.CREATE, actor, "", **why, department=checked.department.name,
           deadline=checked.deadline.isoformat())  # fmt: skip
    _notify_new(task, checked.department, checked.cooperating)
    return task


def task_url(task: Task) -> str:
    return reverse("rectification:task", args=[task.pk])


def _notify_new(task: Task, department: Department, cooperating: list[Department]) -> None:
    zh = f"新任务（{department.name}，{task.deadline:%Y-%m-%d}前完成）：{task.title[:80]}"
    en = f"New task for {department.name}, due {task.deadline:%Y-%m-%d}: {task.title[:80]}"
    notify(clerks([department]), Kind.TASK_ASSIGNED, f"task_assigned:{task.pk}", zh, en, task_url(task))
    if cooperating:
        zh = f"新任务（配合{department.name}，{task.deadline:%Y-%m-%d}前完成）：{task.title[:80]}"
        en = f"New task (cooperating with {department.name}), due {task.deadline:%Y-%m-%d}: {task.title[:80]}"
        notify(clerks(cooperating), Kind.TASK_ASSIGNED, f"task_assigned:{task.pk}", zh, en, task_url(task))


def create_task(actor: Actor, plan: WorkPlan, spec: TaskSpec) -> Task:
    """Add a task to ``plan``; its clerks are notified."""
    county = Region.objects.get(pk=plan.county_id)
    _require(actor, county, "review")
    checked = check_task(county, spec)
    with transaction.atomic():
        WorkPlan.objects.select_for_update().get(pk=plan.pk)  # numbers are given one at a time
        return _insert_task(actor, plan, checked)


def create_tasks(actor: Actor, plan: WorkPlan, checked: Sequence[CheckedTask], filename: str = "") -> list[Task]:
    """Add already checked tasks (an import of ``filename``) in one transaction."""
    county = Region.objects.get(pk=plan.county_id)
    _require(actor, county, "review")
    with transaction.atomic():
        WorkPlan.objects.select_for_update().get(pk=plan.pk)
        return [_insert_task(actor, plan, c, why="import", file=filename) for c in checked]


def update_task(
    actor: Actor,
    task: Task,
    *,
    title: str | None = None,
    department: Department | int | str | None = None,
    deadline: dt.date | None = None,
    cooperating: Sequence[Department | int | str] | None = None,
    indicators: Sequence[str] | None = None,
    reason: str = "",
) -> Task:
    """Change what the task asks, of whom, by when. A new deadline may not be in the past; a new
    department's clerks are notified. Every change is on the timeline with old and new value."""
    _require_task(actor, task, "review")
    county = task.county
    new_title = check_text(title, "任务内容", "the task") if title is not None else task.title
    new_dept = check_department(county, department) if department is not None else task.department
    new_deadline = task.deadline
    if deadline is not None and deadline != task.deadline:
        new_deadline = check_deadline(deadline)
    new_coop = check_cooperating(county, new_dept, cooperating) if cooperating is not None else None
    new_ind = check_indicators(indicators) if indicators is not None else task.indicators
    changes = _changes(task, new_title, new_dept, new_deadline, new_ind, new_coop)
    if not changes:
        return task
    with transaction.atomic():
        Task.objects.select_for_update().get(pk=task.pk)
        task.title, task.department, task.deadline, task.indicators = new_title, new_dept, new_deadline, new_ind
        if "department" in changes:
            task.town = town_of(new_dept) or task.town
        task.save()
        if new_coop is not None:
            task.cooperating.set(new_coop)
        _event(task, TaskEvent.Action.EDIT, actor, reason, changes=changes)
        if "department" in changes:
            _notify_new(task, new_dept, [])
    return task


def _changes(
    task: Task,
    title: str,
    department: Department,
    deadline: dt.date,
    indicators: list[str],
    cooperating: list[Department] | None,
) -> dict[str, list[Any]]:
    """What an edit changes of ``task``: {field: [old, new]} as the timeline shows it (``cooperating`` None:
    not edited)."""
    changes: dict[str, list[Any]] = {}
    if title != task.title:
        changes["title"] = [task.title, title]
    if department.pk != task.department_id:
        changes["department"] = [task.department.name, department.name]
    if deadline != task.deadline:
        changes["deadline"] = [task.deadline.isoformat(), deadline.isoformat()]
    if indicators != task.indicators:
        changes["indicators"] = [task.indicators, indicators]
    old_coop = sorted(d.name for d in task.cooperating.all())
    if cooperating is not None and sorted(d.name for d in cooperating) != old_coop:
        changes["cooperating"] = [old_coop, sorted(d.name for d in cooperating)]
    return changes


def add_milestone(actor: Actor, task: Task, title: str, due: dt.date | None) -> Milestone:
    _require_task(actor, task, "review")
    name = check_text(title, "节点名称", "the milestone", 200)
    due = check_deadline(due, label=gettext_lazy("节点时限"))
    if due > task.deadline:
        raise RectificationError(
            "milestone_after_deadline",
            gettext_lazy("节点时限 %(f_due_y_m_d)s 晚于任务完成时限 %(f_task_deadline_y_m_d)s"),
            f_due_y_m_d=f"{due:%Y-%m-%d}",
            f_task_deadline_y_m_d=f"{task.deadline:%Y-%m-%d}",
        )
    return Milestone.objects.create(task=task, title=name, due=due)


def complete_milestone(actor: Actor, milestone: Milestone) -> Milestone:
    task = milestone.task
    if not is_system(actor) and not {"report", "review"} & task_permissions(actor, task):
        raise PermissionDenied
    if milestone.done_on is not None:
        return milestone
    with transaction.atomic():
        milestone.done_on = today()
        milestone.save(update_fields=["done_on"])
        _event(task, TaskEvent.Action.MILESTONE, actor, milestone.title)
    return milestone
