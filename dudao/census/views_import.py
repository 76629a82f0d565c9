"""The import's preview and its confirmation (docs/adr/0017-import-preview.md).

The upload (``views.upload``) keeps the file and redirects here. The preview (GET, writes nothing) runs the
import as a dry run on the kept file and shows every problem, or per record and figure what would change,
the warnings and the approved records that would go back to review, all downloadable; its form confirms
exactly that (the preview's digest) or discards the file.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.census import actions
from dudao.census.access import access_import_county, access_pending_import
from dudao.census.actions import CensusError
from dudao.census.importing import ImportResult
from dudao.census.preview import level_label, preview_tables, problems_table
from dudao.census.views import _message
from dudao.engine import InputError
from dudao.http import AuthenticatedHttpRequest
from dudao.jobs.actions import background_import, queue_import
from dudao.tables import download


def _english() -> bool:
    return (get_language() or "").startswith("en")


@login_required
def preview(request: AuthenticatedHttpRequest, code: str, year: int, token: str) -> HttpResponse:
    county, own = access_import_county(request.user, code)
    pending = access_pending_import(request.user, county, year, token)
    if pending.expires_at <= timezone.now():  # swept on the next upload (a GET writes nothing)
        messages.error(request, _("上传的文件已过期（超过确认时限），请重新上传"))
        return redirect("census:upload", code=code, year=year)
    context: dict[str, Any] = {"county": county, "year": year, "pending": pending, "clerk": own is not None}
    try:
        result = actions.preview(request.user, pending)
    except InputError as error:
        problems = problems_table("import-problems", _("错误"), error.problems, _english())
        tables = [problems]
        context["problems"], context["problems_table"] = error.problems, problems
    else:
        tables = preview_tables(result, _english())
        context["result"], context["digest"] = result, result.digest()
        context["confirm_url"] = reverse("census:confirm", args=[code, year, token])
        context["tables"] = dict(zip(("records", "values", "warnings", "absent"), tables, strict=True))
        context["back_names"] = [f"{c.school_name}（{level_label(c.level)}）" for c in result.back_to_review]
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "census/preview.html", context)


def imported_message(result: ImportResult) -> str:
    text = _("已导入 %(file)s：新建 %(created)d 条，更新 %(updated)d 条（%(values)d 项数值），未变 %(unchanged)d 条。")
    text %= {
        "file": result.filename, "created": result.created, "updated": result.updated,
        "values": result.values_changed, "unchanged": result.unchanged,
    }  # fmt: skip
    if back := len(result.back_to_review):
        text += _("%(n)d 条已审核的记录已退回重新审核。") % {"n": back}
    if warned := len(result.warnings):
        text += _("%(n)d 条提示，相关记录须填写情况说明。") % {"n": warned}
    return text


@login_required
@require_POST
def confirm(request: AuthenticatedHttpRequest, code: str, year: int, token: str) -> HttpResponse:
    county, own = access_import_county(request.user, code)
    pending = access_pending_import(request.user, county, year, token)
    if background_import(pending):  # a large file: imported by a background job (dudao.jobs)
        job = queue_import(request.user, pending, request.POST.get("digest", ""))
        messages.success(request, _("文件较大，已在后台导入：完成后可在“后台任务”中查看结果。"))
        return redirect("jobs:detail", pk=job.pk)
    try:
        result = actions.confirm_upload(request.user, pending, request.POST.get("digest", ""))
    except CensusError as error:
        messages.error(request, _message(error))
        if error.code in ("upload_expired", "upload_changed"):
            return redirect("census:upload", code=code, year=year)
        return redirect("census:preview", code=code, year=year, token=token)
    except InputError:  # the stored data changed so that the file no longer passes: the preview lists why
        messages.error(request, _("预览之后数据已有变化，文件不再能导入，未写入任何数据；请查看下方的错误"))
        return redirect("census:preview", code=code, year=year, token=token)
    messages.success(request, imported_message(result))
    if own is not None:  # a school clerk: back to their schools, each with its status
        return redirect("home")
    return redirect("census:completeness", code=code, year=year)


@login_required
@require_POST
def discard(request: AuthenticatedHttpRequest, code: str, year: int, token: str) -> HttpResponse:
    county, _own = access_import_county(request.user, code)
    pending = access_pending_import(request.user, county, year, token)
    actions.discard_upload(request.user, pending)
    messages.success(request, _("已放弃导入 %(file)s，未写入任何数据。") % {"file": pending.filename})
    return redirect("census:upload", code=code, year=year)
