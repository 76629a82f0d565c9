"""What-if (模拟测算): a school's figures changed in a form, its verdict and the county's CVs
recomputed by the engine on the run's stored inputs. Nothing is saved, so reading the county is
enough (every role that may view it).

``whatif`` is the page: GET picks a school (``?school=code:level``) and may carry changed figures
(the download links of a what-if do); POST is the form without JavaScript. ``compute`` is the JSON
endpoint the page's script calls as the figures are typed (CSRF-protected, like every POST).
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.overview.views.balance import county_run
from dudao.overview.views.county import county_page, lang
from dudao.overview.whatif import Outcome, WhatIfError, choices, outcome
from dudao.tables import download


def _page_context(result: Outcome, page: str) -> dict[str, Any]:
    """What the result fragment reads; its download links carry the what-if as GET parameters."""
    query = QueryDict(mutable=True)
    query.update(result.query)
    return {"o": result, "download_request": SimpleNamespace(path=page, GET=query)}


@login_required
@require_http_methods(["GET", "POST"])
def whatif(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    context, run = county_run(request, code, year, standard_id, "whatif")
    if run is None:
        return render(request, "overview/whatif.html", context)
    values = request.POST if request.method == "POST" else request.GET
    context.update({"run": run, "choices": choices(run.result_obj), "selected": values.get("school", "")})
    if not context["selected"]:
        download(request, [])
        return render(request, "overview/whatif.html", context)
    try:
        result = outcome(run, context["selected"], values)
    except WhatIfError as error:
        context["input_error"] = error.text(lang())
        return render(request, "overview/whatif.html", context, status=400)
    if (response := download(request, result.tables)) is not None:
        return response
    context["selected"] = f"{result.part.school_code}:{result.part.level}"
    context.update(_page_context(result, request.path))
    return render(request, "overview/whatif.html", context)


def _error(error: WhatIfError | EvaluationError, status: int = 400) -> JsonResponse:
    body = {"code": error.code, "message": error.text(lang()), "message_zh": error.message_zh,
            "message_en": error.message_en, "field": getattr(error, "field", None)}  # fmt: skip
    return JsonResponse({"ok": False, "error": body}, status=status)


@login_required
@require_POST
def compute(request: HttpRequest, code: str, year: int, standard_id: str) -> JsonResponse:
    """``{"school": "code:level", "values": {figure: number or text}}`` → the what-if: ``html`` (the
    page's result block, as the page renders it) and ``result`` (the figures as [current, what-if])."""
    county, _standard = county_page(request, code, year, standard_id)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError, RawPostDataException):  # not JSON; a form already read as one
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("values", {}), dict):
        return _error(WhatIfError("bad_request", gettext_lazy('请求应为 JSON 对象：{"school": …, "values": {…}}')))
    try:
        run = stored_run(county, year, standard_id)
        result = outcome(run, str(body.get("school") or ""), body.get("values", {}))
    except (WhatIfError, EvaluationError) as error:
        return _error(error)
    page = reverse("overview:whatif", args=[county.code, year, standard_id])
    html = render_to_string("overview/_whatif_result.html", _page_context(result, page), request=request)
    return JsonResponse({"ok": True, "html": html, "result": result.data})
