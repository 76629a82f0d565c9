"""A county's cheapest plans to compliance (达标方案, issue #14 §4): ``/planning/plans/{code}/{year}``.

``GET`` lists the county's stored plans of ``year`` (newest first), ``GET …/{plan_id}`` gives one with its
settings, its plan (the JSON of docs/plan-json.md) and its effect, and ``POST`` computes and stores a new
one on the county's latest stored run — exactly what the 达标方案 page does (``make_plan``, an action with
its audit event). Reading needs ``view`` on the county, computing ``review``. 400 for costs, caps or a
target year that cannot be planned for (the problems in ``details``), 404 ``no_run`` when the county has
no stored evaluation of ``year`` and standard, 409 ``no_inputs`` when that evaluation kept no inputs.
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from dudao.api.common import Status, request_user
from dudao.api.errors import CHANGE, READ, ApiError
from dudao.api.planning_checks import checked_standard, checked_year
from dudao.engine.problems import InputError
from dudao.evaluation.actions import EvaluationError
from dudao.orgs.access import access_county
from dudao.planning.access import access_plan
from dudao.planning.forecasting import HORIZON
from dudao.planning.models import CountyPlan
from dudao.planning.plans import make_plan

router = Router()


class PlanIn(Schema):
    costs: dict[str, float]  # the template's column key → 元 per unit; a column without a cost is not changed
    caps: dict[str, dict[str, float]] | None = None  # school code → column key → the most that may be added
    budget: float | None = None
    target_year: int | None = None  # a later school year: the forecast's pupils then (medium), today's resources
    standard: str | None = None


def _summary(plan: CountyPlan) -> dict[str, Any]:
    return {
        "id": plan.pk, "year": plan.year, "standard_id": plan.standard_id,
        "target_year": plan.settings.get("target_year", plan.year), "created_at": plan.created_at.isoformat(),
        "feasible": plan.feasible, "total_cost": plan.total_cost, "status": plan.status,
        "items_created": plan.items_created_at is not None,
    }  # fmt: skip


def _detail(plan: CountyPlan) -> dict[str, Any]:
    return {**_summary(plan), "settings": plan.settings, "plan": plan.result, "effect": plan.effect}


@router.get("/plans/{code}/{year}", response={200: list[dict[str, Any]], **READ}, summary="达标方案列表 / plans")
def plans(request: HttpRequest, code: str, year: int, standard: str | None = None) -> list[dict[str, Any]]:
    """The county's stored plans of ``year`` and the standard, newest first."""
    county = access_county(request_user(request), code)
    checked_year(year)
    rows = CountyPlan.objects.filter(county=county, year=year, standard_id=checked_standard(standard))
    return [_summary(p) for p in rows]


@router.get("/plans/{code}/{year}/{plan_id}", response={200: dict[str, Any], **READ}, summary="达标方案 / a plan")
def plan(request: HttpRequest, code: str, year: int, plan_id: int) -> dict[str, Any]:
    """One stored plan: its settings, the plan (docs/plan-json.md) and its effect per level."""
    stored = access_plan(request_user(request), code, plan_id)
    if stored.year != year:
        raise ApiError(404, "not_found", "没有该方案", "no such plan")
    return _detail(stored)


@router.post("/plans/{code}/{year}", response={201: dict[str, Any], **CHANGE}, summary="测算达标方案 / compute a plan")
def compute(request: HttpRequest, code: str, year: int, payload: PlanIn) -> Any:
    """Compute the cheapest plan on the county's latest stored run and store it (201 with the plan)."""
    user = request_user(request)
    county = access_county(user, code)
    checked_year(year)
    standard_id = checked_standard(payload.standard)
    target = payload.target_year
    if target is not None and not year <= target <= year + HORIZON:
        raise ApiError(400, "bad_target_year", f"目标学年应在 {year}–{year + HORIZON} 之间",
                       f"the target year must be {year}–{year + HORIZON}")  # fmt: skip
    try:
        stored = make_plan(user, county, year, standard_id, payload.costs, payload.caps, payload.budget,
                           target_year=target)  # fmt: skip
    except InputError as error:
        raise ApiError(400, "invalid_plan_input", "无法按所给单价或上限测算", "the costs or caps cannot be planned for",
                       [p.as_dict() for p in error.problems[:50]]) from error  # fmt: skip
    except EvaluationError as error:  # no stored run (404), or one that kept no inputs (409)
        status, code = (409, error.code) if error.code == "no_inputs" else (404, "no_run")
        raise ApiError(status, code, error.message_zh, error.message_en) from error
    return Status(201, _detail(stored))
