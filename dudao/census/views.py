"""Census pages: a county's completeness, a school's records (entry, review, history), year lock.

Views parse, call ``dudao.census.actions`` and render; objects are fetched through ``dudao.orgs.access``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.census import actions
from dudao.census.access import access_census_record, access_import_county
from dudao.census.actions import CensusError
from dudao.census.forms import CensusRecordForm
from dudao.census.models import CensusRecord, CensusYear
from dudao.census.reports import completeness, completeness_table, reminders_table
from dudao.engine import InputError
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_region, access_school, region_permissions, school_permissions
from dudao.orgs.models import SchoolYear
from dudao.parsing import read_int
from dudao.sheets.limits import current_limits, shown_bytes
from dudao.tables import download


def _plain(value: object) -> object:
    """8789.2800 (stored with 4 decimals) is shown as 8789.28."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _message(error: CensusError) -> str:
    return error.message_en if get_language().startswith("en") else error.message_zh


@login_required
def county_completeness(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    county = access_region(request.user, code)
    if county.level != "county":
        raise Http404
    report = completeness(county, year, timezone.localdate())
    perms = region_permissions(request.user, county)
    tables = [completeness_table(county, year, report)]
    if "review" in perms:
        tables.append(reminders_table(county, year))
    if (response := download(request, tables)) is not None:
        return response
    due = report.not_submitted
    return render(
        request,
        "census/completeness.html",
        {"county": county, "year": year, "report": report, "perms": perms, "table": tables[0],
         "reminders": tables[1] if len(tables) > 1 else None, "due": due},
    )  # fmt: skip


@login_required
def school_year(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    school = access_school(request.user, code)
    attributes = SchoolYear.objects.filter(school=school, year__lte=year).order_by("-year").first()
    if attributes is None:
        raise Http404
    perms = school_permissions(request.user, school)
    records = {r.level: r for r in CensusRecord.objects.filter(school=school, year=year)}
    previous = {r.level: r.values() for r in CensusRecord.objects.filter(school=school, year=year - 1)}
    locked = CensusYear.objects.filter(county_id=school.county_id, year=year, locked=True).exists()
    sections = []
    for level in actions.allowed_levels(attributes.school_type):
        record = records.get(level)
        if record is None and level == "all" and not any(lvl in records for lvl in ("primary", "junior")):
            continue  # a one-through school is entered either whole or by level; offer the level form first
        if record is None and level != "all" and "all" in records:
            continue
        figures = {k: _plain(v) for k, v in (record.values() if record else {}).items()}
        initial = {**figures, "version": record.version if record else 0, "note": record.note if record else ""}
        form = CensusRecordForm(initial=initial, level=level, prefix=level)
        timeline = actions.timeline(record) if record else []
        # Unusual figures (however entered: form, API or import) ask for an explanation note (情况说明).
        warnings = (
            actions.plausibility(record.values(), previous.get(level), attributes.school_type, level) if record else []
        )
        sections.append({"level": level, "record": record, "form": form, "timeline": timeline, "warnings": warnings})
    return render(
        request,
        "census/school.html",
        {"school": school, "attributes": attributes, "year": year, "sections": sections, "perms": perms,
         "locked": locked},
    )  # fmt: skip


@login_required
@require_POST
def save(request: AuthenticatedHttpRequest, code: str, year: int, level: str) -> HttpResponse:
    school = access_school(request.user, code, "edit")
    form = CensusRecordForm(request.POST, level=level, prefix=level)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else field}：{'；'.join(str(e) for e in errors)}",
            )
        return redirect("census:school", code=code, year=year)
    try:
        result = actions.save_record(
            request.user, school, year, level, form.figures(),
            expected_version=form.cleaned_data["version"] or None,
            reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
        )  # fmt: skip
    except CensusError as error:
        messages.error(request, _message(error))
        return redirect("census:school", code=code, year=year)
    if result.changed or result.created:
        messages.success(request, _saved_message(len(result.changed)))
    else:
        messages.info(request, _("已保存（数值没有变化）。"))
    return redirect("census:school", code=code, year=year)


def _saved_message(n: int) -> str:
    return _("已保存，%(n)d 项数值有变化。") % {"n": n}


TRANSITIONS = {"submit": actions.submit, "approve": actions.approve}


