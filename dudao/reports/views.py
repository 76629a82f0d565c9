"""A county's inspection-readiness page (自查自评与迎检): the self-evaluation report (.docx) and its
annex tables (.xlsx), generated on request from the current evaluation run; what is still missing for the
report, its 文号 and 落款, and the county's 主要做法与成效 texts.

Who: the county's supervisor and the city and province inspectors above it; any other user (an
observer, a school or department clerk, another county) gets a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.actors import person
from dudao.errors import ActionError
from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.evaluation.models import EvaluationRun
from dudao.evidence.catalogue import county_files
from dudao.orgs.access import region_permissions, visible_regions
from dudao.orgs.models import Region
from dudao.reports.access import READ, access_practice_text, access_report_county
from dudao.reports.actions import (
    ReportError,
    county_template,
    delete_practice,
    save_heading,
    save_practice,
    upload_template,
)
from dudao.reports.annex import annex_xlsx
from dudao.reports.content import file_names, note_name, report_data
from dudao.reports.document import TemplateRefused, note_docx, report_docx, template_path
from dudao.reports.findings import gaps
from dudao.reports.models import PracticeText, ReportHeading
from dudao.reports.pack import pack_entries, stream_pack
from dudao.tables import Column, Table, download
from dudao.views import current_year

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run(county: Region, year: int, standard_id: str) -> EvaluationRun:
    try:
        return stored_run(county, year, standard_id)
    except EvaluationError:
        raise Http404 from None


def counties_table(counties: list[Region], year: int, standard_id: str) -> Table:
    columns = [Column("county", _("县（市、区）")), Column("code", _("代码")), Column("report", _("自查自评与迎检")),
               Column("sampling", _("实地核验抽样"))]  # fmt: skip
    rows = [
        {"county": c.name, "code": c.code, "report": _("报告、附表与佐证材料"), "sampling": _("抽样与核验清单"),
         "_href": {"report": reverse("reports:county", args=[c.code, year, standard_id]),
                   "sampling": reverse("reports:draws", args=[c.code, year, standard_id])}}
        for c in counties
    ]  # fmt: skip
    return Table("counties", _("自查自评与迎检"), columns, rows)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The counties whose reports the user may fetch (their own, or those below an inspector)."""
    year, standard_id = current_year(), str(settings.DUDAO_DEFAULT_STANDARD)
    found = visible_regions(request.user).filter(level=Region.Level.COUNTY).order_by("code")
    table = counties_table([c for c in found if READ in region_permissions(request.user, c)], year,
                           standard_id)  # fmt: skip
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "reports/home.html", {"table": table, "year": year})


def _text(error: ActionError) -> str:
    return error.message_en if get_language().startswith("en") else error.message_zh


