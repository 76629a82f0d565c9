"""Request bodies are refused from their declared size, before they are received.

:class:`RequestBodyLimitMiddleware` (last in ``MIDDLEWARE``, so that the session, the language and the
user are known, and before any view or the CSRF check reads the body) answers 413 to a request whose
``Content-Length`` is over the largest upload the site accepts (``DUDAO_UPLOAD_MAX_BYTES``, or the
evidence or census import limit if larger) plus an allowance for the multipart framing and the form's
other fields: a JSON error body (ADR 0005) under ``/api/``, a readable page elsewhere. Nothing of the
body is read, so a client sending 21 MB is stopped after its headers. A view with a smaller limit
checks it again once the file's size is known (the census import: ``refuse_large_bodies`` in
``dudao.api.census`` also refuses by Content-Length, against its own limit).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from dudao.sheets.limits import current_limits, shown_bytes

# multipart framing and the form fields besides the file
FORM_ALLOWANCE = 64 * 1024


def upload_limit() -> int:
    """The largest file any upload of the site may carry, in bytes."""
    return max(
        current_limits().file_bytes,
        int(settings.DUDAO_EVIDENCE_MAX_BYTES),
        int(settings.DUDAO_IMPORT_MAX_BYTES),
    )


def declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
    """413 for a body of ``length`` bytes over the file ``limit``: the API's error body, or a page."""
    if request.path.startswith("/api/"):
        from dudao.api.errors import too_large as api_too_large

        code, zh, en = api_too_large(limit)
        body = {"code": code, "message_zh": zh, "message_en": en, "details": [{"content_length": length}]}
        return JsonResponse(body, status=413, json_dumps_params={"ensure_ascii": False})
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
    lang = "en" if get_language().startswith("en") else "zh"
    back = referer if safe else reverse("home")
    context = {"size": shown_bytes(length, lang), "limit": shown_bytes(limit, lang), "back": back}
    return render(request, "413.html", context, status=413)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        limit = upload_limit()
        if length > limit + FORM_ALLOWANCE:
            return too_large(request, length, limit)
        return self.get_response(request)
