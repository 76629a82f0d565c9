"""The client's address, the one every limit keys on (login and token throttling, the survey).

Without a reverse proxy it is ``REMOTE_ADDR``. Behind ``DUDAO_PROXY_COUNT`` trusted proxies that
each append the address they received the request from to ``X-Forwarded-For`` (nginx's
``$proxy_add_x_forwarded_for``), it is the entry that many places from the right: the address the
outermost trusted proxy saw. Entries further left were written by the client and are never read,
so a client cannot choose its own address; a request with fewer entries than trusted proxies did
not come through them and gets ``REMOTE_ADDR``. (ADR 0013.)
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text ("" when unknown)."""
    count = int(settings.DUDAO_PROXY_COUNT)
    if count > 0:
        entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
        if len(entries) >= count:
            try:
                return str(ipaddress.ip_address(entries[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "") or ""


def axes_address(request: HttpRequest) -> str | None:
    """:func:`client_address` for django-axes (``AXES_CLIENT_IP_CALLABLE``): None when unknown."""
    return client_address(request) or None
