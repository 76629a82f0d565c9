"""The settings page of a standard under a province's profile (评估设置说明): every value a result rests on
that the national text does not fix, in plain words — what it is, the value used, the national default,
where it comes from. Results carry one line pointing here (``render.settings_path``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dudao.evaluation.render import NATIONAL, setting_value
from dudao.http import AuthenticatedHttpRequest
from dudao.standards import Standard, StandardError, available_provinces, load, unconfirmed_values
from dudao.tables import Column, Table, download


def _sources(standard: Standard, keys: tuple[str, ...]) -> str:
    titles = [standard.sources[k].title if k in standard.sources else k for k in keys]
    return "；".join(titles)


def _unwritten() -> str:
    return _("国家文件未写明，采用默认值，待省级文件确认")


def _shown(path: str, value: Any) -> str:
    """A value as read: an item whose existence, not a figure, awaits confirmation is simply judged."""
    if value is None and not path.endswith("_below"):
        return _("计入评估")
    return setting_value(value)


def settings_table(standard_id: str, profile: str) -> tuple[Standard, Table]:
    province = None if profile == NATIONAL else profile
    if province is not None and province not in available_provinces():
        raise Http404
    try:
        standard = load(standard_id, province=province)
        national = load(standard_id)
    except StandardError:
        raise Http404 from None
    defaults = {u.path: u.value for u in unconfirmed_values(national)}
    table = Table(f"settings-{standard_id}-{profile}", _("评估用到的可调整取值"), [
        Column("name", _("取值")), Column("value", _("本省采用")), Column("default", _("国家默认值")),
        Column("note", _("说明")), Column("source", _("依据")),
    ], key="name")  # fmt: skip
    for u in unconfirmed_values(standard):
        table.rows.append({
            "name": u.name_zh or u.path, "value": _shown(u.path, u.value),
            "default": _shown(u.path, defaults[u.path]) if u.path in defaults else _("（本省增设）"),
            "note": u.note if u.note and u.note != u.name_zh else _unwritten(),
            "source": _sources(standard, u.source) or _("国家文件"),
        })  # fmt: skip
    return standard, table


def _profiles(standard_id: str) -> list[tuple[str, str]]:
    """(profile, province name) of every provincial profile that has rules for the standard."""
    out = []
    for profile in available_provinces():
        try:
            out.append((profile, load(standard_id, province=profile).province or profile))
        except StandardError:
            continue
    return out


@login_required
def settings_page(request: AuthenticatedHttpRequest, standard_id: str, profile: str) -> HttpResponse:
    standard, table = settings_table(standard_id, profile)
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "evaluation/settings.html", {
        "standard": standard, "table": table, "profile": profile, "national": profile == NATIONAL,
        "profiles": [(NATIONAL, _("国家默认")), *_profiles(standard_id)],
        "standard_id": standard_id,
    })  # fmt: skip