@login_required
@require_POST
def transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    record = access_census_record(request.user, pk)  # invisible → 404 before anything else
    what = {"level": record.get_level_display()}
    try:
        if action == "return":
            actions.return_record(request.user, record, request.POST.get("reason", ""))
            messages.success(request, _("已退回%(level)s数据，学校填报员已收到通知。") % what)
        elif action in TRANSITIONS:
            TRANSITIONS[action](request.user, record)
            done = _("已提交%(level)s数据，等待县级审核。") if action == "submit" else _("已审核通过%(level)s数据。")
            messages.success(request, done % what)
        else:
            raise Http404
    except CensusError as error:
        messages.error(request, _message(error))
    return redirect("census:school", code=record.school.code, year=record.year)


@login_required
def upload(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    """A county's census file: checked at once (every problem listed, nothing kept), else kept for its preview
    (``views_import.preview``: everything the import would change); nothing is imported before the preview
    is confirmed."""
    county, own = access_import_county(request.user, code)
    context: dict[str, object] = {"county": county, "year": year, "clerk": own is not None}
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            messages.error(request, _("请选择要导入的文件"))
        elif (file.size or 0) > (limit := current_limits().file_bytes):
            messages.error(request, _("文件超过 %(limit)s 的上限，请拆分后分别导入") % {"limit": shown_bytes(limit)})
        else:
            try:
                pending = actions.stage_upload(request.user, county, year, file.name or "", file.chunks())
            except InputError as error:  # every problem listed; neither the file nor a row is kept
                context["problems"], context["filename"] = error.problems, file.name
            except CensusError as error:  # e.g. a database that failed
                messages.error(request, _message(error))
            else:
                return redirect("census:preview", code=code, year=year, token=pending.token)
    return render(request, "census/upload.html", context)


@login_required
@require_POST
def deadline(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    county = access_region(request.user, code, "review")
    raw = request.POST.get("deadline", "").strip()
    try:
        value = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD"))
    else:
        actions.set_deadline(request.user, county, year, value)
        if value is None:
            messages.success(request, _("已取消填报截止日期。"))
        else:
            messages.success(request, _("填报截止日期已设为 %(date)s。") % {"date": value.isoformat()})
    return redirect("census:completeness", code=code, year=year)


@login_required
def lock(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    """GET: what locking the year would do (how many records are not approved), and the confirmation; POST
    with that number: lock. A lock whose number changed meanwhile is refused and shown again."""
    county = access_region(request.user, code, "review")
    if request.method == "POST":
        unapproved = read_int(request.POST.get("unapproved"), 0)
        if unapproved is None:  # not through the confirmation: show it
            return redirect("census:lock", code=code, year=year)
        try:
            actions.lock_year(request.user, county, year, confirmed_unapproved=unapproved)
        except CensusError as error:
            messages.error(request, _message(error))
            return redirect("census:lock", code=code, year=year)
        messages.success(request, _("已锁定 %(year)d 学年数据（%(n)d 条记录未审核）。此后任何修改须先解锁并说明原因。")
                         % {"year": year, "n": unapproved})  # fmt: skip
        return redirect("census:completeness", code=code, year=year)
    report = completeness(county, year, timezone.localdate())
    context = {"county": county, "year": year, "report": report, "unapproved": actions.unapproved(county, year)}
    return render(request, "census/lock_confirm.html", context)


@login_required
@require_POST
def unlock(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    county = access_region(request.user, code, "review")
    reason = request.POST.get("reason", "").strip()
    try:
        actions.unlock_year(request.user, county, year, reason)
    except CensusError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("已解锁 %(year)d 学年数据，原因：%(reason)s。") % {"year": year, "reason": reason})
    return redirect("census:completeness", code=code, year=year)


@login_required
@require_POST
def remind(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    """催报: every school not yet submitted, or the one named (``school``)."""
    county = access_region(request.user, code, "review")
    one = request.POST.get("school", "").strip()
    result = actions.remind(request.user, county, year, [one] if one else None)
    parts = []
    if result.sent:
        parts.append(
            _("已催报 %(n)d 所学校，通知 %(people)d 名填报员。") % {"n": len(result.sent), "people": result.notified}
        )
    if result.without_clerk:
        names = "、".join(r.name for r in result.without_clerk)
        parts.append(_("其中 %(names)s 没有填报员账号，未发出通知（已记录）。") % {"names": names})
    if result.already:
        names = "、".join(r.name for r in result.already)
        parts.append(_("%(names)s 今天已催报过，未重复发送。") % {"names": names})
    if result.submitted:
        parts.append(_("所选学校已提交或无须催报。"))
    if not parts:
        parts.append(_("没有未提交的学校，无须催报。"))
    (messages.success if result.sent else messages.info)(request, "".join(parts))
    return redirect("census:completeness", code=code, year=year)
