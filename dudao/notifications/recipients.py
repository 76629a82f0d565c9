"""Who is told: the people of a unit, by role (active users only)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import QuerySet

from dudao.orgs.models import Department, Membership, Region, Role, School


def _holding(role: str, **unit: object) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, pk__in=Membership.objects.filter(role=role, **unit).values("user_id")
    ).order_by("pk")


def clerks(departments: Iterable[Department | int]) -> QuerySet[User]:
    """The clerks of these departments."""
    return _holding(Role.DEPARTMENT_CLERK, department_id__in=[d if isinstance(d, int) else d.pk for d in departments])


def supervisors(county: Region) -> QuerySet[User]:
    """The county supervision office's people."""
    return _holding(Role.COUNTY_SUPERVISOR, region=county)


def school_clerks(schools: Iterable[School | int]) -> QuerySet[User]:
    """The clerks who answer for these schools."""
    return _holding(Role.SCHOOL_CLERK, school_id__in=[s if isinstance(s, int) else s.pk for s in schools])
