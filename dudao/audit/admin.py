from django.contrib import admin

from dudao.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the trail is written by actions, never edited."""

    list_display = ("at", "actor_label", "verb", "target_label", "region", "why")
    list_filter = ("verb",)
    search_fields = ("actor_label", "target_label", "why")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
