"""账号管理: the accounts a person administers, their roles, active or not; create, edit, grant and
revoke a role with a reason, deactivate and activate, reset a password to a temporary one (shown once,
on the page that answers the POST, never stored). Views parse, call ``dudao.orgs.actions`` and render."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.audit.models import AuditEvent
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs import actions
from dudao.orgs.access import (
    access_account,
    access_region,
    access_unit,
    account_permissions,
    grant_scopes,
    may_grant,
    unit_ref,
)
from dudao.orgs.actions import OrgsError
from dudao.orgs.lists import accounts_in, school_names, states, unit_name
from dudao.orgs.models import Account, Department, Membership, Region, Role, School, SchoolYear
from dudao.orgs.views.audit import events_table
from dudao.orgs.views.common import nav, refused
from dudao.parsing import id_or_404
from dudao.tables import Table, columns, download

Unit = Region | Department | School


def accounts_table(users: list[User]) -> Table:
    roles: dict[int, list[Membership]] = defaultdict(list)
    held = Membership.objects.filter(user__in=users).select_related("region", "department", "school").order_by("pk")
    for m in held:
        roles[m.user_id].append(m)
    names = school_names({m.school_id for ms in roles.values() for m in ms if m.school_id})
    extras = {a.user_id: a for a in Account.objects.filter(user__in=users)}
    rows = []
    for u in users:
        mine = roles.get(u.pk, [])
        summary = "；".join(f"{m.get_role_display()}·{unit_name(m, names)}" for m in mine[:3])
        if len(mine) > 3:
            summary += _("等 %(n)d 项") % {"n": len(mine)}
        extra = extras.get(u.pk)
        rows.append(
            {
                "username": u.username,
                "name": u.first_name,
                "roles": summary or _("无角色"),
                "phone": extra.phone if extra else "",
                "email": u.email,
                "state": _("启用") if u.is_active else _("已停用"),
                "password": _("须修改") if extra and extra.must_change_password else "",
                "last_login": timezone.localtime(u.last_login).strftime("%Y-%m-%d") if u.last_login else "",
                "_href": {"username": reverse("orgs:account", args=[u.pk])},
                "_row_class": "" if u.is_active else "muted",
            }
        )
    cols = columns(
        ("username", _("用户名")),
        ("name", _("姓名")),
        ("roles", _("角色与单位")),
        ("phone", _("手机号码")),
        ("email", _("电子邮箱")),
        ("state", _("状态")),
        ("password", _("临时密码")),
        ("last_login", _("最近登录")),
    )
    return Table("accounts", _("账号"), cols, rows)


def grantable_units(user: Any, region: Region) -> list[tuple[str, str]]:
    """The units below ``region`` on which ``user`` may grant some role, as (value, label) for a select:
    ``region:<code>``, ``department:<id>``, ``school:<code>``."""
    scopes = grant_scopes(user)
    regions = [region, *Region.objects.filter(parent=region, closed_from__isnull=True).order_by("code")]
    out = [(unit_ref(r), f"{r.name}（{r.code}）") for r in regions if any(s.covers(r) for s in scopes)]
    if region.level == Region.Level.COUNTY:
        clerks = [s for s in scopes if s.roles & {Role.DEPARTMENT_CLERK, Role.SCHOOL_CLERK} and s.covers(region)]
        if clerks:
            for d in Department.objects.filter(county=region).select_related("parent").order_by("name"):
                out.append((unit_ref(d), _("部门：%(name)s") % {"name": d.name}))
            for sy in states(region, 9999):
                if sy.status == SchoolYear.Status.OPEN:
                    out.append((unit_ref(sy.school), _("学校：%(name)s") % {"name": sy.name}))
    return out


def grantable_roles(user: Any) -> list[tuple[str, str]]:
    held = {role for scope in grant_scopes(user) for role in scope.roles}
    return [(r.value, str(r.label)) for r in Role if r.value in held]


@login_required
def accounts(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = access_region(request.user, code, "accounts")
    state = request.GET.get("state", "active")
    found = accounts_in(request.user, region)
    if state == "active":
        found = found.filter(is_active=True)
    elif state == "inactive":
        found = found.filter(is_active=False)
    table = accounts_table(list(found.order_by("username")))
    if (response := download(request, [table])) is not None:
        return response
    context = {
        **nav(request, region, "accounts"),
        "table": table,
        "state": state,
        "roles": grantable_roles(request.user),
        "units": grantable_units(request.user, region),
    }
    return render(request, "orgs/accounts.html", context)


@login_required
@require_POST
def create_account(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = access_region(request.user, code, "accounts")
    post = request.POST
    try:
        unit = access_unit(request.user, post.get("unit", ""))
        user, password = actions.create_account(
            request.user,
            post.get("username", ""),
            post.get("name", ""),
            post.get("role", ""),
            unit,
            phone=post.get("phone", ""),
            email=post.get("email", ""),
            why=post.get("why", ""),
        )
    except OrgsError as error:
        refused(request, error)
        return redirect("orgs:accounts", code=region.code)
    return _password_page(request, region, user, password, created=True)


def _password_page(request: HttpRequest, region: Region, user: User, password: str, *, created: bool) -> HttpResponse:
    """The temporary password, shown once (never stored, never in a URL); the page is not cached."""
    response = render(
        request,
        "orgs/password.html",
        {**nav(request, region, "accounts"), "account": user, "password": password, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


def _home(request: HttpRequest, user: User) -> Region:
    """The region an account's page is shown under (for the subnav): the user's own admin region
    that holds the account's home."""
    home = actions.accounts.home_region(user)
    for scope in grant_scopes(request.user):
        if home is not None and home.path.startswith(scope.anchor.path):
            return scope.anchor
    scopes = grant_scopes(request.user)
    shown = scopes[0].anchor if scopes else home
    if shown is None:  # no scope and no home: nothing to show it under
        raise Http404
    return shown