@login_required
def county(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """The report page: what is still missing (listed before the county generates the report), the 文号 and
    落款, the 主要做法与成效 texts, the downloads, the template, the evidence pack and sampling."""
    region = access_report_county(request.user, code, year, standard_id)
    run, error, data, missing = None, "", None, []
    try:
        run = stored_run(region, year, standard_id)
    except EvaluationError as exc:
        error = _text(exc)
    else:
        data = report_data(run)
        missing = gaps(data)
    saved = ReportHeading.objects.filter(county=region, year=year, standard_id=standard_id).first()
    files = county_files(region, year, standard_id)
    return render(request, "reports/county.html", {
        "county": region, "year": year, "standard_id": standard_id, "run": run, "error": error, "data": data,
        "gaps": missing, "saved": saved, "practice": PracticeText.objects.filter(county=region, year=year),
        "documents": len(files), "unlinked": sum(1 for f in files if not f.codes), "template": county_template(region),
        "may_upload": "review" in region_permissions(request.user, region),
    })  # fmt: skip


def _attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
def report(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    region = access_report_county(request.user, code, year, standard_id)
    data = report_data(_run(region, year, standard_id))
    own = county_template(region)
    if own is None:
        return _attachment(report_docx(data), file_names(data)[0], DOCX)
    try:
        with own.file.open("rb") as template:
            return _attachment(report_docx(data, template), file_names(data)[0], DOCX)
    except TemplateRefused as exc:  # a template stored before templates were checked as they are now
        messages.error(request, _text(exc))
        return redirect("reports:county", region.code, year, standard_id)


@login_required
def note(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """The note (说明) on what was missing when the report is generated; 404 when nothing is missing."""
    region = access_report_county(request.user, code, year, standard_id)
    data = report_data(_run(region, year, standard_id))
    missing = gaps(data)
    if not missing:
        raise Http404
    return _attachment(note_docx(data, missing), note_name(data), DOCX)


def _back(region: Region, year: int, standard_id: str, page: str = "county") -> HttpResponse:
    return redirect(f"reports:{page}", region.code, year, standard_id)


@login_required
@require_POST
def heading(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """POST the report's 文号 and 落款 (unit, date)."""
    region = access_report_county(request.user, code, year, standard_id)
    try:
        save_heading(person(request.user), region, year, standard_id, request.POST.get("doc_no"),
                     request.POST.get("issuer"), request.POST.get("issued_on"))  # fmt: skip
    except ReportError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, _("已保存文号与落款。"))
    return _back(region, year, standard_id)


@login_required
def practice(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """The county's 主要做法与成效 texts for the year: each part editable, and a form to add one (POST)."""
    region = access_report_county(request.user, code, year, standard_id)
    may_write = "review" in region_permissions(request.user, region)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        try:
            save_practice(person(request.user), region, year, request.POST.get("title"), request.POST.get("body"),
                          request.POST.get("order"))  # fmt: skip
        except ReportError as exc:
            messages.error(request, _text(exc))
        else:
            messages.success(request, _("已保存。"))
        return _back(region, year, standard_id, "practice")
    return render(request, "reports/practice.html", {
        "county": region, "year": year, "standard_id": standard_id, "may_write": may_write,
        "texts": PracticeText.objects.filter(county=region, year=year),
    })  # fmt: skip


@login_required
@require_POST
def practice_text(request: HttpRequest, code: str, year: int, standard_id: str, pk: int) -> HttpResponse:
    """POST a change to one part (or ``delete``)."""
    region, text = access_practice_text(request.user, code, year, standard_id, pk)
    actor = person(request.user)
    try:
        if request.POST.get("delete"):
            delete_practice(actor, text)
        else:
            save_practice(actor, region, year, request.POST.get("title"), request.POST.get("body"),
                          request.POST.get("order"), text)  # fmt: skip
    except ReportError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, _("已删除。") if request.POST.get("delete") else _("已保存。"))
    return _back(region, year, standard_id, "practice")


@login_required
def template(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """GET: the template in use (the county's own, else the shipped one); POST: upload the county's own."""
    region = access_report_county(request.user, code, year, standard_id)
    if request.method == "POST":
        if "review" not in region_permissions(request.user, region):
            raise PermissionDenied
        upload = request.FILES.get("template")
        try:
            if upload is None:
                raise TemplateRefused("required", gettext_lazy("请选择模板文件（.docx）"))
            upload_template(person(request.user), region, upload)
        except TemplateRefused as exc:
            messages.error(request, _text(exc))
        else:
            messages.success(request, _("已使用新的报告模板。"))
        return redirect("reports:county", region.code, year, standard_id)
    own = county_template(region)
    if own is None:
        return _attachment(template_path().read_bytes(), "自查自评报告模板.docx", DOCX)
    with own.file.open("rb") as f:
        return _attachment(f.read(), own.original_name, DOCX)


@login_required
def annex(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    data = report_data(_run(access_report_county(request.user, code, year, standard_id), year, standard_id))
    return _attachment(annex_xlsx(data), file_names(data)[1], XLSX)


@login_required
def pack(request: HttpRequest, code: str, year: int, standard_id: str) -> StreamingHttpResponse:
    """The evidence pack (.zip, streamed): the index (目录) and a folder per indicator, 待关联 for the rest."""
    region = access_report_county(request.user, code, year, standard_id)
    entries = pack_entries(region, year, standard_id)
    response = StreamingHttpResponse(stream_pack(region, year, entries), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"{region.name}{year}年度佐证材料.zip")
    return response
