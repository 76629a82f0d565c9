"""Census records: list, read, create or change, the review workflow, the history, and locking a year.

Handlers only parse, fetch through ``dudao.orgs.access`` and call ``dudao.census.actions``; every rule
(who may edit, submit, review; locked years; plausibility; optimistic concurrency) lives there.

Numbers: counts are JSON integers; areas and money are stored exactly (4 decimals) and returned as
JSON numbers. In a ``values`` object a key that is absent is left as it is, ``null`` clears the figure.
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

import tempfile
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja import Path as PathParam
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from pydantic import ConfigDict, StrictFloat, StrictInt, StrictStr, create_model

from dudao.api.common import LocalDateTime, Pages, Status, county_for, request_user, within_region
from dudao.api.errors import CHANGE, READ, ApiError, responses, too_large
from dudao.census import actions
from dudao.census.access import access_census_record
from dudao.census.fields import CENSUS_FIELDS
from dudao.census.importing import import_census
from dudao.census.models import CensusRecord, CensusYear
from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.orgs.access import access_school, visible_schools
from dudao.uploads import FORM_ALLOWANCE, declared_length
from dudao.uploads import too_large as too_large_response

router = Router()

Level = Literal["primary", "junior", "all"]
RecordStatus = Literal["draft", "submitted", "approved", "returned"]


class _ValuesIn(Schema):
    model_config = ConfigDict(extra="forbid")


# One optional property per census field, so the OpenAPI document lists (and labels) every figure.
CensusValuesIn: type[Schema] = create_model(  # type: ignore[call-overload]  # fields as **dict: pydantic's overloads list them
    "CensusValuesIn",
    __base__=_ValuesIn,
    **{f.key: (StrictInt | StrictFloat | StrictStr | None, Field(None, description=f.label)) for f in CENSUS_FIELDS},
)
CensusValuesOut: type[Schema] = create_model(  # type: ignore[call-overload]  # fields as **dict: pydantic's overloads list them
    "CensusValues",
    __base__=Schema,
    **{
        f.key: (int | None if f.kind == "int" else float | None, Field(None, description=f.label))
        for f in CENSUS_FIELDS
    },
)


def _number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


class RecordOut(Schema):
    id: int
    school: str
    county: str
    year: int
    level: str
    status: str
    version: int
    note: str
    return_reason: str
    updated_at: LocalDateTime
    updated_by: str | None
    values: CensusValuesOut

    @staticmethod
    def resolve_school(obj: CensusRecord) -> str:
        return obj.school.code

    @staticmethod
    def resolve_county(obj: CensusRecord) -> str:
        return obj.school.county.code

    @staticmethod
    def resolve_updated_by(obj: CensusRecord) -> str | None:
        return obj.updated_by.get_username() if obj.updated_by else None

    @staticmethod
    def resolve_values(obj: CensusRecord) -> dict[str, object]:
        return {f.key: _number(getattr(obj, f.key)) for f in CENSUS_FIELDS}


class RecordIn(Schema):
    values: CensusValuesIn = Field(default_factory=CensusValuesIn)
    expected_version: int = Field(
        0,
        ge=0,
        description="the version you started from (as read); 0 or absent to create a new record. "
        "A record changed meanwhile is refused with 409 and nothing is saved.",
    )
    note: str | None = Field(None, description="情况说明 (explanation); needed when the figures look unusual")
    reason: str = Field("", description="why the figures change (kept in the history)")


class WarningOut(Schema):
    rule: str
    field: str
    message_zh: str
    message_en: str
    kind: Literal["unusual", "impossible"] = Field(
        "unusual", description="unusual: saved, needs a note; impossible: refused (see the census rule table)"
    )


class SaveOut(Schema):
    created: bool
    changed: list[str]
    warnings: list[WarningOut]
    record: RecordOut


class ReasonIn(Schema):
    reason: str


class TimelineEntry(Schema):
    at: LocalDateTime
    user: str | None
    kind: str = Field(
        description="change (a figure of the record), school_change (an attribute of its school that school "
        "year: name, school_type, location, ownership, town), or the workflow step (create, submit, approve, "
        "return, import)"
    )
    label: str
    field: str | None = None
    old: str | None = Field(None, description="as stored: a figure, or an attribute's code (the town's region code)")
    new: str | None = None
    old_label: str | None = Field(None, description="as shown: an attribute's name for its code (城区 for urban)")
    new_label: str | None = None
    reason: str
    batch: int | None = Field(None, description="the import batch that made the change")
    batch_file: str | None = Field(None, description="that import's file name")


class CensusYearOut(Schema):
    county: str
    year: int
    locked: bool
    locked_at: LocalDateTime | None
    locked_by: str | None

    @staticmethod
    def resolve_county(obj: CensusYear) -> str:
        return obj.county.code

    @staticmethod
    def resolve_locked_by(obj: CensusYear) -> str | None:
        return obj.locked_by.get_username() if obj.locked_by else None


def _records() -> QuerySet[CensusRecord]:
    return CensusRecord.objects.select_related("school", "school__county", "updated_by")


def _record(request: HttpRequest, record_id: int) -> CensusRecord:
    """The record, if the user may see its school; otherwise 404 (as for an id that does not exist)."""
    return access_census_record(request_user(request), record_id)


@router.get("/records", response={200: list[RecordOut], **READ}, summary="统计记录列表 / census records you may see")
@paginate(Pages)
def list_records(
    request: HttpRequest,
    year: int | None = None,
    county: str | None = None,
    school: str | None = None,
    status: RecordStatus | None = None,
) -> QuerySet[CensusRecord]:
    """Records of the schools you may see, newest year first; each filter narrows the list. ``county``
    takes a county, city or province code; an unknown or invisible code or school gives an empty list."""
    records = _records().filter(school__in=visible_schools(request_user(request)))
    if year is not None:
        records = records.filter(year=year)
    records = within_region(records, "school__county__path", county)
    if school:
        records = records.filter(school__code=school)
    if status:
        records = records.filter(status=status)
    return records.order_by("-year", "school__code", "level")


@router.get("/records/{record_id}", response={200: RecordOut, **READ}, summary="统计记录 / one census record")
def get_record(request: HttpRequest, record_id: int) -> CensusRecord:
    return _record(request, record_id)


@router.put(
    "/records/{school_code}/{year}/{level}",
    response={200: SaveOut, 201: SaveOut, **CHANGE},
    summary="填报或修改 / create or change a record",
)
def put_record(
    request: HttpRequest,
    school_code: str,
    level: Level,
    payload: RecordIn,
    year: int = PathParam(..., ge=MIN_YEAR, le=MAX_YEAR),
) -> Any:
    """Create the record (201) or change it (200). Only the figures given change. Unusual figures
    need a ``note`` (else 422 ``note_required`` with the warnings); a stale ``expected_version`` is 409."""
    user = request_user(request)
    school = access_school(user, school_code)
    result = actions.save_record(
        user,
        school,
        year,
        level,
        payload.values.model_dump(exclude_unset=True),
        expected_version=payload.expected_version,
        reason=payload.reason,
        note=payload.note,
    )
    result.record.school = school
    body = {
        "created": result.created,
        "changed": result.changed,
        "warnings": [w.__dict__ for w in result.warnings],
        "record": result.record,
    }
    return Status(201 if result.created else 200, body)


def _reread(record_id: int) -> CensusRecord:
    return _records().get(pk=record_id)


@router.post("/records/{record_id}/submit", response={200: RecordOut, **CHANGE}, summary="提交审核 / submit for review")
def submit_record(request: HttpRequest, record_id: int) -> CensusRecord:
    actions.submit(request_user(request), _record(request, record_id))
    return _reread(record_id)


@router.post("/records/{record_id}/approve", response={200: RecordOut, **CHANGE}, summary="审核通过 / approve")
def approve_record(request: HttpRequest, record_id: int) -> CensusRecord:
    actions.approve(request_user(request), _record(request, record_id))
    return _reread(record_id)


@router.post("/records/{record_id}/return", response={200: RecordOut, **CHANGE}, summary="退回 / return with a reason")
def return_record(request: HttpRequest, record_id: int, payload: ReasonIn) -> CensusRecord:
    actions.return_record(request_user(request), _record(request, record_id), payload.reason)
    return _reread(record_id)


@router.get("/records/{record_id}/timeline", response={200: list[TimelineEntry], **READ}, summary="修改记录 / history")
def record_timeline(request: HttpRequest, record_id: int) -> list[dict[str, Any]]:
    """Every change of a figure, of the school's attributes that school year, and every workflow step,
    oldest first."""
    entries = actions.timeline(_record(request, record_id))
    return [{**e, "label": str(e["label"])} for e in entries]


@router.post(
    "/years/{county}/{year}/lock", response={200: CensusYearOut, **CHANGE}, summary="锁定年度 / lock a county's year"
)
def lock_year(request: HttpRequest, county: str, year: int = PathParam(..., ge=MIN_YEAR, le=MAX_YEAR)) -> CensusYear:
    return actions.lock_year(request_user(request), county_for(request, county), year)


@router.post(
    "/years/{county}/{year}/unlock", response={200: CensusYearOut, **CHANGE}, summary="解锁年度 / unlock, with a reason"
)
def unlock_year(
    request: HttpRequest, county: str, payload: ReasonIn, year: int = PathParam(..., ge=MIN_YEAR, le=MAX_YEAR)
) -> CensusYear:
    return actions.unlock_year(request_user(request), county_for(request, county), year, payload.reason)


# -- import --------------------------------------------------------------------------------------


def import_limit() -> int:
    """The largest census file accepted, in bytes (``DUDAO_IMPORT_MAX_BYTES``, default ``DUDAO_UPLOAD_MAX_BYTES``)."""
    return int(settings.DUDAO_IMPORT_MAX_BYTES)


def refuse_large_bodies(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """413 before a byte of an oversized upload is read (by its Content-Length), against the import's limit."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        length, limit = declared_length(request), import_limit()
        if length > limit + FORM_ALLOWANCE:
            return too_large_response(request, length, limit)
        return run(request, *args, **kwargs)

    return wrapper


