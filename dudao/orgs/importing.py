"""Bulk set-up from Excel: the school register (学校名录) and accounts, with a dry run and the
census import's precision (docs/adr/0014, 0015).

Both read the file with the project's one spec-driven reader (:func:`dudao.sheets.table.read_table`,
through :mod:`dudao.orgs.sheet`) and check *every* row against what is
stored before anything is written: any problem raises :class:`~dudao.engine.problems.InputError`
listing each one with sheet, row, column (as written), value and rule, in Chinese and English, and
nothing is written. Otherwise one transaction applies the rows through the same actions the pages use
(``open_school``/``change_school``; ``create_account``/``update_account``/``grant_role``), so each
change has its audit event, plus one event for the import. Importing the same file again changes
nothing (and records nothing).

The register: a row whose code is new opens the school from ``year``; a known school of the county
takes the row's attributes from ``year`` on (only what differs) and its contact details. An empty
optional cell leaves the stored value as it is.

Accounts: rows of one user name may repeat (a clerk of several schools: one row per unit) and must
then agree on name, phone and e-mail. A new user name creates the account with a temporary password
(returned once, in the result); a user name the importer administers gets what differs and the roles
it lacks; any other existing user name is ``username_taken``. A role outside the importer's scope is
``out_of_scope`` (the system, running the command, is not limited).

Rule codes: the reader's (``dudao.sheets.table``: ``missing_column``, ``empty_value``, ``unknown_value``,
``too_long`` …), then ``no_rows``; for the register ``bad_code``, ``duplicate_code``, ``other_county``,
``bad_town``, ``closed``, ``not_open``, ``not_open_yet``; for accounts ``bad_username``,
``username_taken``, ``inconsistent_account``, ``unknown_unit`` (also a unit the importer may not see),
``ambiguous_unit``, ``bad_unit``, ``out_of_scope``, ``bad_email``, ``bad_phone``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system
from dudao.audit.record import record_event
from dudao.engine.fields import LOCATIONS, OWNERSHIP, SCHOOL_TYPES
from dudao.engine.problems import InputError, Problem
from dudao.orgs import actions
from dudao.orgs.access import account_permissions, grant_scopes, may_grant, region_permissions, unit_region
from dudao.orgs.actions import OrgsError
from dudao.orgs.actions.accounts import check_role, clean_email, clean_phone
from dudao.orgs.actions.common import require, school_year
from dudao.orgs.actions.schools import check_code, check_town, find_town, state
from dudao.orgs.models import Account, Department, Membership, Region, Role, School, SchoolYear
from dudao.orgs.sheet import ColumnSpec, Help, Row, read_table, write_template
from dudao.sheets.table import Table

REGISTER_SHEET = "学校名录"
ACCOUNTS_SHEET = "账号"

REGISTER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("code", "学校标识码", aliases=("学校代码", "school_code"), required=True, max_length=20),
    ColumnSpec("name", "学校名称", aliases=("school_name",), required=True, max_length=100),
    ColumnSpec("school_type", "学校类型", "enum", required=True, choices=SCHOOL_TYPES),
    ColumnSpec("town", "乡镇（街道）", aliases=("乡镇", "街道", "所在乡镇"), max_length=64),
    ColumnSpec("location", "城乡类型", "enum", choices=LOCATIONS),
    ColumnSpec("ownership", "办学性质", "enum", choices=OWNERSHIP),
    ColumnSpec("address", "地址", max_length=200),
    ColumnSpec("head", "校长", aliases=("负责人姓名", "校长姓名"), max_length=50),
    ColumnSpec("phone", "联系电话", aliases=("电话",), max_length=30),
)
REGISTER_NOTES: dict[str, Help] = {
    "code": Help("10 位学校标识码；已登记的学校按此更新", "School code (10 digits); a registered school is updated",
                 "4201020001"),
    "name": Help("", "School name", "示例县第一小学"),
    "school_type": Help("从下拉列表选择", "School type", "小学"),
    "town": Help("填名称或区划代码；须先在“机构设置”中添加", "Town, by name or code; add it under organisation first",
                 "城关镇"),
    "location": Help("城区、镇区或乡村", "Location: urban, town or rural", "城区"),
    "ownership": Help("公办或民办；留空为公办", "Ownership (empty: public)", "公办"),
    "address": Help("", "Address", "城关镇幸福路 1 号"),
    "head": Help("", "Head", "王某"),
    "phone": Help("", "Phone", "0311-1234567"),
}  # fmt: skip
REGISTER_HELP = (
    ("学校名录导入说明", "How to fill the school register"),
    (
        "每所学校一行；第 2 行是英文列名、第 3 行是示例，导入时都会跳过，可以保留。带 * 的列必填。",
        "One row per school; row 2 holds the English keys and row 3 an example: both are skipped. Columns marked * "
        "are required.",
    ),
    (
        "导入时指定生效学年：新学校自该学年起开办；已登记学校的名称、类型、乡镇、城乡类型、办学性质自该学年起变更，"
        "以前学年的信息不变。",
        "The import names the school year it takes effect from: new schools open from then; "
        "a registered school's name, type, town, location and ownership change from then on, earlier years stay.",
    ),
    (
        "可选列留空表示不修改已登记的信息。撤销、合并学校请在“学校名录”页面逐校办理。",
        "An empty optional cell leaves the registered value unchanged. Close or merge schools one by one on the "
        "register page.",
    ),
    (
        "乡镇（街道）须先在“机构设置”中添加；填名称或区划代码均可。",
        "Towns must be added under organisation first; give the name or the code.",
    ),
    (
        "文件中有任何错误时一行也不导入，并列出全部错误（工作表、行、列、值、规则）。可先勾选“只检查”试导入。",
        "Any error and nothing is imported; every error is listed (sheet, row, column, value, rule). Use the dry "
        "run first.",
    ),
)

ROLE_CHOICES = {r.value: (str(r.label), r.value) for r in Role}
ACCOUNT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("username", "用户名", aliases=("账号", "登录名"), required=True, max_length=150),
    ColumnSpec("name", "姓名", required=True, max_length=150),
    ColumnSpec("phone", "手机号码", aliases=("电话", "手机"), max_length=30),
    ColumnSpec("email", "电子邮箱", aliases=("邮箱",), max_length=254),
    ColumnSpec("role", "角色", "enum", required=True, choices=ROLE_CHOICES),
    ColumnSpec("unit", "单位", aliases=("所在单位", "单位代码"), required=True, max_length=120),
)
ACCOUNT_NOTES: dict[str, Help] = {
    "username": Help("登录用的名称；同一人有多个单位时每个单位一行",
                     "User name (letters, digits, Chinese, @ . + - _); one row per unit", "school-liuhe"),
    "name": Help("", "Name", "李某"),
    "phone": Help("", "Phone", "13800000000"),
    "email": Help("", "E-mail", "li@example.cn"),
    "role": Help("从下拉列表选择", "Role", "学校填报员"),
    "unit": Help("区域填区划代码，学校填学校标识码，部门填部门全称（重名时写“县代码/部门名称”）",
                 "A region's or school's code, or a department's name (county code/name when ambiguous)",
                 "4201020001"),
}  # fmt: skip
ACCOUNT_HELP = (
    ("账号导入说明", "How to fill the accounts sheet"),
    (
        "每个角色一行：同一用户名可以有多行（例如一名填报员负责几所学校），姓名、电话、邮箱须一致。",
        "One row per role: a user name may have several rows (a clerk of several schools) with the same name, "
        "phone and e-mail.",
    ),
    (
        "单位：区域（省、市、县、乡镇）填区划代码；学校填学校标识码；部门填部门全称，重名时写“县代码/部门名称”。",
        "Unit: a region's code; a school's code; a department's full name (county code/name when ambiguous).",
    ),
    (
        "新账号会生成临时密码（只显示一次），本人首次登录时必须修改。已有账号只补充缺少的角色、更新姓名电话邮箱。",
        "New accounts get a temporary password (shown once) to be changed at the first login. Existing accounts get "
        "the roles they lack and their name, phone and e-mail updated.",
    ),
    (
        "只能授予您有权管理的角色；文件中有任何错误时一行也不导入。",
        "Only roles you may grant; any error and nothing is imported.",
    ),
)


@dataclass(frozen=True)
class SchoolPlan:
    row: int
    code: str
    name: str
    action: str  # create, update
    changes: dict[str, list[Any]]


@dataclass
class RegisterResult:
    filename: str
    sheet: str
    year: int
    dry_run: bool
    rows: int
    created: list[SchoolPlan] = field(default_factory=list)
    updated: list[SchoolPlan] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)


def register_template() -> bytes:
    return write_template(REGISTER_COLUMNS, REGISTER_NOTES, REGISTER_SHEET, REGISTER_HELP, "code")


def accounts_template() -> bytes:
    return write_template(ACCOUNT_COLUMNS, ACCOUNT_NOTES, ACCOUNTS_SHEET, ACCOUNT_HELP, "username")


class _Problems:
    def __init__(self, sheet: str, headers: dict[str, str]) -> None:
        self.sheet, self.headers = sheet, headers
        self.found: list[Problem] = []

    def add(self, row: Row, key: str, rule: str, zh: str, en: str, value: object = None) -> None:
        shown = row[key] if value is None else value
        self.found.append(
            Problem(
                rule,
                zh,
                en,
                sheet=self.sheet,
                row=row.row,
                column=self.headers.get(key, key),
                value=str(shown) if shown not in (None, "") else None,
            )
        )

    def check(self, row: Row, key: str, check: Callable[[], Any]) -> Any:
        """``check()``'s value, or None with its refusal recorded as a problem of the cell."""
        try:
            return check()
        except OrgsError as error:
            self.add(row, key, error.code, error.message_zh, error.message_en)
            return None

    def raise_any(self) -> None:
        if self.found:
            raise InputError(self.found)


