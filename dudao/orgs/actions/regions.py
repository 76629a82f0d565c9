"""The region tree: create, rename, move (the whole subtree's paths follow), close (docs/adr/0014).

A person needs ``org`` on the region's parent (a county supervisor manages its towns, a city
administrator its counties); a move needs it on the old and the new parent. Provinces are created by
the system only (``dudao create_admin``).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system
from dudao.audit.record import record_event
from dudao.census import readiness
from dudao.census.models import CensusRecord
from dudao.errors import Both
from dudao.evaluation.refresh import after_change
from dudao.orgs.access import CHILD_LEVEL
from dudao.orgs.actions.common import OrgsError, reason, region_of_event, require, school_year, text
from dudao.orgs.models import Region, School, SchoolYear

# 行政区划代码: province 2 digits, city 4, county 6, town 9 (or the 12 of the statistics code).
CODE_LENGTHS: dict[str, tuple[int, ...]] = {"province": (2,), "city": (4,), "county": (6,), "town": (9, 12)}
LEVEL_ZH = {"province": "省", "city": "市", "county": "县（市、区）", "town": "乡镇（街道）"}
NAME_MAX = Region._meta.get_field("name").max_length or 64


def _level_en(level: str) -> str:
    return {"province": "province", "city": "city", "county": "county", "town": "town"}[level]


def check_code(code: object, level: str, parent: Region | None) -> str:
    """A new region's code: digits of its level's length, starting with its parent's code, not taken."""
    cleaned = str(code or "").strip()
    lengths = CODE_LENGTHS[level]
    if not re.fullmatch(r"\d+", cleaned) or len(cleaned) not in lengths:
        want = "或".join(str(n) for n in lengths)
        raise OrgsError(
            "bad_code",
            gettext_lazy("%(level_zh_level)s的行政区划代码应为 %(want)s 位数字：“%(cleaned)s”"),
            [{"field": "code", "value": cleaned}],
            level_zh_level=Both(LEVEL_ZH[level], _level_en(level)),
            want=Both(want, " or ".join(map(str, lengths))),
            cleaned=cleaned,
        )
    if parent is not None and not cleaned.startswith(parent.code):
        raise OrgsError(
            "bad_code",
            gettext_lazy("代码“%(cleaned)s”应以上级“%(parent_name)s”的代码 %(parent_code)s 开头"),
            [{"field": "code", "value": cleaned}],
            cleaned=cleaned,
            parent_name=parent.name,
            parent_code=parent.code,
        )
    if Region.objects.filter(code=cleaned).exists():
        raise OrgsError(
            "code_taken",
            gettext_lazy("行政区划代码 %(cleaned)s 已登记"),
            [{"field": "code", "value": cleaned}],
            cleaned=cleaned,
        )
    return cleaned


def _check_name_free(parent: Region | None, name: str, exclude: int | None = None) -> None:
    siblings = Region.objects.filter(parent=parent, name=name, closed_from__isnull=True)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if siblings.exists():
        where = parent.name if parent else ""
        raise OrgsError(
            "name_taken",
            gettext_lazy("%(where)s已有名为“%(name)s”的区域"),
            [{"field": "name", "value": name}],
            where=Both(where, parent.code if parent else ""),
            name=name,
        )


@transaction.atomic
def create_region(
    actor: Actor, parent: Region | None, code: str, name: str, *, why: str = "", population: int | None = None
) -> Region:
    """A new region below ``parent`` (its level is the one below the parent's); ``parent=None`` makes
    a province (the system only)."""
    if parent is None:
        if not is_system(actor):
            raise PermissionDenied
        level: str = Region.Level.PROVINCE
    else:
        require(actor, parent, "org")
        parent = Region.objects.select_for_update().get(pk=parent.pk)
        if parent.level not in CHILD_LEVEL:
            raise OrgsError("no_children", gettext_lazy("乡镇（街道）之下不再设区域"))
        if parent.closed_from is not None:
            raise OrgsError(
                "closed", gettext_lazy("“%(parent_name)s”已撤销"), parent_name=Both(parent.name, parent.code)
            )
        level = CHILD_LEVEL[parent.level]
    name = text(name, "名称", "Name", NAME_MAX)
    code = check_code(code, level, parent)
    _check_name_free(parent, name)
    why = reason(why, required=False)
    region = Region.objects.create(code=code, name=name, level=level, parent=parent, resident_population=population)
    record_event(
        actor,
        "orgs.region.create",
        target=region,
        region=region_of_event(region),
        why=why,
        data={"code": code, "name": name, "level": level, "parent": parent.code if parent else None},
    )
    return region


