"""The forecast page (入学预测) and its API through HTTP as the personas: who sees it (404 for others),
the figures on the page and in its downloads equal county_forecast's, the scenario switch, the API's
JSON, and a county without enrolment told so (never a 500)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.census.actions import save_record
from dudao.orgs.models import SchoolYear
from dudao.planning.forecasting import county_forecast
from dudao.planning.models import Births, GradeHistory
from dudao.tables import Column
from tests.personas import SYSTEM, YEAR, World, client_for

STANDARD = "national-2017"
INT = Column("n", "", "int")
PRIMARY = {  # grades 1–6 per year: YEAR-3 … YEAR
    YEAR - 3: [100, 98, 97, 95, 96, 94],
    YEAR - 2: [104, 99, 97, 96, 94, 95],
    YEAR - 1: [99, 103, 98, 96, 95, 93],
    YEAR: [95, 98, 102, 97, 95, 94],
}
BIRTHS = (900, 950, 1000, 1040, 990, 950, 1010, 980, 930, 960, 900, 870)  # YEAR-12 … YEAR-1
JUNIOR = {YEAR - 3: [150, 148, 145], YEAR - 2: [152, 149, 146], YEAR - 1: [149, 151, 147], YEAR: [147, 148, 150]}


def url(world: World, code: str | None = None, year: int = YEAR) -> str:
    return reverse("planning:forecast", args=[code or world.county.code, year, STANDARD])


@pytest.fixture
def history(world: World) -> None:
    """Two census years with grades (and a school with totals only), two years of grade history, births."""
    SchoolYear.objects.filter(school__in=[world.primary, world.junior]).update(town=world.town)
    for school, level, grades, first in ((world.primary, "primary", PRIMARY, 1), (world.junior, "junior", JUNIOR, 7)):
        for year, counts in grades.items():
            by_grade = {f"grade_{g}": n for g, n in enumerate(counts, first)}
            if year >= YEAR - 1:
                save_record(SYSTEM, school, year, level, {"students": sum(counts), **by_grade})
            else:
                for g, n in enumerate(counts, first):
                    GradeHistory.objects.create(county=world.county, school=school, year=year, grade=g, students=n)
    for year, students in ((YEAR - 1, 410), (YEAR, 420)):
        save_record(SYSTEM, world.nine_year, year, "primary", {"students": students})
    for year, births in zip(range(YEAR - 12, YEAR), BIRTHS, strict=True):
        Births.objects.create(county=world.county, town=None, year=year, births=births)


def whole(value: float) -> str:
    return INT.text(value)  # as the tables print it (half-up)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_who_sees_the_forecast(world: World, history: None) -> None:
    for person in ("county_supervisor", "observer", "city_inspector", "province_inspector"):
        response = client_for(getattr(world, person)).get(url(world))
        assert response.status_code == 200, person
        assert "入学预测" in response.content.decode()
    for person in ("school_clerk", "department_clerk", "neighbour_supervisor", "neighbour_clerk"):
        assert client_for(getattr(world, person)).get(url(world)).status_code == 404, person
    assert client_for(None).get(url(world)).status_code == 302  # to the login page
    county = client_for(world.county_supervisor)
    assert county.get(url(world, code=world.town.code)).status_code == 404  # a town is no county
    assert county.get(url(world, year=1990)).status_code == 404
    assert county.get(url(world), {"scenario": "extreme"}).status_code == 404
    latest = county.get(reverse("planning:forecast_latest", args=[world.county.code]))
    assert latest.status_code == 302 and latest.url == url(world)


def test_page_figures_equal_the_forecast(world: World, history: None) -> None:
    result = county_forecast(world.county, YEAR)
    client = client_for(world.county_supervisor)
    page = client.get(url(world)).content.decode()
    assert result.backtest_years == [YEAR - 1, YEAR]
    rows = csv_rows(client.get(url(world), {"download": "forecast-schools", "format": "csv"}))
    head = rows[0]
    assert head[:7] == ["学校", "学校标识码", "乡镇", "学段", "预测方法", "回测误差", f"{YEAR}年实际"]
    assert head[7:13] == [str(y) for y in result.years]
    by_code = {(r[1], r[3]): r for r in rows[1:]}
    assert len(by_code) == len(result.schools) == 3
    for unit in result.schools:
        row = by_code[unit.school_code, {"primary": "小学", "junior": "初中"}[unit.level]]
        assert row[7:13] == [whole(unit.medium[y]) for y in result.years]
        assert row[5] == ("" if unit.mape is None else f"{unit.mape * 100:.1f}%")
        assert unit.school_name in page
    # the chart data: the county's medium forecast, rounded to one place
    data = json.loads(re.search(r'<script id="forecast-data" type="application/json">(.*?)</script>', page, re.S)[1])
    county = next(iter(data["charts"].values()))
    assert county["title"] == "全县"
    primary = result.area("*", "primary")
    assert primary is not None
    forecast_line = dict(zip(data["years"], county["levels"][0]["forecast"], strict=True))
    assert forecast_line[YEAR + 1] == round(primary.medium[YEAR + 1], 1)
    assert forecast_line[YEAR] == primary.history[YEAR]  # the line starts at the last actual year


def test_a_get_never_writes(world: World, history: None) -> None:
    client = client_for(world.county_supervisor)
    client.get(url(world))  # the session's first request may touch the session table
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(world)).status_code == 200
        assert client.get(f"/api/v1/planning/forecast/{world.county.code}/{YEAR}").status_code == 200
    written = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [sql for sql in written if "django_session" not in sql]


def test_scenario_switch_shows_the_interval_bounds(world: World, history: None) -> None:
    result = county_forecast(world.county, YEAR)
    client = client_for(world.county_supervisor)
    high = csv_rows(client.get(url(world), {"scenario": "high", "download": "forecast-areas", "format": "csv"}))
    county_primary = next(r for r in high[1:] if r[0] == "全县" and r[1] == "小学")
    area = result.area("*", "primary")
    assert area is not None
    assert county_primary[5:11] == [whole(area.high[y]) for y in result.years]
    page = client.get(url(world), {"scenario": "low"}).content.decode()
    assert 'href="?scenario=low" aria-current="page"' in page


def test_the_api_gives_the_forecast_json(world: World, history: None) -> None:
    client = client_for(world.observer)
    response = client.get(f"/api/v1/planning/forecast/{world.county.code}/{YEAR}", {"scenario": "low"})
    assert response.status_code == 200
    body = response.json()
    expected = county_forecast(world.county, YEAR, "low")
    assert body == json.loads(expected.to_json())
    assert body["scenario"] == "low" and body["backtest_years"] == [YEAR - 1, YEAR]
    assert {s["school_code"] for s in body["schools"]} == {world.primary.code, world.junior.code, world.nine_year.code}
    neighbour = client_for(world.neighbour_supervisor)
    assert neighbour.get(f"/api/v1/planning/forecast/{world.county.code}/{YEAR}").status_code == 404
    empty = client_for(world.county_supervisor).get(f"/api/v1/planning/forecast/{world.county.code}/{YEAR - 5}")
    assert empty.status_code == 404 and empty.json()["code"] == "no_enrolment"


def test_a_county_without_enrolment_is_told_so(world: World) -> None:
    response = client_for(world.county_supervisor).get(url(world))
    assert response.status_code == 200
    assert 'id="forecast-error"' in response.content.decode()
    assert client_for(world.county_supervisor).get(url(world), {"download": "forecast-schools"}).status_code == 404


def test_english(world: World, history: None) -> None:
    client = client_for(world.county_supervisor)
    client.cookies["django_language"] = "en"
    page = client.get(url(world)).content.decode()
    assert "Enrolment forecast" in page
