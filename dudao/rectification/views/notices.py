"""The signed-in person's notifications: the page, the header's small list (JSON), mark read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dudao.rectification import actions
from dudao.rectification.models import Notification
from dudao.rectification.tables import notifications_table
from dudao.rectification.views.common import lang
from dudao.tables import download

HEADER_ITEMS = 5
PAGE_ITEMS = 200


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(user=request.user)[:PAGE_ITEMS]
    table = notifications_table(rows, lang())
    if (response := download(request, [table])) is not None:
        return response
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "rectification/notifications.html", {"table": table, "unread": unread})


@login_required
def unread(request: HttpRequest) -> JsonResponse:
    """``{"count": n, "items": [{"message", "url", "at"}]}`` — the header's list (newest first)."""
    rows = Notification.objects.filter(user=request.user, read_at__isnull=True)
    page = reverse("rectification:notifications")
    items = [
        {"message": n.message_en if lang() == "en" else n.message_zh,
         "url": reverse("rectification:task", args=[n.task_id]) if n.task_id else page,
         "at": n.created_at.isoformat()}
        for n in rows[:HEADER_ITEMS]
    ]  # fmt: skip
    return JsonResponse({"count": rows.count(), "items": items}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    actions.mark_read(request.user, ids or None)
    return redirect("rectification:notifications")
