"""达标方案 (the cheapest plan): the page of a county's plans and the action that computes one.

``plan`` (GET) shows the unit-cost form, prefilled with the documented defaults
(``planning/data/unit_costs.yaml``, all unconfirmed), the county's stored plans and one plan
(``?plan=pk``): total, gap, binding constraints and the additions per school (a table that downloads).
``plan_run`` (POST, ``review`` on the county) computes a plan on the county's stored run with the costs,
an optional caps sheet and budget, stores it (``dudao.planning.plans.make_plan``) and shows it.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dudao.engine import InputError
from dudao.engine.fields import FIELD_BY_KEY
from dudao.engine.problems import Problem
from dudao.errors import ActionError
from dudao.evaluation.actions import EvaluationError
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import region_permissions
from dudao.overview.views.balance import county_run
from dudao.overview.views.county import county_page, lang
from dudao.planning.access import PLAN_PERMISSION, access_plan
from dudao.planning.forecasting import HORIZON
from dudao.planning.models import CountyPlan
from dudao.planning.plan_files import default_costs, read_caps
from dudao.planning.plans import make_plan, plan_changes, plan_items
from dudao.tables import Column, Table, download


def _form(values: dict[str, str] | None = None) -> list[dict[str, Any]]:
    costs, _move = default_costs()
    return [
        {"key": key, "label": _with_unit(FIELD_BY_KEY[key].zh, c.unit), "unit": c.unit, "default": c.value,
         "note": c.note, "value": (values or {}).get(f"cost_{key}", f"{c.value:g}")}
        for key, c in costs.items()
    ]  # fmt: skip


def _with_unit(label: str, unit: str) -> str:
    """The column's name with the unit a cost is for, unless the name already says it ("面积(平方米)")."""
    return label if "(" in label else f"{label}（{unit}）"


def _schools_table(plan: CountyPlan) -> Table:
    keys = sorted({k for s in plan.result.get("schools", []) for k in s["add"]})
    columns = [Column("school_code", _("学校标识码")), Column("school_name", _("学校名称")),
               *[Column(k, _label(k), "number") for k in keys], Column("cost", _("费用（元）"), "number")]  # fmt: skip
    links = _whatif_links(plan)
    names = {p.school_code: p.school_name for p in plan.run.result_obj.schools} if plan.run else {}
    rows = [
        {"school_code": s["school_code"], "school_name": names.get(s["school_code"], ""), **s["add"],
         "cost": s["cost"], "_href": {"school_name": links.get(s["school_code"], "")}}
        for s in plan.result.get("schools", [])
    ]  # fmt: skip
    return Table(f"plan-{plan.pk}", _("各校增配"), columns, rows)


def _whatif_links(plan: CountyPlan) -> dict[str, str]:
    """Per school: the what-if page of its part with the plan's additions typed in (nothing is saved)."""
    run = plan.run
    if run is None:
        return {}
    parts = {p.source_row: p for p in run.result_obj.schools}
    url = reverse("overview:whatif", args=[plan.county.code, plan.year, plan.standard_id])
    links = {}
    for source_row, figures in plan_changes(run, plan.result).items():
        part = parts.get(source_row)
        if part is None:
            continue
        query = QueryDict(mutable=True)
        query["school"] = f"{part.school_code}:{part.level}"
        query.update({k: f"{v:g}" for k, v in figures.items() if v is not None})
        links[part.school_code] = f"{url}?{query.urlencode()}"
    return links


def _effect_table(plan: CountyPlan) -> Table | None:
    if not plan.effect:
        return None
    columns = [
        Column("level", _("学段")), Column("code", _("指标")), Column("before", _("差异系数（现状）"), "number", 3),
        Column("after", _("差异系数（方案实施后）"), "number", 3), Column("limit", _("限值"), "number", 2),
    ]  # fmt: skip
    rows = [
        {"level": _("小学") if lvl == "primary" else _("初中"), "code": code, "before": cv[0], "after": cv[1],
         "limit": e["cv_limit"], "_class": {"before": "bad" if (cv[0] or 0) > e["cv_limit"] else ""}}
        for lvl, e in plan.effect.items()
        for code, cv in e["cv"].items()
    ]  # fmt: skip
    return Table(f"plan-{plan.pk}-effect", _("方案实施后的差异系数"), columns, rows)


