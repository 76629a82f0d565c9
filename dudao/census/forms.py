"""The census entry form: one field per census figure, plus the version it was loaded at and a note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dudao.census.fields import CENSUS_FIELDS, CensusField
from dudao.engine.fields import FACILITY_FIELDS, GRADE_FIELDS, LEVEL_GRADES, TEACHER_FIELDS

GROUPS = [
    ("students", _("学生")),
    ("teachers", _("教师")),
    ("facilities", _("校舍与设备")),
    ("items", _("班额、专用教室与教师管理")),
]


def group_of(field: CensusField) -> str:
    base = field.key.rsplit("_", 1)[0] if field.key.endswith(("_primary", "_junior")) else field.key
    if field.key.startswith("students") or field.key in GRADE_FIELDS:
        return "students"
    if base in TEACHER_FIELDS:
        return "teachers"
    if field.key in FACILITY_FIELDS:
        return "facilities"
    return "items"


def fields_for(level: str) -> list[CensusField]:
    """A whole-school one-through record carries per-level students and teachers and every grade; a level
    record does not, and only its level's grades (一年级…六年级 primary, 七年级…九年级 junior)."""
    per_level = ("_primary", "_junior", "_senior")
    if level == "all":
        return [
            f
            for f in CENSUS_FIELDS
            if f.key.endswith(per_level) or f.key in GRADE_FIELDS or group_of(f) in ("facilities", "items")
        ]
    other_grades = {f"grade_{g}" for lvl, grades in LEVEL_GRADES.items() if lvl != level for g in grades}
    return [f for f in CENSUS_FIELDS if not f.key.endswith(per_level) and f.key not in other_grades]


class CensusRecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(label=_("修改原因"), required=False, max_length=500)

    def __init__(self, *args: Any, level: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.census_fields = fields_for(level)
        for f in self.census_fields:
            if f.kind == "int":
                self.fields[f.key] = forms.IntegerField(label=f.label, min_value=0, required=False)
            else:
                self.fields[f.key] = forms.DecimalField(label=f.label, min_value=0, decimal_places=4, required=False)

    def grouped(self) -> list[tuple[str | Promise, list[forms.BoundField]]]:
        return [(title, [self[f.key] for f in self.census_fields if group_of(f) == key]) for key, title in GROUPS]

    def figures(self) -> dict[str, Any]:
        return {f.key: self.cleaned_data.get(f.key) for f in self.census_fields}