def _town(county: Region, value: object, year: int) -> Region | None:
    """The town a register row names (found, and open in ``year``), or the refusal."""
    return check_town(find_town(county, value), county, year)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_register(
    path: Path | str,
    county: Region,
    *,
    actor: Actor,
    year: int | None = None,
    dry_run: bool = False,
    sheet: str | None = None,
) -> RegisterResult:
    """Import the school register at ``path`` into ``county`` from school ``year`` (default: the
    school year running today). See the module doc."""
    path = Path(path)
    require(actor, county, "org")
    if county.level != Region.Level.COUNTY:
        raise PermissionDenied
    year = school_year(year if year is not None else running_year())
    table = read_table(path, REGISTER_COLUMNS, sheet=sheet, example_key="code")
    problems = _Problems(table.sheet, table.headers)
    result = RegisterResult(path.name, table.sheet, year, dry_run, len(table.rows), warnings=table.warnings)
    if not table.rows:
        raise InputError([Problem("no_rows", "文件中没有数据行", "The file holds no data rows", sheet=table.sheet)])
    plans = _register_rows(table, county, year, problems)
    problems.raise_any()
    _register_changes(plans, year, problems, result)
    problems.raise_any()
    if dry_run or not (result.created or result.updated):
        return result
    _write_register(actor, path, table.sheet, county, year, plans, result)
    return result


