"""Refuse a request that carries a NUL character (400), before any view reads it (ADR 0021).

PostgreSQL cannot store or compare text holding NUL: a school code ``a%00b`` in a URL, a query value or a
form field reached the database and failed there (a 500 on PostgreSQL, nothing on SQLite). No field of
this site can hold one, so the request is refused whole: the API's error body under ``/api/``, else the
400 page. Files are not looked at (they are bytes; their names are checked where they are stored).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render

NUL = "\x00"
_JSON_NUL = re.compile(rb"\x00|\\u0000", re.IGNORECASE)


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _has_nul(request.GET):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    try:
        if request.content_type == "multipart/form-data":  # streamed: its files are never held in memory
            return _has_nul(request.POST)
        raw = request.body  # read first, so that a view may still read the body after the form is parsed
        if request.content_type == "application/x-www-form-urlencoded":
            return _has_nul(request.POST)
        return bool(_JSON_NUL.search(raw))
    except (RequestDataTooBig, TooManyFieldsSent):  # the view answers these as it always did (413, 400)
        return False


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not carries_nul(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            body = {
                "code": "invalid_request", "message_zh": "请求中含有空字符（NUL），无法处理",
                "message_en": "the request holds a NUL character, which no field can take", "details": [],
            }  # fmt: skip
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", status=400)
