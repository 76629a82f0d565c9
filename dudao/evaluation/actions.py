"""Every change in evaluation: evaluate a county's stored data, set a county item, attach evidence.

Each action checks permission through ``dudao.orgs.access`` (``review`` on the county), writes
inside a transaction and leaves its trail (the run itself, :class:`CountyItemChange`, the evidence
row with uploader and time). Refusals are :class:`EvaluationError` with a stable code and Chinese
and English messages; nothing is written when an action is refused.

The evaluation is the engine's: ``census_table`` → ``evaluate_table`` → ``county_result``, the same
functions ``dudao evaluate`` runs on a spreadsheet.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, system, user_of
from dudao.census.models import CensusRecord, CensusYear
from dudao.census.tables import census_table
from dudao.engine import InputError, county_result, evaluate_table, parse_item_values, result_summary
from dudao.errors import ActionError, Both
from dudao.evaluation.models import (
    CountyItemChange,
    CountyItemValue,
    EvaluationRun,
    Evidence,
    RefreshFailure,
    data_version,
    data_versions,
)
from dudao.evaluation.refresh import after_change
from dudao.evidence import UploadRefused, check_upload, save_with_file
from dudao.orgs.access import region_permissions
from dudao.orgs.actions.town_groups import town_groups
from dudao.orgs.models import Region
from dudao.standards import Standard, StandardError, load


class EvaluationError(ActionError):
    """A refused evaluation action (docs/adr/0026)."""


def _require_review(actor: Actor, county: Region) -> None:
    """The system acts unchecked (docs/adr/0008-actors.md); people need ``review`` on the county."""
    if not is_system(actor) and "review" not in region_permissions(actor, county):
        raise PermissionDenied


def _check_county(county: Region) -> None:
    if county.level != Region.Level.COUNTY:
        raise EvaluationError(
            "not_a_county",
            gettext_lazy("“%(county_name)s”不是县级区域，只能评估县（市、区）"),
            county_name=Both(county.name, county.code),
        )


def _standard(standard_id: str, province: str | None = None) -> Standard:
    try:
        return load(standard_id, province=province or None)
    except StandardError as exc:
        raise EvaluationError("unknown_standard", gettext_lazy("无法加载评估标准：%(exc)s"), exc=exc) from exc


def current_items(county: Region, year: int, standard_id: str) -> dict[str, Any]:
    """The county items as entered (cleared items left out), as the engine reads them."""
    rows = CountyItemValue.objects.filter(county=county, year=year, standard_id=standard_id, value__isnull=False)
    return {code: value for code, value in rows.values_list("code", "value") if value is not None}


def latest_run(county: Region, year: int, standard_id: str) -> EvaluationRun | None:
    """The most recent run for the county, year and standard (any provincial profile), or None."""
    return (
        EvaluationRun.objects.filter(county=county, year=year, standard_id=standard_id)
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_runs(counties: list[Region], year: int, standard_id: str) -> dict[int, EvaluationRun]:
    """The latest run of each county (by county pk), in one query; the full ``result`` and ``inputs``
    are not read (lists use ``summary``)."""
    latest = (
        EvaluationRun.objects.filter(county=OuterRef("county"), year=year, standard_id=standard_id)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    runs = EvaluationRun.objects.filter(
        county__in=counties, year=year, standard_id=standard_id, pk=Subquery(latest)
    ).defer("result", "inputs")
    return {run.county_id: run for run in runs}


def stale_counties(runs: dict[int, EvaluationRun], year: int, standard_id: str) -> set[int]:
    """The counties among ``runs`` whose data changed since their run (two queries in all)."""
    versions = data_versions(runs, year, standard_id)
    return {pk for pk, run in runs.items() if run.data_version != versions[pk]}


def stored_run(county: Region, year: int, standard_id: str) -> EvaluationRun:
    """What pages show: the latest stored run, never a new one (a GET does not evaluate; results are
    brought up to date by a job when the data changes, ADR 0020). ``run.stale`` tells whether the
    data changed since (a job is updating it, or the data as it is now cannot be evaluated).

    Raises :class:`EvaluationError` ``no_records`` when the county has no census data for the year,
    ``not_evaluated`` when it has but no result was stored yet."""
    run = latest_run(county, year, standard_id)
    if run is None:
        if not CensusRecord.objects.filter(school__county=county, year=year).exists():
            raise EvaluationError(
                "no_records",
                gettext_lazy("%(county_name)s%(year)s学年没有学校统计数据，无法评估"),
                county_name=Both(county.name, county.code),
                year=year,
            )
        raise EvaluationError(
            "not_evaluated",
            gettext_lazy("%(county_name)s%(year)s学年尚未评估：县级督导室审核数据后点击“评估”即生成结果"),
            county_name=Both(county.name, county.code),
            year=year,
        )
    current = data_version(county.pk, year, standard_id)
    run.stale = run.data_version != current
    if run.stale:
        run.failure = RefreshFailure.objects.filter(
            county=county, year=year, standard_id=standard_id, data_version=current
        ).first()
    return run


def current_run(county: Region, year: int, standard_id: str) -> EvaluationRun:
    """For actions (a POST) that need the result on the data as it is now: the latest run if nothing
    changed since, else a new run computed and stored as the system. Pages use :func:`stored_run`.
    Raises :class:`EvaluationError` when there is nothing to evaluate or the stored data cannot be
    evaluated."""
    run = latest_run(county, year, standard_id)
    if run is not None and not run.is_stale():
        return run
    return evaluate_county(
        system("re-evaluation after a data change"), county, year, standard_id, province=run.province if run else None
    )


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _inputs(
    frame: pd.DataFrame, present: frozenset[str], items: dict[str, Any], town_groups: dict[str, list[str]]
) -> dict[str, Any]:
    """The engine's input as JSON: enough for :meth:`EvaluationRun.reproduce` (the county's groups of
    towns only when it has some: runs stored before have none)."""
    numeric = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    return {
        "columns": list(frame.columns),
        "numeric": numeric,
        "schools": [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)],
        "present": sorted(present),
        "items": items,
        **({"town_groups": town_groups} if town_groups else {}),
    }


def _problems(exc: InputError, frame: pd.DataFrame) -> EvaluationError:
    """The engine's problems, naming the school and census record instead of a spreadsheet row."""
    schools = dict(zip(frame["source_row"], frame["school_code"], strict=True))
    details, zh, en = [], [], []
    for p in exc.problems:
        school = schools.get(p.row)
        details.append({**p.as_dict(), "record": p.row, "school_code": school})
        zh.append(f"学校 {school}：{p.message_zh}" if school else p.message_zh)
        en.append(f"school {school}: {p.message_en}" if school else p.message_en)
    return EvaluationError(
        "invalid_data",
        gettext_lazy("统计数据无法评估：%(problems)s"),
        details,
        problems=Both("；".join(zh[:10]), "; ".join(en[:10])),
    )


