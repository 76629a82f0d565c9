"""Consultation meetings (会商): attendees, topics, decisions that become tasks, and the follow-up
of the previous meeting's decisions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import Permission, region_permissions
from dudao.orgs.models import Region
from dudao.rectification import actions
from dudao.rectification.access import access_decision, access_meeting
from dudao.rectification.actions import RectificationError
from dudao.rectification.models import Decision, Meeting
from dudao.rectification.rules import rules_for
from dudao.rectification.status import task_state
from dudao.rectification.tables import decisions_table, meetings_table
from dudao.rectification.views.common import departments, page_or_create, parse_date, refuse
from dudao.tables import download


def _meetings_page(request: HttpRequest, county: Region, status: int = 200) -> HttpResponse:
    rows = list(Meeting.objects.filter(county=county))
    counts = {
        m: (n, t)
        for m, n, t in Decision.objects.filter(meeting__county=county)
        .values_list("meeting")
        .annotate(n=Count("pk"), t=Count("task"))
        .order_by()
    }
    table = meetings_table(rows, counts)
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "rectification/meetings.html", {
        "county": county, "table": table, "perms": region_permissions(request.user, county),
        "post": request.POST if request.method == "POST" else {}, "today": actions.today(),
    }, status=status)  # fmt: skip


@login_required
def meetings(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    post = request.POST

    def record(county: Region) -> tuple[str, HttpResponse]:
        held = parse_date(post.get("held_on"), "会议日期", "meeting date")
        meeting = actions.record_meeting(request.user, county, post.get("title", ""), held, post.get("attendees", ""),
                                         post.get("topics", ""), post.get("place", ""))  # fmt: skip
        return _("已记录会商，请登记议定事项。"), redirect("rectification:meeting", pk=meeting.pk)

    return page_or_create(request, code, _meetings_page, record)


def _meeting(request: HttpRequest, pk: int, perm: Permission = "view") -> Meeting:
    return access_meeting(request.user, pk, perm)


def _decisions(meeting: Meeting) -> list[Decision]:
    return list(
        meeting.decisions.select_related("task__department", "task__county").prefetch_related("task__milestones")
    )


def _meeting_page(request: HttpRequest, meeting: Meeting, status: int = 200) -> HttpResponse:
    on = actions.today()
    rules = rules_for(meeting.county.code)
    previous = (
        Meeting.objects.filter(county=meeting.county_id, held_on__lt=meeting.held_on)
        .order_by("-held_on", "-pk")
        .first()
    )
    decisions, earlier = _decisions(meeting), _decisions(previous) if previous else []
    states = {d.task.pk: task_state(d.task, on, rules) for d in [*decisions, *earlier] if d.task}
    tables = [decisions_table("decisions", _("议定事项"), decisions, states, on)]
    if previous:
        title = _("上次会商（%(date)s）议定事项落实情况") % {"date": f"{previous.held_on:%Y-%m-%d}"}
        tables.append(decisions_table("previous", title, earlier, states, on))
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "rectification/meeting.html", {
        "meeting": meeting, "county": meeting.county, "tables": tables, "previous": previous,
        "pending": [d for d in decisions if d.task is None], "departments": departments(meeting.county),
        "perms": region_permissions(request.user, meeting.county),
        "attendees": meeting.attendees.splitlines(), "topics": meeting.topics.splitlines(),
        "post": request.POST if request.method == "POST" else {},
    }, status=status)  # fmt: skip


@login_required
def meeting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, pk))


@login_required
@require_POST
def add_decision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk, "review")
    post = request.POST
    try:
        actions.add_decision(request.user, found, post.get("text", ""), post.get("department") or None,
                             parse_date(post.get("deadline"), "完成时限", "deadline"))  # fmt: skip
    except RectificationError as error:
        refuse(request, error)
        return _meeting_page(request, found, 400)
    return redirect("rectification:meeting", pk=pk)


@login_required
@require_POST
def decision_task(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = access_decision(request.user, pk, "review")
    found = decision.meeting
    try:
        actions.decision_to_task(request.user, decision, request.POST.get("department") or None,
                                 parse_date(request.POST.get("deadline"), "完成时限", "deadline"))  # fmt: skip
    except RectificationError as error:
        refuse(request, error)
        return _meeting_page(request, found, 400)
    return redirect("rectification:meeting", pk=found.pk)
