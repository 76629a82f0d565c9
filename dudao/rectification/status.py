"""Where a task stands on a given day: done, on time, at risk or overdue — one rule for the
dashboard, the bulletin, the lists and the API (the thresholds are data: ``rules.yaml``).

- 已完成 ``done``: accepted by the supervision office on or before the day.
- 逾期 ``overdue``: not done and the deadline has passed — unless the unit reported it done on or
  before the deadline and it awaits acceptance (the office's delay is not the unit's).
- 存在风险 ``at_risk``: not done, not overdue, and either the deadline is at most N days away with
  less than P % reported, or a milestone is past due and not done.
- 按期推进 ``on_time``: the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.rectification.models import Task
from dudao.rectification.rules import Rules

State = Literal["done", "on_time", "at_risk", "overdue"]
STATES: tuple[State, ...] = ("done", "on_time", "at_risk", "overdue")
STATE_LABELS = {"done": _("已完成"), "on_time": _("按期推进"), "at_risk": _("存在风险"), "overdue": _("逾期")}
STATE_CSS = {"done": "ok", "on_time": "", "at_risk": "warn", "overdue": "bad"}


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value is not None else None


def task_state(task: Task, today: dt.date, rules: Rules) -> State:
    """The task's state on ``today``. Reads ``task.milestones.all()`` (prefetch it for lists)."""
    accepted = _day(task.accepted_at)
    if task.status == Task.Status.ACCEPTED and accepted is not None and accepted <= today:
        return "done"
    submitted = _day(task.submitted_at)
    waiting = task.status in (Task.Status.SUBMITTED, Task.Status.ACCEPTED) and submitted is not None
    if task.deadline < today and not (waiting and submitted is not None and submitted <= task.deadline):
        return "overdue"
    if waiting:
        return "on_time"
    if (task.deadline - today).days <= rules.at_risk_days and task.percent < rules.at_risk_percent:
        return "at_risk"
    if any(m.done_on is None and m.due < today for m in task.milestones.all()):
        return "at_risk"
    return "on_time"


def days_overdue(task: Task, today: dt.date) -> int:
    return max((today - task.deadline).days, 0)


def count_states(states: Iterable[State]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATES, 0)
    for state in states:
        counts[state] += 1
    return counts
