"""The births page (出生人口, ``planning:births``): births per town and year, the known changes, the grade
history held, and their imports — the inputs of the enrolment forecast a county keeps up to date.

Everyone who may view the county sees the page; the county office (``review``) uploads files (a preview
that writes nothing, then a confirmation of exactly that; or a direct import, checked the same way) and
adds, changes or deletes known changes. A GET never writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.census.preview import problems_table
from dudao.engine import InputError
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.overview.cockpit import default_standard, years_with_data
from dudao.planning import actions
from dudao.planning.access import EDIT, access_known_change, access_planning_county
from dudao.planning.forms import KnownChangeForm, UploadForm
from dudao.planning.importing import FilePlan, plan_from_payload, read_births, read_history
from dudao.planning.models import KnownChange
from dudao.planning.tables import births_table, changes_table, history_table, plan_table, template_bytes
from dudao.tables import XLSX_TYPE, download

MAX_UPLOAD = 5 * 1024 * 1024


def _year(county: Region) -> int:
    years = years_with_data(county.pk)
    return years[0] if years else timezone.localdate().year


def _context(request: AuthenticatedHttpRequest, county: Region, **extra: Any) -> dict[str, Any]:
    editable = EDIT in region_permissions(request.user, county)
    year = _year(county)
    return {
        "county": county, "year": year, "standard_id": default_standard(), "editable": editable,
        "births": births_table(county), "changes": changes_table(county, editable), "history": history_table(county),
        "upload_form": UploadForm(), "tab": "births", **extra,
    }  # fmt: skip


@login_required
def births(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county = access_planning_county(request.user, code)
    context = _context(request, county)
    if (response := download(request, [context["births"], context["changes"], context["history"]])) is not None:
        return response
    return render(request, "planning/births.html", context)


@login_required
def template(request: AuthenticatedHttpRequest, code: str, kind: str) -> HttpResponse:
    county = access_planning_county(request.user, code)
    if kind not in ("births", "history"):
        raise Http404
    response = HttpResponse(template_bytes(county, kind, _year(county)), content_type=XLSX_TYPE)
    name = "births" if kind == "births" else "grade-history"
    response["Content-Disposition"] = f'attachment; filename="{county.code}-{name}.xlsx"'
    return response


def _read(county: Region, kind: str, name: str, data: bytes) -> FilePlan:
    return (read_births if kind == "births" else read_history)(county, name, data)


def _imported(plan: FilePlan, counts: dict[str, int]) -> str:
    return _("已导入 %(file)s：新增 %(create)d 项，修改 %(update)d 项，未变 %(unchanged)d 项。") % {
        "file": plan.filename or _("预览的数据"),
        **counts,
    }


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Check the file whole: its problems, or its plan (``preview``) or the import itself (``import``)."""
    county = access_planning_county(request.user, code, EDIT)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "planning/births.html", _context(request, county, upload_form=form), status=400)
    upload = form.cleaned_data["file"]
    kind = form.cleaned_data["kind"]
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("文件超过 5 MB，未导入"))
        return redirect("planning:births", code=code)
    try:
        plan = _read(county, kind, upload.name, upload.read())
    except InputError as error:
        english = (get_language() or "").startswith("en")
        problems = problems_table("import-problems", _("错误"), error.problems, english)
        context = _context(request, county, problems=problems, filename=upload.name, upload_form=form)
        return render(request, "planning/births.html", context, status=400)
    if "import" in request.POST:
        counts = actions.import_plan(request.user, county, plan)
        messages.success(request, _imported(plan, counts))
        return redirect("planning:births", code=code)
    context = _context(request, county, plan=plan, plan_table=plan_table(plan), kind=kind, upload_form=form)
    return render(request, "planning/births.html", context)


@login_required
@require_POST
def confirm(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Import exactly what the preview showed (its figures, checked again; refused if the plan changed)."""
    county = access_planning_county(request.user, code, EDIT)
    kind = request.POST.get("kind", "")
    if kind not in ("births", "history"):
        messages.error(request, _("预览数据无效，请重新上传"))
        return redirect("planning:births", code=code)
    try:
        plan = plan_from_payload(county, kind, request.POST.get("payload", ""))
        plan.filename = request.POST.get("filename", "")[:255]
        counts = actions.import_plan(request.user, county, plan, expected_digest=request.POST.get("digest", ""))
    except InputError:
        messages.error(request, _("预览数据无效，请重新上传"))
        return redirect("planning:births", code=code)
    except actions.PlanningError as error:
        messages.error(request, error.text())
        return redirect("planning:births", code=code)
    messages.success(request, _imported(plan, counts))
    return redirect("planning:births", code=code)


def _change_values(form: KnownChangeForm) -> actions.ChangeValues:
    data = form.cleaned_data
    return actions.ChangeValues(
        name=data["name"], level=data["level"], from_year=data["from_year"], pupils=data["pupils"],
        town=data.get("town"), school=form.chosen_school(), note=data.get("note") or "",
    )  # fmt: skip


def _change_form(request: AuthenticatedHttpRequest, county: Region, change: KnownChange | None) -> HttpResponse:
    year = _year(county)
    if request.method == "POST":
        form = KnownChangeForm(request.POST, county=county, year=year)
        if form.is_valid():
            try:
                actions.save_change(request.user, county, _change_values(form), change)
            except actions.PlanningError as error:
                form.add_error(None, error.text())
            else:
                messages.success(request, _("已保存已知变化“%(name)s”") % {"name": form.cleaned_data["name"]})
                return redirect("planning:births", code=county.code)
    else:
        initial = KnownChangeForm.initial_of(change) if change else {"level": "primary", "from_year": year + 1}
        form = KnownChangeForm(initial=initial, county=county, year=year)
    context = {"county": county, "year": year, "standard_id": default_standard(), "form": form, "change": change,
               "tab": "births"}  # fmt: skip
    return render(request, "planning/change_form.html", context, status=400 if form.errors else 200)


@login_required
def change_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county = access_planning_county(request.user, code, EDIT)
    return _change_form(request, county, None)


@login_required
def change_edit(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    county = access_planning_county(request.user, code)
    change = access_known_change(request.user, county, pk, EDIT)
    return _change_form(request, county, change)


@login_required
@require_POST
def change_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    county = access_planning_county(request.user, code)
    change = access_known_change(request.user, county, pk, EDIT)
    actions.delete_change(request.user, change)
    messages.success(request, _("已删除已知变化“%(name)s”") % {"name": change.name})
    return redirect("planning:births", code=code)