@login_required
def account(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = access_account(request.user, pk=pk)
    region = _home(request, found)
    held = list(
        Membership.objects.filter(user=found)
        .select_related("region", "department__county", "school__county")
        .order_by("pk")
    )
    names = school_names({m.school_id for m in held if m.school_id})
    roles = [
        {"membership": m, "unit": unit_name(m, names), "revocable": may_grant(request.user, m.role, m.unit)}
        for m in held
    ]
    history = events_table(
        AuditEvent.objects.filter(target_type="auth.user", target_id=str(found.pk)), "account-events", _("操作记录")
    )
    if (response := download(request, [history])) is not None:
        return response
    perms = account_permissions(request.user, found)
    context = {
        **nav(request, region, "accounts"),
        "account": found,
        "extra": Account.objects.filter(user=found).first(),
        "roles": roles,
        "history": history,
        "manage": "manage" in perms,
        "grant_roles": grantable_roles(request.user),
        "units": grantable_units(request.user, region),
    }
    return render(request, "orgs/account.html", context)


@login_required
@require_POST
def account_action(request: AuthenticatedHttpRequest, pk: int, what: str) -> HttpResponse:
    found = access_account(request.user, pk=pk, perm="manage")
    post = request.POST
    why = post.get("why", "")
    try:
        if what == "edit":
            changed = actions.update_account(
                request.user, found, name=post.get("name"), email=post.get("email"), phone=post.get("phone"), why=why
            )
            messages.success(request, _("已保存。") if changed else _("没有变化。"))
        elif what == "grant":
            actions.grant_role(
                request.user, found, post.get("role", ""), access_unit(request.user, post.get("unit", "")), why=why
            )
            messages.success(request, _("已授予角色。"))
        elif what == "revoke":
            membership = Membership.objects.filter(user=found, pk=_int(post.get("membership"))).first()
            if membership is None:
                raise Http404
            actions.revoke_role(request.user, membership, why=why)
            messages.success(request, _("已撤销角色。"))
        elif what == "deactivate":
            actions.deactivate_account(request.user, found, why=why)
            messages.success(request, _("账号已停用。"))
        elif what == "activate":
            actions.activate_account(request.user, found, why=why)
            messages.success(request, _("账号已启用。"))
        elif what == "reset":
            password = actions.reset_password(request.user, found, why=why)
            return _password_page(request, _home(request, found), found, password, created=False)
        else:
            raise Http404
    except OrgsError as error:
        refused(request, error)
    return redirect("orgs:account", pk=found.pk)


def _int(raw: object) -> int:
    return id_or_404(raw)