def _label(key: str) -> str:
    base, _sep, level = key.partition("@")
    stem = base.removesuffix("_primary").removesuffix("_junior")
    name = FIELD_BY_KEY[stem].zh if stem in FIELD_BY_KEY else base
    part = "primary" if base.endswith("_primary") or level == "primary" else "junior" if base != stem or level else ""
    return f"{name}（{_('小学') if part == 'primary' else _('初中')}）" if part else name


@login_required
@require_GET
def plan(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    context, run = county_run(request, code, year, standard_id, "plan")
    county = context["county"]
    plans = list(CountyPlan.objects.filter(county=county, year=year, standard_id=standard_id)[:10])
    selected = next((p for p in plans if str(p.pk) == request.GET.get("plan")), plans[0] if plans else None)
    table = _schools_table(selected) if selected is not None else None
    effect = _effect_table(selected) if selected is not None else None
    if (response := download(request, [table, effect])) is not None:
        return response
    context.update({
        "run": run, "plans": plans, "selected": selected, "table": table, "effect": effect, "form": _form(),
        "may_plan": PLAN_PERMISSION in region_permissions(request.user, county),
        "lang": lang(), "target_years": target_years(year), "tab": "plan",
    })  # fmt: skip
    return render(request, "planning/plan.html", context)


def _float(raw: str, name: str) -> float | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise InputError([_problem(name, raw)])
    return value


def _problem(name: str, raw: str) -> Problem:
    return Problem("bad_number", f"“{name}”应为不小于 0 的数", f"{name} must be a number ≥ 0", value=raw)


def _target_year(request: HttpRequest, year: int) -> int | None:
    """The target year asked for: this year (today's pupils) or one of the forecast's years."""
    raw = request.POST.get("target_year", "").strip()
    if not raw or raw == str(year):
        return None
    if raw not in {str(y) for y in target_years(year)}:
        last = year + HORIZON
        raise InputError([Problem("bad_target_year", f"目标学年应在 {year}–{last} 之间",
                                  f"the target year must be {year}–{last}", value=raw)])  # fmt: skip
    return int(raw)


def target_years(year: int) -> list[int]:
    """The years a plan may aim at: this school year and the forecast's horizon after it."""
    return list(range(year, year + HORIZON + 1))


def _settings(request: HttpRequest) -> tuple[dict[str, float], dict[str, dict[str, float]] | None, float | None]:
    costs = {}
    for row in _form():
        value = _float(request.POST.get(f"cost_{row['key']}", ""), row["label"])
        if value is not None:
            costs[row["key"]] = value
    if not costs:
        raise InputError([_problem(_("单价"), "")])
    upload = request.FILES.get("caps")
    caps = None
    if upload is not None:  # bounded by the request's limit and the workbook reader's (dudao.sheets.limits)
        caps = read_caps(upload.read(), upload.name)
    return costs, caps, _float(request.POST.get("budget", ""), _("预算"))


@login_required
@require_POST
def plan_run(request: AuthenticatedHttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    county, _standard = county_page(request, code, year, standard_id)
    if PLAN_PERMISSION not in region_permissions(request.user, county):
        raise PermissionDenied
    try:
        costs, caps, budget = _settings(request)
        target = _target_year(request, year)
        stored = make_plan(request.user, county, year, standard_id, costs, caps, budget, target_year=target)
    except (InputError, EvaluationError) as error:
        context, run = county_run(request, code, year, standard_id, "plan")
        problems = error.problems if isinstance(error, InputError) else []
        messages = [p.text(lang()) for p in problems] or [error.text(lang())]  # type: ignore[union-attr]
        posted = {k: str(v) for k, v in request.POST.items()}
        context.update({"run": run, "plans": [], "form": _form(posted), "may_plan": True,
                        "input_errors": messages, "lang": lang(), "target_years": target_years(year),
                        "tab": "plan"})  # fmt: skip
        return render(request, "planning/plan.html", context, status=400)
    url = reverse("planning:plan", args=[county.code, year, standard_id])
    return redirect(f"{url}?plan={stored.pk}")


@login_required
@require_POST
def plan_to_items(request: AuthenticatedHttpRequest, code: str, year: int, standard_id: str, pk: int) -> HttpResponse:
    """Turn a stored plan into rectification items and department tasks (once)."""
    stored = access_plan(request.user, code, pk)
    if stored.year != year or stored.standard_id != standard_id:
        raise Http404
    try:
        plan_items(request.user, stored)
    except ActionError as error:
        return HttpResponse(error.text(lang()), status=400, content_type="text/plain; charset=utf-8")
    return redirect(reverse("rectification:items", args=[code]))
