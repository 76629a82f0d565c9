"""The county's review queue (审核): every submitted record with its findings, its figures against last year's
and the school's indicators against the standard; approve, or return with a reason, on the record's page;
next and previous; approve every record without a finding in one step. Keyboard: j / k (next / previous),
r (the return reason), documented on the page; the buttons come in reading order.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.census import actions
from dudao.census.access import access_census_record
from dudao.census.actions import CensusError
from dudao.census.models import CensusRecord, CensusYear
from dudao.census.preview import level_label
from dudao.census.review import Entry, change_rows, entries, neighbours, queue
from dudao.census.views import _message
from dudao.engine.result import School as ResultSchool
from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_region, region_permissions
from dudao.orgs.models import Region
from dudao.overview.cockpit import school_parts
from dudao.parsing import read_id, read_int
from dudao.tables import Table, columns, download


def _county(request: HttpRequest, code: str) -> Region:
    county = access_region(request.user, code, "review")
    if county.level != Region.Level.COUNTY:
        raise Http404
    return county


def _run(county: Region, year: int) -> tuple[Any, str, str]:
    """The stored evaluation (or None), and why there is none (code, text)."""
    try:
        return stored_run(county, year, settings.DUDAO_DEFAULT_STANDARD), "", ""
    except EvaluationError as error:
        return None, error.code, error.text(get_language() or "zh")


def _parts(run: Any, entry: Entry) -> list[ResultSchool]:
    """The school's evaluated level parts the record describes (a whole-school record: all of them)."""
    if run is None:
        return []
    return [s for s in run.result_obj.schools if s.school_code == entry.record.school.code
            and (entry.record.level == "all" or s.level == entry.record.level)]  # fmt: skip


def _met(parts: list[ResultSchool]) -> str:
    if not parts:
        return "—"
    return " · ".join(
        f"{level_label(p.level)} {p.met_count}/{p.indicator_count}" if p.met_count is not None
        else level_label(p.level)
        for p in parts
    )  # fmt: skip


def queue_table(county: Region, year: int, queued: list[Entry], run: Any) -> Table:
    rows = []
    for e in queued:
        parts = _parts(run, e)
        verdicts = [p.passed for p in parts]
        rows.append({
            "school": e.name, "level": e.record.get_level_display(), "code": e.record.school.code,
            "submitted": timezone.localtime(e.record.updated_at).strftime("%Y-%m-%d %H:%M"),
            "met": _met(parts),
            "verdict": None if not verdicts or None in verdicts else all(verdicts),
            "impossible": len(e.impossible), "unusual": len(e.unusual),
            "note": _("有") if e.record.note.strip() else "",
            "_href": {"school": reverse("census:review_record", args=[county.code, year, e.record.pk])},
            "_row_class": "flagged" if e.findings else "",
        })  # fmt: skip
    return Table(
        "review-queue",
        _("待审核的记录"),
        columns(
            ("school", _("学校")),
            ("level", _("学段")),
            ("code", _("学校标识码")),
            ("submitted", _("提交时间")),
            ("met", _("达标项数")),
            ("verdict", _("每校要求"), "verdict"),
            ("impossible", _("不可能的数值"), "int"),
            ("unusual", _("提示"), "int"),
            ("note", _("情况说明")),
        ),
        rows,
        note=_("达标项数取本县最近一次评估的结果；有提示或不可能数值的记录须逐条审核。"),
    )