def evaluate_county(
    actor: Actor, county: Region, year: int, standard_id: str, province: str | None = None
) -> EvaluationRun:
    """Evaluate the county's stored census for ``year`` and its county items; store the snapshot."""
    _require_review(actor, county)
    _check_county(county)
    standard = _standard(standard_id, province)
    if not any(area.basis == "school_table" for area in standard.areas):
        raise EvaluationError(
            "not_supported",
            gettext_lazy("标准 %(standard_id)s 不按学校统计数据评估，暂不支持"),
            standard_id=standard_id,
        )
    with transaction.atomic():
        # The version stored must describe exactly the data read: read between two equal versions.
        for _attempt in range(3):
            before = data_version(county.pk, year, standard_id)
            frame, present = census_table([county], year)
            stored_items = current_items(county, year, standard_id)
            groups = town_groups(county)
            statuses = dict(
                CensusRecord.objects.filter(school__county=county, year=year)
                .values_list("status")
                .annotate(n=Count("pk"))
                .order_by()
            )
            if data_version(county.pk, year, standard_id) == before:
                break
        else:
            raise EvaluationError("busy", gettext_lazy("数据正在被修改，请稍后重新评估"))
        if frame.empty:
            raise EvaluationError(
                "no_records",
                gettext_lazy("%(county_name)s%(year)s学年没有学校统计数据，无法评估"),
                county_name=Both(county.name, county.code),
                year=year,
            )
        try:
            items = parse_item_values(standard, stored_items)
            evaluation = evaluate_table(frame, standard, present)
        except InputError as exc:
            raise _problems(exc, frame) from exc
        result = county_result(evaluation, county.code, items, groups)
        run = EvaluationRun.objects.create(
            county=county,
            year=year,
            standard_id=standard_id,
            province=province or "",
            standard_version=standard.version,
            data_version=before,
            result=result.to_dict(),
            summary=result_summary(result).to_dict(),
            inputs=_inputs(frame, present, items, groups),
            passed=result.passed,
            records_by_status=statuses,
            census_locked=CensusYear.objects.filter(county=county, year=year, locked=True).exists(),
            created_by=user_of(actor),
        )
        RefreshFailure.objects.filter(county=county, year=year, standard_id=standard_id).delete()
        return run


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def set_county_item(
    actor: Actor,
    county: Region,
    year: int,
    standard_id: str,
    code: str,
    value: Any,
    note: str = "",
    reason: str = "",
) -> CountyItemValue:
    """Enter or change one county item (a blank value clears it); every change is kept with who, when
    and why. Unknown codes and values the item cannot take are refused."""
    _require_review(actor, county)
    _check_county(county)
    standard = _standard(standard_id)
    try:
        parsed = parse_item_values(standard, {code: None if _blank(value) else value})
    except InputError as exc:
        problem = exc.problems[0]
        raise EvaluationError.bilingual(
            problem.rule, problem.message_zh, problem.message_en, [problem.as_dict()]
        ) from exc
    new = parsed.get(code)
    who = user_of(actor)
    with transaction.atomic():
        item = (
            CountyItemValue.objects.select_for_update()
            .filter(county=county, year=year, standard_id=standard_id, code=code)
            .first()
        )
        created = item is None
        if item is None:
            item = CountyItemValue(county=county, year=year, standard_id=standard_id, code=code)
        old = item.value
        if not created and old == new and type(old) is type(new) and item.note == note:
            return item  # nothing changed: nothing written
        item.value, item.note, item.updated_by = new, note, who
        item.save()
        CountyItemChange.objects.create(item=item, old=old, new=new, note=note, user=who, reason=reason)
        after_change([county.pk], year)
    return item


