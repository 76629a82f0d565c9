"""Accounts and roles: create, edit, grant and revoke a role (with a reason), deactivate (never
delete), reset a password to a temporary one that must be changed at the next login, and the first
administrator of a region (docs/adr/0015).

Who may do what is ``dudao.orgs.access``: an account is managed by someone who may grant every role it
holds (``account_permissions``); a role may be granted on a unit only within the granter's scope
(``may_grant``) — anything else is refused with ``out_of_scope``. The system (commands) is unchecked.
A temporary password is returned once and never stored in clear nor written to the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system
from dudao.audit.record import record_event
from dudao.errors import Both
from dudao.orgs.access import account_permissions, grant_scopes, may_grant, unit_region
from dudao.orgs.actions.common import OrgsError, reason, text
from dudao.orgs.models import Account, Department, Membership, Region, Role, School

TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I
TEMPORARY_LENGTH = 12
USERNAME_MAX = User._meta.get_field("username").max_length or 150
NAME_MAX = User._meta.get_field("first_name").max_length or 150
PHONE_MAX = Account._meta.get_field("phone").max_length or 30
# The region level each region role sits on (an observer: any level; an administrator: not a town).
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.PROVINCE_INSPECTOR: ("province",),
    Role.CITY_INSPECTOR: ("city",),
    Role.COUNTY_SUPERVISOR: ("county",),
    Role.REGION_ADMIN: ("province", "city", "county"),
    Role.OBSERVER: ("province", "city", "county", "town"),
}
Unit = Region | Department | School


def temporary_password() -> str:
    """Twelve letters and digits that cannot be mistaken for each other when read aloud or copied."""
    while True:
        password = get_random_string(TEMPORARY_LENGTH, TEMPORARY_ALPHABET)
        if re.search(r"\d", password) and re.search(r"[a-zA-Z]", password):
            return password


def check_role(role: object, unit: Unit) -> str:
    """``role`` as a code (or its Chinese name), fitting ``unit``."""
    raw = str(role or "").strip()
    code = next((r.value for r in Role if raw in (r.value, str(r.label))), None)
    if code is None:
        allowed = "、".join(str(r.label) for r in Role)
        raise OrgsError(
            "unknown_value",
            gettext_lazy("角色“%(raw)s”无效，应为：%(allowed)s"),
            [{"field": "role", "value": raw}],
            raw=raw,
            allowed=allowed,
        )
    wanted = Membership.UNIT[Role(code)]
    fits = (
        (wanted == "region" and isinstance(unit, Region) and unit.level in ROLE_LEVELS[code])
        or (wanted == "department" and isinstance(unit, Department))
        or (wanted == "school" and isinstance(unit, School))
    )
    if not fits:
        label = str(Role(code).label)
        raise OrgsError(
            "bad_unit",
            gettext_lazy("“%(label)s”不能授予在“%(unit_label_unit)s”上"),
            [{"field": "unit", "value": unit_code(unit)}],
            label=Both(label, code),
            unit_label_unit=Both(unit_label(unit), unit_code(unit)),
        )
    return code


def unit_code(unit: Unit) -> str:
    """How files and the API name a unit: a region's or school's code, a department's ``D<id>``."""
    return f"D{unit.pk}" if isinstance(unit, Department) else unit.code


def unit_label(unit: Unit) -> str:
    if isinstance(unit, School):
        latest = unit.years.order_by("-year").first()
        return latest.name if latest else unit.code
    return unit.name


def _unit_data(role: str, unit: Unit) -> dict[str, Any]:
    return {"role": role, "unit": unit_code(unit), "unit_name": unit_label(unit)}


def _require_grant(actor: Actor, role: str, unit: Unit) -> None:
    if is_system(actor):
        return
    if not grant_scopes(actor):
        raise PermissionDenied
    if not may_grant(actor, role, unit):
        raise OrgsError(
            "out_of_scope",
            gettext_lazy("您不能在“%(unit_label_unit)s”上授予“%(role_role_label)s”角色"),
            [{"field": "unit", "value": unit_code(unit)}],
            unit_label_unit=Both(unit_label(unit), unit_code(unit)),
            role_role_label=Both(Role(role).label, role),
        )


