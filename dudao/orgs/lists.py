"""Read-side helpers shared by the administration pages and the API: schools as they are in a year,
the accounts of a region, the audit trail of a region."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from dudao.audit.models import AuditEvent
from dudao.orgs.access import visible_accounts
from dudao.orgs.models import Membership, Region, School, SchoolYear


def states(county: Region, year: int) -> list[SchoolYear]:
    """Each school of the county as it is in ``year`` (its latest row up to it), in code order; one query."""
    latest: dict[int, SchoolYear] = {}
    rows = SchoolYear.objects.filter(school__county=county, year__lte=year).select_related(
        "school", "town", "merged_into"
    )
    for sy in rows.order_by("year"):
        latest[sy.school_id] = sy
    return sorted(latest.values(), key=lambda sy: sy.school.code)


def school_names(school_ids: set[int]) -> dict[int, str]:
    """Each school's latest name, in one query."""
    names: dict[int, str] = {}
    rows = SchoolYear.objects.filter(school_id__in=school_ids).order_by("year").values_list("school_id", "name")
    for school_id, name in rows:
        names[school_id] = name
    return names


def unit_name(m: Membership, names: dict[int, str]) -> str:
    """A membership's unit as shown: a school by its latest name (``names`` from :func:`school_names`)."""
    unit = m.unit
    if isinstance(unit, School):
        return names.get(unit.pk, unit.code)
    return unit.name


def accounts_in(user: Any, region: Region) -> QuerySet[User]:
    """The accounts ``user`` administers that belong to ``region``: a role on a unit in it or, with
    no role, their home there."""
    path = region.path
    inside = Membership.objects.filter(
        Q(region__path__startswith=path)
        | Q(department__county__path__startswith=path)
        | Q(school__county__path__startswith=path)
    ).values("user_id")
    return visible_accounts(user).filter(Q(pk__in=inside) | Q(account__region__path__startswith=path))


def trail(region: Region) -> QuerySet[AuditEvent]:
    """Every event a region's people may read: those filed under it or below it, and those about its
    own regions and schools wherever they were filed (a town moved in brings its history along)."""
    regions = Region.objects.filter(path__startswith=region.path).annotate(key=Cast("pk", CharField())).values("key")
    schools = School.objects.filter(county__path__startswith=region.path).annotate(key=Cast("pk", CharField()))
    return AuditEvent.objects.filter(
        Q(region__path__startswith=region.path)
        | Q(target_type="orgs.region", target_id__in=regions)
        | Q(target_type="orgs.school", target_id__in=schools.values("key"))
    )
