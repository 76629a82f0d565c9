"""The signed-in person's notifications: the centre, the header's small list (JSON), mark read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from dudao.notifications import actions
from dudao.notifications.models import Notification
from dudao.notifications.tables import notifications_table
from dudao.tables import download

HEADER_ITEMS = 5
PAGE_ITEMS = 200


def lang() -> str:
    return get_language() or "zh-hans"


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(user=request.user)[:PAGE_ITEMS]
    table = notifications_table(rows, lang())
    if (response := download(request, [table])) is not None:
        return response
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "notifications/centre.html", {"table": table, "unread": unread})


@login_required
def unread(request: HttpRequest) -> JsonResponse:
    """``{"count": n, "items": [{"message", "url", "kind", "at"}]}`` — the header's list, newest first."""
    rows = Notification.objects.filter(user=request.user, read_at__isnull=True)
    items = [
        {"message": n.message(lang()), "url": n.url, "kind": n.get_kind_display(), "at": n.created_at.isoformat()}
        for n in rows[:HEADER_ITEMS]
    ]
    return JsonResponse({"count": rows.count(), "items": items}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    actions.mark_read(request.user, ids or None)  # type: ignore[arg-type]
    return redirect("notifications:centre")
