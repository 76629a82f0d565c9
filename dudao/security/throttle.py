"""Login and API-token throttling on django-axes (docs/security.md, ADR 0013).

- A wrong password counts against the **account** and against the **address** (the client's, see
  :mod:`dudao.security.addresses`); a wrong API token against the address. ``AXES_FAILURE_LIMIT``
  (``DUDAO_LOGIN_FAILURE_LIMIT``, 5) failures of an account within its cool-off lock the account;
  ``DUDAO_LOGIN_ADDRESS_FAILURE_LIMIT`` (20) failures from one address lock the address (an office
  behind one address is not locked out by one person's typing).
- The lock lasts ``DUDAO_LOGIN_COOLOFF_MINUTES`` (15) and **doubles** with each further lock-out of
  that account or address within a day (15, 30, 60 … minutes, at most 24 hours). While locked, even
  the right password is refused and the attempts are not counted (they neither extend nor deepen
  the lock).
- An administrator lifts a lock at once: ``dudao unlock USERNAME`` or ``--address IP`` (with a
  reason, written to the audit trail), or the "lift" action on 登录失败记录 in the admin.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.security.addresses import client_address

LONGEST = timedelta(hours=24)  # the longest lock, and how far back earlier lock-outs are counted
TOKEN = "api_token"  # the credentials' mark of a bearer-token attempt


def _is_token(request: Any, credentials: dict | None) -> bool:
    return bool((credentials or {}).get(TOKEN)) or bool(getattr(request, "dudao_api_token", False))


def lockout_parameters(request: Any, credentials: dict | None = None) -> list[str]:
    """A password counts against the account and the address; a token only against the address."""
    return ["ip_address"] if _is_token(request, credentials) else ["username", "ip_address"]


def _username(request: Any) -> str | None:
    post = getattr(request, "POST", None)
    return post.get("username") if post is not None else None


def _address(request: Any) -> str:
    return getattr(request, "axes_ip_address", None) or client_address(request)


def earlier_lockouts(request: HttpRequest | None) -> int:
    """Lock-outs of this request's account or address in the last 24 hours."""
    if request is None:
        return 0
    who = Q(ip_address=_address(request) or None)
    if username := _username(request):
        who |= Q(username=username)
    since = timezone.now() - LONGEST
    return AccessFailureLog.objects.filter(who, locked_out=True, attempt_time__gte=since).count()


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """How long failures count and a lock lasts: the base, doubled for each earlier lock-out of the
    day beyond the first, at most 24 hours (``AXES_COOLOFF_TIME``)."""
    base = timedelta(minutes=settings.DUDAO_LOGIN_COOLOFF_MINUTES)
    doublings = max(earlier_lockouts(request) - 1, 0)
    return min(base * 2 ** min(doublings, 20), LONGEST)


class ThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per kind (account, address) and a clean-up that leaves
    other clients' longer locks alone."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures of the worst kind, scaled to the account limit: 20 failures of an address
        count as 5 of an account when the limits are 5 and 20."""
        account_limit = settings.AXES_FAILURE_LIMIT
        worst = 0
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "ip_address":
                failures = failures * account_limit // settings.DUDAO_LOGIN_ADDRESS_FAILURE_LIMIT
            worst = max(worst, failures)
        return worst

    def clean_expired_user_attempts(self, request: HttpRequest | None = None, credentials: dict | None = None) -> int:
        """Forgets this client's failures older than its cool-off, and everyone's older than a day.
        (axes would forget every client's failures older than *this* client's cool-off, cutting
        short the longer lock of another.)"""
        if request is None:
            return 0
        count, _ = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - LONGEST).delete()
        mine = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]  # set by axes' middleware
            attempt_time__lt=get_cool_off_threshold(request),
        )
        return count + mine.delete()[0]


class LoginBackend(AxesStandaloneBackend):
    """Refuses a locked account or address before the password is checked. Code that authenticates
    without a request (the test client's ``login``, a shell) still meets the account's lock; only
    requests are counted, and every login form passes its request."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:  # fmt: skip
        return super().authenticate(request if request is not None else HttpRequest(), username, password, **kwargs)


def _minutes(request: HttpRequest) -> int:
    return max(1, math.ceil(cool_off(request).total_seconds() / 60))


def locked_message(minutes: int) -> str:
    return _(
        "登录失败次数过多，此账号或此网络地址已暂停登录%(minutes)s分钟（期间即使密码正确也无法登录）。"
        "如需立即恢复，请联系系统管理员解除锁定。"
    ) % {"minutes": minutes}


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:  # fmt: skip
    """The answer to a locked client (``AXES_LOCKOUT_CALLABLE``): the login page with the reason,
    or the API's error body; 429 with ``Retry-After`` either way."""
    minutes = _minutes(request)
    if request.path.startswith("/api/"):
        from django.utils.translation import override

        with override("zh-hans"):
            zh = locked_message(minutes)
        with override("en"):
            en = locked_message(minutes)
        body = {"code": "locked_out", "message_zh": zh, "message_en": en, "details": [{"retry_after": minutes * 60}]}
        response: HttpResponse = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        from django.contrib.auth.forms import AuthenticationForm

        form = AuthenticationForm(request, initial={"username": _username(request) or ""})
        context = {"form": form, "locked": locked_message(minutes), "next": request.POST.get("next", "")}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def token_allowed(request: HttpRequest) -> bool:
    """False when the client's address is locked for bad tokens (or bad passwords)."""
    from axes.handlers.proxy import AxesProxyHandler

    request.dudao_api_token = True  # type: ignore[attr-defined]  # a mark for this module's axes handler
    if not AccessAttempt.objects.filter(ip_address=client_address(request) or None).exists():
        return True  # the usual case, one query: no failure on record for this address
    return AxesProxyHandler.is_allowed(request, {"username": None, TOKEN: True})


def token_failed(request: HttpRequest) -> None:
    """Counts a wrong API token against the client's address."""
    request.dudao_api_token = True  # type: ignore[attr-defined]  # a mark for this module's axes handler
    user_login_failed.send(sender=__name__, credentials={"username": None, TOKEN: True}, request=request)
