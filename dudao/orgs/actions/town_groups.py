"""A county's groups of towns (乡镇分组, e.g. 南部/北部): one grouping of its own for the analysis of where
inequality comes from (issue #14 §5, ``dudao.engine.decomposition``). Set by the county supervision
office (``review`` on the county); every change is one audit event with the old and new group of each
town that changed."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from dudao.actors import Actor
from dudao.audit.record import record_event
from dudao.evaluation.refresh import after_change
from dudao.orgs.actions.common import require, text
from dudao.orgs.models import Region, SchoolYear, TownGroup

NAME_MAX = TownGroup._meta.get_field("name").max_length or 32


def county_towns(county: Region) -> list[Region]:
    """The county's towns, open ones first, by code."""
    return sorted(
        Region.objects.filter(parent=county, level=Region.Level.TOWN), key=lambda t: (t.closed_from is not None, t.code)
    )


def town_groups(county: Region) -> dict[str, list[str]]:
    """The county's groups: group name → the names and codes of its towns (as the engine matches a
    school's town, by name or code), groups in order of their first town's code."""
    groups: dict[str, list[str]] = {}
    rows = TownGroup.objects.filter(county=county).select_related("town").order_by("town__code")
    for row in rows:
        groups.setdefault(row.name, []).extend([row.town.name, row.town.code])
    return groups


def group_names(county: Region) -> dict[str, str]:
    """Town code → its group name (towns in no group are absent)."""
    return dict(TownGroup.objects.filter(county=county).values_list("town__code", "name"))


@transaction.atomic
def set_town_groups(actor: Actor, county: Region, groups: Mapping[str, object], *, why: str = "") -> dict[str, str]:
    """Put the county's towns into groups: ``groups`` maps a town's code to its group's name (blank: no
    group); towns not named keep theirs. The county's stored runs of the years the changed towns had
    schools are re-evaluated after the commit (the groups are part of their data version). Returns town
    code → group name after the change. Nothing is written (and no event recorded) when nothing changes;
    codes of towns outside the county are ignored."""
    require(actor, county, "review")
    towns = {t.code: t for t in county_towns(county)}
    wanted = {
        code: text(name, "分组名称", "Group name", NAME_MAX, required=False)
        for code, name in groups.items()
        if code in towns
    }
    current = {
        row.town.code: row for row in TownGroup.objects.select_for_update().filter(county=county).select_related("town")
    }
    changed: dict[str, list[str | None]] = {}
    for code, name in wanted.items():
        row = current.get(code)
        old = row.name if row else None
        new = name or None
        if old == new:
            continue
        changed[code] = [old, new]
        if new is None and row is not None:
            row.delete()
        elif row is None:
            TownGroup.objects.create(county=county, town=towns[code], name=name)
        else:
            row.name = name
            row.save(update_fields=["name"])
    if changed:
        record_event(actor, "orgs.town_groups.set", target=county, region=county, why=why, data={"changed": changed})
        # The runs of the years these towns had schools read the groups: they are re-evaluated after the commit.
        years = SchoolYear.objects.filter(town__code__in=changed, town__parent=county).values_list("year", flat=True)
        for year in sorted(set(years)):
            after_change([county.pk], year)
    return group_names(county)