def _require_manage(actor: Actor, account: User) -> None:
    if not is_system(actor) and "manage" not in account_permissions(actor, account):
        raise PermissionDenied


def home_region(account: User) -> Region | None:
    """The region an account's events are filed under: its ``Account.region``, else its first role's."""
    home = Account.objects.filter(user=account).select_related("region").first()
    if home is not None and home.region is not None:
        return home.region
    first = Membership.objects.filter(user=account).select_related("region", "department__county", "school__county")
    m = first.order_by("pk").first()
    return unit_region(m.unit) if m is not None else None


def _clean_username(username: object) -> str:
    cleaned = str(username or "").strip()
    if not cleaned:
        raise OrgsError("required", gettext_lazy("请填写用户名"), [{"field": "username"}])
    try:
        UnicodeUsernameValidator()(cleaned)
    except ValidationError:
        cleaned_ok = False
    else:
        cleaned_ok = len(cleaned) <= USERNAME_MAX
    if not cleaned_ok:
        raise OrgsError(
            "bad_username",
            gettext_lazy("用户名“%(cleaned)s”无效：只能用字母、数字、汉字和 @ . + - _，不超过 %(username_max)s 个字符"),
            [{"field": "username", "value": cleaned}],
            cleaned=cleaned,
            username_max=USERNAME_MAX,
        )
    if User.objects.filter(username__iexact=cleaned).exists():
        raise OrgsError(
            "username_taken",
            gettext_lazy("用户名“%(cleaned)s”已被使用"),
            [{"field": "username", "value": cleaned}],
            cleaned=cleaned,
        )
    return cleaned


def clean_email(email: object) -> str:
    cleaned = str(email or "").strip()
    if cleaned:
        try:
            validate_email(cleaned)
        except ValidationError:
            raise OrgsError(
                "bad_email",
                gettext_lazy("电子邮箱“%(cleaned)s”格式不正确"),
                [{"field": "email", "value": cleaned}],
                cleaned=cleaned,
            ) from None
    return cleaned


def clean_phone(phone: object) -> str:
    cleaned = str(phone or "").strip()
    if cleaned and (len(cleaned) > PHONE_MAX or not re.fullmatch(r"\+?[\d\- ()]{5,}", cleaned)):
        raise OrgsError(
            "bad_phone",
            gettext_lazy("电话号码“%(cleaned)s”格式不正确"),
            [{"field": "phone", "value": cleaned}],
            cleaned=cleaned,
        )
    return cleaned


@transaction.atomic
def create_account(
    actor: Actor, username: str, name: str, role: str, unit: Unit, *, phone: str = "", email: str = "", why: str = ""
) -> tuple[User, str]:
    """A new account holding ``role`` on ``unit``, with a temporary password (returned once) that must
    be changed at the first login."""
    role = check_role(role, unit)
    _require_grant(actor, role, unit)
    username = _clean_username(username)
    name = text(name, "姓名", "Name", NAME_MAX)
    email, phone = clean_email(email), clean_phone(phone)
    why = reason(why, required=False)
    password = temporary_password()
    user = User.objects.create_user(username, email=email, password=password, first_name=name)
    region = unit_region(unit)
    Account.objects.create(user=user, region=region, phone=phone, must_change_password=True)
    Membership.objects.create(user=user, role=role, **{Membership.UNIT[Role(role)]: unit})
    record_event(
        actor,
        "orgs.account.create",
        target=user,
        region=region,
        why=why,
        data={"username": username, "name": name, "email": email, "phone": phone},
    )
    record_event(actor, "orgs.role.grant", target=user, region=region, why=why, data=_unit_data(role, unit))
    return user, password