class ValueChangeOut(Schema):
    field: str
    old: int | float | None = Field(description="the stored figure (null: a created record, or not given)")
    new: int | float | None


class RecordPlanOut(Schema):
    county_code: str
    school_code: str
    school_name: str
    level: str
    source_row: int
    action: str
    fields: list[str]
    status: str | None = Field(None, description="the stored record's status before the import (null: created)")
    back_to_review: bool = Field(False, description="an approved record the import changes: it needs approval again")
    values: list[ValueChangeOut] = Field(description="each figure given (created) or changed (updated), old and new")


class AbsentSchoolOut(Schema):
    county_code: str
    code: str
    name: str
    year: int


class ProblemOut(Schema):
    rule: str
    message_zh: str
    message_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None


class ImportOut(Schema):
    filename: str
    sheet: str
    year: int
    dry_run: bool
    rows: int
    counties: list[str]
    created: int
    updated: int
    unchanged: int
    values_changed: int
    schools_created: int
    school_years_created: int
    school_years_updated: int
    changes: list[RecordPlanOut]
    not_submitted: list[AbsentSchoolOut]
    warnings: list[ProblemOut]
    batch: int | None = Field(None, description="the import batch (None on a dry run)")


@router.post(
    "/imports",
    response={200: ImportOut, 201: ImportOut, **responses(400, 401, 403, 404, 413, 422, 503)},
    summary="导入统计文件 / import a census file",
)
@decorate_view(refuse_large_bodies)
def import_file(
    request: HttpRequest,
    file: UploadedFile = File(..., description=".xlsx or .csv in the template layout"),  # noqa: B008
    year: int = Form(..., ge=MIN_YEAR, le=MAX_YEAR),
    county: str | None = Form(None, description="the county of the file; absent: each row's county_code"),
    dry_run: bool = Form(False, description="check and report what would change, write nothing"),
    sheet: str | None = Form(None, description="the worksheet (default: the first one with a header row)"),
) -> Any:
    """Import a census file: every problem of the file is reported at once (400 ``invalid_file``, with
    sheet, row, column, value and rule of each, in Chinese and English) and then nothing is written.
    A dry run (200) reports what would change; an import (201) writes it as one batch."""
    limit = import_limit()
    if (file.size or 0) > limit:
        raise ApiError(413, *too_large(limit), [{"size": file.size}])
    region = county_for(request, county) if county else None
    name = Path(file.name or "upload").name
    with tempfile.TemporaryDirectory(prefix="dudao-import-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        result = import_census(
            path, year, county=region, user=request_user(request), dry_run=dry_run, sheet=sheet or None
        )
    body = {
        **{k: getattr(result, k) for k in ImportOut.model_fields if k not in ("changes", "not_submitted", "warnings")},
        "changes": [c.as_dict() for c in result.changes],
        "not_submitted": [asdict(a) for a in result.not_submitted],
        "warnings": [w.as_dict() for w in result.warnings],
        "batch": result.batch.pk if result.batch is not None else None,
    }
    return Status(200 if result.dry_run else 201, body)
