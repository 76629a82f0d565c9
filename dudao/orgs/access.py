"""Who may do what, in one place. Every view, API endpoint and command fetches objects through these.

Permissions:

- ``view``    read a unit's schools, census records and results
- ``edit``    enter or change census values
- ``submit``  submit census records for review
- ``review``  approve or return records, lock or unlock a year, import for many schools, evaluate

Roles (a user may hold several, each on one unit):

==================  ===========================  ===============================
role                unit                         permissions inside the unit
==================  ===========================  ===============================
province_inspector  a province                   view
city_inspector      a city                       view
county_supervisor   a county                     view, edit, submit, review
observer            any region                   view
school_clerk        a school                     view, edit, submit
department_clerk    a department                 none here (tasks: own department)
==================  ===========================  ===============================

Rectification (tasks, items, plans, meetings, bulletins) has its own permissions on a county:
``view``; ``inspect`` (record an inspector's finding: province, city and county); ``review`` (the
county supervision office: create and assign tasks, accept or return them, generate items, issue
bulletins); and, on a task, ``report`` (the clerk of the responsible department or of its parent,
e.g. the education bureau for its sections). A department clerk sees the tasks of their department
(and its sections) and those it cooperates on, and nothing else: every other task is a 404.

A unit the user may not *view* does not exist for them: the ``access_*`` functions raise ``Http404``
(so guessing a URL tells nothing); a unit they may view but not act on raises ``PermissionDenied``.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dudao.orgs.models import Department, Membership, Region, Role, School
from dudao.rectification.models import Task

Permission = Literal["view", "edit", "submit", "review"]
TaskPermission = Literal["view", "report", "inspect", "review"]

REGION_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_INSPECTOR: frozenset({"view"}),
    Role.CITY_INSPECTOR: frozenset({"view"}),
    Role.COUNTY_SUPERVISOR: frozenset({"view", "edit", "submit", "review"}),
    Role.OBSERVER: frozenset({"view"}),
}
RECTIFICATION_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_INSPECTOR: frozenset({"view", "inspect"}),
    Role.CITY_INSPECTOR: frozenset({"view", "inspect"}),
    Role.COUNTY_SUPERVISOR: frozenset({"view", "inspect", "review"}),
    Role.OBSERVER: frozenset({"view"}),
}
SCHOOL_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SCHOOL_CLERK: frozenset({"view", "edit", "submit"}),
}


def memberships(user: User | AnonymousUser) -> list[Membership]:
    """The user's roles, fetched once per user object (a request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_dudao_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("region", "school", "department"))
        user._dudao_memberships = cached  # type: ignore[union-attr]
    return cached


def region_permissions(user: User | AnonymousUser, region: Region) -> frozenset[str]:
    """What ``user`` may do on ``region`` and everything below it."""
    perms: set[str] = set()
    for m in memberships(user):
        if m.region_id is not None and region.path.startswith(m.region.path):
            perms |= REGION_ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def school_permissions(user: User | AnonymousUser, school: School) -> frozenset[str]:
    """What ``user`` may do on ``school`` (through its county's region roles or a school role)."""
    perms = set(region_permissions(user, school.county))
    for m in memberships(user):
        if m.school_id == school.pk:
            perms |= SCHOOL_ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def _check(perms: frozenset[str], perm: Permission) -> None:
    if "view" not in perms:
        raise Http404
    if perm not in perms:
        raise PermissionDenied


def access_region(user: User | AnonymousUser, code: str, perm: Permission = "view") -> Region:
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404
    _check(region_permissions(user, region), perm)
    return region


def access_school(user: User | AnonymousUser, code: str, perm: Permission = "view") -> School:
    school = School.objects.select_related("county").filter(code=code).first()
    if school is None:
        raise Http404
    _check(school_permissions(user, school), perm)
    return school


def visible_regions(user: User | AnonymousUser) -> QuerySet[Region]:
    """Every region the user may view (their units and everything below)."""
    prefixes = [m.region.path for m in memberships(user) if m.region_id is not None]
    if not prefixes:
        return Region.objects.none()
    query = Q()
    for prefix in prefixes:
        query |= Q(path__startswith=prefix)
    return Region.objects.filter(query)


