"""Administration: the region tree, departments, the school register, accounts and roles, the audit
trail, and the register and accounts imports — the same actions and refusals as the pages
(``dudao.orgs.actions``; access through ``dudao.orgs.access``; docs/adr/0014, 0015).

Units of a role are written ``region:<code>``, ``department:<id>`` or ``school:<code>``.

Errors (the usual body ``{code, message_zh, message_en, details}``): 400 ``required``, ``too_long``,
``bad_code``, ``bad_year``, ``unknown_value``, ``bad_username``, ``bad_email``, ``bad_phone``,
``bad_unit``, ``bad_town``, ``bad_parent``, ``bad_target``, ``reason_required``, ``not_a_county``,
``invalid_file``; 403 ``forbidden``, ``out_of_scope`` (a role on a unit outside your scope); 404 (no such
object or not visible: also a unit you may not see); 409 ``code_taken``, ``name_taken``,
``username_taken``, ``already_granted``, ``conflict``; 422 the state refuses it: ``has_open_schools``
(``details`` lists them), ``has_open_children``, ``has_records``, ``year_locked``, ``closed``,
``not_open``, ``not_open_yet``, ``inactive``, ``already_active``, ``already_inactive``,
``cannot_move``, ``cannot_close``, ``no_children``.
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, NinjaAPI, Router, Schema, UploadedFile
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from dudao.api.census import import_limit, refuse_large_bodies
from dudao.api.common import Pages, Status, request_user
from dudao.api.errors import CHANGE, READ, ApiError, error_response, responses, too_large
from dudao.audit.models import AuditEvent
from dudao.errors import Both
from dudao.orgs import actions
from dudao.orgs.access import (
    access_account,
    access_department,
    access_region,
    access_register_school,
    access_unit,
    admin_regions,
    region_permissions,
    unit_ref,
    visible_accounts,
)
from dudao.orgs.actions import OrgsError
from dudao.orgs.importing import import_accounts, import_register, running_year
from dudao.orgs.lists import accounts_in, school_names, trail, unit_name
from dudao.orgs.models import Account, Department, Membership, Region, School, SchoolYear

router = Router()

ERROR_STATUS: dict[str, int] = {
    "out_of_scope": 403,
    "code_taken": 409,
    "name_taken": 409,
    "username_taken": 409,
    "already_granted": 409,
    "conflict": 409,
    "has_open_schools": 422,
    "has_open_children": 422,
    "has_records": 422,
    "year_locked": 422,
    "closed": 422,
    "not_open": 422,
    "not_open_yet": 422,
    "inactive": 422,
    "already_active": 422,
    "already_inactive": 422,
    "cannot_move": 422,
    "cannot_close": 422,
    "no_children": 422,
}


def install(api: NinjaAPI) -> None:
    """Refusals of the administration actions as the usual error body."""

    def on_refusal(request: HttpRequest, exc: OrgsError) -> HttpResponse:
        status = ERROR_STATUS.get(exc.code, 400)
        return error_response(api, request, status, exc.code, exc.message_zh, exc.message_en, exc.details)

    api.exception_handler(OrgsError)(on_refusal)


# ---------------------------------------------------------------------------------------------
# Regions


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    closed_from: int | None

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent.code if obj.parent else None


class RegionIn(Schema):
    parent: str = Field(..., description="the parent region's code")
    code: str
    name: str
    why: str = ""


class RegionPatch(Schema):
    name: str | None = None
    parent: str | None = Field(None, description="move under this region (same level as the current parent)")
    why: str = ""


class CloseIn(Schema):
    year: int = Field(..., description="the school year from which it is closed")
    why: str
    schools_to: str | None = Field(None, description="a town: another town of the county its schools go to")


def _admin_prefixes(request: HttpRequest) -> list[str]:
    return [r.path for r in admin_regions(request_user(request))]


def _within(queryset: QuerySet[Any], lookup: str, prefixes: list[str]) -> QuerySet[Any]:
    if not prefixes:
        return queryset.none()
    query = Q()
    for prefix in prefixes:
        query |= Q(**{f"{lookup}__startswith": prefix})
    return queryset.filter(query)


@router.get("/regions", response={200: list[RegionOut], **READ}, summary="区域 / regions you administer")
@paginate(Pages)
def list_regions(request: HttpRequest, parent: str | None = None) -> QuerySet[Region]:
    """The regions whose administration you may see; ``parent`` narrows to one region's children."""
    rows = _within(Region.objects.select_related("parent"), "path", _admin_prefixes(request))
    if parent:
        rows = rows.filter(parent__code=parent)
    return rows.order_by("path")


