"""The NinjaAPI behind ``/api/v1/``: authentication, error handlers, the routers.

Authentication, tried in this order:

1. ``Authorization: Bearer <key>`` — an :class:`~dudao.api.models.ApiToken` (issue one with
   ``dudao create_api_token <username> <name>``). A header with a wrong key is 401 even if the browser
   also sends a session: the token alone decides.
2. The Django session of a logged-in browser. Unsafe methods (POST, PUT, …) then need the CSRF token
   (``X-CSRFToken`` header), as for any form of the site.

Anything else is 401. What an authenticated user may see and do is decided by ``dudao.orgs.access``
and the apps' actions, exactly as in the web pages.

The OpenAPI document is at ``/api/v1/openapi.json`` and the interactive page at ``/api/v1/docs``;
both are public (they describe the API, not the data).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from dudao.api import census, docs, errors, evaluation, forecast, orgs, plans, rectification, schools, seats
from dudao.api.models import ApiToken
from dudao.security.throttle import token_allowed, token_failed


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``; the key is looked up by its hash."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        if not token_allowed(request):  # too many bad tokens (or passwords) from this address
            request.axes_locked_out = True  # type: ignore[attr-defined]  # answered 429 by axes' middleware
            raise AuthenticationError
        user = ApiToken.user_for_key(token.strip())
        if user is None:
            token_failed(request)
            raise AuthenticationError  # never fall back to the session with a bad token
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session, with the CSRF check on unsafe methods.

    Unlike ninja's ``django_auth`` the CSRF check runs only for a logged-in session: a request with
    neither session nor token is 401 (not a misleading CSRF 403).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)  # raises HttpError(403) when the CSRF check fails

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


def _json_error(status: int, code: str, message_zh: str, message_en: str) -> JsonResponse:
    body = {"code": code, "message_zh": message_zh, "message_en": message_en, "details": []}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything under /api/v1/ that is no endpoint: the usual 404 body, not Django's HTML page."""
    return _json_error(404, *errors.NOT_FOUND)


def _method_errors_as_json(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a method an endpoint lacks with a plain-text 405; give it the usual body."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = _json_error(405, "method_not_allowed", "不支持该请求方法", f"method not allowed; use {allowed}")
            response["Allow"] = allowed
        return response

    return wrapper


class DudaoAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = [
            path(str(p.pattern), _method_errors_as_json(p.callback), name=p.name)
            if isinstance(p, URLPattern) else p
            for p in super()._get_urls()
        ]  # fmt: skip
        return [
            path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
            *urls,
            re_path(r"^(?P<rest>.*)$", unknown_path),
        ]


api = DudaoAPI(
    title="督导 dudao API",
    version="1",
    description=(
        "县域义务教育督导评估数据接口 / county education-supervision data API.\n\n"
        "Auth: `Authorization: Bearer <key>` (token) or the browser session (CSRF on changes).\n\n"
        "Errors: `{code, message_zh, message_en, details}`; 400 invalid request, 401 unauthenticated, "
        "403 forbidden, 404 not found or not visible, 405 method not allowed, 409 conflict (stale "
        "`expected_version`), 413 too large, 422 refused by a census rule in the current state (e.g. `note_required`, "
        "`year_locked`, `bad_state`)."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=docs.LocalSwagger(),
)
errors.install(api)

api.add_router("/schools", schools.router, tags=["schools 学校"])
api.add_router("/census", census.router, tags=["census 年度统计"])
api.add_router("/evaluations", evaluation.router, tags=["evaluation 评估"])
api.add_router("/rectification", rectification.router, tags=["rectification 整改任务"])
api.add_router("/planning", forecast.router, tags=["planning 规划测算"])
api.add_router("/planning", seats.router, tags=["planning 规划测算"])
api.add_router("/planning", plans.router, tags=["planning 规划测算"])
rectification.install(api)
api.add_router("/orgs", orgs.router, tags=["orgs 机构与账号"])
orgs.install(api)