def set_county_items(
    actor: Actor, county: Region, year: int, standard_id: str, entries: dict[str, tuple[Any, str]], reason: str = ""
) -> int:
    """Enter or change many county items at once (the items page's one form): ``entries`` is code -> (value,
    note). Every value is checked first: any bad one refuses the whole form (``EvaluationError`` naming each,
    nothing written). Then each item whose value or note changed is saved as :func:`set_county_item` saves it
    (its history, the stale run), in one transaction; returns how many changed."""
    _require_review(actor, county)
    _check_county(county)
    standard = _standard(standard_id)
    try:
        parse_item_values(standard, {code: None if _blank(v) else v for code, (v, _note) in entries.items()})
    except InputError as exc:
        zh = "；".join(p.message_zh for p in exc.problems)
        en = "; ".join(p.message_en for p in exc.problems)
        raise EvaluationError(
            "bad_item_value",
            gettext_lazy("未保存任何指标：%(zh)s"),
            [p.as_dict() for p in exc.problems],
            zh=Both(zh, en),
        ) from exc
    stored = {i.code: i for i in CountyItemValue.objects.filter(county=county, year=year, standard_id=standard_id)}
    changed = 0
    with transaction.atomic():
        for code, (value, note) in entries.items():
            item = stored.get(code)
            if item is None and _blank(value) and not note:
                continue  # neither entered before nor now
            before = (item.value, item.note) if item is not None else None
            saved = set_county_item(actor, county, year, standard_id, code, value, note=note, reason=reason)
            changed += before != (saved.value, saved.note)
    return changed


def attach_evidence(actor: Actor, item: CountyItemValue, uploaded_file: File) -> Evidence:
    """Store a supporting document for ``item``. Refused (nothing stored) when too large, empty, of a
    type not accepted, or when its content does not match its extension (``dudao.evidence``)."""
    county = Region.objects.get(pk=item.county_id)
    _require_review(actor, county)
    try:
        checked = check_upload(uploaded_file)
    except UploadRefused as refused:
        raise EvaluationError(refused.code, refused.message, **refused.params) from None
    evidence = Evidence(item=item)
    evidence.describe(checked, user_of(actor))
    save_with_file(evidence, uploaded_file, checked)
    return evidence