@router.post("/regions", response={201: RegionOut, **CHANGE}, summary="新增区域 / create a region")
def create_region(request: HttpRequest, body: RegionIn) -> Any:
    parent = access_region(request_user(request), body.parent)
    return Status(201, actions.create_region(request_user(request), parent, body.code, body.name, why=body.why))


@router.patch("/regions/{code}", response={200: RegionOut, **CHANGE}, summary="更名或调整隶属 / rename or move")
def change_region(request: HttpRequest, code: str, body: RegionPatch) -> Region:
    user = request_user(request)
    region = access_region(user, code)
    if body.name is not None:
        region = actions.rename_region(user, region, body.name, why=body.why)
    if body.parent is not None:
        region = actions.move_region(user, region, access_region(user, body.parent), why=body.why)
    return Region.objects.select_related("parent").get(pk=region.pk)


@router.post("/regions/{code}/close", response={200: RegionOut, **CHANGE}, summary="撤销区域 / close a region")
def close_region(request: HttpRequest, code: str, body: CloseIn) -> Region:
    user = request_user(request)
    region = access_region(user, code)
    target = access_region(user, body.schools_to) if body.schools_to else None
    actions.close_region(user, region, body.year, why=body.why, schools_to=target)
    return Region.objects.select_related("parent").get(pk=region.pk)


# ---------------------------------------------------------------------------------------------
# Departments


class DepartmentOut(Schema):
    id: int
    county: str
    name: str
    kind: str
    parent: int | None = Field(None, alias="parent_id")

    @staticmethod
    def resolve_county(obj: Department) -> str:
        return obj.county.code


class DepartmentIn(Schema):
    county: str
    name: str
    kind: str = Field(..., description="finance, staffing, hr, … or the Chinese name (财政局)")
    parent: int | None = Field(None, description="a section: the department it belongs to")
    why: str = ""


class DepartmentPatch(Schema):
    name: str | None = None
    kind: str | None = None
    parent: int | None = Field(None, description="the department it belongs to; 0: none (a department of its own)")
    why: str = ""


@router.get("/departments", response={200: list[DepartmentOut], **READ}, summary="部门和科室 / departments")
@paginate(Pages)
def list_departments(request: HttpRequest, county: str | None = None) -> QuerySet[Department]:
    rows = _within(Department.objects.select_related("county"), "county__path", _admin_prefixes(request))
    if county:
        rows = rows.filter(county__code=county)
    return rows.order_by("county__code", "name")


@router.post("/departments", response={201: DepartmentOut, **CHANGE}, summary="新增部门或科室 / create a department")
def create_department(request: HttpRequest, body: DepartmentIn) -> Any:
    user = request_user(request)
    county = access_region(user, body.county)
    parent = access_department(user, body.parent) if body.parent else None
    return Status(201, actions.create_department(user, county, body.name, body.kind, parent=parent, why=body.why))


@router.patch("/departments/{department_id}", response={200: DepartmentOut, **CHANGE}, summary="修改部门 / change")
def change_department(request: HttpRequest, department_id: int, body: DepartmentPatch) -> Department:
    user = request_user(request)
    department = access_department(user, department_id)
    kwargs: dict[str, Any] = {"name": body.name, "kind": body.kind, "why": body.why}
    if body.parent is not None:
        kwargs["parent"] = access_department(user, body.parent) if body.parent else None
    actions.change_department(user, department, **kwargs)
    return Department.objects.select_related("county").get(pk=department.pk)


