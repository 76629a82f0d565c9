"""Plans (达标方案) from a county's stored evaluation run: the action that computes and stores one.

The optimiser (``dudao.engine.optimise``) runs on the stored run's inputs — the very table its result was
evaluated from (``EvaluationRun.inputs``) — so a plan is reproducible and the what-if of the same run
shows its effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.audit.record import record_event
from dudao.engine import CountyResult, county_result, evaluate_table
from dudao.engine.fields import FIELD_BY_KEY
from dudao.engine.optimise import Plan, apply_plan, optimise
from dudao.engine.projected import projected_frame
from dudao.evaluation.actions import EvaluationError, stored_run
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Department, Region
from dudao.planning.access import PLAN_PERMISSION
from dudao.planning.forecasting import county_forecast
from dudao.planning.models import CountyPlan
from dudao.planning.plan_files import default_costs
from dudao.planning.seats import has_inputs
from dudao.rectification.actions.common import RectificationError, today
from dudao.rectification.actions.items import add_item
from dudao.rectification.models import RectificationItem
from dudao.rectification.rules import pick_departments
from dudao.standards import Standard, load


def run_inputs(run: EvaluationRun) -> tuple[pd.DataFrame, frozenset[str], Standard]:
    """The table a stored run was evaluated from, the columns it had, and its standard (as it is now)."""
    if not has_inputs(run):
        raise EvaluationError(
            "no_inputs", gettext_lazy("本县这次评估没有保存评估所用的学校数据，请重新评估后再测算方案")
        )
    frame, present = run.input_frame()
    return frame, present, load(run.standard_id, province=run.province or None)


def make_plan(
    actor: Actor,
    county: Region,
    year: int,
    standard_id: str,
    costs: Mapping[str, float],
    caps: Mapping[str, Mapping[str, float]] | None = None,
    budget: float | None = None,
    move_cost: float | None = None,
    time_limit: float = 30.0,
    target_year: int | None = None,
) -> CountyPlan:
    """Compute the cheapest plan for the county's latest stored run and store it with its settings.

    With a ``target_year`` after ``year`` the plan is for the pupils the county's enrolment forecast
    (medium scenario, :func:`dudao.planning.forecasting.county_forecast`) expects that year, with today's
    resources; a school without a forecast keeps today's pupils. People need ``review`` on the county;
    raises the engine's ``InputError`` for costs or caps that cannot be planned for and the evaluation's
    ``EvaluationError`` when the county has no stored run."""
    if not is_system(actor) and PLAN_PERMISSION not in region_permissions(actor, county):
        raise PermissionDenied
    run = stored_run(county, year, standard_id)
    frame, present, standard = run_inputs(run)
    if target_year is not None and target_year != year:
        projected = county_forecast(county, year).projected_students("medium")
        frame, _missing = projected_frame(frame, projected, target_year)
    plan = optimise(frame, standard, costs, caps, budget, move_cost, present, time_limit=time_limit)
    settings: dict[str, Any] = {
        "costs": dict(costs), "caps": {k: dict(v) for k, v in (caps or {}).items()},
        "budget": budget, "move_cost": move_cost, "time_limit": time_limit, "target_year": target_year or year,
    }  # fmt: skip
    effect = plan_effect(run, plan, frame) if plan.feasible else {}
    with transaction.atomic():
        stored = CountyPlan.objects.create(
            county=county, year=year, standard_id=standard_id, run=run, settings=settings,
            result=plan.as_dict(), effect=effect, status=plan.status, feasible=plan.feasible,
            total_cost=plan.total_cost, created_by=user_of(actor),
        )  # fmt: skip
        record_event(
            actor, "planning.plan", target=stored, region=county,
            data={"year": year, "standard_id": standard_id, "run": run.pk, "feasible": plan.feasible,
                  "total_cost": plan.total_cost, "status": plan.status},
        )  # fmt: skip
    return stored


OWNERS = {  # the department kinds that own a resource, in the order tried (the first the county has)
    "staffing": ["staffing", "hr", "education"],
    "finance": ["finance", "education"],
    "education": ["education", "education_section"],
}


def plan_items(actor: Actor, stored: CountyPlan, days: int = 365) -> list[RectificationItem]:
    """Turn a feasible plan into rectification items with their department tasks (``add_item``): one
    per school and owning department (finance: money, m², equipment; staffing/HR: teacher posts;
    education bureau: equipment and moves), due in ``days``. Once per plan."""
    if not is_system(actor) and PLAN_PERMISSION not in region_permissions(actor, stored.county):
        raise PermissionDenied
    if not stored.feasible or stored.items_created_at is not None:
        raise RectificationError("plan_not_open", gettext_lazy("该方案不可行或已转为整改事项"))
    costs, move = default_costs()
    departments = list(Department.objects.filter(county=stored.county).order_by("pk"))
    standard = load(stored.standard_id)
    raises = {name: ind.code for ind in standard.indicators for _sign, name in ind.terms()}
    lines: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for school in stored.result["schools"]:
        for key, amount in school["add"].items():
            base = _base_key(key)
            owner = costs[base].owner if base in costs else "education"
            lines.setdefault((school["school_code"], owner), []).append((key, amount))
    for m in stored.result.get("moves", []):
        lines.setdefault((m["to"], move.owner), []).append((f"move:{m['column']}:{m['from']}", m["teachers"]))
    created: list[RectificationItem] = []
    with transaction.atomic():
        for (code, owner), adds in sorted(lines.items()):
            picked = pick_departments(OWNERS.get(owner, [owner]), departments) or departments[:1]
            target = "按达标方案：" + "；".join(_line_text(k, a) for k, a in adds)
            indicators = sorted({raises[_base_key(k)] for k, _a in adds if _base_key(k) in raises})
            created.append(
                add_item(
                    actor, stored.county, "manual", target[:200], picked[0] if picked else None,
                    today() + dt.timedelta(days=days), year=stored.year, school=code, indicators=indicators,
                )
            )  # fmt: skip
        stored.items_created_at = timezone.now()
        stored.item_ids = [i.pk for i in created]
        stored.save(update_fields=["items_created_at", "item_ids"])
        record_event(actor, "planning.plan_items", target=stored, region=stored.county, data={"items": stored.item_ids})
    return created


def _base_key(key: str) -> str:
    column = key.partition("@")[0]
    for lvl in ("_primary", "_junior"):
        if column.endswith(lvl) and column.removesuffix(lvl) in FIELD_BY_KEY:
            return column.removesuffix(lvl)
    return column


def _line_text(key: str, amount: float) -> str:
    if key.startswith("move:"):
        _m, column, donor = key.split(":", 2)
        return f"从学校 {donor} 交流轮岗{FIELD_BY_KEY[column].zh} {amount:g} 人"
    return f"增配{FIELD_BY_KEY[_base_key(key)].zh} {amount:g}"


def plan_effect(run: EvaluationRun, plan: Plan, frame: pd.DataFrame) -> dict[str, Any]:
    """Per level, before → after the plan on ``frame`` (the run's table, with a target year's pupils where
    the plan has one): the level's verdict, the schools passing the per-school rule and each indicator's CV."""
    before, after = _result(run, frame), _result(run, apply_plan(frame, plan))
    out: dict[str, Any] = {}
    for lvl, now in before.levels.items():
        then = after.levels.get(lvl)
        if then is None or not now.indicators:
            continue
        out[lvl] = {
            "passed": [now.passed, then.passed],
            "schools_passed": [now.schools_passed, then.schools_passed],
            "schools_total": now.schools_total,
            "cv": {code: [i.cv, then.indicators[code].cv] for code, i in now.indicators.items()},
            "cv_limit": next(iter(now.indicators.values())).cv_limit,
        }
    return out


def _result(run: EvaluationRun, frame: pd.DataFrame) -> CountyResult:
    """The run's county evaluated on ``frame`` (its stored table, changed)."""
    standard = load(run.standard_id, province=run.province or None)
    evaluation = evaluate_table(frame, standard, frozenset(run.inputs["present"]))
    return county_result(evaluation, run.county_code(), run.inputs["items"], run.inputs.get("town_groups"))


