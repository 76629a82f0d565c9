"""Every change to the census: save values, submit, approve, return, lock and unlock a year.

Each action checks permission through ``dudao.orgs.access``, writes inside a transaction, and
leaves an audit trail (:class:`CensusChange` per value, :class:`CensusEvent` per workflow step).
Errors are :class:`CensusError` with a stable code and Chinese and English messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.census import notices, readiness
from dudao.census.fields import CENSUS_FIELD_BY_KEY
from dudao.census.models import CensusChange, CensusEvent, CensusRecord, CensusYear, ImportBatch
from dudao.census.plausibility import Warning, plausibility, refusals, warnings_only
from dudao.errors import ActionError, Both
from dudao.evaluation.refresh import after_change
from dudao.orgs.access import region_permissions, school_permissions
from dudao.orgs.models import Region, School, SchoolYear
from dudao.sheets.checks import allowed_levels

Status = CensusRecord.Status


class CensusError(ActionError):
    """A refused census change (docs/adr/0026)."""


@dataclass
class SaveResult:
    record: CensusRecord
    created: bool
    changed: list[str] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


def _require(actor: Actor, school: School, perm: str) -> None:
    """The system acts unchecked (docs/adr/0008-actors.md); people need the permission."""
    if not is_system(actor) and perm not in school_permissions(actor, school):
        raise PermissionDenied


def census_year(county: Region, year: int) -> CensusYear:
    return CensusYear.objects.get_or_create(county=county, year=year)[0]


def _check_unlocked(school: School, year: int) -> None:
    cy = CensusYear.objects.filter(county_id=school.county_id, year=year).first()
    if cy is not None and cy.locked:
        raise CensusError(
            "year_locked", gettext_lazy("%(year)s学年数据已锁定，修改前须由县级解锁并说明原因"), year=year
        )


def clean_values(values: dict[str, Any]) -> dict[str, int | Decimal | None]:
    """Convert entered values to stored ones; raises CensusError listing every bad value."""
    out: dict[str, int | Decimal | None] = {}
    problems = []
    for key, raw in values.items():
        spec = CENSUS_FIELD_BY_KEY.get(key)
        if spec is None:
            problems.append({"field": key, "rule": "unknown_field"})
            continue
        if raw is None or raw == "":
            out[key] = None
            continue
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            problems.append({"field": key, "rule": "not_a_number", "value": str(raw)})
            continue
        if not number.is_finite() or number < 0:
            problems.append({"field": key, "rule": "negative", "value": str(raw)})
        elif spec.kind == "int" and number != number.to_integral_value():
            problems.append({"field": key, "rule": "not_whole", "value": str(raw)})
        else:
            out[key] = int(number) if spec.kind == "int" else number.quantize(Decimal("0.0001"))
    if problems:
        labels = [CENSUS_FIELD_BY_KEY[p["field"]].label if p["field"] in CENSUS_FIELD_BY_KEY else p["field"]
                  for p in problems]  # fmt: skip
        raise CensusError(
            "invalid_values",
            gettext_lazy("以下数值无效：%(values)s"),
            problems,
            values=Both(
                "；".join(f"{label}（{p['rule']}）" for label, p in zip(labels, problems, strict=True)),
                "; ".join(f"{p['field']} ({p['rule']})" for p in problems),
            ),
        )
    return out


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _school_year(school: School, year: int, level: str) -> SchoolYear | None:
    """The school's register entry for ``year``; refused when the school has no such level."""
    school_year = SchoolYear.objects.filter(school=school, year__lte=year).order_by("-year").first()
    if school_year is not None and level not in allowed_levels(school_year.school_type):
        raise CensusError(
            "bad_level",
            gettext_lazy("“%(school_type)s”不能填报该学段"),
            school_type=Both(school_year.get_school_type_display(), f"{level!r}"),
        )
    return school_year


