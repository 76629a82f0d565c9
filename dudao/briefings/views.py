"""The briefing pages: a county's briefing of a month (its figures, the highlights form, the download,
submitting it to the city's call); a city's calls (make one, see who submitted and who is late, read the
submitted briefings one by one or all in a .zip). Views parse, call an action, render."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.briefings import actions
from dudao.briefings.access import WRITE, access_briefing_call, access_briefing_county, access_city
from dudao.briefings.content import BriefingError, briefing_data, parse_period
from dudao.briefings.document import briefing_docx, file_name, sections
from dudao.briefings.models import Briefing, BriefingCall
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.tables import Column, Table
from dudao.tables import download as table_download

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def _attachment(content: bytes, name: str, kind: str = DOCX) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=kind)


@login_required
def county_latest(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A county's briefings: the month asked for (``?period=YYYY-MM``, the page's month switch), else this one."""
    county = access_briefing_county(request.user, code, this_month())
    period = request.GET.get("period", "").strip()
    try:
        parse_period(period)
    except BriefingError:
        period = this_month()
    return redirect("briefings:county", code=county.code, period=period)


@login_required
def county(request: AuthenticatedHttpRequest, code: str, period: str) -> HttpResponse:
    place = access_briefing_county(request.user, code, period)
    data = briefing_data(place, period)
    saved = Briefing.objects.filter(county=place, period=period).first()
    calls = list(BriefingCall.objects.filter(city_id=place.parent_id).order_by("-period")[:12])
    submitted = dict(Briefing.objects.filter(county=place, call__in=calls).values_list("call_id", "submitted_at"))
    return render(request, "briefings/county.html", {
        "county": place, "period": period, "data": data, "saved": saved, "sections": sections(data),
        "highlights": saved.highlights if saved else "",
        "can_write": WRITE in region_permissions(request.user, place),
        "call": next((c for c in calls if c.period == period), None),
        "calls": [(c, submitted.get(c.pk)) for c in calls], "today": timezone.localdate(),
    })  # fmt: skip


@login_required
@require_POST
def save(request: AuthenticatedHttpRequest, code: str, period: str) -> HttpResponse:
    place = access_briefing_county(request.user, code, period, WRITE)
    post = request.POST
    try:
        number = int(post.get("number", "").strip())
    except ValueError:
        number = 0
    masthead = actions.Masthead(
        number, post.get("issuer", ""), post.get("highlights", ""), post.get("send_to", ""), post.get("copy_to", "")
    )
    try:
        actions.save_briefing(request.user, place, period, masthead)
    except BriefingError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("已保存简报。"))
    return redirect("briefings:county", code=place.code, period=period)


@login_required
def download(request: AuthenticatedHttpRequest, code: str, period: str) -> FileResponse:
    place = access_briefing_county(request.user, code, period)
    data = briefing_data(place, period)
    return _attachment(briefing_docx(data), file_name(data))


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, code: str, period: str) -> HttpResponse:
    place = access_briefing_county(request.user, code, period, WRITE)
    try:
        actions.submit_briefing(request.user, place, period)
    except BriefingError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("已向市级报送简报。"))
    return redirect("briefings:county", code=place.code, period=period)


@dataclass
class Answer:
    """One county's answer to a call."""

    county: Region
    briefing: Briefing | None
    late: bool  # submitted after the deadline, or not yet and the deadline has passed

    @property
    def submitted(self) -> bool:
        return self.briefing is not None


def answers(call: BriefingCall, today: dt.date) -> list[Answer]:
    counties = Region.objects.filter(parent=call.city, level=Region.Level.COUNTY).order_by("code")
    briefings = {b.county_id: b for b in Briefing.objects.filter(call=call).defer("document")}
    out = []
    for c in counties:
        b = briefings.get(c.pk)
        day = timezone.localtime(b.submitted_at).date() if b is not None and b.submitted_at else None
        out.append(Answer(c, b, (day or today) > call.deadline))
    return out


