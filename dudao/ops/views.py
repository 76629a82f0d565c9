"""``/healthz``: the deployment's state for a load balancer, a monitor or the operator's ``curl``.

It names no object, so it has no door of its own (docs/adr/0025): like the login page it is public and
answers everyone the same, and it tells only each part's state (docs/deploy.md), never an address,
a version or an error text. A GET that reads, never writes.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dudao.ops import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with ``{"status": "ok", "checks": {...}}`` when every part is well, 503 with ``"fail"`` otherwise."""
    checks = health.checks()
    ok = all(check.ok for check in checks)
    body = {"status": "ok" if ok else "fail", "checks": {check.name: check.public() for check in checks}}
    return JsonResponse(body, status=200 if ok else 503)
