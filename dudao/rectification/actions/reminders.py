"""Reminders of tasks due soon or overdue to the departments' clerks, and a digest of overdue
tasks to each county's supervision office (the notifications a schedule sends)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from dudao.notifications import notify
from dudao.notifications.models import Kind
from dudao.notifications.recipients import clerks, supervisors
from dudao.rectification.actions.common import (
    Status,
    today,
)
from dudao.rectification.actions.tasks import (
    task_url,
)
from dudao.rectification.models import (
    Task,
)
from dudao.rectification.rules import rules_for


@dataclass
class ReminderResult:
    due_soon: int = 0
    overdue: int = 0
    digests: int = 0


def send_reminders(on: dt.date | None = None) -> ReminderResult:
    """Remind the responsible clerks of tasks due within N days (``remind_days``) and of overdue
    ones, and give each county's supervision office a digest of its overdue tasks. Each reminder
    is keyed by its day: running this again the same day sends nothing new."""
    on = on or today()
    out = ReminderResult()
    tasks = (
        Task.objects.filter(status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED])
        .select_related("county", "department")
        .prefetch_related("milestones")
        .order_by("county_id", "deadline", "pk")
    )
    overdue_by_county: dict[int, list[Task]] = {}
    for task in tasks:
        rules = rules_for(task.county.code)
        days = (task.deadline - on).days
        people = clerks([task.department_id])
        if days < 0:
            zh = f"任务已逾期 {-days} 天（时限 {task.deadline:%Y-%m-%d}）：{task.title[:80]}"
            en = f"Task {-days} day(s) overdue (due {task.deadline:%Y-%m-%d}): {task.title[:80]}"
            key = f"task_overdue:{task.pk}:{on}"
            out.overdue += len(notify(people, Kind.TASK_OVERDUE, key, zh, en, task_url(task)))
            overdue_by_county.setdefault(task.county_id, []).append(task)
        elif days <= rules.remind_days:
            zh = f"任务将于 {days} 天后到期（{task.deadline:%Y-%m-%d}），请抓紧推进：{task.title[:80]}"
            en = f"Task due in {days} day(s) ({task.deadline:%Y-%m-%d}): {task.title[:80]}"
            key = f"task_due:{task.pk}:{on}"
            out.due_soon += len(notify(people, Kind.TASK_DUE, key, zh, en, task_url(task)))
    for tasks_of in overdue_by_county.values():
        county = tasks_of[0].county
        units = sorted({t.department.name for t in tasks_of})
        zh = f"{county.name}有 {len(tasks_of)} 项任务逾期未完成，涉及：{'、'.join(units)}"
        en = f"{county.name}: {len(tasks_of)} task(s) overdue, at {', '.join(units)}"
        url = reverse("rectification:dashboard", args=[county.code])
        out.digests += len(notify(supervisors(county), Kind.TASK_OVERDUE, f"digest:{county.pk}:{on}", zh, en, url))
    return out