@transaction.atomic
def update_account(
    actor: Actor,
    account: User,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    why: str = "",
) -> dict[str, list[str]]:
    _require_manage(actor, account)
    account = User.objects.select_for_update().get(pk=account.pk)
    extra, _ = Account.objects.get_or_create(user=account, defaults={"region": home_region(account)})
    changed: dict[str, list[str]] = {}
    if name is not None and (name := text(name, "姓名", "Name", NAME_MAX)) != account.first_name:
        changed["name"] = [account.first_name, name]
        account.first_name = name
    if email is not None and (email := clean_email(email)) != account.email:
        changed["email"] = [account.email, email]
        account.email = email
    if phone is not None and (phone := clean_phone(phone)) != extra.phone:
        changed["phone"] = [extra.phone, phone]
        extra.phone = phone
    why = reason(why, required=False)
    if not changed:
        return {}
    account.save(update_fields=["first_name", "email"])
    extra.save(update_fields=["phone"])
    record_event(actor, "orgs.account.change", target=account, region=home_region(account), why=why, data=changed)
    return changed


@transaction.atomic
def grant_role(actor: Actor, account: User, role: str, unit: Unit, *, why: str) -> Membership:
    """Grant ``role`` on ``unit`` to ``account`` (which the actor manages), for a reason."""
    role = check_role(role, unit)
    _require_manage(actor, account)
    _require_grant(actor, role, unit)
    why = reason(why)
    account = User.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise OrgsError("inactive", gettext_lazy("该账号已停用，请先启用"))
    field = Membership.UNIT[Role(role)]
    if Membership.objects.filter(user=account, role=role, **{field: unit}).exists():
        raise OrgsError("already_granted", gettext_lazy("该账号已有这个角色"))
    Account.objects.get_or_create(user=account, defaults={"region": unit_region(unit)})
    membership = Membership.objects.create(user=account, role=role, **{field: unit})
    record_event(
        actor, "orgs.role.grant", target=account, region=unit_region(unit), why=why, data=_unit_data(role, unit)
    )
    return membership