def plan_changes(run: EvaluationRun, plan: Plan | Mapping[str, Any]) -> dict[int, dict[str, float | None]]:
    """The plan as what-if changes of the run's input rows ({source_row: {figure: new value}}), for
    ``EvaluationRun.reproduce(changes)``: the result the county would have with the plan carried out."""
    data = plan.as_dict() if isinstance(plan, Plan) else plan
    frame, _, _ = run_inputs(run)
    codes = frame["school_code"].astype(str).tolist()
    changes: dict[int, dict[str, float | None]] = {}
    additions = [(s["school_code"], k, float(v)) for s in data["schools"] for k, v in s["add"].items()]
    additions += [(m["from"], m["column"], -float(m["teachers"])) for m in data.get("moves", [])]
    additions += [(m["to"], m["column"], float(m["teachers"])) for m in data.get("moves", [])]
    levels = frame["level"].astype(str).tolist() if "level" in frame else [""] * len(frame)
    source_rows = frame["source_row"].to_numpy(dtype=int)
    for code, key, amount in additions:
        column, _, level = key.partition("@")
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        row = next(
            i for i, c in enumerate(codes)
            if c == code and values[i] == values[i] and (not level or levels[i] == level)
        )  # fmt: skip
        figures = changes.setdefault(int(source_rows[row]), {})
        figures[column] = (figures.get(column) or float(values[row])) + amount
    return changes
