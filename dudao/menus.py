"""The header's menu: each person sees the pages they can use, by the roles they hold (a school clerk
is not shown the rectification or report pages, which would be empty for them).

``menu`` is a context processor; the items are worked out when a page draws the header, from the
person's roles (``orgs.access.memberships``: one query per request, shared with the access checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from dudao.orgs.access import admin_regions, memberships
from dudao.orgs.models import Role


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    key: str  # the part of the site it opens (marks the current item)


def _units(roles: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """The counties, the cities and provinces (highest first), and the schools the roles are held on."""
    counties = [m.region for m in roles if m.region_id and m.region.level == "county"]
    regions = [m.region for m in roles if m.region_id and m.region.level in ("city", "province")]
    schools = [m.school for m in roles if m.school_id]
    return counties, sorted(regions, key=lambda r: len(r.path)), schools


def items(user: Any) -> list[Item]:
    """The menu for ``user``: the work home first, then what their roles open."""
    if not user.is_authenticated:
        return []
    roles = memberships(user)
    clerk = Role.DEPARTMENT_CLERK in {m.role for m in roles}
    counties, regions, schools = _units(roles)
    out = [Item(_("工作台"), reverse("home"), "home")]
    if counties:
        out.append(Item(_("县域总览"), reverse("overview:county_latest", args=[counties[0].code]), "overview"))
    if counties:
        out.append(Item(_("规划测算"), reverse("planning:forecast_latest", args=[counties[0].code]), "planning"))
    if regions:
        out.append(Item(_("各县对比"), reverse("region_latest", args=[regions[0].code]), "overview"))
    if schools:
        out.append(Item(_("本校填报"), reverse("school_latest", args=[schools[0].code]), "census"))
    supervises = bool(counties or regions)
    if supervises or clerk:
        label = _("整改督办") if supervises else _("我的任务")
        out.append(Item(label, reverse("rectification:mine"), "rectification"))
    if supervises:
        out.append(Item(_("自查自评与迎检"), reverse("reports:home"), "reports"))
    if (briefings := _briefings(roles)) is not None:
        out.append(briefings)
    if supervises:
        out.append(Item(_("后台任务"), reverse("jobs:list"), "jobs"))
    if admin_regions(user):  # administrators, and inspectors who read the audit trail
        out.append(Item(_("机构与账号"), reverse("orgs:index"), "orgs"))
    return out


def _briefings(roles: list[Any]) -> Item | None:
    """Work briefings: a county's supervision office writes its own, a city's inspectors call for them."""
    for m in roles:
        if m.role == Role.COUNTY_SUPERVISOR and m.region_id:
            return Item(_("工作简报"), reverse("briefings:county_latest", args=[m.region.code]), "briefings")
    for m in roles:
        if m.role == Role.CITY_INSPECTOR and m.region_id:
            return Item(_("工作简报"), reverse("briefings:city", args=[m.region.code]), "briefings")
    return None


def current(request: HttpRequest) -> str:
    """The part of the site the request is in (the first segment of the address)."""
    first = request.path.strip("/").split("/", 1)[0]
    return {"": "home", "surveys": "overview", "evaluation": "overview"}.get(first, first)


def menu(request: HttpRequest) -> dict[str, Any]:
    return {"menu_items": SimpleLazyObject(lambda: items(request.user)), "menu_current": current(request)}