def _record_to_save(
    actor: Actor, school: School, year: int, level: str, expected_version: int | None
) -> tuple[CensusRecord, bool]:
    """(the record, locked, or a new one; whether it is new), refused if it changed since ``expected_version``."""
    record = CensusRecord.objects.select_for_update().filter(school=school, year=year, level=level).first()
    if record is None:
        if expected_version not in (None, 0):
            raise CensusError("conflict", gettext_lazy("该记录已不存在或尚未创建"))
        return CensusRecord(school=school, year=year, level=level, updated_by=user_of(actor)), True
    if expected_version is not None and expected_version != record.version:
        raise CensusError(
            "conflict",
            gettext_lazy("该记录已被他人修改，请刷新后重新填写（未保存）"),
            [{"current_version": record.version}],
        )
    return record, False


def _check_figures(
    record: CensusRecord,
    created: bool,
    cleaned: dict[str, Any],
    changed: bool,
    note: str | None,
    school_year: SchoolYear | None,
) -> list[Warning]:
    """The census rule table on the figures as they would be saved: impossible ones refuse the save; unusual
    ones need a note when figures change. Returns the warnings."""
    previous_year = CensusRecord.objects.filter(school=record.school, year=record.year - 1, level=record.level).first()
    merged = {**(record.values() if not created else {}), **cleaned}
    findings = plausibility(
        merged,
        previous_year.values() if previous_year else None,
        school_year.school_type if school_year else None,
        record.level,
    )
    if (changed or created) and (refused := refusals(findings)):
        raise CensusError(
            "impossible_values",
            gettext_lazy("数值不可能成立，未保存：%(problems)s"),
            [w.__dict__ for w in refused],
            problems=Both("；".join(w.message_zh for w in refused), "; ".join(w.message_en for w in refused)),
        )
    warnings = warnings_only(findings)
    note_text = note if note is not None else record.note
    if warnings and changed and not (note_text or "").strip():
        raise CensusError(
            "note_required",
            gettext_lazy("数据异常，请填写情况说明后保存：%(problems)s"),
            [w.__dict__ for w in warnings],
            problems=Both("；".join(w.message_zh for w in warnings), "; ".join(w.message_en for w in warnings)),
        )
    return warnings


@transaction.atomic
def save_record(
    actor: Actor,
    school: School,
    year: int,
    level: str,
    values: dict[str, Any],
    *,
    expected_version: int | None = None,
    reason: str = "",
    note: str | None = None,
    batch: ImportBatch | None = None,
) -> SaveResult:
    """Create or change one record. ``expected_version`` is the version the editor started from
    (None only when creating); a record changed meanwhile is refused, never overwritten."""
    _require(actor, school, "edit")
    _check_unlocked(school, year)
    school_year = _school_year(school, year, level)
    cleaned = clean_values(values)
    record, created = _record_to_save(actor, school, year, level, expected_version)
    current = {k: getattr(record, k) for k in cleaned} if not created else dict.fromkeys(cleaned)
    changed = [k for k, v in cleaned.items() if current[k] != v]
    warnings = _check_figures(record, created, cleaned, bool(changed), note, school_year)
    if not changed and not created and note is None:
        return SaveResult(record, False, [], warnings)
    for key in changed:
        setattr(record, key, cleaned[key])
    if note is not None:
        record.note = note
    reviewer = is_system(actor) or "review" in school_permissions(actor, school)
    if changed and not reviewer and record.status in (Status.SUBMITTED, Status.APPROVED):
        record.status = Status.DRAFT  # a changed record goes back through review
    if not created:
        record.version += 1
    record.updated_by = user_of(actor)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # created by someone else between our read and our write
        raise CensusError("conflict", gettext_lazy("该记录刚被他人创建，请刷新后重新填写（未保存）")) from None
    CensusChange.objects.bulk_create(
        [
            CensusChange(record=record, field=k, old=_text(current[k]), new=_text(cleaned[k]), user=user_of(actor),
                         reason=reason, batch=batch)
            for k in changed
        ]
    )  # fmt: skip
    if created:
        CensusEvent.objects.create(record=record, action=CensusEvent.Action.CREATE, user=user_of(actor), reason=reason)
    after_change([school.county_id], year)
    return SaveResult(record, created, changed, warnings)


