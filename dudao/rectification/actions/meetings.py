"""Consultation meetings (联席会议) and their decisions; a decision becomes a task."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, user_of
from dudao.errors import Both
from dudao.orgs.models import Department, Region
from dudao.rectification.actions.common import (
    RectificationError,
    _require,
    check_county,
    check_text,
    today,
)
from dudao.rectification.actions.tasks import (
    CheckedTask,
    TaskSpec,
    _insert_task,
    check_task,
    system_plan,
)
from dudao.rectification.models import (
    Decision,
    Meeting,
    Task,
    WorkPlan,
)


def _lines(text: str, label_zh: str, label_en: str) -> str:
    rows = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not rows:
        raise RectificationError(
            "required", gettext_lazy("请填写%(label_zh)s（每行一项）"), label_zh=Both(label_zh, label_en)
        )
    return "\n".join(rows)


def record_meeting(
    actor: Actor, county: Region, title: str, held_on: dt.date | None, attendees: str, topics: str, place: str = ""
) -> Meeting:
    _require(actor, county, "review")
    check_county(county)
    title = check_text(title, "会议名称", "the meeting's title", 200)
    if held_on is None:
        raise RectificationError("required", gettext_lazy("请填写会议日期"))
    if held_on > today():
        raise RectificationError("date_in_future", gettext_lazy("会议日期不能晚于今天（先开会，后记录）"))
    return Meeting.objects.create(
        county=county, title=title, held_on=held_on, place=(place or "").strip()[:100],
        attendees=_lines(attendees, "参会人员", "attendees"), topics=_lines(topics, "会商议题", "topics"),
        created_by=user_of(actor),
    )  # fmt: skip


def add_decision(
    actor: Actor,
    meeting: Meeting,
    text: str,
    department: Department | int | str | None = None,
    deadline: dt.date | None = None,
) -> Decision:
    """A decision of the meeting; with an owner and a deadline it becomes a task in the county's
    meeting-decision list at once (else later, with :func:`decision_to_task`)."""
    county = Region.objects.get(pk=meeting.county_id)
    _require(actor, county, "review")
    text = check_text(text, "议定事项", "the decision", 2000)
    checked = None
    if department or deadline:
        checked = check_task(county, TaskSpec(text, department, deadline))
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        number = (meeting.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        decision = Decision.objects.create(meeting=meeting, number=number, text=text)
        if checked is not None:
            _decision_task(actor, decision, checked)
    return decision


def decision_to_task(
    actor: Actor, decision: Decision, department: Department | int | str | None, deadline: dt.date | None
) -> Task:
    meeting = decision.meeting
    county = Region.objects.get(pk=meeting.county_id)
    _require(actor, county, "review")
    checked = check_task(county, TaskSpec(decision.text, department, deadline))
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.task_id is not None:
            raise RectificationError("already_task", gettext_lazy("该议定事项已转为任务"))
        return _decision_task(actor, locked, checked)


def _decision_task(actor: Actor, decision: Decision, checked: CheckedTask) -> Task:
    meeting = decision.meeting
    plan = system_plan(meeting.county, meeting.held_on.year, WorkPlan.Kind.MEETING)
    WorkPlan.objects.select_for_update().get(pk=plan.pk)
    held = f"{meeting.held_on:%Y-%m-%d}"
    task = _insert_task(actor, plan, checked, why="decision", meeting=meeting.title, date=held, number=decision.number)
    decision.task = task
    decision.save(update_fields=["task"])
    return task