@transaction.atomic
def rename_region(actor: Actor, region: Region, name: str, *, why: str = "") -> Region:
    region = Region.objects.select_for_update(of=("self",)).select_related("parent").get(pk=region.pk)
    _require_parent(actor, region)
    name = text(name, "名称", "Name", NAME_MAX)
    if name == region.name:
        return region
    _check_name_free(region.parent, name, exclude=region.pk)
    why = reason(why, required=False)
    old = region.name
    region.name = name
    region.save(update_fields=["name"])
    record_event(
        actor, "orgs.region.rename", target=region, region=region_of_event(region), why=why, data={"name": [old, name]}
    )
    return region


def _require_parent(actor: Actor, region: Region) -> None:
    """Changing a region needs ``org`` on its parent; a province is changed by the system only."""
    if region.parent is None:
        if not is_system(actor):
            raise PermissionDenied
    else:
        require(actor, region.parent, "org")


def _schools_in_town(town: Region, year: int | None = None) -> list[int]:
    """The schools that are in ``town``: its latest state (or its state in ``year`` and any later
    state) names the town and is open."""
    latest: dict[int, Any] = {}
    later: set[int] = set()
    rows = SchoolYear.objects.filter(school__county_id=town.parent_id).order_by("year")
    for school_id, sy_year, town_id, status in rows.values_list("school_id", "year", "town_id", "status"):
        if year is None or sy_year <= year:
            latest[school_id] = (town_id, status)
        elif town_id == town.pk and status == SchoolYear.Status.OPEN:
            later.add(school_id)
    now = {pk for pk, (town_id, status) in latest.items() if town_id == town.pk and status == SchoolYear.Status.OPEN}
    return sorted(now | later)


@transaction.atomic
def move_region(actor: Actor, region: Region, new_parent: Region, *, why: str) -> Region:
    """Move ``region`` (and everything below it) under ``new_parent``, a region of its parent's level.

    Every descendant's path is rewritten by one ``UPDATE`` (a prefix replace) while the subtree and
    both parents are locked. A town takes its schools (those in it now) to the new county. Access
    follows at once: every check reads the path."""
    region = Region.objects.select_related("parent").get(pk=region.pk)
    if region.parent is None:
        raise OrgsError("cannot_move", gettext_lazy("省级区域不能移动"))
    require(actor, region.parent, "org")
    require(actor, new_parent, "org")
    why = reason(why)
    # Lock the subtree and both parents (in a fixed order), then read them again: a concurrent move
    # may have changed any path before the lock was held.
    old_prefix = region.path
    locked = Region.objects.select_for_update().filter(
        Q(path__startswith=old_prefix) | Q(pk__in=[new_parent.pk, region.parent_id])
    )
    list(locked.order_by("pk").values_list("pk", flat=True))
    region = Region.objects.select_related("parent").get(pk=region.pk)
    new_parent = Region.objects.get(pk=new_parent.pk)
    old_parent = region.parent
    if old_parent is None:  # read again under the lock: a province still
        raise OrgsError("cannot_move", gettext_lazy("省级区域不能移动"))
    if region.path != old_prefix:
        raise OrgsError("conflict", gettext_lazy("该区域刚被他人移动，请刷新后重试"))
    if new_parent.pk == region.parent_id:
        return region
    if new_parent.level != old_parent.level or new_parent.path.startswith(region.path):
        raise OrgsError(
            "bad_parent",
            gettext_lazy("“%(region_name)s”只能移到另一个%(level_zh_region_parent_level)s之下"),
            region_name=Both(region.name, region.code),
            level_zh_region_parent_level=Both(LEVEL_ZH[old_parent.level], _level_en(old_parent.level)),
        )
    if new_parent.closed_from is not None or region.closed_from is not None:
        raise OrgsError("closed", gettext_lazy("已撤销的区域不能移动或移入"))
    _check_name_free(new_parent, region.name)
    new_prefix = f"{new_parent.path}{region.code}/"
    schools = _schools_in_town(region) if region.level == Region.Level.TOWN else []
    moved = Region.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1))
    )
    Region.objects.filter(pk=region.pk).update(parent=new_parent)
    if schools:
        School.objects.filter(pk__in=schools).update(county=new_parent)
        # both counties' stored results read these schools' records (ADR 0020)
        for year in set(CensusRecord.objects.filter(school_id__in=schools).values_list("year", flat=True)):
            after_change([old_parent.pk, new_parent.pk], year)
        described = SchoolYear.objects.filter(school_id__in=schools).values_list("year", flat=True).distinct()
        readiness.register_changed([old_parent.pk, new_parent.pk], set(described))
    region.refresh_from_db()
    codes = sorted(SchoolYear.objects.filter(school_id__in=schools).values_list("school__code", flat=True).distinct())
    record_event(
        actor,
        "orgs.region.move",
        target=region,
        region=old_parent,
        why=why,
        data={
            "parent": [old_parent.code, new_parent.code],
            "path": [old_prefix, region.path],
            "regions": moved,
            "schools": codes,
        },
    )
    return region


