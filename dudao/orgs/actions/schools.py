"""The school register (学校名录), effective by school year (docs/adr/0014).

A school's identity (its code and county) never changes; its name, type, location, ownership, town and
status are :class:`SchoolYear` rows, and what the school is in a year is its latest row up to that
year (the attributes carry over until changed). Every operation names the school year it takes effect
from, ``Y``:

* the row of ``Y`` is created from the state carried into ``Y`` when there is none, and changed;
* a later row is changed too while it still holds the old value (the change runs until the next
  change of that attribute, which it does not overwrite);
* the years before ``Y`` are never touched, so a past year's evaluation reads that year's state;
* every attribute written to a row is a ``CensusChange`` naming the school year (ADR 0006), and the
  operation one audit event.

Merging or closing from ``Y`` is refused while the school has census records in ``Y`` or later (they
would stay in the county's evaluation), and any change that would touch a locked census year is
refused (unlock it first). Contact details (address, head, phone) are the school's current ones.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, user_of
from dudao.audit.record import record_event
from dudao.census import readiness
from dudao.census.models import CensusChange, CensusRecord, CensusYear
from dudao.engine.fields import LOCATIONS, OWNERSHIP, SCHOOL_TYPES
from dudao.errors import Both
from dudao.evaluation.refresh import after_change
from dudao.orgs.actions.common import OrgsError, reason, require, school_year, text
from dudao.orgs.models import Region, School, SchoolYear

ATTRIBUTES = ("name", "school_type", "location", "ownership", "town")  # effective by school year
CONTACT = ("address", "head", "phone")  # the school's current details


def _max_length(model: type[models.Model], name: str) -> int | None:
    field = model._meta.get_field(name)
    return field.max_length if isinstance(field, models.Field) else None


NAME_MAX = _max_length(SchoolYear, "name") or 100
CODE_MAX = _max_length(School, "code") or 20
_LIMITS = {f: _max_length(School, f) or 200 for f in CONTACT}
_LABELS = {
    "name": ("学校名称", "School name"),
    "school_type": ("学校类型", "School type"),
    "location": ("城乡类型", "Location"),
    "ownership": ("办学性质", "Ownership"),
    "town": ("乡镇（街道）", "Town"),
    "address": ("地址", "Address"),
    "head": ("校长", "Head"),
    "phone": ("联系电话", "Phone"),
}
_ENUMS = {"school_type": SCHOOL_TYPES, "location": LOCATIONS, "ownership": OWNERSHIP}
_STATUS_ZH = {"open": "在办", "closed": "已撤销", "merged": "已合并"}


def _spelling(value: str) -> str:
    return "".join(value.split()).lower()


def choice(field: str, value: object, *, required: bool = True) -> str:
    """A school type, location or ownership: its code, or one of its spellings (小学, 城区, 公办)."""
    raw = str(value or "").strip()
    if not raw:
        if required:
            zh, en = _LABELS[field]
            raise OrgsError("required", gettext_lazy("请填写%(zh)s"), [{"field": field}], zh=Both(zh, en))
        return ""
    table = _ENUMS[field]
    for code, names in table.items():
        if _spelling(raw) in {_spelling(n) for n in (code, *names)}:
            return code
    zh, en = _LABELS[field]
    allowed = "、".join(names[0] for names in table.values())
    raise OrgsError(
        "unknown_value",
        gettext_lazy("%(zh)s“%(raw)s”无效，应为：%(allowed)s"),
        [{"field": field, "value": raw}],
        zh=Both(zh, en),
        raw=raw,
        allowed=Both(allowed, ", ".join(table)),
    )


def check_town(town: Region | None, county: Region, year: int) -> Region | None:
    if town is None:
        return None
    if town.level != Region.Level.TOWN or town.parent_id != county.pk:
        raise OrgsError(
            "bad_town",
            gettext_lazy("“%(town_name)s”不是%(county_name)s的乡镇（街道）"),
            [{"field": "town", "value": town.code}],
            town_name=Both(town.name, town.code),
            county_name=Both(county.name, county.code),
        )
    if town.closed_from is not None and town.closed_from <= year:
        raise OrgsError(
            "closed",
            gettext_lazy("“%(town_name)s”自%(town_closed_from)s学年起已撤销"),
            [{"field": "town", "value": town.code}],
            town_name=Both(town.name, town.code),
            town_closed_from=town.closed_from,
        )
    return town


def find_town(county: Region, value: object) -> Region | None:
    """A town of ``county`` by its code or its name (None for an empty value); unknown → ``bad_town``."""
    raw = str(value or "").strip()
    if not raw:
        return None
    town = Region.objects.filter(parent=county, level=Region.Level.TOWN).filter(code=raw).first()
    if town is None:
        named = list(Region.objects.filter(parent=county, level=Region.Level.TOWN, name=raw).order_by("closed_from"))
        town = next((t for t in named if t.closed_from is None), named[0] if named else None)
    if town is None:
        raise OrgsError(
            "bad_town",
            gettext_lazy("%(county_name)s没有乡镇（街道）“%(raw)s”，请先在机构设置中添加"),
            [{"field": "town", "value": raw}],
            county_name=Both(county.name, county.code),
            raw=raw,
        )
    return town


def state(school: School, year: int) -> SchoolYear | None:
    """What ``school`` is in ``year``: its latest row up to that year."""
    return SchoolYear.objects.filter(school=school, year__lte=year).select_related("town").order_by("-year").first()


def _stored(field: str, value: Any, towns: dict[int, str], schools: dict[int, str]) -> str | None:
    """A value as ``CensusChange`` keeps it: codes, the town by its region code, a school by its code."""
    if value in (None, ""):
        return None
    if field == "town_id":
        return towns.get(value, str(value))
    if field == "merged_into_id":
        return schools.get(value, str(value))
    return str(value)


def _check_locked(school: School, years: set[int]) -> None:
    locked = sorted(
        CensusYear.objects.filter(county_id=school.county_id, year__in=years, locked=True).values_list(
            "year", flat=True
        )
    )
    if locked:
        shown = "、".join(str(y) for y in locked)
        raise OrgsError(
            "year_locked",
            gettext_lazy("%(shown)s学年的统计数据已锁定，不能更改该年的学校信息；请先解锁"),
            [{"year": y} for y in locked],
            shown=Both(shown, ", ".join(map(str, locked))),
        )


Touched = dict[int, tuple[SchoolYear, list[tuple[str, Any, Any]]]]  # row year -> (row, [(field, old, new)])


def _spread(school: School, year: int, changes: dict[str, Any]) -> tuple[dict[str, list[Any]], Touched]:
    """({attname: [old, new]} as of ``year``, the school's rows from ``year`` on that change, unsaved): a change
    runs on into later years until a later change of the same attribute."""
    rows = list(SchoolYear.objects.select_for_update().filter(school=school).order_by("year"))
    before = [r for r in rows if r.year <= year]
    if not before:
        raise OrgsError(
            "not_open_yet",
            gettext_lazy("该校在%(year)s学年尚未开办"),
            [{"school": school.code, "year": year}],
            year=year,
        )
    base = before[-1]
    current = base if base.year == year else None
    if current is None:
        current = SchoolYear(
            school=school,
            year=year,
            **{
                f: getattr(base, f)
                for f in ("name", "school_type", "location", "ownership", "town_id", "status", "merged_into_id")
            },
        )
    later = [r for r in rows if r.year > year]
    changed: dict[str, list[Any]] = {}
    touched: Touched = {}
    for field, new in changes.items():
        old = getattr(current, field)
        if old == new:
            continue
        changed[field] = [old, new]
        setattr(current, field, new)
        touched.setdefault(year, (current, []))[1].append((field, old, new))
        for row in later:
            if getattr(row, field) != old:
                break  # a later change of this attribute stands
            setattr(row, field, new)
            touched.setdefault(row.year, (row, []))[1].append((field, old, new))
    return changed, touched


def _codes(touched: Touched) -> tuple[dict[int, str], dict[int, str]]:
    """The codes of the towns and the schools (merged into) the changes name, by id."""
    towns = {
        pk: code
        for pk, code in Region.objects.filter(
            pk__in={v for f, o, n in _all(touched) if f == "town_id" for v in (o, n) if v}
        ).values_list("pk", "code")
    }
    schools = {
        pk: code
        for pk, code in School.objects.filter(
            pk__in={v for f, o, n in _all(touched) if f == "merged_into_id" for v in (o, n) if v}
        ).values_list("pk", "code")
    }
    return towns, schools


def _apply_from(actor: Actor, school: School, year: int, changes: dict[str, Any], why: str) -> dict[str, list[Any]]:
    """Write ``changes`` (SchoolYear attnames → values) from ``year`` on (see the module doc).
    Returns {attname: [old, new]} as of ``year``; {} when nothing changes."""
    now = timezone.now()
    changed, touched = _spread(school, year, changes)
    if not changed:
        return {}
    _check_locked(school, set(touched))
    towns, schools = _codes(touched)
    for row, _fields in touched.values():
        row.save()
    history = [
        CensusChange(
            school_year=row,
            field=field.removesuffix("_id"),
            old=_stored(field, old, towns, schools),
            new=_stored(field, new, towns, schools),
            user=user_of(actor),
            at=now,
            reason=why,
        )
        for row, fields in touched.values()
        for field, old, new in fields
    ]
    CensusChange.objects.bulk_create(history)
    for touched_year in touched:  # what an evaluation of those years reads has changed (ADR 0020)
        after_change([school.county_id], touched_year)
    readiness.register_changed([school.county_id], touched)  # and the next year's expected schools
    return {
        field.removesuffix("_id"): [_stored(field, old, towns, schools), _stored(field, new, towns, schools)]
        for field, (old, new) in changed.items()
    } | {"years": sorted(touched)}


def _all(touched: dict[int, tuple[SchoolYear, list[tuple[str, Any, Any]]]]) -> list[tuple[str, Any, Any]]:
    return [change for _row, fields in touched.values() for change in fields]


def _clean_attributes(school: School, year: int, changes: dict[str, Any]) -> dict[str, Any]:
    """The SchoolYear values (by attname) of the attributes given."""
    out: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "name":
            out["name"] = text(value, "学校名称", "School name", NAME_MAX)
        elif field in ("school_type", "ownership"):
            out[field] = choice(field, value)
        elif field == "location":
            out[field] = choice(field, value, required=False)
        elif field == "town":
            town = check_town(value, school.county, year)
            out["town_id"] = town.pk if town else None
        else:
            raise ValueError(f"not a school-year attribute: {field}")
    return out


def _clean_contact(changes: dict[str, Any]) -> dict[str, str]:
    return {f: text(v, *_LABELS[f], _LIMITS[f], required=False) for f, v in changes.items()}


def check_code(code: object) -> str:
    cleaned = str(code or "").strip()
    if not cleaned or len(cleaned) > CODE_MAX or not cleaned.isascii() or not cleaned.isalnum():
        raise OrgsError(
            "bad_code",
            gettext_lazy("学校标识码“%(cleaned)s”无效：应为不超过 %(code_max)s 位的数字或字母"),
            [{"field": "code", "value": cleaned}],
            cleaned=cleaned,
            code_max=CODE_MAX,
        )
    return cleaned


@transaction.atomic
def open_school(
    actor: Actor,
    county: Region,
    code: str,
    year: int | str,
    *,
    name: str,
    school_type: str,
    location: str = "",
    ownership: str = "public",
    town: Region | None = None,
    address: str = "",
    head: str = "",
    phone: str = "",
    why: str = "",
) -> School:
    """A new school of ``county`` from school ``year`` on."""
    require(actor, county, "org")
    if county.level != Region.Level.COUNTY:
        raise OrgsError("not_a_county", gettext_lazy("学校只能登记在县级区域"))
    year = school_year(year)
    if county.closed_from is not None and county.closed_from <= year:
        raise OrgsError("closed", gettext_lazy("“%(county_name)s”已撤销"), county_name=Both(county.name, county.code))
    code = check_code(code)
    if School.objects.filter(code=code).exists():
        raise OrgsError(
            "code_taken",
            gettext_lazy("学校标识码 %(code_value)s 已登记"),
            [{"field": "code", "value": code}],
            code_value=code,
        )
    probe = School(code=code, county=county)
    attributes = _clean_attributes(
        probe,
        year,
        {
            "name": name,
            "school_type": school_type,
            "location": location,
            "ownership": ownership or "public",
            "town": town,
        },
    )
    contact = _clean_contact({"address": address, "head": head, "phone": phone})
    why = reason(why, required=False)
    _check_locked(probe, {year})
    school = School.objects.create(code=code, county=county, **contact)
    SchoolYear.objects.create(school=school, year=year, **attributes)
    readiness.register_changed([county.pk], [year])
    record_event(
        actor,
        "orgs.school.open",
        target=school,
        region=county,
        why=why,
        data={
            "year": year,
            **{k.removesuffix("_id"): v for k, v in attributes.items() if k != "town_id"},
            "town": town.code if town else None,
            **contact,
        },
    )
    return school


@transaction.atomic
def change_school(
    actor: Actor, school: School, year: int | str | None, *, why: str = "", **changes: Any
) -> dict[str, Any]:
    """Change the school's attributes from school ``year`` on (name, school_type, location,
    ownership, town — a town as a :class:`Region`) and its contact details (address, head, phone;
    ``year`` may be None when only these change). Returns what changed ({} for nothing: no event)."""
    school = School.objects.select_for_update(of=("self",)).select_related("county").get(pk=school.pk)
    require(actor, school.county, "org")
    unknown = set(changes) - set(ATTRIBUTES) - set(CONTACT)
    if unknown:
        raise ValueError(f"unknown school fields: {sorted(unknown)}")
    attributes = {k: v for k, v in changes.items() if k in ATTRIBUTES}
    contact = _clean_contact({k: v for k, v in changes.items() if k in CONTACT})
    why = reason(why, required=False)
    changed: dict[str, Any] = {}
    if attributes:
        if year is None:
            raise OrgsError("bad_year", gettext_lazy("请填写生效学年"))
        year = school_year(year)
        now = state(school, year)
        if now is not None and now.status != SchoolYear.Status.OPEN:
            raise OrgsError(
                "not_open",
                gettext_lazy("该校在%(year)s学年已%(status_zh_now_status)s，不能更改"),
                year=year,
                status_zh_now_status=Both(_STATUS_ZH[now.status], now.status),
            )
        changed = _apply_from(actor, school, year, _clean_attributes(school, year, attributes), why)
    contact_changed = {k: [getattr(school, k), v] for k, v in contact.items() if getattr(school, k) != v}
    if contact_changed:
        for k, (_old, new) in contact_changed.items():
            setattr(school, k, new)
        school.save(update_fields=list(contact_changed))
        changed |= contact_changed
    if not changed:
        return {}
    record_event(
        actor,
        "orgs.school.change",
        target=school,
        region=school.county,
        why=why,
        data={"year": year if attributes else None, **changed},
    )
    return changed


def _check_no_records(school: School, year: int) -> None:
    years = sorted(set(CensusRecord.objects.filter(school=school, year__gte=year).values_list("year", flat=True)))
    if years:
        shown = "、".join(map(str, years))
        raise OrgsError(
            "has_records",
            gettext_lazy("该校在%(shown)s学年已有统计数据，不能自%(year)s学年起撤销或合并"),
            [{"year": y} for y in years],
            shown=Both(shown, ", ".join(map(str, years))),
            year=year,
        )


def _end(actor: Actor, school: School, year: int, why: str, status: str, into: School | None) -> dict[str, Any]:
    school = School.objects.select_for_update(of=("self",)).select_related("county").get(pk=school.pk)
    require(actor, school.county, "org")
    year = school_year(year)
    why = reason(why)
    now = state(school, year)
    if now is None:
        raise OrgsError("not_open_yet", gettext_lazy("该校在%(year)s学年尚未开办"), year=year)
    if now.status != SchoolYear.Status.OPEN:
        raise OrgsError(
            "not_open",
            gettext_lazy("该校在%(year)s学年已%(status_zh_now_status)s"),
            year=year,
            status_zh_now_status=Both(_STATUS_ZH[now.status], now.status),
        )
    _check_no_records(school, year)
    return _apply_from(actor, school, year, {"status": status, "merged_into_id": into.pk if into else None}, why)


@transaction.atomic
def merge_school(actor: Actor, school: School, into: School, year: int, *, why: str) -> dict[str, Any]:
    """``school`` merges into ``into`` (another school of the county, open that year) from ``year``
    on: its rows from then are ``merged`` with ``merged_into``; its earlier years stay as they were."""
    if into.pk == school.pk or into.county_id != school.county_id:
        raise OrgsError("bad_target", gettext_lazy("只能并入本县另一所学校"))
    target = state(into, school_year(year))
    if target is None or target.status != SchoolYear.Status.OPEN:
        raise OrgsError("bad_target", gettext_lazy("并入的学校在%(year)s学年须为在办学校"), year=year)
    changed = _end(actor, school, year, why, SchoolYear.Status.MERGED, into)
    record_event(
        actor,
        "orgs.school.merge",
        target=school,
        region=school.county,
        why=why,
        data={"year": int(year), "into": into.code, **changed},
    )
    return changed


@transaction.atomic
def close_school(actor: Actor, school: School, year: int, *, why: str) -> dict[str, Any]:
    """``school`` closes (撤销) from ``year`` on; its earlier years stay as they were."""
    changed = _end(actor, school, year, why, SchoolYear.Status.CLOSED, None)
    record_event(
        actor, "orgs.school.close", target=school, region=school.county, why=why, data={"year": int(year), **changed}
    )
    return changed


def move_schools_to_town(
    actor: Actor, school_ids: list[int], town: Region, year: int, *, why: str, closing: Region
) -> list[str]:
    """The schools of a closing town go to ``town`` from ``year`` on (one change event each)."""
    codes = []
    for school in School.objects.filter(pk__in=school_ids).select_related("county").order_by("code"):
        changed = _apply_from(actor, school, year, {"town_id": town.pk}, why)
        if changed:
            record_event(
                actor,
                "orgs.school.change",
                target=school,
                region=school.county,
                why=why or f"{closing.name}撤销",
                data={"year": year, **changed},
            )
        codes.append(school.code)
    return codes


def open_schools_of_county(county: Region, year: int) -> list[int]:
    """Schools of ``county`` open in ``year`` (their latest row up to it) or in any later year."""
    latest: dict[int, str] = {}
    later: set[int] = set()
    for school_id, sy_year, status in (
        SchoolYear.objects.filter(school__county=county).order_by("year").values_list("school_id", "year", "status")
    ):
        if sy_year <= year:
            latest[school_id] = status
        elif status == SchoolYear.Status.OPEN:
            later.add(school_id)
    return sorted({pk for pk, status in latest.items() if status == SchoolYear.Status.OPEN} | later)
