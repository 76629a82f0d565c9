"""County items (政府保障、教育质量、社会认可度、一票否决) with evidence, and stored evaluation runs.

Views parse, call ``dudao.evaluation.actions`` and render; objects come through ``dudao.orgs.access`` and
``dudao.evaluation.access``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.actors import person
from dudao.evaluation import actions
from dudao.evaluation.access import access_evaluation_run, access_item_evidence
from dudao.evaluation.actions import EvaluationError
from dudao.evaluation.models import CountyItemValue
from dudao.evaluation.render import to_text
from dudao.orgs.access import access_region, region_permissions
from dudao.parsing import local_path
from dudao.standards import StandardError, load


def _message(error: EvaluationError) -> str:
    return error.message_en if get_language().startswith("en") else error.message_zh


def _standard(standard_id: str):
    try:
        return load(standard_id)
    except StandardError:
        raise Http404 from None


@login_required
def items(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county = access_region(request.user, code)
    standard = _standard(standard_id)
    stored = {
        i.code: i
        for i in CountyItemValue.objects.filter(county=county, year=year, standard_id=standard_id).prefetch_related(
            "evidence"
        )
    }
    areas = [(area, area.items) for area in standard.areas if area.basis == "items"]
    if standard.veto:
        areas.append((None, standard.veto))
    rows = [(area, [(item, stored.get(item.code)) for item in area_items]) for area, area_items in areas]
    return render(request, "evaluation/items.html", {
        "county": county, "year": year, "standard": standard, "rows": rows,
        "perms": region_permissions(request.user, county),
        "run": actions.latest_run(county, year, standard_id),
    })  # fmt: skip


@login_required
@require_POST
def save_item(request: HttpRequest, code: str, year: int, standard_id: str, item_code: str) -> HttpResponse:
    county = access_region(request.user, code, "review")
    try:
        actions.set_county_item(person(request.user), county, year, standard_id, item_code,
                                request.POST.get("value", ""), note=request.POST.get("note", ""),
                                reason=request.POST.get("reason", ""))  # fmt: skip
    except EvaluationError as error:
        messages.error(request, f"{item_code}：{_message(error)}")
    return redirect("evaluation:items", code=code, year=year, standard_id=standard_id)


@login_required
@require_POST
def save_items(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """The items page's one form: every item's value and note (``value-<code>``, ``note-<code>``)."""
    county = access_region(request.user, code, "review")
    standard = _standard(standard_id)
    codes = [i.code for area in standard.areas if area.basis == "items" for i in area.items]
    codes += [i.code for i in standard.veto]
    entries = {
        c: (request.POST.get(f"value-{c}", ""), request.POST.get(f"note-{c}", ""))
        for c in codes
        if f"value-{c}" in request.POST
    }
    try:
        n = actions.set_county_items(person(request.user), county, year, standard_id, entries)
    except EvaluationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("已保存县级指标：%(n)d 项有变化。") % {"n": n})
    return redirect("evaluation:items", code=code, year=year, standard_id=standard_id)


@login_required
@require_POST
def upload_evidence(request: HttpRequest, code: str, year: int, standard_id: str, item_code: str) -> HttpResponse:
    county = access_region(request.user, code, "review")
    file = request.FILES.get("file")
    try:
        item = CountyItemValue.objects.filter(county=county, year=year, standard_id=standard_id, code=item_code).first()
        if item is None:
            item = actions.set_county_item(person(request.user), county, year, standard_id, item_code, "")
        if file is not None:
            actions.attach_evidence(person(request.user), item, file)
    except EvaluationError as error:
        messages.error(request, f"{item_code}：{_message(error)}")
    return redirect("evaluation:items", code=code, year=year, standard_id=standard_id)


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    doc = access_item_evidence(request.user, pk)  # only those who may see the county get the file
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name)


@login_required
@require_POST
def evaluate(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county = access_region(request.user, code, "review")
    back = local_path(request, request.POST.get("next"))
    previous = actions.latest_run(county, year, standard_id)
    try:
        run = actions.evaluate_county(
            person(request.user), county, year, standard_id, province=previous.province if previous else None
        )
    except EvaluationError as error:
        messages.error(request, _message(error))
        return redirect(back or reverse("evaluation:items", args=[code, year, standard_id]))
    if back:
        messages.success(request, _("已按当前数据重新评估"))
        return redirect(back)
    return redirect("evaluation:run", pk=run.pk)


@login_required
def run(request: HttpRequest, pk: int) -> HttpResponse:
    stored = access_evaluation_run(request.user, pk)
    lang = "en" if get_language().startswith("en") else "zh"
    result = stored.result_obj
    return render(request, "evaluation/run.html", {
        "run": stored, "result": result, "report": to_text(result, lang), "stale": stored.is_stale(),
    })  # fmt: skip