@transaction.atomic
def close_region(actor: Actor, region: Region, year: int, *, why: str, schools_to: Region | None = None) -> Region:
    """Close ``region`` from school ``year`` on (撤销). Refused while regions below it are open, or
    while schools are in it: a town's schools go to ``schools_to`` (another open town of the
    county) from ``year`` on when it is given; a county or city must be emptied first."""
    region = Region.objects.select_for_update(of=("self",)).select_related("parent").get(pk=region.pk)
    if region.parent is None:
        raise OrgsError("cannot_close", gettext_lazy("省级区域不能撤销"))
    require(actor, region.parent, "org")
    year = school_year(year)
    why = reason(why)
    if region.closed_from is not None:
        raise OrgsError("closed", gettext_lazy("“%(region_name)s”已撤销"), region_name=Both(region.name, region.code))
    children = list(region.children.filter(closed_from__isnull=True).order_by("code").values_list("code", "name"))
    if children:
        names = "、".join(name for _, name in children[:10])
        raise OrgsError(
            "has_open_children",
            gettext_lazy("“%(region_name)s”下还有 %(len_children)s 个未撤销的区域（%(names)s），请先移走或撤销"),
            [{"code": code, "name": name} for code, name in children],
            region_name=Both(region.name, region.code),
            len_children=len(children),
            names=names,
        )
    from dudao.orgs.actions.schools import move_schools_to_town, open_schools_of_county

    moved: list[str] = []
    if region.level == Region.Level.TOWN:
        schools = _schools_in_town(region, year)
        if schools and schools_to is None:
            details = _school_details(schools, year)
            raise OrgsError(
                "has_open_schools",
                gettext_lazy(
                    "“%(region_name)s”还有 %(len_schools)s 所学校，请选择这些学校自%(year)s学年起改属的乡镇（街道）"
                ),
                details,
                region_name=Both(region.name, region.code),
                len_schools=len(schools),
                year=year,
            )
        if schools:
            assert schools_to is not None
            if schools_to.pk == region.pk or schools_to.parent_id != region.parent_id or schools_to.level != "town":
                raise OrgsError("bad_town", gettext_lazy("学校只能改属本县另一个乡镇（街道）"))
            if schools_to.closed_from is not None:
                raise OrgsError(
                    "closed",
                    gettext_lazy("“%(schools_to_name)s”已撤销"),
                    schools_to_name=Both(schools_to.name, schools_to.code),
                )
            moved = move_schools_to_town(actor, schools, schools_to, year, why=why, closing=region)
    elif region.level == Region.Level.COUNTY:
        schools = open_schools_of_county(region, year)
        if schools:
            raise OrgsError(
                "has_open_schools",
                gettext_lazy("“%(region_name)s”还有 %(len_schools)s 所在办学校，请先撤销、合并或移走"),
                _school_details(schools, year),
                region_name=Both(region.name, region.code),
                len_schools=len(schools),
            )
    region.closed_from = year
    region.save(update_fields=["closed_from"])
    record_event(
        actor,
        "orgs.region.close",
        target=region,
        region=region_of_event(region),
        why=why,
        data={"closed_from": year, "schools_to": schools_to.code if moved and schools_to else None, "schools": moved},
    )
    return region


def _school_details(school_ids: list[int], year: int) -> list[dict[str, Any]]:
    latest: dict[int, tuple[str, str]] = {}
    rows = SchoolYear.objects.filter(school_id__in=school_ids).order_by("year")
    for school_id, code, name, sy_year in rows.values_list("school_id", "school__code", "name", "year"):
        if school_id not in latest or sy_year <= year:
            latest[school_id] = (code, name)
    return [{"code": code, "name": name} for code, name in sorted(latest.values())]
