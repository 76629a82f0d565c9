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

A unit the user may not *view* does not exist for them: the ``access_*`` functions raise ``Http404``
(so guessing a URL tells nothing); a unit they may view but not act on raises ``PermissionDenied``.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dudao.orgs.models import Membership, Region, Role, School

Permission = Literal["view", "edit", "submit", "review"]

REGION_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_INSPECTOR: frozenset({"view"}),
    Role.CITY_INSPECTOR: frozenset({"view"}),
    Role.COUNTY_SUPERVISOR: frozenset({"view", "edit", "submit", "review"}),
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
