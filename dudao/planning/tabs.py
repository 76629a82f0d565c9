"""The tab row every planning page shows (出生人口 | 入学预测 | 学位预警 | 达标预测 | 达标方案): a tab whose
page is not installed (its route missing) is left out, so each part adds its page without editing this."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from dudao.orgs.models import Region

# (url name, label, whether the route takes year and standard too)
TABS = (
    ("births", _("出生人口"), False),
    ("forecast", _("入学预测"), True),
    ("seats", _("学位预警"), True),
    ("projected", _("达标预测"), True),
    ("plan", _("达标方案"), True),
)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str
    current: bool


def planning_tabs(county: Region, year: int, standard_id: str, current: str) -> list[Tab]:
    out = []
    for key, label, dated in TABS:
        args = [county.code, year, standard_id] if dated else [county.code]
        try:
            url = reverse(f"planning:{key}", args=args)
        except NoReverseMatch:
            continue
        out.append(Tab(key, str(label), url, key == current))
    return out
