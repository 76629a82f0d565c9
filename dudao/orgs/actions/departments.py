"""A county's departments and their sections (the 13 departments of a county task list are typical):
create and change. Needs ``org`` on the county."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor
from dudao.audit.record import record_event
from dudao.errors import Both
from dudao.orgs.actions.common import OrgsError, reason, require, text
from dudao.orgs.models import Department, Region

NAME_MAX = Department._meta.get_field("name").max_length or 64
KINDS = dict(Department.Kind.choices)
_UNSET: Any = object()


def kind_of(value: object) -> str:
    """A department kind: its code or its Chinese name (财政局)."""
    raw = str(value or "").strip()
    for code, label in Department.Kind.choices:
        if raw in (code, str(label)):
            return code
    allowed = "、".join(str(label) for _, label in Department.Kind.choices)
    raise OrgsError(
        "unknown_value",
        gettext_lazy("部门类别“%(raw)s”无效，应为：%(allowed)s"),
        [{"field": "kind", "value": raw}],
        raw=raw,
        allowed=Both(allowed, ", ".join(KINDS)),
    )


def _check_parent(county: Region, parent: Department | None, department: Department | None = None) -> None:
    if parent is None:
        return
    if parent.county_id != county.pk or parent.parent_id is not None or (department and parent.pk == department.pk):
        raise OrgsError("bad_parent", gettext_lazy("科室只能设在本县的一个部门之下（不再分级）"), [{"field": "parent"}])
    if department is not None and department.sections.exists():
        raise OrgsError("bad_parent", gettext_lazy("设有科室的部门不能再设为科室"))


def _check_name_free(county: Region, name: str, exclude: int | None = None) -> None:
    taken = Department.objects.filter(county=county, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise OrgsError(
            "name_taken",
            gettext_lazy("%(county_name)s已有部门“%(name)s”"),
            [{"field": "name", "value": name}],
            county_name=Both(county.name, county.code),
            name=name,
        )


@transaction.atomic
def create_department(
    actor: Actor, county: Region, name: str, kind: str, *, parent: Department | None = None, why: str = ""
) -> Department:
    """A department of ``county``, or a section of ``parent`` (a department of the same county)."""
    require(actor, county, "org")
    if county.level != Region.Level.COUNTY:
        raise OrgsError("not_a_county", gettext_lazy("部门只能设在县级区域"))
    name = text(name, "部门名称", "Department name", NAME_MAX)
    kind = kind_of(kind)
    _check_parent(county, parent)
    _check_name_free(county, name)
    why = reason(why, required=False)
    department = Department.objects.create(county=county, name=name, kind=kind, parent=parent)
    record_event(
        actor,
        "orgs.department.create",
        target=department,
        region=county,
        why=why,
        data={"name": name, "kind": kind, "parent": parent.name if parent else None},
    )
    return department


@transaction.atomic
def change_department(
    actor: Actor,
    department: Department,
    *,
    name: str | None = None,
    kind: str | None = None,
    parent: Department | None = _UNSET,
    why: str = "",
) -> dict[str, list[Any]]:
    """Rename a department, change its kind, or make it a section of another (``parent=None``: a
    department of its own). Returns what changed."""
    department = (
        Department.objects.select_for_update(of=("self",)).select_related("county", "parent").get(pk=department.pk)
    )
    county = department.county
    require(actor, county, "org")
    changed: dict[str, list[Any]] = {}
    if name is not None:
        name = text(name, "部门名称", "Department name", NAME_MAX)
        if name != department.name:
            _check_name_free(county, name, exclude=department.pk)
            changed["name"] = [department.name, name]
            department.name = name
    if kind is not None:
        kind = kind_of(kind)
        if kind != department.kind:
            changed["kind"] = [department.kind, kind]
            department.kind = kind
    if parent is not _UNSET and (parent.pk if parent else None) != department.parent_id:
        _check_parent(county, parent, department)
        changed["parent"] = [department.parent.name if department.parent else None, parent.name if parent else None]
        department.parent = parent
    why = reason(why, required=False)
    if not changed:
        return {}
    department.save()
    record_event(actor, "orgs.department.change", target=department, region=county, why=why, data=changed)
    return changed
