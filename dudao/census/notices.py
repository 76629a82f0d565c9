"""Whom the census tells what, through ``dudao.notifications.notify`` (the one interface): a school's clerks
when its record is approved or returned (with the reason), and when the county reminds it (催报)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.urls import reverse

from dudao.census.models import CensusRecord
from dudao.notifications import notify
from dudao.orgs.models import Membership, Role, School, SchoolYear

_LEVEL_EN = {"primary": "primary", "junior": "junior secondary", "all": "whole-school"}


def school_clerks(school_ids: Iterable[int]) -> dict[int, list[User]]:
    """Each school's clerks (active users), by school id: one query."""
    out: dict[int, list[User]] = {}
    rows = Membership.objects.filter(role=Role.SCHOOL_CLERK, school_id__in=list(school_ids), user__is_active=True)
    for m in rows.select_related("user").order_by("user__username"):
        if m.school_id is not None:  # the query names schools
            out.setdefault(m.school_id, []).append(m.user)
    return out


def school_name(school: School, year: int) -> str:
    sy = SchoolYear.objects.filter(school=school, year__lte=year).order_by("-year").values_list("name", flat=True)
    return sy.first() or school.code


def school_url(school: School, year: int) -> str:
    return reverse("census:school", args=[school.code, year])


def reviewed(record: CensusRecord, action: str, event_id: int, reason: str = "") -> None:
    """Tell the school's clerks that ``record`` was approved or returned (``action``: approve / return)."""
    from dudao.notifications import Kind

    clerks = school_clerks([record.school_id]).get(record.school_id, [])
    if not clerks:
        return
    name, level = school_name(record.school, record.year), record.get_level_display()
    level_en = _LEVEL_EN.get(record.level, record.level)
    if action == "approve":
        kind, zh = Kind.CENSUS_APPROVED, f"{name} {record.year} 学年{level}数据已审核通过"
        en = f"The {record.year} {level_en} census figures of {name} were approved"
    else:
        kind, zh = Kind.CENSUS_RETURNED, f"{name} {record.year} 学年{level}数据被退回：{reason}"
        en = f"The {record.year} {level_en} census figures of {name} were returned: {reason}"
    notify(clerks, kind, f"{kind}:{event_id}", zh, en, school_url(record.school, record.year))


def remind(school: School, year: int, name: str, clerks: list[User], key: str, deadline: str) -> int:
    """Remind the school's clerks to submit; how many were notified."""
    from dudao.notifications import Kind

    zh = f"催报：请尽快填报并提交 {name} {year} 学年统计数据" + (f"（截止日期 {deadline}）" if deadline else "")
    en = f"Reminder: please enter and submit the {year} census figures of {name}" + (
        f" (deadline {deadline})" if deadline else ""
    )
    return len(notify(clerks, Kind.CENSUS_REMINDER, key, zh, en, school_url(school, year)))