# ---------------------------------------------------------------------------------------------
# The school register


class RegisterOut(Schema):
    code: str
    county: str
    year: int = Field(..., description="the school year of the state shown (its latest row up to the year asked)")
    name: str
    school_type: str
    location: str
    ownership: str
    town: str | None
    status: str
    merged_into: str | None
    address: str
    head: str
    phone: str


def _register_row(sy: SchoolYear) -> dict[str, Any]:
    return {
        "code": sy.school.code,
        "county": sy.school.county.code,
        "year": sy.year,
        "name": sy.name,
        "school_type": sy.school_type,
        "location": sy.location,
        "ownership": sy.ownership,
        "town": sy.town.code if sy.town else None,
        "status": sy.status,
        "merged_into": sy.merged_into.code if sy.merged_into else None,
        "address": sy.school.address,
        "head": sy.school.head,
        "phone": sy.school.phone,
    }


class SchoolIn(Schema):
    county: str
    code: str
    year: int = Field(..., description="the school year it opens")
    name: str
    school_type: str
    location: str = ""
    ownership: str = "public"
    town: str | None = Field(None, description="a town of the county, by code")
    address: str = ""
    head: str = ""
    phone: str = ""
    why: str = ""


class SchoolPatch(Schema):
    year: int | None = Field(None, description="the school year the attributes change from (not for contact details)")
    name: str | None = None
    school_type: str | None = None
    location: str | None = None
    ownership: str | None = None
    town: str | None = Field(None, description="a town's code; an empty string: no town")
    address: str | None = None
    head: str | None = None
    phone: str | None = None
    why: str = ""


class ChangedOut(Schema):
    changed: dict[str, Any]


class EndIn(Schema):
    year: int
    why: str
    into: str | None = Field(None, description="merge: the school it merges into")


def _town(county: Region, code: str | None) -> Region | None:
    if not code:
        return None
    town = Region.objects.filter(code=code, parent=county, level=Region.Level.TOWN).first()
    if town is None:
        raise OrgsError(
            "bad_town",
            gettext_lazy("%(county_name)s没有乡镇（街道）%(code_value)s"),
            county_name=Both(county.name, county.code),
            code_value=code,
        )
    return town