def calls_table(place: Region, calls: list[BriefingCall], today: dt.date) -> Table:
    table = Table(f"briefing-calls-{place.code}", _("简报报送通知"), [
        Column("period", _("期间")), Column("deadline", _("截止日期")), Column("submitted", _("已报送"), "int"),
        Column("late", _("逾期未报"), "int"), Column("counties", _("县（市、区）数"), "int"),
    ])  # fmt: skip
    for c in calls:
        ans = answers(c, today)
        late = sum(a.late and not a.submitted for a in ans)
        table.rows.append({
            "period": c.period, "deadline": c.deadline.isoformat(), "submitted": sum(a.submitted for a in ans),
            "late": late, "counties": len(ans), "_href": {"period": reverse("briefings:call", args=[c.pk])},
            "_class": {"late": "bad" if late else ""},
        })  # fmt: skip
    return table


@login_required
def city(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    place = access_city(request.user, code)
    today = timezone.localdate()
    table = calls_table(place, list(BriefingCall.objects.filter(city=place).order_by("-period")), today)
    if (response := table_download(request, [table])) is not None:
        return response
    return render(request, "briefings/city.html", {
        "city": place, "table": table, "period": this_month(), "today": today,
        "default_deadline": today + dt.timedelta(days=7),
    })  # fmt: skip


@login_required
@require_POST
def make_call(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    place = access_city(request.user, code)
    try:
        deadline = dt.date.fromisoformat(request.POST.get("deadline", "").strip())
    except ValueError:
        messages.error(request, _("请填写报送截止日期（YYYY-MM-DD）。"))
        return redirect("briefings:city", code=place.code)
    try:
        call = actions.call_briefings(
            request.user, place, request.POST.get("period", "").strip(), deadline, request.POST.get("note", "")
        )
    except BriefingError as exc:
        messages.error(request, exc.text())
        return redirect("briefings:city", code=place.code)
    messages.success(request, _("已通知各县（市、区）报送简报。"))
    return redirect("briefings:call", pk=call.pk)


def answers_table(call: BriefingCall, rows: list[Answer]) -> Table:
    table = Table(f"briefing-call-{call.pk}", _("各县（市、区）报送情况"), [
        Column("county", _("县（市、区）")), Column("state", _("状态")), Column("at", _("报送时间")),
        Column("number", _("期号")), Column("file", _("简报")),
    ])  # fmt: skip
    for a in rows:
        b = a.briefing
        if b is not None and b.submitted_at:
            state = _("逾期报送") if a.late else _("已报送")
        else:
            state = _("逾期未报") if a.late else _("待报送")
        row: dict[str, object] = {
            "county": a.county.name, "state": state, "_class": {"state": "bad" if a.late else ("ok" if b else "")},
            "at": timezone.localtime(b.submitted_at).strftime("%Y-%m-%d %H:%M") if b and b.submitted_at else "",
            "number": _("第%(n)s期") % {"n": b.number} if b else "",
        }  # fmt: skip
        if b is not None:
            row["file"] = _("下载")
            row["_href"] = {"file": reverse("briefings:call_document", args=[call.pk, a.county.code])}
        table.rows.append(row)
    return table


@login_required
def call(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = access_briefing_call(request.user, pk)
    rows = answers(found, timezone.localdate())
    table = answers_table(found, rows)
    if (response := table_download(request, [table])) is not None:
        return response
    return render(request, "briefings/call.html", {
        "call": found, "city": found.city, "table": table, "submitted": sum(a.submitted for a in rows),
        "late": sum(a.late and not a.submitted for a in rows), "total": len(rows),
    })  # fmt: skip


def _submitted(call: BriefingCall) -> list[Briefing]:
    return list(
        Briefing.objects.filter(call=call, document__isnull=False).select_related("county").order_by("county__code")
    )


def _document(b: Briefing) -> bytes:
    return bytes(b.document or b"")


def _name(b: Briefing) -> str:
    return f"{b.county.name}教育督导工作简报-{b.period}-第{b.number}期.docx"


@login_required
def call_document(request: AuthenticatedHttpRequest, pk: int, code: str) -> FileResponse:
    found = access_briefing_call(request.user, pk)
    briefing = next((b for b in _submitted(found) if b.county.code == code), None)
    if briefing is None:
        raise Http404
    return _attachment(_document(briefing), _name(briefing))


@login_required
def call_zip(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Every briefing submitted to the call, in one .zip (one .docx per county)."""
    found = access_briefing_call(request.user, pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for b in _submitted(found):
            archive.writestr(_name(b), _document(b))
    return _attachment(buffer.getvalue(), f"{found.city.name}-{found.period}-工作简报.zip", "application/zip")