@transaction.atomic
def revoke_role(actor: Actor, membership: Membership, *, why: str) -> None:
    """Take a role away, for a reason; the audit trail keeps who held it, where, and who took it."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "region", "department__county", "school__county")
        .get(pk=membership.pk)
    )
    _require_manage(actor, membership.user)
    _require_grant(actor, membership.role, membership.unit)
    why = reason(why)
    unit = membership.unit
    account = membership.user
    Account.objects.get_or_create(user=account, defaults={"region": unit_region(unit)})
    membership.delete()
    record_event(
        actor,
        "orgs.role.revoke",
        target=account,
        region=unit_region(unit),
        why=why,
        data=_unit_data(membership.role, unit),
    )


def _set_active(actor: Actor, account: User, active: bool, why: str) -> User:
    _require_manage(actor, account)
    why = reason(why)
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active == active:
        code = "already_active" if active else "already_inactive"
        raise OrgsError(code, gettext_lazy("该账号已启用") if active else gettext_lazy("该账号已停用"))
    account.is_active = active
    account.save(update_fields=["is_active"])
    verb = "orgs.account.activate" if active else "orgs.account.deactivate"
    record_event(actor, verb, target=account, region=home_region(account), why=why)
    return account


@transaction.atomic
def deactivate_account(actor: Actor, account: User, *, why: str) -> User:
    """The account can no longer log in nor use its API tokens; its row, roles and history stay."""
    return _set_active(actor, account, False, why)


@transaction.atomic
def activate_account(actor: Actor, account: User, *, why: str) -> User:
    return _set_active(actor, account, True, why)


@transaction.atomic
def reset_password(actor: Actor, account: User, *, why: str = "") -> str:
    """A new temporary password (returned once; the person must change it at the next login). Every
    session of the account ends (Django checks the password's hash on each request)."""
    _require_manage(actor, account)
    why = reason(why, required=False)
    account = User.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise OrgsError("inactive", gettext_lazy("该账号已停用，请先启用"))
    password = temporary_password()
    account.set_password(password)
    account.save(update_fields=["password"])
    extra, _ = Account.objects.get_or_create(user=account, defaults={"region": home_region(account)})
    extra.must_change_password = True
    extra.save(update_fields=["must_change_password"])
    record_event(actor, "orgs.account.reset_password", target=account, region=home_region(account), why=why)
    return password


@transaction.atomic
def set_first_password(user: User, password: str) -> None:
    """The person replaces the temporary password an administrator gave them (already validated
    against the password rules by the form)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    Account.objects.filter(user=user).update(must_change_password=False)
    record_event(user, "orgs.account.password_set", target=user, region=home_region(user))


@dataclass(frozen=True)
class AdminCreated:
    user: User
    password: str
    region: Region
    region_created: bool
    parents_created: tuple[Region, ...] = ()


PARENT_CODE_LENGTH = {"city": 2, "county": 4}


@transaction.atomic
def create_admin(
    actor: Actor,
    level: str,
    code: str,
    *,
    username: str,
    region_name: str = "",
    name: str = "",
    parent_code: str = "",
    phone: str = "",
    email: str = "",
    parent_names: Mapping[str, str] | None = None,
) -> AdminCreated:
    """The first administrator of a province, city or county (``dudao create_admin``), creating the
    region when it does not exist yet (a province from nothing; a city or county under its parent,
    by default the region whose code its own begins with). ``parent_names`` (level -> name, e.g.
    ``{"province": "河北省", "city": "示范市"}``) registers missing parents too, without administrators: a
    county that starts alone needs one command."""
    from dudao.orgs.actions.regions import create_region

    if not is_system(actor):
        raise PermissionDenied
    code = str(code or "").strip()
    region = Region.objects.filter(code=code).first()
    created = False
    made: list[Region] = []
    if region is not None:
        if region.level != level:
            raise OrgsError(
                "bad_level",
                gettext_lazy("区划代码 %(code_value)s 是“%(region_name)s”，不是%(level_zh_level)s"),
                code_value=code,
                region_name=Both(region.name, region.level),
                level_zh_level=Both(_LEVEL_ZH[level], level),
            )
    else:
        if not region_name.strip():
            raise OrgsError(
                "required", gettext_lazy("区划代码 %(code_value)s 尚未登记，请用 --name 给出名称"), code_value=code
            )
        parent = None
        if level != Region.Level.PROVINCE:
            parent = _admin_parent(actor, level, code, parent_code, parent_names or {}, made)
        region = create_region(actor, parent, code, region_name, why="create_admin")
        created = True
    user, password = create_account(
        actor,
        username,
        name or f"{region.name}管理员",
        Role.REGION_ADMIN,
        region,
        phone=phone,
        email=email,
        why="create_admin",
    )
    return AdminCreated(user, password, region, created, tuple(made))


def _admin_parent(
    actor: Actor, level: str, code: str, parent_code: str, names: Mapping[str, str], made: list[Region]
) -> Region:
    """The parent a new city or county goes under: the region ``parent_code`` names (by default the one
    whose code its own begins with), registered first — and its own parent, upwards — when it is missing
    and ``names`` gives a name for its level (the regions registered are appended to ``made``)."""
    from dudao.orgs.actions.regions import create_region

    wanted = parent_code.strip() or code[: PARENT_CODE_LENGTH[level]]
    parent_level = Region.PARENT_LEVEL[level]
    parent = Region.objects.filter(code=wanted).first()
    if parent is None and names.get(parent_level, "").strip():
        grand = None if parent_level == Region.Level.PROVINCE else _admin_parent(actor, parent_level, wanted, "",
                                                                                 names, made)  # fmt: skip
        parent = create_region(actor, grand, wanted, names[parent_level].strip(), why="create_admin")
        made.append(parent)
    if parent is None:
        option = {"province": "--province-name", "city": "--city-name"}[parent_level]
        raise OrgsError(
            "unknown_parent",
            gettext_lazy(
                "上级区域 %(wanted)s 尚未登记，请先为它创建管理员、用 %(option)s 给出名称一并登记，或用 --parent 指定"
            ),
            wanted=wanted,
            option=option,
        )
    if parent.level != parent_level:
        raise OrgsError(
            "bad_parent",
            gettext_lazy("上级区域 %(wanted)s 不是%(level_zh_parent_level)s"),
            wanted=wanted,
            level_zh_parent_level=Both(_LEVEL_ZH[parent_level], parent_level),
        )
    return parent


_LEVEL_ZH = {"province": "省", "city": "市", "county": "县（市、区）", "town": "乡镇（街道）"}
