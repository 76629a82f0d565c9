"""The signed-in person's notifications: the centre, the header's small list (JSON), mark read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.http import AuthenticatedHttpRequest
from dudao.notifications import actions
from dudao.notifications.actions import NotificationError
from dudao.notifications.channels import SENT_CHANNELS, offered
from dudao.notifications.models import Channel, Contact, Delivery, Kind, Notification
from dudao.notifications.tables import deliveries_table, notifications_table
from dudao.parsing import read_id
from dudao.tables import download

HEADER_ITEMS = 5
PAGE_ITEMS = 200
LOG_ITEMS = 50


def lang() -> str:
    return get_language() or "zh-hans"


@login_required
def centre(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(user=request.user)[:PAGE_ITEMS]
    table = notifications_table(rows, lang())
    if (response := download(request, [table])) is not None:
        return response
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "notifications/centre.html", {"table": table, "unread": unread})


@login_required
def unread(request: AuthenticatedHttpRequest) -> JsonResponse:
    """``{"count": n, "items": [{"message", "url", "kind", "at"}]}`` — the header's list, newest first."""
    rows = Notification.objects.filter(user=request.user, read_at__isnull=True)
    items = [
        {"message": n.message(lang()), "url": n.url, "kind": n.get_kind_display(), "at": n.created_at.isoformat()}
        for n in rows[:HEADER_ITEMS]
    ]
    return JsonResponse({"count": rows.count(), "items": items}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def read(request: AuthenticatedHttpRequest) -> HttpResponse:
    given = request.POST.getlist("id")  # none: mark all read; ids that cannot be one mark nothing
    ids = [i for i in map(read_id, given) if i is not None]
    actions.mark_read(request.user, ids if given else None)
    return redirect("notifications:centre")


@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own channels per kind and their mobile number, and what was sent to them lately."""
    user = request.user
    log = Delivery.objects.filter(notification__user=user).select_related("notification")[:LOG_ITEMS]
    table = deliveries_table(log, lang())
    if (response := download(request, [table])) is not None:
        return response
    channels = [c for c in offered() if c in SENT_CHANNELS]
    status = 200
    if request.method == "POST":
        picked = [
            (kind, channel)
            for kind, _sep, channel in (v.partition(":") for v in request.POST.getlist("on") if ":" in v)
        ]
        mobile = request.POST.get("mobile", "")
        try:
            actions.set_preferences(user, mobile, picked)
        except NotificationError as error:
            messages.error(request, error.text(lang()))
            on, status = set(picked), 400
        else:
            messages.success(request, _("通知设置已保存"))
            return redirect("notifications:preferences")
    else:
        chosen = actions.chosen([user], Kind.values)
        on = {(k, c) for (_u, k, c), enabled in chosen.items() if enabled}
        mobile = Contact.objects.filter(user=user).values_list("mobile", flat=True).first() or ""
    rows = [
        {"kind": kind, "label": label,
         "cells": [{"channel": c, "label": Channel(c).label, "on": (kind, c) in on} for c in channels]}
        for kind, label in Kind.choices
    ]  # fmt: skip
    context = {
        "rows": rows, "channels": [Channel(c) for c in channels], "mobile": mobile, "table": table,
        "needs_mobile": any(c != Channel.EMAIL for c in channels),
    }  # fmt: skip
    return render(request, "notifications/preferences.html", context, status=status)
