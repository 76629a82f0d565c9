"""Who may do what, in one place: one vocabulary of permissions, one role table, and the doors to the
units (regions, counties, schools, departments, accounts). Each app that names its own objects in a URL
or an API route has its own ``access.py`` with one ``access_<kind>(user, key, perm)`` per kind, built on
this module (docs/adr/0025-one-door-per-object.md); this module imports no other app.

Permissions (``Permission``; one meaning each, whichever app asks):

==========  =====================================================================================
``view``    see a unit and what lies below it: schools, census records, results, rectification,
            surveys, reports and the administration pages
``edit``    enter or change a unit's data: census figures; a county's surveys (create, settings,
            codes, review of answers, recognition rate into the evaluation)
``submit``  submit census records for review
``review``  the county supervision office's decisions: approve or return census records, lock or
            unlock a year, import for many schools, evaluate and set county items; create and assign
            rectification tasks, accept or return them, generate items, issue bulletins; upload the
            county's report template
``inspect`` an inspector's work on a county: record findings, fetch its self-evaluation report and
            evidence pack, see on-site sampling (a sample is drawn from above: ``inspect`` without
            ``review``)
``report``  on a task: report its progress (the clerk of the responsible department or its parent)
``org``     change what lies *below* a region: child regions, departments, schools
``accounts`` manage accounts below a region (which ones: :func:`grant_scopes`)
``audit``   read a region's audit trail
``manage``  on an account: edit, deactivate, reset its password, grant or revoke its roles
==========  =====================================================================================

Roles (a user may hold several, each on one unit) and what they give on the unit and everything below
(``ROLE_PERMISSIONS``, ``SCHOOL_ROLE_PERMISSIONS``):

==================  ===========  =================================================================
role                unit         permissions inside the unit
==================  ===========  =================================================================
province_inspector  a province   view, inspect, audit
city_inspector      a city       view, inspect, audit
county_supervisor   a county     view, edit, submit, review, inspect, org, accounts, audit
observer            any region   view
region_admin        any region   view, org, accounts, audit
school_clerk        a school     view, edit, submit (on that school only)
department_clerk    a department none on a region; on a task of their department (or its sections):
                                 view, report; on a task it cooperates on: view
                                 (``dudao.rectification.access``)
==================  ===========  =================================================================

``org`` on a region allows changing what lies *below* it: create, rename, move or close its child regions
(a move needs ``org`` on the old and the new parent), its departments and its schools. So a county
supervisor manages its towns, departments and schools, a city administrator its counties, and nobody
changes the region they sit in. An account is managed (edited, deactivated, its password reset, roles
granted or revoked) by someone who may grant *every* role it holds, and never by its own user: a county
supervisor manages the county's clerks but not a fellow supervisor. Who grants what:

==================  =================================================================================
region_admin        on its own region: that level's role and observer (and, on a county, the
                    department and school clerks); on the level below: that level's role, observer
                    and region_admin
county_supervisor   in its county: department and school clerks, and observers (county or town)
==================  =================================================================================

The doors: an object the user may not *view* does not exist for them: every ``access_*`` function raises
``Http404``, the same for a missing id and for another unit's object (so guessing a URL tells nothing);
an object they may view but not act on raises ``PermissionDenied`` (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dudao.orgs.models import Account, Department, Membership, Region, Role, School

Permission = Literal["view", "edit", "submit", "review", "inspect", "report", "org", "accounts", "audit", "manage"]

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_INSPECTOR: frozenset({"view", "inspect", "audit"}),
    Role.CITY_INSPECTOR: frozenset({"view", "inspect", "audit"}),
    Role.COUNTY_SUPERVISOR: frozenset({"view", "edit", "submit", "review", "inspect", "org", "accounts", "audit"}),
    Role.OBSERVER: frozenset({"view"}),
    Role.REGION_ADMIN: frozenset({"view", "org", "accounts", "audit"}),
}
# The role of each region level (a town has none of its own).
LEVEL_ROLE: dict[str, str] = {
    "province": Role.PROVINCE_INSPECTOR,
    "city": Role.CITY_INSPECTOR,
    "county": Role.COUNTY_SUPERVISOR,
}
CLERK_ROLES = frozenset({Role.DEPARTMENT_CLERK, Role.SCHOOL_CLERK})
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
        vars(user)["_dudao_memberships"] = cached
    return cached


def region_permissions(user: User | AnonymousUser, region: Region) -> frozenset[str]:
    """What ``user`` may do on ``region`` and everything below it (census, evaluation, rectification,
    surveys, reports and administration alike)."""
    perms: set[str] = set()
    for m in memberships(user):
        if m.region is not None and region.path.startswith(m.region.path):
            perms |= ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def school_permissions(user: User | AnonymousUser, school: School) -> frozenset[str]:
    """What ``user`` may do on ``school`` (through its county's region roles or a school role)."""
    perms = set(region_permissions(user, school.county))
    for m in memberships(user):
        if m.school_id == school.pk:
            perms |= SCHOOL_ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def require(perms: frozenset[str], perm: Permission) -> None:
    """The one check behind every door: no ``view``, the object does not exist for the user (404); ``view``
    without ``perm``, 403."""
    if "view" not in perms:
        raise Http404
    if perm not in perms:
        raise PermissionDenied


def require_region(user: User | AnonymousUser, region: Region, perm: Permission = "view") -> Region:
    """``region`` (already fetched, e.g. an object's county) if the user has ``perm`` on it; else 404/403."""
    require(region_permissions(user, region), perm)
    return region


def require_school(user: User | AnonymousUser, school: School, perm: Permission = "view") -> School:
    """``school`` (already fetched, e.g. a record's school) if the user has ``perm`` on it; else 404/403."""
    require(school_permissions(user, school), perm)
    return school


def access_region(user: User | AnonymousUser, code: str, perm: Permission = "view") -> Region:
    """A region by code (any level): its pages, census, evaluation, surveys and administration."""
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404
    return require_region(user, region, perm)


def access_nation(user: User | AnonymousUser) -> list[Region]:
    """The provinces of the national view, by code: every province for a superuser (the system's
    administrator, nationwide; figures only — what lies below is reached through roles as everywhere
    else), otherwise each province the user may view (a national inspector holds the province
    inspector's role on every province). None: the page does not exist for the user (404)."""
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
    if not (user.is_authenticated and user.is_superuser):
        provinces = [p for p in provinces if "view" in region_permissions(user, p)]
    if not provinces:
        raise Http404
    return provinces


def access_school(user: User | AnonymousUser, code: str, perm: Permission = "view") -> School:
    """A school by code, through its county's roles or a school role (its census, its overview page)."""
    school = School.objects.select_related("county").filter(code=code).first()
    if school is None:
        raise Http404
    return require_school(user, school, perm)


def visible_regions(user: User | AnonymousUser) -> QuerySet[Region]:
    """Every region the user may view (their units and everything below)."""
    prefixes = [m.region.path for m in memberships(user) if m.region is not None]
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
        if m.region is not None and perm in ROLE_PERMISSIONS.get(m.role, frozenset())
    ]
    if not prefixes:
        return Region.objects.none()
    query = Q()
    for prefix in prefixes:
        query |= Q(path__startswith=prefix)
    return Region.objects.filter(query, level=Region.Level.COUNTY)