def _transition(actor: Actor, record: CensusRecord, perm: str, sources: tuple[str, ...], target: str,
                action: str, reason: str = "") -> CensusRecord:  # fmt: skip
    _require(actor, record.school, perm)
    _check_unlocked(record.school, record.year)
    with transaction.atomic():
        locked = CensusRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status not in sources:
            raise CensusError(
                "bad_state",
                gettext_lazy("当前状态“%(status)s”下不能执行该操作"),
                status=Both(locked.get_status_display(), locked.status),
            )
        locked.status = target
        # The current return reason is shown to the school until the record is approved; the events keep it.
        if action == CensusEvent.Action.RETURN:
            locked.return_reason = reason
        elif action == CensusEvent.Action.APPROVE:
            locked.return_reason = ""
        locked.updated_by = user_of(actor)
        locked.save(update_fields=["status", "return_reason", "updated_by", "updated_at"])
        event = CensusEvent.objects.create(record=locked, action=action, user=user_of(actor), reason=reason)
        if action in (CensusEvent.Action.APPROVE, CensusEvent.Action.RETURN):
            notices.reviewed(locked, action, event.pk, reason)
        after_change([record.school.county_id], record.year)
    return locked


def submit(actor: Actor, record: CensusRecord) -> CensusRecord:
    return _transition(actor, record, "submit", (Status.DRAFT, Status.RETURNED), Status.SUBMITTED,
                       CensusEvent.Action.SUBMIT)  # fmt: skip


def approve(actor: Actor, record: CensusRecord) -> CensusRecord:
    return _transition(actor, record, "review", (Status.SUBMITTED,), Status.APPROVED, CensusEvent.Action.APPROVE)


def return_record(actor: Actor, record: CensusRecord, reason: str) -> CensusRecord:
    if not reason.strip():
        raise CensusError("reason_required", gettext_lazy("退回须说明原因"))
    return _transition(actor, record, "review", (Status.SUBMITTED, Status.APPROVED), Status.RETURNED,
                       CensusEvent.Action.RETURN, reason)  # fmt: skip


def _require_county(actor: Actor, county: Region) -> None:
    if not is_system(actor) and "review" not in region_permissions(actor, county):
        raise PermissionDenied


def unapproved(county: Region, year: int) -> int:
    """How many of the county's records of ``year`` are not approved (what locking would freeze unreviewed)."""
    return CensusRecord.objects.filter(school__county=county, year=year).exclude(status=Status.APPROVED).count()


@transaction.atomic
def lock_year(actor: Actor, county: Region, year: int, confirmed_unapproved: int | None = None) -> CensusYear:
    """Lock the county's year. ``confirmed_unapproved`` is the number of unapproved records the person was
    shown when confirming: if it is no longer true, nothing is locked (``lock_changed``), so a lock never
    freezes more unreviewed records than the person agreed to. The event keeps the number."""
    _require_county(actor, county)
    cy = CensusYear.objects.select_for_update().get_or_create(county=county, year=year)[0]
    if cy.locked:
        raise CensusError("already_locked", gettext_lazy("%(year)s学年已锁定"), year=year)
    open_records = unapproved(county, year)
    if confirmed_unapproved is not None and confirmed_unapproved != open_records:
        raise CensusError(
            "lock_changed",
            gettext_lazy(
                "确认后情况已变化：现有 %(open_records)s 条记录未审核"
                "（确认时为 %(confirmed_unapproved)s 条），未锁定；请重新确认"
            ),
            open_records=open_records,
            confirmed_unapproved=confirmed_unapproved,
        )
    cy.locked, cy.locked_at, cy.locked_by = True, timezone.now(), user_of(actor)
    cy.save()
    reason = f"锁定时 {open_records} 条记录未审核" if open_records else ""
    CensusEvent.objects.create(census_year=cy, action=CensusEvent.Action.LOCK, user=user_of(actor), reason=reason)
    readiness.store([county.pk], [year])
    return cy


