"""The planning app's forms: a known change (a new housing estate …) and the births/history upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.orgs.models import Region, School
from dudao.planning.models import KnownChange, Level
from dudao.planning.tables import school_choices


class KnownChangeForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如：锦绣华庭小区（城东新区）"))
    town = forms.ModelChoiceField(label=_("乡镇（街道）"), queryset=Region.objects.none(), required=False)
    school = forms.ChoiceField(label=_("学校（可选）"), required=False,
                               help_text=_("留空：新增学生由该乡镇（街道）本学段各校按比例分担"))  # fmt: skip
    level = forms.ChoiceField(label=_("学段"), choices=Level.choices)
    from_year = forms.IntegerField(label=_("起始学年"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    pupils = forms.IntegerField(label=_("每年新增入学人数"), min_value=0, max_value=100_000,
                                help_text=_("每年新增进入一年级（小学）或七年级（初中）的学生数"))  # fmt: skip
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)

    def __init__(self, *args: Any, county: Region, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        town_field = self.fields["town"]
        assert isinstance(town_field, forms.ModelChoiceField)
        town_field.queryset = Region.objects.filter(parent=county, level=Region.Level.TOWN).order_by("code")
        school_field = self.fields["school"]
        assert isinstance(school_field, forms.ChoiceField)
        school_field.choices = [("", "—"), *school_choices(county, year)]

    @staticmethod
    def initial_of(change: KnownChange) -> dict[str, Any]:
        return {
            "name": change.name, "town": change.town_id, "school": change.school.code if change.school else "",
            "level": change.level, "from_year": change.from_year, "pupils": change.pupils, "note": change.note,
        }  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("town") and not data.get("school"):
            raise forms.ValidationError(_("请选择乡镇（街道）或学校"))
        return data

    def chosen_school(self) -> School | None:
        code = self.cleaned_data.get("school") or ""
        return School.objects.filter(county=self.county, code=code).first() if code else None


KINDS = (("births", _("出生人口")), ("history", _("分年级在校生历史数据")))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=KINDS)
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
