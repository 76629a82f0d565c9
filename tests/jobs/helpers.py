"""Shared by the jobs tests: a census for a county and the person who supervises both counties of 示范市."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from dudao.census import actions as census
from dudao.census.models import CensusRecord
from dudao.orgs.models import Membership, Role, School
from tests.engine.schools import PRIMARY
from tests.personas import PASSWORD, SYSTEM, YEAR, World

STANDARD = "national-2017"


def fill(school: School) -> CensusRecord:
    figures = {k: v for k, v in PRIMARY.items() if k != "school_type"}
    return census.save_record(SYSTEM, school, YEAR, "primary", figures).record


def city_supervisor(world: World) -> User:
    """A city inspector of 示范市 who is also the supervisor of both its counties (may evaluate them)."""
    user = User.objects.create_user("市县督学", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.CITY_INSPECTOR, region=world.city)
    for county in (world.county, world.neighbour):
        Membership.objects.create(user=user, role=Role.COUNTY_SUPERVISOR, region=county)
    return user


def evaluate_url(world: World) -> str:
    return reverse("jobs:evaluate", args=[world.city.code, YEAR, STANDARD])


def region_url(world: World) -> str:
    return reverse("overview:region", args=[world.city.code, YEAR, STANDARD])
