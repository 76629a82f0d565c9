"""The 达标方案 page: the form prefilled with the documented defaults, a plan computed and stored by the
county office, shown with its total and additions, downloadable; others see it or get 403/404."""

from __future__ import annotations

import pytest

from dudao.orgs.models import Department
from dudao.planning.models import CountyPlan
from tests.personas import YEAR, World, client_for

from .test_plans import STANDARD, county_short  # noqa: F401 - the fixture

URL = f"/planning/county/139901/{YEAR}/{STANDARD}/plan/"


@pytest.mark.django_db
def test_form_is_prefilled_with_the_documented_defaults(county_short: World) -> None:  # noqa: F811
    page = client_for(county_short.county_supervisor).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="cost_backbone_teachers" value="150000"' in html and 'id="plan-form"' in html
    observer = client_for(county_short.observer).get(URL).content.decode()
    assert 'id="plan-form"' not in observer  # may view, not compute


@pytest.mark.django_db
def test_the_office_computes_a_plan_and_everyone_who_sees_the_county_sees_it(county_short: World) -> None:  # noqa: F811
    world = county_short
    form = {"cost_backbone_teachers": "150000", "cost_sports_area_m2": "800", "budget": ""}
    response = client_for(world.county_supervisor).post(URL + "run/", form)
    stored = CountyPlan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?plan={stored.pk}")
    assert stored.total_cost == 300_000 and stored.created_by == world.county_supervisor
    html = client_for(world.observer).get(URL).content.decode()
    assert "300,000" in html or "300000" in html
    assert world.primary.code in html
    download = client_for(world.observer).get(URL, {"download": f"plan-{stored.pk}", "format": "csv"})
    assert download.status_code == 200 and world.primary.code in download.content.decode("utf-8-sig")
    assert client_for(world.neighbour_supervisor).get(URL).status_code == 404


@pytest.mark.django_db
def test_bad_costs_are_refused_with_the_reason(county_short: World) -> None:  # noqa: F811
    response = client_for(county_short.county_supervisor).post(URL + "run/", {"cost_backbone_teachers": "-5"})
    assert response.status_code == 400 and "plan-input-errors" in response.content.decode()
    assert not CountyPlan.objects.exists()
    assert client_for(county_short.observer).post(URL + "run/", {}).status_code == 403


@pytest.mark.django_db
def test_the_plan_shows_its_effect_and_links_each_school_to_the_whatif(county_short: World) -> None:  # noqa: F811
    world = county_short
    client_for(world.county_supervisor).post(URL + "run/", {"cost_backbone_teachers": "150000"})
    stored = CountyPlan.objects.get()
    # 第一小学, the county's one primary school, passes with the plan (0 → 1 of 1); the level too
    assert stored.effect["primary"]["schools_passed"] == [0, 1] and stored.effect["primary"]["passed"] == [False, True]
    html = client_for(world.observer).get(URL).content.decode()
    assert "plan-effect" in html
    whatif = f"/overview/county/139901/{YEAR}/{STANDARD}/whatif/"
    link = f"{whatif}?school={world.primary.code}%3Aprimary&amp;backbone_teachers=5"
    assert link in html
    page = client_for(world.observer).get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and 'id="whatif-changes"' in page.content.decode()


@pytest.mark.django_db
def test_a_plan_becomes_items_and_tasks_of_the_owning_departments(county_short: World) -> None:  # noqa: F811
    from dudao.rectification.models import RectificationItem

    world = county_short
    staffing = Department.objects.create(county=world.county, name="示范县编办", kind="staffing")
    office = client_for(world.county_supervisor)
    office.post(URL + "run/", {"cost_backbone_teachers": "150000"})
    stored = CountyPlan.objects.get()
    assert client_for(world.observer).post(f"{URL}{stored.pk}/items/").status_code == 403
    response = office.post(f"{URL}{stored.pk}/items/")
    assert response.status_code == 302 and response["Location"] == "/rectification/county/139901/items/"
    item = RectificationItem.objects.get()
    assert item.task.department == staffing  # teacher posts: 编办
    assert item.school.code == world.primary.code and item.indicator == "L2"
    assert "县级及以上骨干教师数 2" in item.target
    stored.refresh_from_db()
    assert stored.item_ids == [item.pk] and stored.items_created_at is not None
    assert office.post(f"{URL}{stored.pk}/items/").status_code == 400  # once
    assert RectificationItem.objects.count() == 1
    assert world.finance.kind == "finance"