Plans = list[tuple[Row, School | None, dict[str, Any]]]


def _register_rows(table: Table, county: Region, year: int, problems: _Problems) -> Plans:
    """Each row's school (stored or None) and the values it gives, its cells checked."""
    codes = [str(r["code"]) for r in table.rows]
    known = {s.code: s for s in School.objects.filter(code__in=codes).select_related("county")}
    seen: dict[str, int] = {}
    plans: Plans = []
    for row in table.rows:
        code = problems.check(row, "code", partial(check_code, row["code"]))
        if code is None:
            continue
        if code in seen:
            problems.add(
                row,
                "code",
                "duplicate_code",
                f"学校标识码与第 {seen[code]} 行重复",
                f"the school code repeats row {seen[code]}",
            )
            continue
        seen[code] = row.row
        school = known.get(code)
        if school is not None and school.county_id != county.pk:
            problems.add(
                row,
                "code",
                "other_county",
                f"学校标识码 {code} 已登记在其他县，不能在{county.name}导入",
                f"school {code} is registered in another county",
            )
            continue
        given: dict[str, Any] = {"name": row["name"], "school_type": row["school_type"]}
        for key in ("location", "ownership"):
            if row[key]:
                given[key] = row[key]
        if row["town"]:
            given["town"] = problems.check(row, "town", partial(_town, county, row["town"], year))
        given.update({k: row[k] for k in ("address", "head", "phone") if row[k]})
        if school is None:
            given.setdefault("ownership", "public")
        plans.append((row, school, given))
    return plans


