"""Every error the API returns has one shape::

    {"code": "not_found", "message_zh": "…", "message_en": "…", "details": [...]}

Status codes and their ``code`` values:

====  ==========================================================================================
400   ``invalid_request`` (a parameter or body field is missing or malformed, or the body is not
      JSON; ``details`` lists each field with ``loc``, ``type``, ``message_en``), ``invalid_values``
      (``details``: each bad figure with ``field``, ``rule``, ``value``), ``bad_level``,
      ``reason_required``, ``invalid_file`` (census import: ``details`` holds every problem with
      sheet, row, column, value, rule, message_zh, message_en)
401   ``unauthenticated`` (no session and no token, or a wrong token)
403   ``forbidden`` (you can see the object but may not do this), ``csrf_failed``
404   ``not_found`` (no such object *or* one you may not see: the two are indistinguishable; also any
      path under ``/api/v1/`` that is no endpoint)
405   ``method_not_allowed`` (the ``Allow`` header lists the methods the path takes)
409   ``conflict`` (optimistic concurrency: the record changed since ``expected_version``;
      nothing was saved), ``lock_changed``, ``plan_changed`` and ``upload_changed`` (what was confirmed —
      the unapproved records of a lock, an import's preview, its kept file — is no longer so; nothing
      was done)
413   ``too_large`` (an upload over the limit, refused by its Content-Length before it is received)
422   a census rule refused a well-formed request in the current state: ``note_required``
      (``details`` holds the plausibility warnings), ``impossible_values`` (figures that cannot be
      true of one school, refused by the census rule table; ``details`` holds each one), ``year_locked``,
      ``bad_state``, ``already_locked``, ``not_locked``, ``upload_expired``, and any other census code
      not listed above
503   ``database_error`` (the database failed during an import — locked, read-only, full: nothing
      was written; try again later)
====  ==========================================================================================

Evaluation (``POST /evaluations``): 400 ``unknown_standard``, ``not_supported``; 409 ``busy`` (the data
kept changing while read; try again); 422 ``no_records``, ``invalid_data``; 404 ``not_a_county``
(not reached in practice: a code that is no county is ``not_found`` first). ``GET /evaluations`` is 404
``no_run`` for a county you may see that has not been evaluated.

The rule: 400 when the request itself is wrong whatever the data holds, 422 when it is well-formed
but the current state of the data refuses it, 409 when a concurrent change got in the way (retry
after reading again).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dudao.census.actions import CensusError
from dudao.engine.problems import InputError
from dudao.evaluation.actions import EvaluationError

CENSUS_ERROR_STATUS: dict[str, int] = {
    "conflict": 409,
    "lock_changed": 409,
    "plan_changed": 409,
    "upload_changed": 409,
    "upload_expired": 422,
    "database_error": 503,
    "invalid_values": 400,
    "bad_level": 400,
    "reason_required": 400,
    "note_required": 422,
    "impossible_values": 422,
    "year_locked": 422,
    "bad_state": 422,
    "already_locked": 422,
    "not_locked": 422,
}
CENSUS_ERROR_DEFAULT_STATUS = 422
EVALUATION_ERROR_STATUS: dict[str, int] = {
    "unknown_standard": 400,
    "not_supported": 400,
    "not_a_county": 404,
    "busy": 409,
    "no_records": 422,
    "invalid_data": 422,
}


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str
    details: list[dict[str, Any]] = []


def responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error statuses an endpoint documents in the OpenAPI document, all with the error body."""
    return dict.fromkeys(statuses, ErrorOut)


READ = responses(400, 401, 404)
CHANGE = responses(400, 401, 403, 404, 409, 422)


class ApiError(Exception):
    """An error raised by a handler with its status and body."""

    def __init__(
        self, status: int, code: str, message_zh: str, message_en: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        self.status, self.code, self.message_zh, self.message_en = status, code, message_zh, message_en
        self.details = details or []
        super().__init__(f"{status} {code}: {message_en}")


NOT_FOUND = ("not_found", "未找到该对象（或无权查看）", "not found (or not visible to you)")
UNAUTHENTICATED = ("unauthenticated", "请先登录，或提供有效的 API 令牌", "log in, or send a valid API token")
FORBIDDEN = ("forbidden", "无权执行该操作", "you may not do this")
CSRF_FAILED = (
    "csrf_failed",
    "CSRF 校验失败：会话方式修改数据须带 X-CSRFToken 请求头",
    "CSRF check failed: changes through a session need the X-CSRFToken header",
)
TOO_LARGE = ("too_large", "上传内容过大", "the upload is too large")


def too_large(limit: int) -> tuple[str, str, str]:
    size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return "too_large", f"上传内容过大，上限为 {size}", f"the upload is too large; the limit is {size}"


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message_zh: str,
    message_en: str,
    details: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body = {"code": code, "message_zh": message_zh, "message_en": message_en, "details": details or []}
    return api.create_response(request, body, status=status)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in e.get("loc", ())], "type": e.get("type", ""), "message_en": e.get("msg", "")}
        for e in errors
    ]


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (``{"detail": ...}``) with ours."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message_zh, exc.message_en, exc.details)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            api, request, 400, "invalid_request", "请求参数有误", "invalid request parameters",
            _validation_details(exc.errors),
        )  # fmt: skip

    def on_census(request: HttpRequest, exc: CensusError) -> HttpResponse:
        status = CENSUS_ERROR_STATUS.get(exc.code, CENSUS_ERROR_DEFAULT_STATUS)
        return error_response(api, request, status, exc.code, exc.message_zh, exc.message_en, exc.details)

    def on_evaluation(request: HttpRequest, exc: EvaluationError) -> HttpResponse:
        status = EVALUATION_ERROR_STATUS.get(exc.code, CENSUS_ERROR_DEFAULT_STATUS)
        return error_response(api, request, status, exc.code, exc.message_zh, exc.message_en, exc.details)

    def on_input(request: HttpRequest, exc: InputError) -> HttpResponse:
        n = len(exc.problems)
        return error_response(
            api, request, 400, "invalid_file", f"文件有 {n} 处错误，未导入任何数据",
            f"{n} problem(s) in the file; nothing was imported", [p.as_dict() for p in exc.problems],
        )  # fmt: skip

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, *NOT_FOUND)

    def on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 403, *FORBIDDEN)

    def on_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 413, *TOO_LARGE)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError) or exc.status_code == 401:
            return error_response(api, request, 401, *UNAUTHENTICATED)
        if exc.status_code == 403 and "CSRF" in exc.message:
            return error_response(api, request, 403, *CSRF_FAILED)
        if exc.status_code == 403:
            return error_response(api, request, 403, *FORBIDDEN)
        if exc.status_code == 400:  # e.g. a body that is not JSON
            return error_response(api, request, 400, "invalid_request", "请求内容无法解析", exc.message)
        return error_response(api, request, exc.status_code, "http_error", exc.message, exc.message)

    api.exception_handler(ApiError)(on_api_error)
    api.exception_handler(ValidationError)(on_validation)
    api.exception_handler(CensusError)(on_census)
    api.exception_handler(EvaluationError)(on_evaluation)
    api.exception_handler(InputError)(on_input)
    api.exception_handler(Http404)(on_not_found)
    api.exception_handler(PermissionDenied)(on_forbidden)
    api.exception_handler(RequestDataTooBig)(on_too_large)
    api.exception_handler(HttpError)(on_http_error)
