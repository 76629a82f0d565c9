"""What the administration pages share: the subnav, refusals as messages, the register's year."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.orgs.access import region_permissions
from dudao.orgs.actions import OrgsError
from dudao.orgs.models import Region, SchoolYear
from dudao.parsing import read_int


def refused(request: HttpRequest, error: OrgsError) -> None:
    """A refused action as a message on the next page (its details, e.g. the schools still in a
    town, listed after it)."""
    text = error.text()
    given = [d.get("name") or d.get("code") or d.get("value") for d in error.details if isinstance(d, dict)]
    names = [str(n) for n in given if n]
    if names and error.code in ("has_open_schools", "has_open_children"):
        english = (get_language() or "").startswith("en")
        shown = (", " if english else "、").join(names[:20]) + ("…" if len(names) > 20 else "")
        text += (": " if english else "：") + shown
    messages.error(request, text)


def register_year(county: Region | None = None) -> int:
    """The school year the register opens on: the county's latest school year on record, else the
    school year running today (it starts in September)."""
    rows = SchoolYear.objects.all()
    if county is not None:
        rows = rows.filter(school__county=county)
    latest = rows.aggregate(latest=Max("year"))["latest"]
    if latest is not None:
        return int(latest)
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def parse_year(raw: object, default: int) -> int:
    year = read_int(raw, MIN_YEAR, MAX_YEAR)
    return default if year is None else year


def county_of(region: Region) -> Region | None:
    """The county a page of ``region`` belongs to (itself, or a town's county), None above counties."""
    if region.level == Region.Level.COUNTY:
        return region
    if region.level == Region.Level.TOWN:
        return region.parent
    return None


def nav(request: HttpRequest, region: Region, page: str) -> dict[str, Any]:
    """The administration subnav's context: 机构设置 · 学校名录 · 账号管理 · 操作记录, each shown when
    the user may open it."""
    perms = region_permissions(request.user, region)
    county = county_of(region)
    shown = county or region
    parent = shown.parent if shown.parent and "view" in region_permissions(request.user, shown.parent) else None
    return {
        "region": region,
        "county": county,
        "perms": perms,
        "nav_page": page,
        "nav_region": shown,
        "nav_parent": parent,
    }
