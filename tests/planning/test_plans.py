"""Stored plans: the action on a county's stored run (permission, audit), and the plan carried out through
the what-if of the same run passes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dudao.audit.models import AuditEvent
from dudao.census.actions import save_record
from dudao.evaluation.actions import evaluate_county
from dudao.planning.access import access_plan
from dudao.planning.models import CountyPlan
from dudao.planning.plans import make_plan, plan_changes
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import SYSTEM, YEAR, World

STANDARD = "national-2017"
COSTS = {"backbone_teachers": 150_000, "sports_area_m2": 800}


@pytest.fixture
def county_short(world: World) -> World:
    """第一小学 has 3 backbone teachers for 500 pupils (0.6 per 100, below 85 % of 1): 2 more are needed."""
    primary = {k: v for k, v in PRIMARY.items() if k != "school_type"} | {"backbone_teachers": 3}
    save_record(SYSTEM, world.primary, YEAR, "primary", primary)
    save_record(SYSTEM, world.junior, YEAR, "junior", {k: v for k, v in JUNIOR.items() if k != "school_type"})
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    return world


@pytest.mark.django_db
def test_the_supervisor_stores_a_plan_with_its_settings_and_an_audit_event(county_short: World) -> None:
    world = county_short
    stored = make_plan(world.county_supervisor, world.county, YEAR, STANDARD, COSTS, budget=1_000_000)
    assert stored.feasible and stored.total_cost == 300_000 and stored.status == "optimal"
    assert stored.result["schools"] == [
        {"school_code": world.primary.code, "add": {"backbone_teachers": 2}, "cost": 300000.0}
    ]
    assert stored.settings["costs"] == COSTS and stored.settings["budget"] == 1_000_000
    event = AuditEvent.objects.get(verb="planning.plan")
    assert event.actor == world.county_supervisor and event.data["total_cost"] == 300_000
    # carried out through the what-if of the same run, the county passes on resources
    result = stored.run.reproduce(plan_changes(stored.run, stored.result))
    assert result.areas["RA"].passed is True
    assert stored.run.result_obj.areas["RA"].passed is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["observer", "school_clerk", "department_clerk", "neighbour_supervisor", "city_inspector"]
)
def test_only_the_county_office_makes_plans(county_short: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        make_plan(getattr(county_short, who), county_short.county, YEAR, STANDARD, COSTS)
    assert not CountyPlan.objects.exists()


@pytest.mark.django_db
def test_a_plan_is_seen_only_by_those_who_see_the_county(county_short: World) -> None:
    world = county_short
    stored = make_plan(SYSTEM, world.county, YEAR, STANDARD, COSTS)
    assert access_plan(world.observer, world.county.code, stored.pk) == stored
    with pytest.raises(Http404):
        access_plan(world.neighbour_supervisor, world.county.code, stored.pk)
    with pytest.raises(Http404):
        access_plan(world.county_supervisor, world.county.code, stored.pk + 1)
