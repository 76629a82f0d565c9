"""The error every refusal raises, the permission checks, and the checks of input shared by the
forms, the spreadsheet import and the API (county, text, deadline, department, indicators)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.errors import ActionError, Both
from dudao.evidence import CheckedUpload, UploadRefused, check_upload
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Department, Region
from dudao.parsing import read_id
from dudao.rectification.access import task_permissions
from dudao.rectification.models import (
    RectificationItem,
    Task,
    TaskEvent,
)
from dudao.standards import StandardError, load

Status = Task.Status
Item = RectificationItem
MAX_TITLE = 2000
MAX_FILES = 10


class RectificationError(ActionError):
    """A refused rectification action (docs/adr/0026)."""


def _require(actor: Actor, county: Region, perm: str) -> None:
    if not is_system(actor) and perm not in region_permissions(actor, county):
        raise PermissionDenied


def _require_task(actor: Actor, task: Task, perm: str) -> None:
    if not is_system(actor) and perm not in task_permissions(actor, task):
        raise PermissionDenied


def today() -> dt.date:
    return timezone.localdate()


def _event(task: Task, action: str, actor: Actor, note: str = "", **data: Any) -> TaskEvent:
    return TaskEvent.objects.create(task=task, action=action, user=user_of(actor), note=note, data=data)


def check_county(county: Region) -> None:
    if county.level != Region.Level.COUNTY:
        raise RectificationError(
            "not_a_county", gettext_lazy("“%(county_name)s”不是县级区域"), county_name=Both(county.name, county.code)
        )


def check_text(value: str, label_zh: str, label_en: str, limit: int = MAX_TITLE) -> str:
    text = (value or "").strip()
    if not text:
        raise RectificationError("required", gettext_lazy("请填写%(label_zh)s"), label_zh=Both(label_zh, label_en))
    if len(text) > limit:
        raise RectificationError(
            "too_long", gettext_lazy("%(label_zh)s超过 %(limit)s 字"), label_zh=Both(label_zh, label_en), limit=limit
        )
    return text


def check_files(files: Sequence[File]) -> list[tuple[File, CheckedUpload]]:
    """Every evidence file checked (``dudao.evidence.files``: type, size, content) before anything is
    stored, at most :data:`MAX_FILES` at once; the first bad file refuses them all."""
    if len(files) > MAX_FILES:
        raise RectificationError(
            "too_many_files", gettext_lazy("一次最多上传 %(max_files)s 个文件"), max_files=MAX_FILES
        )
    checked = []
    for f in files:
        try:
            checked.append((f, check_upload(f)))
        except UploadRefused as refused:
            raise RectificationError(refused.code, refused.message, **refused.params) from None
    return checked


DEADLINE = gettext_lazy("完成时限")


def check_deadline(deadline: dt.date | None, on: dt.date | None = None, label: str | Promise = DEADLINE) -> dt.date:
    if deadline is None:
        raise RectificationError("required", gettext_lazy("请填写%(label)s"), label=label)
    on = on or today()
    if deadline < on:
        raise RectificationError(
            "deadline_past",
            gettext_lazy("%(label)s %(f_deadline_y_m_d)s 已经过去，请填写今天（%(f_on_y_m_d)s）或以后的日期"),
            label=label,
            f_deadline_y_m_d=f"{deadline:%Y-%m-%d}",
            f_on_y_m_d=f"{on:%Y-%m-%d}",
        )
    return deadline


def check_department(county: Region, department: Department | int | str | None) -> Department:
    """A department of ``county``, given as a unit, its id or its name."""
    if department is None or (isinstance(department, str) and not department.strip()):
        raise RectificationError("required", gettext_lazy("请填写责任单位"))
    found: Department | None = None
    if isinstance(department, Department):
        found = department if department.county_id == county.pk else None
    elif (pk := read_id(department)) is not None:
        found = Department.objects.filter(county=county, pk=pk).first()
    elif isinstance(department, str) and department.strip():
        found = find_department(county, department)
    if found is None:
        raise RectificationError(
            "unknown_department",
            gettext_lazy("%(county_name)s没有“%(department)s”这个部门（单位），请从本县部门中选择"),
            [{"value": str(department)}],
            county_name=county.name,
            department=Both(department, f"{str(department)!r}"),
        )
    return found


def find_department(county: Region, name: str) -> Department | None:
    """By its full name; a town's name (东关街道 → 东关街道办事处); the name without the county's
    (财政局, 县财政局 → 示范县财政局); or the usual short name of a kind the county has one of
    (人社局 → 示范县人力资源和社会保障局)."""
    name = name.strip()
    units = list(Department.objects.filter(county=county))
    by_name = {d.name: d for d in units}
    bare = name.removeprefix(county.name).removeprefix("县")
    for candidate in (name, county.name + bare, name + "人民政府", name + "办事处"):
        if candidate in by_name:
            return by_name[candidate]
    kinds = [k for k, label in Department.Kind.choices if str(label) == bare]
    of_kind = [d for d in units if kinds and d.kind == kinds[0]]
    return of_kind[0] if len(of_kind) == 1 else None


def town_of(department: Department) -> Region | None:
    """The town a town government (乡镇人民政府, 街道办事处) stands for, by its name."""
    if department.kind != Department.Kind.TOWN:
        return None
    towns = Region.objects.filter(parent_id=department.county_id, level=Region.Level.TOWN)
    matches = [t for t in towns if department.name.startswith(t.name)]
    return max(matches, key=lambda t: len(t.name)) if matches else None


def indicator_codes() -> set[str]:
    try:
        standard = load(_default_standard())
    except StandardError:
        return set()
    return {i.code for i in standard.indicators}


def _default_standard() -> str:
    return str(settings.DUDAO_DEFAULT_STANDARD)


def check_indicators(codes: Iterable[str]) -> list[str]:
    wanted = [c.strip().upper() for c in codes if c and c.strip()]
    known = indicator_codes()
    bad = [c for c in wanted if c not in known]
    if bad:
        raise RectificationError(
            "unknown_indicator",
            gettext_lazy("未知的指标代码：%(join_bad)s（可选：%(join_sorted_known)s）"),
            join_bad=Both("、".join(bad), ", ".join(bad)),
            join_sorted_known=Both("、".join(sorted(known)), ", ".join(sorted(known))),
        )
    return list(dict.fromkeys(wanted))


def check_cooperating(county: Region, lead: Department, units: Iterable[Department | int | str]) -> list[Department]:
    out = []
    for unit in units:
        dept = check_department(county, unit)
        if dept.pk != lead.pk and dept not in out:
            out.append(dept)
    return out
