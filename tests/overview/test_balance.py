"""The balance view (均衡分析) through HTTP: the engine's balance analysis of the current run as charts
(data embedded with json_script, ECharts from the vendored file) and the same figures as tables with
downloads; one level at a time; errors as 4xx or a message, never a 500; English; a pinned query count."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from dudao.engine.balance import balance
from dudao.evaluation.actions import current_run
from dudao.orgs.models import SchoolYear
from tests.evaluation.test_stored_evaluation import store_county
from tests.personas import YEAR, World, client_for, evaluate

STANDARD = "national-2017"
CJK = re.compile(r"[\u4e00-\u9fff]")
# 示范县 as tests/evaluation/test_stored_evaluation.py stores it; 东关小学 is private here.
SCHOOL_NAMES = ["示范县第一小学", "示范县河西小学", "示范县东关小学", "示范县城关九年一贯制学校", "示范县第一中学",
                "示范县河西中学", "示范县", "教督〔2017〕6号"]  # fmt: skip


def url(world: World, year: int = YEAR, standard: str = STANDARD, code: str | None = None) -> str:
    return reverse("overview:balance", args=[code or world.county.code, year, standard])


def rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def chart_data(html: str) -> dict:
    match = re.search(r'<script id="balance-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no chart data"
    return json.loads(match.group(1))


def text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def stored(world: World) -> None:
    store_county(world)
    SchoolYear.objects.filter(school__code="1399010012", year=YEAR).update(ownership="private")
    evaluate(world.county)


def test_groups_by_location_and_ownership_as_a_table_with_the_hand_computed_figures(world: World, stored) -> None:
    county = client_for(world.county_supervisor)
    csv_rows = rows(county.get(url(world), {"download": "groups-location-primary", "format": "csv"}))
    head = ["指标", "城乡", "学校数", "在校生数", "加权均值", "组内差异系数", "达标学校数", "达标学校比例"]
    assert csv_rows[0] == head
    l5 = {r[1]: r[2:] for r in csv_rows if r[0].startswith("L5 ")}
    # 河西小学 alone is rural: 1200.5 m² / 200 pupils = 6.0025 m² < 7.5; 第一小学 alone is urban: 8000 / 1000.
    assert l5["乡村"] == ["1", "200", "6.00", "0.000", "0", "0.0%"]
    assert l5["城区"] == ["1", "1000", "8.00", "0.000", "1", "100.0%"]
    # town: 东关小学 (4000 m² / 500) and the nine-year school's primary part, both over 7.5
    assert l5["镇区"][:2] == ["2", "1000"] and l5["镇区"][4:] == ["2", "100.0%"]
    assert l5["全县"][:2] == ["4", "2200"] and l5["全县"][4:] == ["3", "75.0%"]
    by_owner = rows(county.get(url(world), {"download": "groups-ownership-primary", "format": "csv"}))
    owners = {r[1]: r[2:] for r in by_owner if r[0].startswith("L5 ")}
    assert owners["民办"] == ["1", "500", "8.00", "0.000", "1", "100.0%"]  # 东关小学: 4000 / 500
    assert owners["公办"][:2] == ["3", "1700"] and owners["公办"][4:] == ["2", "66.7%"]


def test_every_chart_has_its_numbers_beside_it_from_the_engine(world: World, stored) -> None:
    county = client_for(world.county_supervisor)
    page = county.get(url(world))
    assert page.status_code == 200
    html = page.text
    result = current_run(world.county, YEAR, STANDARD).result_obj
    expected = balance(result)["levels"]["primary"]["indicators"]
    data = chart_data(html)
    assert data["level"] == "primary" and [i["code"] for i in data["indicators"]] == list(expected)
    assert data["rows"] == ["城区", "镇区", "乡村"]
    l5 = next(i for i in data["indicators"] if i["code"] == "L5")
    assert l5["threshold"] == 7.5 and l5["mean"] == expected["L5"]["mean"]
    hexi = next(p for p in l5["points"] if p["name"] == "示范县河西小学")
    assert (hexi["value"], hexi["text"], hexi["met"], hexi["students"], hexi["row"]) == (6.0025, "6.00", False, 200, 2)
    for code in expected:  # a chart, its contributors table and the whole distribution as a table
        assert f'id="chart-{code}"' in html
        assert f'data-table="contributors-primary-{code}"' in html
        assert f'data-table="distribution-primary-{code}"' in html
    for dim in ("location", "ownership"):
        assert f'id="chart-groups-{dim}"' in html and f'data-table="groups-{dim}-primary"' in html
    # the schools that pull the CV up most, with their share of the weighted variance, as the engine ranks them
    top = rows(county.get(url(world), {"download": "contributors-primary-L5", "format": "csv"}))
    engine = expected["L5"]["contributors"][:5]
    assert [r[1] for r in top[1:]] == [c["school_name"] for c in engine]
    assert top[1][6] == f"{engine[0]['share_of_variance'] * 100:.1f}%"
    dist = rows(county.get(url(world), {"download": "distribution-primary-L5", "format": "csv"}))
    hexi_row = next(r for r in dist if r[0] == "示范县河西小学")
    assert hexi_row[5:8] == ["6.00", "未达标", "缺 300 平方米体育运动场馆"]  # 7.5 × 200 − 1200.5 = 299.5 → 300


def test_no_inline_script_and_echarts_only_here(world: World, stored) -> None:
    county = client_for(world.county_supervisor)
    html = county.get(url(world)).text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/dudao/balance.js" in html
    whatif = county.get(reverse("overview:whatif", args=[world.county.code, YEAR, STANDARD]))
    assert whatif.status_code == 200 and "echarts" not in whatif.text
    # a school name is data, escaped inside the JSON, never markup
    SchoolYear.objects.filter(school__code="1399010011", year=YEAR).update(name="</script><b>河西</b>")
    html = county.get(url(world)).text
    assert "</script><b>" not in html and chart_data(html)["indicators"][0]["points"]


def test_one_level_at_a_time(world: World, stored) -> None:
    county = client_for(world.county_supervisor)
    page = county.get(url(world), {"level": "junior"})
    assert page.status_code == 200 and chart_data(page.text)["level"] == "junior"
    assert 'href="?level=junior" aria-current="page"' in page.text
    assert "示范县河西中学" in page.text and "示范县河西小学" not in page.text
    query = {"level": "junior", "download": "distribution-junior-L1", "format": "csv"}
    junior_csv = rows(county.get(url(world), query))
    assert len(junior_csv) == 1 + 3  # 第一中学, 河西中学 and the nine-year school's junior part
    assert county.get(url(world), {"level": "senior"}).status_code == 404
    assert county.get(url(world), {"download": "distribution-junior-L1"}).status_code == 404  # not on this level


def test_bad_addresses_are_4xx_and_a_year_without_data_says_so(world: World, stored) -> None:
    county = client_for(world.county_supervisor)
    assert county.get(url(world, standard="no-such-standard")).status_code == 404
    assert county.get(url(world, standard="preschool-2020")).status_code == 404  # not judged from school figures
    assert county.get(url(world, code=world.city.code)).status_code == 404  # a city is not a county
    assert county.get(url(world, year=1999)).status_code == 404
    empty = county.get(url(world, year=YEAR - 1))
    assert empty.status_code == 200 and 'id="balance-error"' in empty.text and "没有学校统计数据" in empty.text
    assert county.get(url(world, year=YEAR - 1), {"download": "groups-location-primary"}).status_code == 404


def test_english(world: World, stored) -> None:
    english = client_for(world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en")
    page = english.get(url(world))
    assert page.status_code == 200 and '<html lang="en">' in page.text
    main = text(re.search(r'<nav class="subnav".*</main>', page.text, re.S).group(0))
    assert "Balance analysis" in main and "Share of the weighted variance" in main
    for name in SCHOOL_NAMES:
        main = main.replace(name, "")
    assert not CJK.findall(main), sorted(set(CJK.findall(main)))
    data = chart_data(page.text)
    assert data["rows"] == ["urban", "town", "rural"] and data["labels"]["threshold"] == "Standard"
    head = rows(english.get(url(world), {"download": "groups-location-primary", "format": "csv"}))[0]
    assert head[:2] == ["Indicator", "Location"]


BALANCE_QUERIES = 9  # session, user, roles, county, years with data, latest run, data version (2), town groups


def test_query_count_is_pinned(world: World, stored, django_assert_num_queries) -> None:
    county = client_for(world.county_supervisor)
    assert county.get(url(world)).status_code == 200  # evaluates once; the counted request reads the run
    with django_assert_num_queries(BALANCE_QUERIES):
        assert county.get(url(world)).status_code == 200
