"""Issue #14's "done when", on the demo county (示范县 after ``dudao seed_demo`` and its evaluation, as
``make demo`` does): a forecast with back-test errors, a 学位预警 list, and a plan for a later school year
that the engine evaluates as passing — from the browser (the pages, as the county supervision office)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from dudao.engine.optimise import plan_passes
from dudao.engine.projected import projected_frame
from dudao.orgs import demo
from dudao.orgs.management.commands.seed_demo import reset
from dudao.orgs.models import Region
from dudao.planning.forecasting import county_forecast
from dudao.planning.models import CountyPlan
from dudao.planning.plans import run_inputs
from dudao.sheets.checks import read_and_check
from dudao.standards import load
from tests.personas import client_for

YEAR, STANDARD, TARGET = 2025, "national-2017", 2028
BASE = f"/planning/county/{demo.COUNTY_CODE}/{YEAR}/{STANDARD}"


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        call_command("seed_demo", stdout=StringIO())
        call_command("evaluate_county", "--all", "--province", "hebei", stdout=StringIO(), stderr=StringIO())
        try:
            yield
        finally:
            reset()  # every app's demo rows (the runs, the plans), then the demo


@pytest.fixture
def office(seeded: None, db: None) -> User:
    return User.objects.get(username="county")


def test_the_forecast_carries_back_test_errors(office: User) -> None:
    county = Region.objects.get(code=demo.COUNTY_CODE)
    result = county_forecast(county, YEAR)
    page = client_for(office).get(f"{BASE}/forecast/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "回测" in html and "forecast-error" not in html
    assert result.to_dict()  # the same forecast the page shows, as JSON
    assert "MAPE" in result.to_json() or "mape" in result.to_json()


def test_the_seats_page_lists_schools_going_over_capacity(office: User) -> None:
    page = client_for(office).get(f"{BASE}/seats/")
    assert page.status_code == 200
    html = page.content.decode()
    warnings = html.split('id="seats-warnings"')[1].split("</section>")[0]
    assert warnings.count("<tr") > 1  # a header and at least one school or town


def test_a_plan_for_a_later_year_passes_the_engine(office: User) -> None:
    costs = {
        "cost_teachers_above_qualification": "120000", "cost_backbone_teachers": "150000",
        "cost_pe_art_teachers": "120000", "cost_teaching_aux_area_m2": "3000", "cost_sports_area_m2": "800",
        "cost_equipment_value_yuan": "1", "cost_multimedia_classrooms": "60000",
    }  # fmt: skip
    response = client_for(office).post(f"{BASE}/plan/run/", {**costs, "target_year": str(TARGET)})
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = CountyPlan.objects.latest("pk")
    assert stored.feasible and stored.settings["target_year"] == TARGET
    # the run's table with the pupils the forecast expects in 2028, and each school's additions added
    frame, present, standard = run_inputs(stored.run)
    county = Region.objects.get(code=demo.COUNTY_CODE)
    frame, _missing = projected_frame(frame, county_forecast(county, YEAR).projected_students(), TARGET)
    assert not plan_passes(frame, standard, present)  # without the plan it fails in 2028
    total = sum(a * stored.settings["costs"][k.partition("@")[0].removesuffix("_primary").removesuffix("_junior")]
                for school in stored.result["schools"] for k, a in school["add"].items())  # fmt: skip
    frame = add_plan(frame, stored.result["schools"])
    assert plan_passes(frame, standard, present)
    assert total == pytest.approx(stored.total_cost)
    html = client_for(office).get(f"{BASE}/plan/", {"plan": stored.pk}).content.decode()
    assert 'id="planning-tabs"' in html and str(TARGET) in html.split('id="plan-target-year"')[1][:80]


def test_the_same_from_the_command_line(seeded: None, db: None, tmp_path: Path) -> None:
    """``dudao planning_files`` → ``dudao forecast`` → ``dudao plan --target-year --projected``: the plan's
    additions on the file's columns, with the pupils the forecast expects, pass the engine."""
    call_command("planning_files", "--county", demo.COUNTY_CODE, "--year", str(YEAR), "--out", str(tmp_path),
                 stdout=StringIO())  # fmt: skip
    files = {kind: tmp_path / f"{demo.COUNTY_CODE}-{kind}.xlsx" for kind in ("enrolment", "births", "changes")}
    call_command("forecast", str(files["enrolment"]), "--births", str(files["births"]), "--changes",
                 str(files["changes"]), "--year", str(YEAR), "--format", "json", "--out", str(tmp_path / "f.json"),
                 stdout=StringIO())  # fmt: skip
    forecast = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    county = Region.objects.get(code=demo.COUNTY_CODE)
    stored = county_forecast(county, YEAR).to_dict()
    assert [c["mape"] for c in forecast["county"]] == [c["mape"] for c in stored["county"]]
    assert all(c["mape"] is not None for c in forecast["county"])  # back-tested
    call_command("demo_county", str(tmp_path / "county.xlsx"), stdout=StringIO())
    call_command("plan", str(tmp_path / "county.xlsx"), "--costs", str(tmp_path / f"{demo.COUNTY_CODE}-costs.yaml"),
                 "--province", "hebei", "--target-year", str(TARGET), "--projected", str(tmp_path / "f.json"),
                 "--format", "json", "--out", str(tmp_path / "plan.json"), stdout=StringIO())  # fmt: skip
    plan = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert plan["feasible"] is True
    table, _check = read_and_check(tmp_path / "county.xlsx", None)
    standard = load(STANDARD, province="hebei")
    projected = {code: {int(y): v for y, v in years.items()} for code, years in stored_projection(forecast).items()}
    frame, _missing = projected_frame(table.frame, projected, TARGET)
    assert not plan_passes(frame, standard, table.present)
    added = add_plan(frame, plan["schools"])
    assert plan_passes(added, standard, table.present)


def stored_projection(forecast: dict) -> dict:
    from dudao.engine.forecast import CountyForecast

    return CountyForecast.from_dict(forecast).projected_students()


def add_plan(frame: pd.DataFrame, schools: list[dict]) -> pd.DataFrame:
    """Each school's ``add`` added to its row's columns (a key ``column@level`` to that level's row)."""
    frame = frame.reset_index(drop=True).copy()
    codes = frame["school_code"].astype(str).to_numpy()
    for school in schools:
        for key, amount in school["add"].items():
            column, _sep, level = key.partition("@")
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            rows = [i for i in np.flatnonzero(codes == school["school_code"]) if not np.isnan(values[i])]
            if level:
                rows = [i for i in rows if str(frame.at[i, "level"]) == level]
            frame[column] = values
            frame.loc[rows[0], column] = values[rows[0]] + amount
    return frame
