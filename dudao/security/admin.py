"""Failed logins in the admin, read-only; the one thing to do there is to lift a lock (audited)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dudao.actors import person
from dudao.security.actions import lift_lockout

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    list_display = ("attempt_time", "username", "ip_address", "failures_since_start", "path_info")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    readonly_fields = ("attempt_time", "username", "ip_address", "user_agent", "path_info", "failures_since_start")
    exclude = ("get_data", "post_data", "http_accept")
    actions = ["lift"]

    @admin.action(description=_("解除所选账号和地址的登录锁定"))
    def lift(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        pairs = set(queryset.values_list("username", "ip_address"))
        for username, address in pairs:
            lift_lockout(
                person(request.user), username=username or "", address=address or "", why=str(_("在管理后台解除"))
            )
        messages.success(request, _("已解除%(n)s项锁定。") % {"n": len(pairs)})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessAttempt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccessAttempt | None = None) -> bool:
        return False