def _register_changes(plans: Plans, year: int, problems: _Problems, result: RegisterResult) -> None:
    """What each row changes against the stored state in ``year``, into ``result``."""
    for row, school, given in plans:
        if school is None:
            result.created.append(SchoolPlan(row.row, str(row["code"]), given["name"], "create", {}))
            continue
        now = state(school, year)
        if now is None:
            problems.add(
                row, "code", "not_open_yet", f"该校在{year}学年尚未开办", f"the school does not exist yet in {year}"
            )
            continue
        stored = {
            "name": now.name,
            "school_type": now.school_type,
            "location": now.location,
            "ownership": now.ownership,
            "town": now.town,
            "address": school.address,
            "head": school.head,
            "phone": school.phone,
        }
        changes = {k: [_shown(stored[k]), _shown(v)] for k, v in given.items() if stored[k] != v}
        if changes and now.status != SchoolYear.Status.OPEN:
            problems.add(
                row,
                "code",
                "not_open",
                f"该校在{year}学年已{now.get_status_display()}，不能导入变更",
                f"the school is {now.status} in {year}; it cannot be changed",
            )
            continue
        if changes:
            result.updated.append(SchoolPlan(row.row, school.code, now.name, "update", changes))
        else:
            result.unchanged += 1


def _write_register(
    actor: Actor, path: Path, sheet: str, county: Region, year: int, plans: Plans, result: RegisterResult
) -> None:
    """Opens and changes the schools of the plan in one transaction, with the import's audit event."""
    by_row = {row.row: (school, given) for row, school, given in plans}
    with transaction.atomic():
        try:
            for plan in result.created:
                _school, given = by_row[plan.row]
                actions.open_school(actor, county, plan.code, year, why=path.name, **given)
            for plan in result.updated:
                school, given = by_row[plan.row]
                assert school is not None
                actions.change_school(actor, school, year, why=path.name, **given)
        except OrgsError as error:  # a change someone made meanwhile: nothing is written
            raise InputError([Problem(error.code, error.message_zh, error.message_en, sheet=sheet)]) from None
        record_event(
            actor,
            "orgs.import.register",
            region=county,
            why=path.name,
            data={
                "file": path.name,
                "sha256": _sha256(path),
                "year": year,
                "rows": result.rows,
                "created": len(result.created),
                "changed": len(result.updated),
                "unchanged": result.unchanged,
            },
        )


def _shown(value: Any) -> Any:
    return value.code if isinstance(value, Region) else value


def running_year() -> int:
    """The school year running today (it starts in September)."""
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


# --------------------------------------------------------------------------------------------
# Accounts


@dataclass(frozen=True)
class AccountPlan:
    row: int
    username: str
    name: str
    action: str  # create, update, grant
    detail: str  # the role and unit, or what changes


@dataclass
class AccountsResult:
    filename: str
    sheet: str
    dry_run: bool
    rows: int
    created: list[AccountPlan] = field(default_factory=list)
    updated: list[AccountPlan] = field(default_factory=list)  # details changed
    granted: list[AccountPlan] = field(default_factory=list)  # roles added to existing accounts
    unchanged: int = 0
    passwords: dict[str, str] = field(default_factory=dict)  # username -> temporary password (not on a dry run)
    warnings: list[Problem] = field(default_factory=list)