def visible_schools(user: User | AnonymousUser) -> QuerySet[School]:
    """Every school the user may view."""
    prefixes = [m.region.path for m in memberships(user) if m.region is not None]
    own = [m.school_id for m in memberships(user) if m.school_id is not None and m.role == Role.SCHOOL_CLERK]
    query = Q(pk__in=own)
    for prefix in prefixes:
        query |= Q(county__path__startswith=prefix)
    return School.objects.filter(query) if (prefixes or own) else School.objects.none()


def home_unit(user: User | AnonymousUser) -> Region | School | None:
    """Where the user lands: their highest region, else their school."""
    roles = memberships(user)
    regions = sorted((m.region for m in roles if m.region is not None), key=lambda r: len(r.path))
    if regions:
        return regions[0]
    schools = [m.school for m in roles if m.school_id is not None]
    return schools[0] if schools else None


# ---------------------------------------------------------------------------------------------
# Counties and departments' clerks (rectification: the tasks themselves are in dudao.rectification.access)


def clerk_school_codes(user: User | AnonymousUser, county: Region) -> frozenset[str]:
    """The codes of ``county``'s schools the user enters figures for as their clerk: the schools whose census
    file a clerk may import (the county's supervision office imports the whole county)."""
    return frozenset(
        m.school.code
        for m in memberships(user)
        if m.school is not None and m.role == Role.SCHOOL_CLERK and m.school.county_id == county.pk
    )


