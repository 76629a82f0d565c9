"""Every change to a county's planning inputs: import births or grade history, add, change or delete a
known change. Each checks the actor's permission (``review`` on the county, :data:`dudao.planning.access.EDIT`),
writes in one transaction and records an audit event; a refusal is :class:`PlanningError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.audit.record import record_event
from dudao.errors import ActionError
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region, School
from dudao.planning.access import EDIT
from dudao.planning.importing import FilePlan
from dudao.planning.models import Births, GradeHistory, KnownChange, Level

__all__ = ["ChangeValues", "PlanningError", "delete_change", "import_plan", "save_change"]


class PlanningError(ActionError):
    """A refused change to a county's planning inputs (docs/adr/0026)."""


def _require(actor: Actor, county: Region) -> None:
    if not is_system(actor) and EDIT not in region_permissions(actor, county):
        raise PermissionDenied


@transaction.atomic
def import_plan(actor: Actor, county: Region, plan: FilePlan, *, expected_digest: str | None = None) -> dict[str, int]:
    """Write a checked file plan (births or grade history) of ``county``: new figures created, changed ones
    updated, the rest left. ``expected_digest``: the preview's; a plan that differs is refused."""
    _require(actor, county)
    if expected_digest is not None and plan.digest() != expected_digest:
        raise PlanningError("plan_changed", gettext_lazy("预览之后数据已有变化，未写入；请重新上传预览"))
    user = user_of(actor)
    if plan.kind == "births":
        _write_births(county, plan, user)
    else:
        _write_history(county, plan, user)
    counts = {action: plan.count(action) for action in ("create", "update", "unchanged")}
    record_event(actor, f"planning.import_{plan.kind}", target=county, region=county,
                 data={"filename": plan.filename, "sheet": plan.sheet, **counts})  # fmt: skip
    return counts


def _write_births(county: Region, plan: FilePlan, user: Any) -> None:
    towns = {t.code: t for t in Region.objects.filter(parent=county, level=Region.Level.TOWN)}
    stored = {
        (b.town.code if b.town else "", b.year): b for b in Births.objects.filter(county=county).select_related("town")
    }
    new, changed = [], []
    for row in plan.changes():
        code = row.key[0]
        if row.action == "create":
            new.append(Births(county=county, town=towns.get(code), year=row.year, births=row.value, source=row.source,
                              updated_by=user))  # fmt: skip
        else:
            b = stored[(code, row.year)]
            b.births, b.source, b.updated_by = row.value, row.source or b.source, user
            changed.append(b)
    Births.objects.bulk_create(new)
    Births.objects.bulk_update(changed, ["births", "source", "updated_by", "updated_at"])


def _write_history(county: Region, plan: FilePlan, user: Any) -> None:
    schools = dict(School.objects.filter(county=county).values_list("code", "pk"))
    stored = {(h.school_id, h.year, h.grade): h for h in GradeHistory.objects.filter(county=county)}
    new, changed = [], []
    for row in plan.changes():
        school_id = schools[row.key[0]]
        if row.action == "create":
            new.append(GradeHistory(county=county, school_id=school_id, year=row.year, grade=row.grade,
                                    students=row.value, source=row.source, updated_by=user))  # fmt: skip
        else:
            h = stored[(school_id, row.year, row.grade)]
            h.students, h.source, h.updated_by = row.value, row.source or h.source, user
            changed.append(h)
    GradeHistory.objects.bulk_create(new)
    GradeHistory.objects.bulk_update(changed, ["students", "source", "updated_by", "updated_at"])


@dataclass(frozen=True)
class ChangeValues:
    """A known change as entered: the town (or None for a school's), the school (or None), the rest."""

    name: str
    level: str
    from_year: int
    pupils: int
    town: Region | None = None
    school: School | None = None
    note: str = ""


def _check_change(county: Region, values: ChangeValues) -> Region | None:
    """The change's town (a school's town is the school's own county's; refused when not the county's)."""
    if not values.name.strip():
        raise PlanningError("name_required", gettext_lazy("请填写名称"))
    if values.level not in Level.values:
        raise PlanningError("bad_level", gettext_lazy("学段只能是小学或初中"))
    if values.town is not None and values.town.parent_id != county.pk:
        raise PlanningError("bad_town", gettext_lazy("乡镇（街道）不属于本县"))
    if values.school is not None and values.school.county_id != county.pk:
        raise PlanningError("bad_school", gettext_lazy("学校不属于本县"))
    if values.town is None and values.school is None:
        raise PlanningError("town_required", gettext_lazy("请选择乡镇（街道）或学校"))
    return values.town


@transaction.atomic
def save_change(actor: Actor, county: Region, values: ChangeValues, change: KnownChange | None = None) -> KnownChange:
    """Add a known change to ``county`` (``change`` None) or change one."""
    _require(actor, county)
    town = _check_change(county, values)
    created = change is None
    if change is None:
        change = KnownChange(county=county)
    elif change.county_id != county.pk:
        raise PermissionDenied
    before = _as_data(change) if not created else {}
    change.name, change.level, change.from_year, change.pupils = (
        values.name.strip(),
        values.level,
        values.from_year,
        values.pupils,
    )
    change.town, change.school, change.note, change.updated_by = town, values.school, values.note, user_of(actor)
    change.save()
    after = _as_data(change)
    verb = "planning.change_added" if created else "planning.change_edited"
    data = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    record_event(actor, verb, target=change, region=county, data=data)
    return change


@transaction.atomic
def delete_change(actor: Actor, change: KnownChange) -> None:
    county = change.county
    _require(actor, county)
    data = _as_data(change)
    record_event(actor, "planning.change_deleted", target=change, region=county, data=data)
    change.delete()


def _as_data(change: KnownChange) -> dict[str, Any]:
    return {
        "name": change.name, "town": change.town.code if change.town else None,
        "school": change.school.code if change.school else None, "level": change.level,
        "from_year": change.from_year, "pupils": change.pupils, "note": change.note,
    }  # fmt: skip