def find_unit(value: str, role: str, actor: Actor) -> Region | Department | School:
    """The unit a row names for ``role``: a region's or a school's code, or a department's name
    (``county code/name`` where one name is found in two counties the importer administers)."""
    kind = Membership.UNIT[Role(role)]
    raw = value.strip()
    unknown = OrgsError("unknown_unit", gettext_lazy("找不到单位“%(raw)s”"), raw=raw)
    found: Region | School | Department | None
    if kind == "region":
        found = Region.objects.filter(code=raw).first()
    elif kind == "school":
        found = School.objects.select_related("county").filter(code=raw).first()
    else:
        county_code, _sep, name = raw.rpartition("/")
        departments = Department.objects.select_related("county").filter(name=name.strip())
        if county_code:
            departments = departments.filter(county__code=county_code.strip())
        found_list = list(departments)
        if not is_system(actor):
            scopes = grant_scopes(actor)
            found_list = [d for d in found_list if any(s.covers(d.county) for s in scopes)]
        if len(found_list) > 1:
            raise OrgsError(
                "ambiguous_unit", gettext_lazy("有多个部门名为“%(name)s”，请写成“县代码/部门名称”"), name=name
            )
        found = found_list[0] if found_list else None
    # A unit the importer may not see is as unknown as one that does not exist.
    if found is None or (not is_system(actor) and "view" not in region_permissions(actor, unit_region(found))):
        raise unknown
    return found


def import_accounts(
    path: Path | str, *, actor: Actor, dry_run: bool = False, sheet: str | None = None, region: Region | None = None
) -> AccountsResult:
    """Import the accounts at ``path`` (see the module doc). ``region``: where the import's own event is
    filed (the page's region; by default the units' closest common region)."""
    path = Path(path)
    if not is_system(actor) and not grant_scopes(actor):
        raise PermissionDenied
    table = read_table(path, ACCOUNT_COLUMNS, sheet=sheet, example_key="username")
    problems = _Problems(table.sheet, table.headers)
    result = AccountsResult(path.name, table.sheet, dry_run, len(table.rows), warnings=table.warnings)
    if not table.rows:
        raise InputError([Problem("no_rows", "文件中没有数据行", "The file holds no data rows", sheet=table.sheet)])
    existing, first, rows = _account_rows(table, actor, problems)
    problems.raise_any()
    _account_changes(rows, first, existing, result)
    if dry_run or not (result.created or result.updated or result.granted):
        return result
    _write_accounts(actor, path, table.sheet, existing, first, rows, result, region)
    return result


Details = dict[str, tuple[Row, tuple[str, str, str]]]  # user name (casefolded) -> first row, (name, phone, email)
Grants = list[tuple[Row, str, Region | Department | School, User | None]]  # row, role, unit, stored account


def _account_rows(table: Table, actor: Actor, problems: _Problems) -> tuple[dict[str, User], Details, Grants]:
    """(the stored accounts the file names, each user name's details, each row's grant), cells checked."""
    names = {str(r["username"]) for r in table.rows}
    existing = {u.username.casefold(): u for u in User.objects.filter(username__in=names)}
    first: Details = {}
    rows: Grants = []
    wanted: set[tuple[str, str, str, int]] = set()
    for row in table.rows:
        username = str(row["username"])
        details = (
            str(row["name"]),
            problems.check(row, "phone", partial(clean_phone, row["phone"])) or "",
            problems.check(row, "email", partial(clean_email, row["email"])) or "",
        )
        key = username.casefold()
        if key in first:
            if first[key][1] != details:
                problems.add(
                    row,
                    "username",
                    "inconsistent_account",
                    f"同一用户名的姓名、电话、邮箱须与第 {first[key][0].row} 行一致",
                    f"name, phone and e-mail must match row {first[key][0].row} of the same user name",
                )
        else:
            first[key] = (row, details)
        unit = problems.check(row, "unit", partial(find_unit, str(row["unit"]), row["role"], actor))
        if unit is None:
            continue
        role = problems.check(row, "unit", partial(check_role, row["role"], unit))
        if role is None:
            continue
        if not is_system(actor) and not may_grant(actor, role, unit):
            problems.add(
                row,
                "role",
                "out_of_scope",
                f"您不能在“{row['unit']}”上授予“{Role(role).label}”",
                f"you may not grant {role} on {row['unit']}",
            )
            continue
        user = existing.get(key)
        if user is None and key not in {k for k, *_ in wanted}:
            problems.check(row, "username", partial(actions.accounts._clean_username, username))
        if user is not None and not is_system(actor) and "manage" not in account_permissions(actor, user):
            problems.add(
                row, "username", "username_taken", f"用户名“{username}”已被使用", f"user name {username!r} is taken"
            )
            continue
        wanted.add((key, role, type(unit).__name__, unit.pk))
        rows.append((row, role, unit, user))
    return existing, first, rows


