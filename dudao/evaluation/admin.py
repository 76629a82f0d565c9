"""Read-only admin: evaluation runs, county items with their history and evidence.

Changes go through ``dudao.evaluation.actions`` (permission, transaction, history), never the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dudao.evaluation.models import CountyItemChange, CountyItemValue, EvaluationRun, Evidence
from dudao.evaluation.render import to_text


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChangeInline(ReadOnly, admin.TabularInline):
    model = CountyItemChange
    readonly_fields = ("at", "user", "old", "new", "note", "reason")
    fields = readonly_fields
    extra = 0


class EvidenceInline(ReadOnly, admin.TabularInline):
    model = Evidence
    readonly_fields = ("original_name", "file", "size", "content_type", "uploaded_by", "uploaded_at")
    fields = readonly_fields
    extra = 0


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["county", "year", "standard_id", "province", "passed", "census_locked", "created_at", "created_by"]
    list_filter = ["year", "standard_id", "passed"]
    search_fields = ["county__code", "county__name"]
    list_select_related = ["county", "created_by"]
    exclude = ["inputs", "result"]
    readonly_fields = ["report"]

    @admin.display(description=_("评估报告"))
    def report(self, obj: EvaluationRun) -> str:
        return format_html("<pre>{}</pre>", to_text(obj.result_obj)) if obj.result else ""


@admin.register(CountyItemValue)
class CountyItemValueAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["county", "year", "standard_id", "code", "value", "updated_at", "updated_by"]
    list_filter = ["year", "standard_id"]
    search_fields = ["county__code", "county__name", "code"]
    list_select_related = ["county", "updated_by"]
    inlines = [ChangeInline, EvidenceInline]