def counties_with(user: User | AnonymousUser, perm: Permission) -> QuerySet[Region]:
    """The counties on which ``user`` holds ``perm`` (through a role on the county or above it): e.g. the
    counties whose census they may import (``review``), decided before a file naming counties is read."""
    prefixes = [
        m.region.path
        for m in memberships(user)
        if m.region_id is not None and perm in REGION_ROLE_PERMISSIONS.get(m.role, frozenset())
    ]
    if not prefixes:
        return Region.objects.none()
    query = Q()
    for prefix in prefixes:
        query |= Q(path__startswith=prefix)
    return Region.objects.filter(query, level=Region.Level.COUNTY)


def visible_schools(user: User | AnonymousUser) -> QuerySet[School]:
    """Every school the user may view."""
    prefixes = [m.region.path for m in memberships(user) if m.region_id is not None]
    own = [m.school_id for m in memberships(user) if m.school_id is not None and m.role == Role.SCHOOL_CLERK]
    query = Q(pk__in=own)
    for prefix in prefixes:
        query |= Q(county__path__startswith=prefix)
    return School.objects.filter(query) if (prefixes or own) else School.objects.none()


def home_unit(user: User | AnonymousUser) -> Region | School | None:
    """Where the user lands: their highest region, else their school."""
    roles = memberships(user)
    regions = sorted((m.region for m in roles if m.region_id is not None), key=lambda r: len(r.path))
    if regions:
        return regions[0]
    schools = [m.school for m in roles if m.school_id is not None]
    return schools[0] if schools else None


# ---------------------------------------------------------------------------------------------
# Rectification: counties, departments and tasks


def rectification_permissions(user: User | AnonymousUser, county: Region) -> frozenset[str]:
    """What ``user`` may do in the rectification of ``county`` through their region roles."""
    perms: set[str] = set()
    for m in memberships(user):
        if m.region_id is not None and county.path.startswith(m.region.path):
            perms |= RECTIFICATION_ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def clerk_departments(user: User | AnonymousUser) -> frozenset[int]:
    """The departments whose tasks the user answers for as a clerk: their own and their sections."""
    own = [m.department_id for m in memberships(user) if m.department_id is not None]
    if not own:
        return frozenset()
    cached = getattr(user, "_dudao_departments", None)
    if cached is None:
        sections = Department.objects.filter(parent_id__in=own).values_list("pk", flat=True)
        cached = frozenset([*own, *sections])
        user._dudao_departments = cached  # type: ignore[union-attr]
    return cached


def task_permissions(user: User | AnonymousUser, task: Task) -> frozenset[str]:
    """What ``user`` may do on ``task`` (its county's roles, or a clerk of a unit on it)."""
    perms = set(rectification_permissions(user, task.county))
    own = clerk_departments(user)
    if task.department_id in own:
        perms |= {"view", "report"}
    elif own and task.cooperating.filter(pk__in=own).exists():
        perms.add("view")
    return frozenset(perms)


def access_county(user: User | AnonymousUser, code: str, perm: TaskPermission = "view") -> Region:
    """A county's rectification pages: 404 for a code that is no county or a county not visible."""
    county = Region.objects.select_related("parent").filter(code=code, level=Region.Level.COUNTY).first()
    if county is None:
        raise Http404
    _check(rectification_permissions(user, county), perm)  # type: ignore[arg-type]
    return county


def access_task(user: User | AnonymousUser, pk: int, perm: TaskPermission = "view") -> Task:
    task = Task.objects.select_related("county", "department", "plan", "town").filter(pk=pk).first()
    if task is None:
        raise Http404
    _check(task_permissions(user, task), perm)  # type: ignore[arg-type]
    return task


def visible_tasks(user: User | AnonymousUser) -> QuerySet[Task]:
    """Every task the user may see: all tasks of the counties they view, and a clerk's own."""
    prefixes = [m.region.path for m in memberships(user) if m.region_id is not None]
    own = clerk_departments(user)
    if not prefixes and not own:
        return Task.objects.none()
    query = Q(department_id__in=own) | Q(
        pk__in=Task.cooperating.through.objects.filter(department_id__in=own).values("task_id")
    )
    for prefix in prefixes:
        query |= Q(county__path__startswith=prefix)
    return Task.objects.filter(query)
