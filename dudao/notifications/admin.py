from django.contrib import admin

from dudao.notifications.models import Attempt, Delivery


class ReadOnly(admin.ModelAdmin):
    """The delivery log is written by dudao.notifications.actions, never edited."""

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("at", "ok", "error")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("created_at", "notification", "channel", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "channel")
    inlines = [AttemptInline]