@router.get("/register", response={200: list[RegisterOut], **READ}, summary="学校名录 / the school register")
@paginate(Pages)
def list_register(request: HttpRequest, county: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """Each school you administer as it is in ``year`` (default: the school year running today)."""
    year = year or running_year()
    schools = _within(School.objects.all(), "county__path", _admin_prefixes(request))
    if county:
        schools = schools.filter(county__code=county)
    latest: dict[int, SchoolYear] = {}
    rows = SchoolYear.objects.filter(school__in=schools, year__lte=year).select_related(
        "school", "school__county", "town", "merged_into"
    )
    for sy in rows.order_by("year"):
        latest[sy.school_id] = sy
    return [_register_row(sy) for sy in sorted(latest.values(), key=lambda s: s.school.code)]


@router.post("/register", response={201: RegisterOut, **CHANGE}, summary="开办学校 / open a school")
def open_school(request: HttpRequest, body: SchoolIn) -> Any:
    user = request_user(request)
    county = access_region(user, body.county)
    school = actions.open_school(
        user,
        county,
        body.code,
        body.year,
        name=body.name,
        school_type=body.school_type,
        location=body.location,
        ownership=body.ownership,
        town=_town(county, body.town),
        address=body.address,
        head=body.head,
        phone=body.phone,
        why=body.why,
    )
    opened = actions.schools.state(school, body.year)
    assert opened is not None  # the row open_school just wrote
    return Status(201, _register_row(opened))


@router.patch("/register/{code}", response={200: ChangedOut, **CHANGE}, summary="变更学校信息 / change a school")
def change_school(request: HttpRequest, code: str, body: SchoolPatch) -> dict[str, Any]:
    user = request_user(request)
    school = access_register_school(user, code)
    given = body.dict(exclude={"year", "why", "town"}, exclude_none=True)
    if body.town is not None:
        given["town"] = _town(school.county, body.town)
    return {"changed": actions.change_school(user, school, body.year, why=body.why, **given)}


@router.post("/register/{code}/merge", response={200: ChangedOut, **CHANGE}, summary="学校合并 / merge")
def merge_school(request: HttpRequest, code: str, body: EndIn) -> dict[str, Any]:
    user = request_user(request)
    school = access_register_school(user, code)
    if not body.into:
        raise OrgsError("bad_target", gettext_lazy("请给出并入的学校"))
    into = access_register_school(user, body.into)
    return {"changed": actions.merge_school(user, school, into, body.year, why=body.why)}


@router.post("/register/{code}/close", response={200: ChangedOut, **CHANGE}, summary="撤销学校 / close a school")
def close_school(request: HttpRequest, code: str, body: EndIn) -> dict[str, Any]:
    user = request_user(request)
    school = access_register_school(user, code)
    return {"changed": actions.close_school(user, school, body.year, why=body.why)}


# ---------------------------------------------------------------------------------------------
# Accounts


class RoleOut(Schema):
    id: int
    role: str
    unit: str
    unit_name: str


class AccountOut(Schema):
    username: str
    name: str
    email: str
    phone: str
    is_active: bool
    must_change_password: bool
    roles: list[RoleOut]


def _unit_key(m: Membership) -> str:
    return unit_ref(m.unit)


def _accounts_out(users: list[User]) -> list[dict[str, Any]]:
    held: dict[int, list[Membership]] = {}
    for m in Membership.objects.filter(user__in=users).select_related("region", "department", "school").order_by("pk"):
        held.setdefault(m.user_id, []).append(m)
    names = school_names({m.school_id for ms in held.values() for m in ms if m.school_id})
    extras = {a.user_id: a for a in Account.objects.filter(user__in=users)}
    return [
        {
            "username": u.username,
            "name": u.first_name,
            "email": u.email,
            "phone": extras[u.pk].phone if u.pk in extras else "",
            "is_active": u.is_active,
            "must_change_password": bool(u.pk in extras and extras[u.pk].must_change_password),
            "roles": [
                {"id": m.pk, "role": m.role, "unit": _unit_key(m), "unit_name": unit_name(m, names)}
                for m in held.get(u.pk, [])
            ],
        }
        for u in users
    ]


def _unit(request: HttpRequest, ref: str) -> Any:
    return access_unit(request_user(request), ref)


class AccountIn(Schema):
    username: str
    name: str
    role: str
    unit: str = Field(..., description="region:<code>, department:<id> or school:<code>")
    phone: str = ""
    email: str = ""
    why: str = ""


class AccountCreatedOut(Schema):
    account: AccountOut
    temporary_password: str = Field(..., description="shown once; to be changed at the first login")


class AccountPatch(Schema):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    why: str = ""


class GrantIn(Schema):
    role: str
    unit: str = Field(..., description="region:<code>, department:<id> or school:<code>")
    why: str


class WhyIn(Schema):
    why: str = ""


class PasswordOut(Schema):
    username: str
    temporary_password: str


@router.get("/accounts", response={200: list[AccountOut], **READ}, summary="账号 / accounts you administer")
@paginate(Pages)
def list_accounts(request: HttpRequest, region: str | None = None, active: bool | None = None) -> list[dict]:
    """Accounts holding a role you may grant; ``region`` narrows to a region's units."""
    user = request_user(request)
    if region:
        found = Region.objects.filter(code=region).first()
        rows = accounts_in(user, found) if found is not None else User.objects.none()
    else:
        rows = visible_accounts(user)
    if active is not None:
        rows = rows.filter(is_active=active)
    return _accounts_out(list(rows.order_by("username")))


def _account(user: User) -> dict[str, Any]:
    return _accounts_out([User.objects.get(pk=user.pk)])[0]


@router.post("/accounts", response={201: AccountCreatedOut, **CHANGE}, summary="新建账号 / create an account")
def create_account(request: HttpRequest, body: AccountIn) -> Any:
    user = request_user(request)
    created, password = actions.create_account(
        user,
        body.username,
        body.name,
        body.role,
        _unit(request, body.unit),
        phone=body.phone,
        email=body.email,
        why=body.why,
    )
    return Status(201, {"account": _account(created), "temporary_password": password})


@router.patch("/accounts/{username}", response={200: AccountOut, **CHANGE}, summary="修改账号 / edit an account")
def change_account(request: HttpRequest, username: str, body: AccountPatch) -> dict[str, Any]:
    user = request_user(request)
    found = access_account(user, username=username)
    actions.update_account(user, found, name=body.name, phone=body.phone, email=body.email, why=body.why)
    return _account(found)


@router.post("/accounts/{username}/roles", response={201: AccountOut, **CHANGE}, summary="授予角色 / grant a role")
def grant_role(request: HttpRequest, username: str, body: GrantIn) -> Any:
    user = request_user(request)
    found = access_account(user, username=username)
    actions.grant_role(user, found, body.role, _unit(request, body.unit), why=body.why)
    return Status(201, _account(found))


@router.post(
    "/accounts/{username}/roles/{role_id}/revoke", response={200: AccountOut, **CHANGE}, summary="撤销角色 / revoke"
)
def revoke_role(request: HttpRequest, username: str, role_id: int, body: WhyIn) -> dict[str, Any]:
    user = request_user(request)
    found = access_account(user, username=username)
    membership = Membership.objects.filter(user=found, pk=role_id).first()
    if membership is None:
        raise Http404
    actions.revoke_role(user, membership, why=body.why)
    return _account(found)


@router.post("/accounts/{username}/deactivate", response={200: AccountOut, **CHANGE}, summary="停用账号 / deactivate")
def deactivate_account(request: HttpRequest, username: str, body: WhyIn) -> dict[str, Any]:
    user = request_user(request)
    found = access_account(user, username=username)
    actions.deactivate_account(user, found, why=body.why)
    return _account(found)


@router.post("/accounts/{username}/activate", response={200: AccountOut, **CHANGE}, summary="启用账号 / activate")
def activate_account(request: HttpRequest, username: str, body: WhyIn) -> dict[str, Any]:
    user = request_user(request)
    found = access_account(user, username=username)
    actions.activate_account(user, found, why=body.why)
    return _account(found)


@router.post("/accounts/{username}/reset-password", response={200: PasswordOut, **CHANGE}, summary="重置密码 / reset")
def reset_password(request: HttpRequest, username: str, body: WhyIn) -> dict[str, Any]:
    user = request_user(request)
    found = access_account(user, username=username)
    return {"username": found.username, "temporary_password": actions.reset_password(user, found, why=body.why)}


# ---------------------------------------------------------------------------------------------
# The audit trail


class EventOut(Schema):
    at: dt.datetime
    actor: str = Field(..., alias="actor_label")
    verb: str
    target_type: str
    target_id: str
    target: str = Field(..., alias="target_label")
    region: str | None
    why: str
    data: dict[str, Any]

    @staticmethod
    def resolve_region(obj: AuditEvent) -> str | None:
        return obj.region.code if obj.region else None


@router.get("/audit", response={200: list[EventOut], **READ}, summary="操作记录 / the audit trail of a region")
@paginate(Pages)
def list_events(
    request: HttpRequest,
    region: str,
    verb: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The events of ``region`` (and below) if you may read its trail; otherwise an empty list.
    ``verb`` is one (``orgs.role.grant``) or a prefix ending in a dot (``orgs.role.``)."""
    found = Region.objects.filter(code=region).first()
    if found is None or "audit" not in region_permissions(request_user(request), found):
        return AuditEvent.objects.none()
    events = trail(found).select_related("region")
    if verb:
        events = events.filter(verb__startswith=verb) if verb.endswith(".") else events.filter(verb=verb)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-pk")


# ---------------------------------------------------------------------------------------------
# Imports


class ProblemOut(Schema):
    rule: str
    message_zh: str
    message_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None


class SchoolPlanOut(Schema):
    row: int
    code: str
    name: str
    action: str
    changes: dict[str, Any]


class RegisterImportOut(Schema):
    filename: str
    sheet: str
    year: int
    dry_run: bool
    rows: int
    created: list[SchoolPlanOut]
    updated: list[SchoolPlanOut]
    unchanged: int
    warnings: list[ProblemOut]


class AccountPlanOut(Schema):
    row: int
    username: str
    name: str
    action: str
    detail: str


class AccountsImportOut(Schema):
    filename: str
    sheet: str
    dry_run: bool
    rows: int
    created: list[AccountPlanOut]
    updated: list[AccountPlanOut]
    granted: list[AccountPlanOut]
    unchanged: int
    temporary_passwords: dict[str, str] = Field(..., description="new accounts' temporary passwords, shown once")
    warnings: list[ProblemOut]


def _save(file: UploadedFile, folder: str) -> Path:
    limit = import_limit()
    if (file.size or 0) > limit:
        raise ApiError(413, *too_large(limit), [{"size": file.size}])
    path = Path(folder) / Path(file.name or "upload").name
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return path


IMPORT_ERRORS = responses(400, 401, 403, 404, 413, 422)


@router.post(
    "/imports/register",
    response={200: RegisterImportOut, 201: RegisterImportOut, **IMPORT_ERRORS},
    summary="导入学校名录 / import the school register",
)
@decorate_view(refuse_large_bodies)
def import_register_file(
    request: HttpRequest,
    file: UploadedFile = File(..., description=".xlsx or .csv in the register template's layout"),  # noqa: B008
    county: str = Form(...),
    year: int | None = Form(None, description="the school year it takes effect from (default: running)"),
    dry_run: bool = Form(False),
) -> Any:
    """Every problem at once (400 ``invalid_file``) and nothing written; a dry run (200) says what would
    change; an import (201) writes it."""
    user = request_user(request)
    region = access_region(user, county)
    if region.level != Region.Level.COUNTY:
        raise Http404
    with tempfile.TemporaryDirectory(prefix="dudao-register-") as folder:
        result = import_register(_save(file, folder), region, actor=user, year=year, dry_run=dry_run)
    body = {
        "filename": result.filename,
        "sheet": result.sheet,
        "year": result.year,
        "dry_run": result.dry_run,
        "rows": result.rows,
        "created": [vars(p) for p in result.created],
        "updated": [vars(p) for p in result.updated],
        "unchanged": result.unchanged,
        "warnings": [w.as_dict() for w in result.warnings],
    }
    return Status(200 if result.dry_run else 201, body)


@router.post(
    "/imports/accounts",
    response={200: AccountsImportOut, 201: AccountsImportOut, **IMPORT_ERRORS},
    summary="导入账号 / import accounts",
)
@decorate_view(refuse_large_bodies)
def import_accounts_file(
    request: HttpRequest,
    file: UploadedFile = File(..., description=".xlsx or .csv in the accounts template's layout"),  # noqa: B008
    dry_run: bool = Form(False),
) -> Any:
    with tempfile.TemporaryDirectory(prefix="dudao-accounts-") as folder:
        result = import_accounts(_save(file, folder), actor=request_user(request), dry_run=dry_run)
    body = {
        "filename": result.filename,
        "sheet": result.sheet,
        "dry_run": result.dry_run,
        "rows": result.rows,
        "created": [vars(p) for p in result.created],
        "updated": [vars(p) for p in result.updated],
        "granted": [vars(p) for p in result.granted],
        "unchanged": result.unchanged,
        "temporary_passwords": result.passwords,
        "warnings": [w.as_dict() for w in result.warnings],
    }
    return Status(200 if result.dry_run else 201, body)