def _account_changes(rows: Grants, first: Details, existing: dict[str, User], result: AccountsResult) -> None:
    """What the file creates, grants and changes, into ``result``."""
    created: set[str] = set()
    for row, role, unit, user in rows:
        key = str(row["username"]).casefold()
        label = f"{Role(role).label}·{actions.accounts.unit_label(unit)}"
        if user is None:
            if key in created:
                result.granted.append(AccountPlan(row.row, str(row["username"]), str(row["name"]), "grant", label))
            else:
                created.add(key)
                result.created.append(AccountPlan(row.row, str(row["username"]), str(row["name"]), "create", label))
            continue
        field_name = Membership.UNIT[Role(role)]
        if Membership.objects.filter(user=user, role=role, **{field_name: unit}).exists():
            result.unchanged += 1
        else:
            result.granted.append(AccountPlan(row.row, user.username, str(row["name"]), "grant", label))
    for key, (row, (name, phone, email)) in first.items():
        user = existing.get(key)
        if user is None:
            continue
        extra = Account.objects.filter(user=user).first()
        changed = [
            f
            for f, old, new in (
                ("name", user.first_name, name),
                ("phone", extra.phone if extra else "", phone),
                ("email", user.email, email),
            )
            if old != new
        ]
        if changed:
            result.updated.append(AccountPlan(row.row, user.username, name, "update", ", ".join(changed)))


def _write_accounts(
    actor: Actor,
    path: Path,
    sheet: str,
    existing: dict[str, User],
    first: Details,
    rows: Grants,
    result: AccountsResult,
    region: Region | None,
) -> None:
    """Creates the accounts and grants the roles of the plan in one transaction, with the import's event."""
    with transaction.atomic():
        try:
            accounts: dict[str, User] = dict(existing)
            for row, role, unit, _user in rows:
                key = str(row["username"]).casefold()
                name, phone, email = first[key][1]
                if key not in accounts:
                    accounts[key], result.passwords[str(row["username"])] = actions.create_account(
                        actor, str(row["username"]), name, role, unit, phone=phone, email=email, why=path.name
                    )
                    continue
                held = accounts[key]
                field_name = Membership.UNIT[Role(role)]
                if not Membership.objects.filter(user=held, role=role, **{field_name: unit}).exists():
                    actions.grant_role(actor, held, role, unit, why=path.name)
            for plan in result.updated:
                name, phone, email = first[plan.username.casefold()][1]
                actions.update_account(
                    actor, accounts[plan.username.casefold()], name=name, phone=phone, email=email, why=path.name
                )
        except OrgsError as error:
            raise InputError([Problem(error.code, error.message_zh, error.message_en, sheet=sheet)]) from None
        record_event(
            actor,
            "orgs.import.accounts",
            region=region or _common_region([u for _r, _ro, u, _us in rows]),
            why=path.name,
            data={
                "file": path.name,
                "sha256": _sha256(path),
                "rows": result.rows,
                "created": len(result.created),
                "changed": len(result.updated) + len(result.granted),
                "unchanged": result.unchanged,
            },
        )


def _common_region(units: list[Region | Department | School]) -> Region | None:
    """The closest region holding every unit."""
    paths = [unit_region(u).path for u in units]
    if not paths:
        return None
    prefix = paths[0]
    for p in paths[1:]:
        while not p.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return Region.objects.filter(path=prefix).first()