def clerk_departments(user: User | AnonymousUser) -> frozenset[int]:
    """The departments whose tasks the user answers for as a clerk: their own and their sections."""
    own = [m.department_id for m in memberships(user) if m.department_id is not None]
    if not own:
        return frozenset()
    cached = getattr(user, "_dudao_departments", None)
    if cached is None:
        sections = Department.objects.filter(parent_id__in=own).values_list("pk", flat=True)
        cached = frozenset([*own, *sections])
        vars(user)["_dudao_departments"] = cached
    return cached


def access_county(user: User | AnonymousUser, code: str, perm: Permission = "view") -> Region:
    """A county by code (the rectification and report pages): 404 for a code that is no county."""
    county = Region.objects.select_related("parent").filter(code=code, level=Region.Level.COUNTY).first()
    if county is None:
        raise Http404
    return require_region(user, county, perm)


# ---------------------------------------------------------------------------------------------
# Administration: the org tree, the school register, accounts, the audit trail (docs/adr/0015)


def access_department(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Department:
    """A department (or section) of a county: 404 unless the user may view the county's
    administration; ``org`` on the county to change it."""
    department = Department.objects.select_related("county", "parent").filter(pk=pk).first()
    if department is None:
        raise Http404
    require_region(user, department.county, perm)
    return department


def access_register_school(user: User | AnonymousUser, code: str, perm: Permission = "view") -> School:
    """A school in the register (学校名录), through its county's roles only (a school's clerk does not
    see the register): ``org`` on its county to open, change, merge or close it."""
    school = School.objects.select_related("county").filter(code=code).first()
    if school is None:
        raise Http404
    require_region(user, school.county, perm)
    return school


@dataclass(frozen=True)
class GrantScope:
    """Roles an administrator may grant on units whose region (a region role's region, a
    department's or school's county) is ``anchor`` itself (``self``), a child of it (``children``)
    or anywhere in it (``within``)."""

    roles: frozenset[str]
    anchor: Region
    where: Literal["self", "children", "within"]

    def covers(self, region: Region) -> bool:
        if self.where == "self":
            return region.pk == self.anchor.pk
        if self.where == "children":
            return region.parent_id == self.anchor.pk
        return region.path.startswith(self.anchor.path)

    def lookup(self, prefix: str) -> Q:
        """The units ``prefix`` (a lookup to a region) covers, as a filter."""
        if self.where == "self":
            return Q(**{prefix: self.anchor.pk})
        if self.where == "children":
            return Q(**{f"{prefix}__parent": self.anchor.pk})
        return Q(**{f"{prefix}__path__startswith": self.anchor.path})


CHILD_LEVEL = {"province": "city", "city": "county", "county": "town"}


def grant_scopes(user: User | AnonymousUser) -> list[GrantScope]:
    """Everything ``user`` may grant, by where (see the module's table)."""
    scopes: list[GrantScope] = []
    for m in memberships(user):
        home = m.region
        if home is None:
            continue
        if m.role == Role.REGION_ADMIN:
            own = {LEVEL_ROLE[home.level], Role.OBSERVER} if home.level in LEVEL_ROLE else {Role.OBSERVER}
            if home.level == Region.Level.COUNTY:
                own |= CLERK_ROLES
            scopes.append(GrantScope(frozenset(own), home, "self"))
            child = CHILD_LEVEL.get(home.level)
            if child is not None:
                below = (
                    {LEVEL_ROLE[child], Role.OBSERVER, Role.REGION_ADMIN} if child in LEVEL_ROLE else {Role.OBSERVER}
                )
                scopes.append(GrantScope(frozenset(below), home, "children"))
        elif m.role == Role.COUNTY_SUPERVISOR:
            scopes.append(GrantScope(CLERK_ROLES, home, "self"))
            scopes.append(GrantScope(frozenset({Role.OBSERVER}), home, "within"))
    return scopes


def unit_region(unit: Region | Department | School) -> Region:
    """The region a role on ``unit`` belongs to: the region itself, or the department's or school's county."""
    return unit if isinstance(unit, Region) else unit.county


def may_grant(user: User | AnonymousUser, role: str, unit: Region | Department | School) -> bool:
    """Whether ``user`` may grant (or revoke) ``role`` on ``unit``."""
    region = unit_region(unit)
    return any(role in scope.roles and scope.covers(region) for scope in grant_scopes(user))


_UNIT_REGION = {"region": "region", "department": "department__county", "school": "school__county"}


def _grantable_memberships(scopes: list[GrantScope]) -> Q:
    """The memberships those scopes could have granted, as a filter on ``Membership``."""
    query = Q(pk__in=[])
    for scope in scopes:
        for role in scope.roles:
            query |= Q(role=role) & scope.lookup(_UNIT_REGION[Membership.UNIT[Role(role)]])
    return query


def visible_accounts(user: User | AnonymousUser) -> QuerySet[User]:
    """The accounts ``user`` administers: holding a role they may grant, or, holding none, belonging
    (``Account.region``) where they may grant one. Their own account is never among them."""
    scopes = grant_scopes(user)
    if not scopes or not isinstance(user, User):  # nobody logged in holds no scope
        return User.objects.none()
    granted = Membership.objects.filter(_grantable_memberships(scopes)).values("user_id")
    home = Q(pk__in=[])
    for scope in scopes:
        home |= scope.lookup("account__region")
    roleless = ~Exists(Membership.objects.filter(user=OuterRef("pk"))) & home
    return User.objects.filter(Q(pk__in=granted) | roleless).exclude(pk=user.pk)


def account_permissions(user: User | AnonymousUser, account: User) -> frozenset[str]:
    """``view`` for an account of :func:`visible_accounts`; ``manage`` when the user may also grant
    every role it holds (so managing it never reaches beyond their own scope)."""
    if not user.is_authenticated or account.pk == user.pk:
        return frozenset()
    scopes = grant_scopes(user)
    if not scopes:
        return frozenset()
    held = list(
        Membership.objects.filter(user=account).select_related("region", "department__county", "school__county")
    )
    if held:
        grantable = [any(m.role in s.roles and s.covers(unit_region(m.unit)) for s in scopes) for m in held]
        if not any(grantable):
            return frozenset()
        return frozenset({"view", "manage"}) if all(grantable) else frozenset({"view"})
    home = Account.objects.filter(user=account).select_related("region").first()
    if home is None or home.region is None or not any(s.covers(home.region) for s in scopes):
        return frozenset()
    return frozenset({"view", "manage"})


def access_account(user: User | AnonymousUser, *, pk: int | None = None, username: str | None = None,
                   perm: Permission = "view") -> User:  # fmt: skip
    """An account by id or user name: 404 unless the user administers it, 403 without ``perm``."""
    if (pk is None) == (username is None):
        raise TypeError("give pk or username")
    lookup = {"pk": pk} if pk is not None else {"username": username}
    account = User.objects.filter(**lookup).first()
    if account is None:
        raise Http404
    require(account_permissions(user, account), perm)
    return account


def access_unit(user: User | AnonymousUser, ref: str) -> Region | Department | School:
    """A unit named ``region:<code>``, ``department:<id>`` or ``school:<code>`` (forms, the API), if
    the user may view its administration; anything else is a 404."""
    kind, _sep, key = (ref or "").partition(":")
    if kind == "region":
        return access_region(user, key)
    if kind == "department" and key.isdigit():
        return access_department(user, int(key))
    if kind == "school":
        return access_register_school(user, key)
    raise Http404


def unit_ref(unit: Region | Department | School) -> str:
    """How forms and the API name a unit (read back by :func:`access_unit`)."""
    if isinstance(unit, Department):
        return f"department:{unit.pk}"
    return f"{'school' if isinstance(unit, School) else 'region'}:{unit.code}"


def admin_regions(user: User | AnonymousUser) -> list[Region]:
    """The regions whose administration the user may view, highest first (where 机构设置 opens)."""
    regions = [
        m.region for m in memberships(user) if m.region is not None and "view" in ROLE_PERMISSIONS.get(m.role, ())
    ]
    return sorted({r.pk: r for r in regions}.values(), key=lambda r: (len(r.path), r.path))
