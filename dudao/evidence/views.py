"""The evidence of a county by indicator (佐证材料按指标): every file uploaded anywhere for the county and
year, filed under the indicators its source gives or a supervisor linked; the files with none are
listed first for the supervisor to link (one or more indicators each)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.actors import person
from dudao.evidence.access import LINK, access_evidence_county, access_evidence_file
from dudao.evidence.actions import EvidenceError, set_links
from dudao.evidence.catalogue import (
    ITEM,
    LIAISON,
    TASK,
    EvidenceFile,
    code_order,
    county_files,
    indicator_groups,
    indicator_names,
)
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import region_permissions
from dudao.tables import Column, Table, download

FILE_ROUTES = {ITEM: "evaluation:evidence", TASK: "rectification:evidence", LIAISON: "rectification:liaison_evidence"}


def file_url(f: EvidenceFile) -> str:
    return reverse(FILE_ROUTES[f.kind], args=[f.doc.pk])


def files_table(files: list[EvidenceFile], names: dict[str, str]) -> Table:
    columns = [
        Column("name", _("文件名")), Column("codes", _("指标")), Column("source", _("来源")),
        Column("about", _("关联事项")), Column("uploader", _("上传人")), Column("at", _("上传时间")),
    ]  # fmt: skip
    rows = [
        {"name": f.doc.original_name, "codes": "、".join(f"{c} {names.get(c, '')}".strip() for c in f.codes)
         or _("待关联"), "source": f.source, "about": f.about, "uploader": f.uploader,
         "at": f"{f.uploaded_at:%Y-%m-%d %H:%M}", "_href": {"name": f.url},
         "_class": {"codes": "" if f.codes else "warn"}}
        for f in files
    ]  # fmt: skip
    return Table("evidence", _("佐证材料清单"), columns, rows)


def _by_code(files: list[EvidenceFile], names: dict[str, str]) -> list[dict[str, Any]]:
    codes = list(names) + sorted({c for f in files for c in f.codes} - names.keys(), key=code_order)
    sections = []
    for code in codes:
        found = [f for f in files if code in f.codes]
        sections.append({"code": code, "name": names.get(code, ""), "files": found})
    return sections


@login_required
def by_indicator(request: AuthenticatedHttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county = access_evidence_county(request.user, code, year, standard_id)
    files = county_files(county, year, standard_id)
    for f in files:
        f.url = file_url(f)
    names = indicator_names(standard_id)
    table = files_table(files, names)
    if (response := download(request, [table])) is not None:
        return response
    sections = _by_code(files, names)
    return render(request, "evidence/by_indicator.html", {
        "county": county, "year": year, "standard_id": standard_id, "table": table,
        "unlinked": [f for f in files if not f.codes], "files": files,
        "with_files": [s for s in sections if s["files"]], "without": [s for s in sections if not s["files"]],
        "groups": indicator_groups(standard_id), "may_link": LINK in region_permissions(request.user, county),
    })  # fmt: skip


@login_required
@require_POST
def link(request: AuthenticatedHttpRequest, code: str, year: int, standard_id: str, key: str) -> HttpResponse:
    county = access_evidence_county(request.user, code, year, standard_id, LINK)
    ref = access_evidence_file(request.user, key, LINK)
    if ref.county.pk != county.pk:
        raise Http404
    try:
        codes = set_links(person(request.user), ref, standard_id, request.POST.getlist("codes"))
    except EvidenceError as exc:
        messages.error(request, exc.text())
    else:
        name = ref.doc.original_name
        if codes:
            messages.success(request, _("已将“%(name)s”关联到：%(codes)s") % {"name": name, "codes": "、".join(codes)})
        else:
            messages.success(request, _("已取消“%(name)s”的手动关联") % {"name": name})
    return redirect(reverse("evidence:by_indicator", args=[county.code, year, standard_id]) + f"#file-{key}")