@transaction.atomic
def unlock_year(actor: Actor, county: Region, year: int, reason: str) -> CensusYear:
    _require_county(actor, county)
    if not reason.strip():
        raise CensusError("reason_required", gettext_lazy("解锁须说明原因"))
    cy = CensusYear.objects.select_for_update().filter(county=county, year=year).first()
    if cy is None or not cy.locked:
        raise CensusError("not_locked", gettext_lazy("%(year)s学年未锁定"), year=year)
    cy.locked, cy.locked_at, cy.locked_by = False, None, None
    cy.save()
    CensusEvent.objects.create(census_year=cy, action=CensusEvent.Action.UNLOCK, user=user_of(actor), reason=reason)
    readiness.store([county.pk], [year])
    return cy


@transaction.atomic
def set_deadline(actor: Actor, county: Region, year: int, deadline: dt.date | None) -> CensusYear:
    _require_county(actor, county)
    cy = CensusYear.objects.select_for_update().get_or_create(county=county, year=year)[0]
    cy.deadline = deadline
    cy.save(update_fields=["deadline"])
    return cy


def timeline(record: CensusRecord) -> list[dict[str, Any]]:
    """Every change and workflow step of a record, oldest first, readable as it stands: the record's
    figures (kind ``change``), its school's attributes in that school year (``school_change``, e.g. a
    new name or location written by an import) and its workflow steps (the event's action).

    A change has ``field``, ``old`` and ``new`` as stored (codes for attributes), ``old_label`` and
    ``new_label`` as shown (城区 for ``urban``), and the import ``batch`` with its ``batch_file`` when
    an import made it. Every entry's ``why`` is its reason as shown: the reason given, or for a
    change an import made, the import's file."""
    school_year = SchoolYear.objects.filter(school_id=record.school_id, year=record.year).values("pk")[:1]
    changes = list(
        CensusChange.objects.filter(Q(record=record) | Q(school_year=Subquery(school_year)))
        .select_related("user")
        .annotate(batch_file=F("batch__filename"))  # not the whole batch (its lists can be long)
        .order_by("at", "pk")
    )
    towns = {v for c in changes if c.school_year_id and c.field == "town" for v in (c.old, c.new) if v}
    town_names = dict(Region.objects.filter(code__in=towns).values_list("code", "name")) if towns else {}
    entries = []
    for c in changes:
        if c.school_year_id:
            spec = SchoolYear._meta.get_field(c.field)
            assert isinstance(spec, models.Field)  # a change names a column of the school year
            shown = town_names if c.field == "town" else dict(spec.flatchoices)  # the town by its code
            kind, label = "school_change", spec.verbose_name
            old_label, new_label = (None if v is None else str(shown.get(v, v)) for v in (c.old, c.new))
        else:
            kind = "change"
            label = CENSUS_FIELD_BY_KEY[c.field].label if c.field in CENSUS_FIELD_BY_KEY else c.field
            old_label, new_label = c.old, c.new
        entries.append(
            {"at": c.at, "user": c.user.get_username() if c.user else None, "kind": kind, "field": c.field,
             "label": label, "old": c.old, "new": c.new, "old_label": old_label, "new_label": new_label,
             "reason": c.reason, "batch": c.batch_id, "batch_file": c.batch_file,
             "why": c.reason or (_("导入 %(file)s") % {"file": c.batch_file} if c.batch_file else "")}
        )  # fmt: skip
    entries += [
        {"at": e.at, "user": e.user.get_username() if e.user else None, "kind": e.action,
         "label": e.get_action_display(), "reason": e.reason, "why": e.reason}
        for e in record.events.select_related("user")
    ]  # fmt: skip
    return sorted(entries, key=lambda e: e["at"])


# Topics (each imports what it needs from above).
from dudao.census.actions.reminders import remind  # noqa: E402, F401
from dudao.census.actions.review import approve_many  # noqa: E402, F401
from dudao.census.actions.uploads import confirm_upload, discard_upload, preview, stage_upload  # noqa: E402, F401