@login_required
def review_queue(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    county = _county(request, code)
    queued = queue(county, year)
    run, error_code, error = _run(county, year)
    table = queue_table(county, year, queued, run)
    if (response := download(request, [table])) is not None:
        return response
    clean = [e for e in queued if e.clean]
    return render(request, "census/review_queue.html", {
        "county": county, "year": year, "table": table, "queued": queued, "clean": clean,
        "run": run, "error_code": error_code, "error": error, "standard_id": settings.DUDAO_DEFAULT_STANDARD,
        "perms": region_permissions(request.user, county),
        "locked": CensusYear.objects.filter(county=county, year=year, locked=True).exists(),
    })  # fmt: skip


def changes_table(entry: Entry) -> Table:
    return Table(
        "year-on-year",
        _("与上学年比较"),
        columns(
            ("field", _("项目")),
            ("before", _("上学年")),
            ("now", _("本学年")),
            ("change", _("变化"), "percent", 1),
        ),
        change_rows(entry),
        note=_("标色的行有提示或不可能的数值；上学年为同一学段的记录。"),
    )


def _record(request: HttpRequest, code: str, year: int, pk: int) -> tuple[Region, CensusRecord]:
    county = _county(request, code)
    record = access_census_record(request.user, pk, "review")
    if record.school.county_id != county.pk or record.year != year:
        raise Http404
    return county, record


@login_required
def review_record(request: AuthenticatedHttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    county, record = _record(request, code, year, pk)
    (entry,) = entries([record], year)
    run, error_code, error = _run(county, year)
    parts = [p for p in school_parts(run.result_obj, record.school.code)
             if record.level == "all" or p.level == record.level] if run is not None else []  # fmt: skip
    changes = changes_table(entry)
    tables = [changes, *(p.table for p in parts)]
    if (response := download(request, tables)) is not None:
        return response
    previous, following, position, total = neighbours(county, year, record)
    return render(request, "census/review_record.html", {
        "county": county, "year": year, "entry": entry, "record": record, "parts": parts, "changes": changes,
        "run": run, "error_code": error_code, "error": error, "standard_id": settings.DUDAO_DEFAULT_STANDARD,
        "perms": region_permissions(request.user, county), "previous": previous, "following": following,
        "position": position, "total": total,
        "locked": CensusYear.objects.filter(county=county, year=year, locked=True).exists(),
    })  # fmt: skip


def _after(county: Region, year: int, record: CensusRecord) -> HttpResponse:
    """The next record in the queue after ``record``, or the queue when none is left."""
    _previous, following, _position, _total = neighbours(county, year, record)
    if following is None:
        return redirect("census:review", code=county.code, year=year)
    return redirect("census:review_record", code=county.code, year=year, pk=following)


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, code: str, year: int, pk: int, action: str) -> HttpResponse:
    county, record = _record(request, code, year, pk)
    (entry,) = entries([record], year)
    what = {"name": entry.name, "level": record.get_level_display()}
    try:
        if action == "approve":
            actions.approve(request.user, record)
            messages.success(request, _("已审核通过：%(name)s（%(level)s）。") % what)
        elif action == "return":
            reason = request.POST.get("reason", "").strip()
            actions.return_record(request.user, record, reason)
            messages.success(request, _("已退回：%(name)s（%(level)s），原因：%(reason)s。学校填报员已收到通知。")
                             % {**what, "reason": reason})  # fmt: skip
        else:
            raise Http404
    except CensusError as error:
        messages.error(request, _message(error))
        return redirect("census:review_record", code=code, year=year, pk=pk)
    return _after(county, year, record)


@login_required
@require_POST
def approve_clean(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    county = _county(request, code)
    shown: dict[int, int] = {}
    for item in request.POST.getlist("record"):
        pk, _sep, version = item.partition(":")
        record, seen = read_id(pk), read_int(version, 0)
        if record is not None and seen is not None:
            shown[record] = seen
    try:
        result = actions.approve_many(request.user, county, year, shown)
    except CensusError as error:
        messages.error(request, _message(error))
        return redirect("census:review", code=code, year=year)
    text = _("已审核通过 %(n)d 条。") % {"n": len(result.approved)}
    if result.changed:
        text += _("%(n)d 条在显示后已有变化，未审核，请重新查看。") % {"n": result.changed}
    if result.flagged:
        text += _("%(n)d 条有提示，须逐条审核。") % {"n": result.flagged}
    (messages.success if result.approved else messages.warning)(request, text)
    return redirect("census:review", code=code, year=year)
