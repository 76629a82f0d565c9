"""The plans through the API (/api/v1/planning/plans): computed and stored by the county office with the
page's action, listed and read by whoever may view the county, refused with the reason otherwise."""

from __future__ import annotations

import pytest

from dudao.planning.models import CountyPlan
from tests.personas import YEAR, World, client_for

from .test_plans import STANDARD, county_short  # noqa: F401 - the fixture

URL = f"/api/v1/planning/plans/139901/{YEAR}"


@pytest.mark.django_db
def test_the_office_computes_a_plan_and_others_read_it(county_short: World) -> None:  # noqa: F811
    world = county_short
    office = client_for(world.county_supervisor)
    body = {"costs": {"backbone_teachers": 150000, "sports_area_m2": 800}, "standard": STANDARD}
    response = office.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    stored = CountyPlan.objects.get()
    assert created["id"] == stored.pk and created["feasible"] is True and created["total_cost"] == 300_000
    assert created["plan"]["schools"] == [{"school_code": world.primary.code, "add": {"backbone_teachers": 2},
                                           "cost": 300000.0}]  # fmt: skip
    assert created["target_year"] == YEAR
    listed = client_for(world.observer).get(URL, {"standard": STANDARD}).json()
    assert [p["id"] for p in listed] == [stored.pk]
    one = client_for(world.observer).get(f"{URL}/{stored.pk}").json()
    assert one["plan"] == stored.result and one["settings"]["costs"] == body["costs"]
    # who may view but not compute: 403; another county's office: 404; bad costs: 400 with the problems
    assert client_for(world.observer).post(URL, body, content_type="application/json").status_code == 403
    assert client_for(world.neighbour_supervisor).get(f"{URL}/{stored.pk}").status_code == 404
    bad = office.post(URL, {"costs": {"backbone_teachers": -1}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_plan_input"
    late = office.post(URL, {**body, "target_year": YEAR + 9}, content_type="application/json")
    assert late.status_code == 400 and late.json()["code"] == "bad_target_year"
    assert CountyPlan.objects.count() == 1
