"""The doors to the rectification app's objects (tasks, work plans, meetings and their decisions,
milestones, progress evidence, bulletins, leaders' visits and practical matters with their evidence),
in the vocabulary of ``dudao.orgs.access``.

On a county's objects (a plan, a meeting, a decision, a bulletin) the county's roles decide. On a task
(and what hangs on it: milestones, evidence) the clerk of the responsible department (or of its parent,
e.g. the education bureau for its sections) also has ``view`` and ``report``, and the clerk of a
cooperating department ``view``; every other task is a 404 for them.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from dudao.orgs.access import Permission, clerk_departments, memberships, region_permissions, require, require_region
from dudao.rectification.models import (
    Bulletin,
    Decision,
    LiaisonEvidence,
    Meeting,
    Milestone,
    PracticalMatter,
    Task,
    TaskEvidence,
    Visit,
    WorkPlan,
)

M = TypeVar("M", bound=Model)


def task_permissions(user: User | AnonymousUser, task: Task) -> frozenset[str]:
    """What ``user`` may do on ``task`` (its county's roles, or a clerk of a unit on it)."""
    perms = set(region_permissions(user, task.county))
    own = clerk_departments(user)
    if task.department_id in own:
        perms |= {"view", "report"}
    elif own and task.cooperating.filter(pk__in=own).exists():
        perms.add("view")
    return frozenset(perms)


def _task(pk: int) -> Task:
    task = Task.objects.select_related("county", "department", "plan", "town").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def access_task(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Task:
    """A task: ``report`` for its department's clerk, ``review`` for its county's supervision office."""
    task = _task(pk)
    require(task_permissions(user, task), perm)
    return task


def visible_tasks(user: User | AnonymousUser) -> QuerySet[Task]:
    """Every task the user may see: all tasks of the counties they view, and a clerk's own."""
    prefixes = [m.region.path for m in memberships(user) if m.region is not None]
    own = clerk_departments(user)
    if not prefixes and not own:
        return Task.objects.none()
    query = Q(department_id__in=own) | Q(
        pk__in=Task.cooperating.through.objects.filter(department_id__in=own).values("task_id")
    )
    for prefix in prefixes:
        query |= Q(county__path__startswith=prefix)
    return Task.objects.filter(query)


def access_milestone(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Milestone:
    """A task's milestone, with its task (fetched through :func:`access_task`). ``report`` on a milestone
    (marking it done) belongs to whoever reports on the task or reviews it."""
    milestone = Milestone.objects.filter(pk=pk).first()
    if milestone is None:
        raise Http404
    milestone.task = _task(milestone.task_id)
    perms = task_permissions(user, milestone.task)
    require(perms | {"report"} if "review" in perms else perms, perm)
    return milestone


def access_task_evidence(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> TaskEvidence:
    """A file attached to a progress report: whoever may see the task gets it."""
    doc = TaskEvidence.objects.select_related("report").filter(pk=pk).first()
    if doc is None:
        raise Http404
    access_task(user, doc.report.task_id, perm)
    return doc


def _one(rows: QuerySet[M], pk: int) -> M:
    """The row ``pk`` of ``rows``, or a 404."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def access_plan(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> WorkPlan:
    """A work plan (工作方案) of a county."""
    plan = _one(WorkPlan.objects.select_related("county"), pk)
    require_region(user, plan.county, perm)
    return plan


def access_meeting(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Meeting:
    """A consultation meeting (会商) of a county."""
    meeting = _one(Meeting.objects.select_related("county"), pk)
    require_region(user, meeting.county, perm)
    return meeting


def access_decision(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Decision:
    """A meeting's decision (议定事项), with its meeting and county."""
    decision = _one(Decision.objects.select_related("meeting__county"), pk)
    require_region(user, decision.meeting.county, perm)
    return decision


def access_bulletin(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Bulletin:
    """An issued bulletin (督导通报) of a county."""
    bulletin = _one(Bulletin.objects.select_related("county"), pk)
    require_region(user, bulletin.county, perm)
    return bulletin


def access_visit(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Visit:
    """A leader's visit to a liaison school, by its county's roles."""
    visit = _one(Visit.objects.select_related("leader__county"), pk)
    require_region(user, visit.leader.county, perm)
    return visit


def access_matter(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> PracticalMatter:
    """A practical matter done for a liaison school (实事), by its county's roles."""
    matter = _one(PracticalMatter.objects.select_related("leader__county"), pk)
    require_region(user, matter.leader.county, perm)
    return matter


def access_liaison_evidence(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> LiaisonEvidence:
    """A file of a visit or a practical matter: whoever may see its county gets it."""
    doc = _one(LiaisonEvidence.objects.select_related("visit__leader__county", "matter__leader__county"), pk)
    owner = doc.visit or doc.matter
    assert owner is not None  # the model's constraint: exactly one
    require_region(user, owner.leader.county, perm)
    return doc
