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

Administration (the org tree, the school register, accounts and the audit trail; docs/adr/0015) has
its own permissions on a region and everything below it:

==================  =====================================  =================================================
role                permissions (``ADMIN_ROLE_PERMISSIONS``)  roles it grants and revokes (:func:`grant_scopes`)
==================  =====================================  =================================================
region_admin        view, org, accounts, audit             on its own region: that level's role and observer
                                                           (and, on a county, the department and school
                                                           clerks); on the level below: that level's role,
                                                           observer and region_admin
county_supervisor   view, org, accounts, audit             in its county: department and school clerks, and
                                                           observers (county or town)
province_inspector  view, audit                            none
city_inspector      view, audit                            none
observer            view                                   none
==================  =====================================  =================================================

``org`` on a region allows changing what lies *below* it: create, rename, move or close its child regions
(a move needs ``org`` on the old and the new parent), its departments and its schools. So a county
supervisor manages its towns, departments and schools, a city administrator its counties, and nobody
changes the region they sit in. An account is managed (edited, deactivated, its password reset, roles
granted or revoked) by someone who may grant *every* role it holds, and never by its own user: a county
supervisor manages the county's clerks but not a fellow supervisor.

A unit the user may not *view* does not exist for them: the ``access_*`` functions raise ``Http404``
(so guessing a URL tells nothing); a unit they may view but not act on raises ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dudao.orgs.models import Account, Department, Membership, Region, Role, School
from dudao.rectification.models import Task

Permission = Literal["view", "edit", "submit", "review"]
TaskPermission = Literal["view", "report", "inspect", "review"]
AdminPermission = Literal["view", "org", "accounts", "audit"]
AccountPermission = Literal["view", "manage"]

REGION_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_INSPECTOR: frozenset({"view"}),
    Role.CITY_INSPECTOR: frozenset({"view"}),
    Role.COUNTY_SUPERVISOR: frozenset({"view", "edit", "submit", "review"}),
    Role.OBSERVER: frozenset({"view"}),
    Role.REGION_ADMIN: frozenset({"view"}),
}
RECTIFICATION_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_INSPECTOR: frozenset({"view", "inspect"}),
    Role.CITY_INSPECTOR: frozenset({"view", "inspect"}),
    Role.COUNTY_SUPERVISOR: frozenset({"view", "inspect", "review"}),
    Role.OBSERVER: frozenset({"view"}),
    Role.REGION_ADMIN: frozenset({"view"}),
}
ADMIN_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.REGION_ADMIN: frozenset({"view", "org", "accounts", "audit"}),
    Role.COUNTY_SUPERVISOR: frozenset({"view", "org", "accounts", "audit"}),
    Role.PROVINCE_INSPECTOR: frozenset({"view", "audit"}),
    Role.CITY_INSPECTOR: frozenset({"view", "audit"}),
    Role.OBSERVER: frozenset({"view"}),
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
    """What ``user`` may do on ``region`` and everything below it."""
    perms: set[str] = set()
    for m in memberships(user):
        if m.region is not None and region.path.startswith(m.region.path):
            perms |= REGION_ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def school_permissions(user: User | AnonymousUser, school: School) -> frozenset[str]:
    """What ``user`` may do on ``school`` (through its county's region roles or a school role)."""
    perms = set(region_permissions(user, school.county))
    for m in memberships(user):
        if m.school_id == school.pk:
            perms |= SCHOOL_ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def _check(perms: frozenset[str], perm: str) -> None:
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
        if m.region is not None and perm in REGION_ROLE_PERMISSIONS.get(m.role, frozenset())
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
# Rectification: counties, departments and tasks


def rectification_permissions(user: User | AnonymousUser, county: Region) -> frozenset[str]:
    """What ``user`` may do in the rectification of ``county`` through their region roles."""
    perms: set[str] = set()
    for m in memberships(user):
        if m.region is not None and county.path.startswith(m.region.path):
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
        vars(user)["_dudao_departments"] = cached
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
    _check(rectification_permissions(user, county), perm)
    return county


def access_task(user: User | AnonymousUser, pk: int, perm: TaskPermission = "view") -> Task:
    task = Task.objects.select_related("county", "department", "plan", "town").filter(pk=pk).first()
    if task is None:
        raise Http404
    _check(task_permissions(user, task), perm)
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


# ---------------------------------------------------------------------------------------------
# Administration: the org tree, the school register, accounts, the audit trail (docs/adr/0015)


def admin_permissions(user: User | AnonymousUser, region: Region) -> frozenset[str]:
    """What ``user`` may do in the administration of ``region`` and everything below it."""
    perms: set[str] = set()
    for m in memberships(user):
        if m.region is not None and region.path.startswith(m.region.path):
            perms |= ADMIN_ROLE_PERMISSIONS.get(m.role, frozenset())
    return frozenset(perms)


def _check_admin(perms: frozenset[str], perm: AdminPermission) -> None:
    if "view" not in perms:
        raise Http404
    if perm not in perms:
        raise PermissionDenied


def access_admin_region(user: User | AnonymousUser, code: str, perm: AdminPermission = "view") -> Region:
    """A region's administration pages (机构设置, 学校名录, 账号管理, 操作记录): 404 unless the user
    may view the region's administration, 403 without ``perm``."""
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404
    _check_admin(admin_permissions(user, region), perm)
    return region


def access_department(user: User | AnonymousUser, pk: int, perm: AdminPermission = "view") -> Department:
    """A department (or section) of a county: 404 unless the user may view the county's
    administration; ``org`` on the county to change it."""
    department = Department.objects.select_related("county", "parent").filter(pk=pk).first()
    if department is None:
        raise Http404
    _check_admin(admin_permissions(user, department.county), perm)
    return department


def access_register_school(user: User | AnonymousUser, code: str, perm: AdminPermission = "view") -> School:
    """A school in the register (学校名录): ``org`` on its county to open, change, merge or close it."""
    school = School.objects.select_related("county").filter(code=code).first()
    if school is None:
        raise Http404
    _check_admin(admin_permissions(user, school.county), perm)
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
                   perm: AccountPermission = "view") -> User:  # fmt: skip
    """An account by id or user name: 404 unless the user administers it, 403 without ``perm``."""
    if (pk is None) == (username is None):
        raise TypeError("give pk or username")
    lookup = {"pk": pk} if pk is not None else {"username": username}
    account = User.objects.filter(**lookup).first()
    if account is None:
        raise Http404
    perms = account_permissions(user, account)
    if "view" not in perms:
        raise Http404
    if perm not in perms:
        raise PermissionDenied
    return account


def access_unit(user: User | AnonymousUser, ref: str) -> Region | Department | School:
    """A unit named ``region:<code>``, ``department:<id>`` or ``school:<code>`` (forms, the API), if
    the user may view its administration; anything else is a 404."""
    kind, _sep, key = (ref or "").partition(":")
    if kind == "region":
        return access_admin_region(user, key)
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
    regions = [m.region for m in memberships(user) if m.region is not None and m.role in ADMIN_ROLE_PERMISSIONS]
    return sorted({r.pk: r for r in regions}.values(), key=lambda r: (len(r.path), r.path))
