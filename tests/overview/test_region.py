"""City view (市级) and province view through HTTP as the named people: every county side by side from
its latest stored run (never re-evaluated on GET), 未评估 and stale counties marked, readiness, sorting,
the ranking with its first tier, drill-down links, downloads, English and a query count that does not
grow with the number of counties. The ranking and tier functions with hand-computed ties."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from dudao.census import actions as census
from dudao.census.models import CensusRecord
from dudao.evaluation.actions import evaluate_county
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.models import Membership, Region, Role, School, SchoolYear
from dudao.overview.regions import (
    CountyRow,
    Readiness,
    competition_ranks,
    criteria,
    rank_counties,
    tier_rule,
)
from dudao.standards import load
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import PASSWORD, SYSTEM, YEAR, World, client_for

STANDARD = "national-2017"


def figures(base: dict, factor: float = 1.0) -> dict:
    """A school's figures with every resource scaled by ``factor`` (pupils unchanged)."""
    return {k: (v if k == "students" else round(v * factor)) for k, v in base.items() if k != "school_type"}


def school(county: Region, code: str, school_type: str) -> School:
    made = School.objects.create(code=code, county=county)
    SchoolYear.objects.create(
        school=made, year=YEAR, name=f"{county.name}{code[-2:]}校", school_type=school_type, location="rural"
    )
    return made


def stock(county: Region, spread: float = 1.0, weak: bool = False) -> None:
    """Two primary and two junior schools; the second of each has its resources times ``spread``
    (the CVs grow with it). ``weak``: a fifth school with half of everything fails the per-school rule."""
    prefix = county.code
    for n, (kind, base) in enumerate((("primary", PRIMARY), ("junior", JUNIOR))):
        census.save_record(SYSTEM, school(county, f"{prefix}{n}1", kind), YEAR, kind, figures(base))
        census.save_record(SYSTEM, school(county, f"{prefix}{n}2", kind), YEAR, kind, figures(base, spread))
    if weak:
        census.save_record(SYSTEM, school(county, f"{prefix}99", "primary"), YEAR, "primary", figures(PRIMARY, 0.5))


def region_url(region: Region, year: int = YEAR, standard: str = STANDARD, **query: str) -> str:
    url = reverse("overview:region", args=[region.code, year, standard])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def rows_of(html: str, table_id: str) -> list[str]:
    """The data-county codes of a table's rows, in order."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-county="(\d+)"', table)


def row_html(html: str, table_id: str, code: str) -> str:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return table.split(f'data-county="{code}"', 1)[1].split("</tr>", 1)[0]


@pytest.fixture
def evaluated(world: World) -> World:
    """示范县 evaluated with a weak school (fails), 邻县 left without a run but with census records."""
    stock(world.county, spread=1.5, weak=True)
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    census.save_record(SYSTEM, world.neighbour_school, YEAR, "primary", figures(PRIMARY))
    return world


def test_every_county_side_by_side_from_its_stored_run(evaluated: World) -> None:
    world = evaluated
    run = EvaluationRun.objects.get()
    page = client_for(world.city_inspector).get(region_url(world.city))
    assert page.status_code == 200
    html = page.text
    assert rows_of(html, "county-table") == [world.county.code, world.neighbour.code]
    county = row_html(html, "county-table", world.county.code)
    assert "已评估" in county and "未达标" in county
    assert f'data-sort="{run.summary["schools_failing"]}"' in county and run.summary["schools_failing"] == 1
    # drill down to the county's cockpit
    assert f'href="{reverse("overview:county", args=[world.county.code, YEAR, STANDARD])}"' in county
    # CVs as stored (three decimals), coloured and labelled against the limit
    l1 = run.summary["levels"]["primary"]["indicators"]["L1"]
    assert f'data-sort="{l1["cv_3dp"]}">{l1["cv_3dp"]:.3f}' in row_html(html, "cv-table", world.county.code)
    # 邻县 has census records but no run: 未评估 everywhere, no figure
    neighbour = row_html(html, "county-table", world.neighbour.code)
    assert neighbour.count("未评估") >= 5 and "status-not_evaluated" in neighbour
    cvs = row_html(html, "cv-table", world.neighbour.code)
    assert "未评估" in cvs and re.search(r"\d\.\d{3}", cvs) is None
    assert "共 2 个县（市、区）：已评估 1 个，其中总体达标 0 个；结果已过期 0 个；未评估 1 个。" in html
    assert EvaluationRun.objects.count() == 1  # the page evaluated nothing


def test_readiness_counts_schools_by_their_least_advanced_record(world: World) -> None:
    stock(world.county)
    records = {r.school.code: r for r in CensusRecord.objects.select_related("school")}
    codes = sorted(records)
    for code in codes[:2]:
        census.submit(SYSTEM, records[code])
        census.approve(SYSTEM, records[code])
    census.submit(SYSTEM, records[codes[2]])
    html = client_for(world.city_inspector).get(region_url(world.city)).text
    county = row_html(html, "county-table", world.county.code)
    # 7 schools expected (3 of the personas + 4 stocked): 2 approved, 1 submitted, 4 not submitted
    cells = re.findall(r'<td class="num[^"]*" data-sort="([^"]*)">', county)
    assert cells[-4:] == ["2", "1", "4", "7"]
    assert "未锁定" in county


def test_a_locked_year_is_shown(world: World) -> None:
    stock(world.county)
    for record in CensusRecord.objects.all():
        census.submit(SYSTEM, record)
        census.approve(SYSTEM, record)
    census.lock_year(SYSTEM, world.county, YEAR)
    html = client_for(world.city_inspector).get(region_url(world.city)).text
    assert "已锁定" in row_html(html, "county-table", world.county.code)


def test_a_county_whose_data_changed_is_marked_stale(evaluated: World) -> None:
    world = evaluated
    record = CensusRecord.objects.filter(school__county=world.county).first()
    census.save_record(SYSTEM, record.school, YEAR, record.level, {"students": 480}, expected_version=record.version)
    html = client_for(world.city_inspector).get(region_url(world.city)).text
    county = row_html(html, "county-table", world.county.code)
    assert "已过期（数据有变化）" in county and "status-stale" in county
    assert "结果已过期 1 个" in html
    assert EvaluationRun.objects.count() == 1  # still not re-evaluated


def test_sorting_on_the_server_keeps_counties_without_a_value_last(world: World) -> None:
    city = world.city
    third = Region.objects.create(code="139903", name="三县", level="county", parent=city)
    stock(world.county, spread=1.2, weak=True)
    stock(third, spread=1.2)
    for county in (world.county, third):
        evaluate_county(SYSTEM, county, YEAR, STANDARD)
    client = client_for(world.city_inspector)
    ascending = client.get(region_url(city, sort="failing")).text
    assert rows_of(ascending, "county-table") == [third.code, world.county.code, world.neighbour.code]
    descending = client.get(region_url(city, sort="-failing")).text
    assert rows_of(descending, "county-table") == [world.county.code, third.code, world.neighbour.code]
    # the CV table follows the same order; the header says how it is sorted and links the other way
    assert rows_of(descending, "cv-table") == rows_of(descending, "county-table")
    assert 'aria-sort="descending" data-key="failing"><a href="?sort=failing"' in descending
    # the download of a sorted table holds the rows in the same order
    link = f"?sort=-failing&download=counties-{city.code}-{YEAR}&format=csv"
    body = client.get(region_url(city) + link).content.decode("utf-8-sig")
    assert [r[1] for r in list(csv.reader(io.StringIO(body)))[1:]] == [
        world.county.code,
        third.code,
        world.neighbour.code,
    ]


def test_bad_parameters_are_refused_clearly(evaluated: World) -> None:
    world = evaluated
    client = client_for(world.province_inspector)
    assert client.get(region_url(world.city, sort="nonsense")).status_code == 400
    assert client.get(region_url(world.city, rank="cv-primary-L99")).status_code == 400
    assert client.get(region_url(world.city, standard="no-such-standard")).status_code == 404
    assert client.get(region_url(world.city, standard="preschool-2020")).status_code == 404  # not school-based
    assert client.get(region_url(world.city, year=1900)).status_code == 404
    assert client.get(region_url(world.town)).status_code == 404
    assert client.get(region_url(world.city) + "?download=nonsense").status_code == 404
    # a county's code leads to its cockpit
    response = client.get(region_url(world.county))
    assert response.status_code == 302 and response.url == reverse(
        "overview:county", args=[world.county.code, YEAR, STANDARD]
    )


def test_the_ranking_and_its_first_tier_on_the_page(world: World, settings) -> None:
    city = world.city
    third = Region.objects.create(code="139903", name="三县", level="county", parent=city)
    fourth = Region.objects.create(code="139904", name="四县", level="county", parent=city)
    stock(world.county, spread=1.1)
    stock(third, spread=1.6, weak=True)
    stock(fourth, spread=1.3)
    for county in (world.county, third, fourth):
        evaluate_county(SYSTEM, county, YEAR, STANDARD)
    client = client_for(world.city_inspector)
    html = client.get(region_url(city, rank="cv-primary-L4")).text
    # L4 primary CV grows with the spread: 示范县 < 四县 < 三县; 邻县 has no run
    assert rows_of(html, "ranking-table") == [world.county.code, fourth.code, third.code, world.neighbour.code]
    tier = "第一方阵：名次在参与排名的县（市、区）的前 1/3 以内（向上取整）；本次 3 个参与排名，即名次 ≤ 1，"
    assert tier + "并列者一并列入。" in html
    first = row_html(html, "ranking-table", world.county.code)
    assert "first-tier" in first and "是" in first
    assert "未评估，不参与排名" in row_html(html, "ranking-table", world.neighbour.code)
    assert 'value="cv-primary-L4" checked' in html and 'value="cv-primary-L1">' in html
    # the tier rule is a setting
    settings.DUDAO_FIRST_TIER = "2"
    html = client.get(region_url(city, rank="cv-primary-L4")).text
    assert "名次在前 2 名以内" in html and "first-tier" in row_html(html, "ranking-table", fourth.code)
    # the ranking is downloadable as shown
    body = client.get(region_url(city, rank="cv-primary-L4") + f"&download=ranking-{city.code}-{YEAR}&format=csv")
    lines = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["名次", "县（市、区）", "区划代码"]
    assert [(r[0], r[2]) for r in lines[1:]] == [("1", "139901"), ("2", "139904"), ("3", "139903"), ("", "139902")]
    # failing schools as the criterion: 三县 has one, the others none (tied first)
    html = client.get(region_url(city, rank="failing")).text
    assert rows_of(html, "ranking-table")[:3] == [world.county.code, fourth.code, third.code]
    assert "first-tier" in row_html(html, "ranking-table", fourth.code)  # tied on place 1


def _row(code: str, l1: float | None, failing: int | None, run: bool = True) -> CountyRow:
    indicator = {"cv_3dp": l1, "cv_status": "ok" if l1 is not None else "undefined"}
    summary = {"passed": False, "levels": {"primary": {"indicators": {"L1": indicator}}}, "schools_failing": failing}
    county = Region(code=code, name=code, level="county")
    return CountyRow(county, EvaluationRun(summary=summary) if run else None, False, Readiness())


def test_competition_ranks_share_the_best_place() -> None:
    assert competition_ranks([0.3, 0.1, 0.1, None, 0.2]) == [4, 1, 1, None, 3]
    assert competition_ranks([]) == []
    assert competition_ranks([5, 5, 5]) == [1, 1, 1]


def test_ranking_by_hand() -> None:
    by_key = {c.key: c for c in criteria(load(STANDARD))}
    l1, failing = by_key["cv-primary-L1"], by_key["failing"]
    rows = [
        _row("A", 0.10, 3), _row("B", 0.20, 1), _row("C", 0.20, 0), _row("D", 0.30, 1),
        _row("E", None, 0),  # CV undefined: not ranked on L1
        _row("F", None, None, run=False),  # not evaluated
    ]  # fmt: skip
    one = rank_counties(rows, [l1], tier_rule("1/3"))
    # L1: A 1, B and C share 2, D 4; 4 ranked, the tier is ceil(4/3) = 2 places: A, B and C (tied on 2)
    assert [(e.row.county.code, e.rank, e.first_tier) for e in one] == [
        ("A", 1, True), ("B", 2, True), ("C", 2, True), ("D", 4, False), ("E", None, False), ("F", None, False),
    ]  # fmt: skip
    two = rank_counties(rows, [l1, failing], tier_rule("1/3"))
    # failing among A–D: C 1, B and D 2, A 4; sums A 1+4=5, B 2+2=4, C 2+1=3, D 4+2=6
    assert [(e.row.county.code, e.ranks, e.score, e.rank) for e in two[:4]] == [
        ("C", [2, 1], 3, 1), ("B", [2, 2], 4, 2), ("A", [1, 4], 5, 3), ("D", [4, 2], 6, 4),
    ]  # fmt: skip
    assert [e.row.county.code for e in two if e.first_tier] == ["C", "B"]
    assert [e.row.county.code for e in rank_counties(rows, [l1, failing], tier_rule("3")) if e.first_tier] == [
        "C", "B", "A",
    ]  # fmt: skip
    assert [e.missing for e in two[4:]] == [[0], [0, 1]]
    # equal sums share the place and the tier
    tied = rank_counties([_row("X", 0.1, 2), _row("Y", 0.2, 1)], [l1, failing], tier_rule("1/3"))
    assert [(e.row.county.code, e.score, e.rank, e.first_tier) for e in tied] == [("X", 3, 1, True), ("Y", 3, 1, True)]


def test_the_tier_rule_is_parsed_strictly() -> None:
    assert tier_rule("1/3").size(4) == 2 and tier_rule("1/3").size(3) == 1 and tier_rule("1/3").size(0) == 0
    assert tier_rule("30%").size(10) == 3 and tier_rule("25%").size(5) == 2
    assert tier_rule("5").size(3) == 3 and tier_rule("5").size(20) == 5
    assert tier_rule("1/100").size(3) == 1
    for bad in ("", "0", "0/3", "4/3", "150%", "third", "-1"):
        with pytest.raises(ImproperlyConfigured):
            tier_rule(bad)


def test_the_default_ranking_is_every_cv_judged() -> None:
    national = [c.key for c in criteria(load(STANDARD)) if c.default]
    assert national == [f"cv-{lvl}-L{n}" for lvl in ("primary", "junior") for n in range(1, 8)]
    basic = [c.key for c in criteria(load("basic-2012")) if c.default]
    assert basic == ["ccv-primary", "ccv-junior"]


def test_the_province_view_groups_counties_by_city(evaluated: World) -> None:
    world = evaluated
    other_city = Region.objects.create(code="1398", name="东市", level="city", parent=world.province)
    east = Region.objects.create(code="139801", name="东县", level="county", parent=other_city)
    stock(east)
    evaluate_county(SYSTEM, east, YEAR, STANDARD)
    client = client_for(world.province_inspector)
    html = client.get(region_url(world.province)).text
    assert rows_of(html, "county-table") == [east.code, world.county.code, world.neighbour.code]  # by city
    cities = html.split('id="city-table"', 1)[1].split("</table>", 1)[0]
    east_row, demo_row = cities.split("<tr")[2:4]
    # 东市: 1 county, evaluated, not passed (county items not entered: undetermined), no failing school, 4 schools;
    # 示范市: 2 counties, 1 evaluated (failed), 9 schools expected
    assert "东市" in east_row and "示范市" in demo_row
    numbers = lambda row: re.findall(r'<td class="num[^"]*" data-sort="">(\d+)', row)  # noqa: E731
    run = EvaluationRun.objects.get(county=world.county)
    assert numbers(east_row) == ["1", "1", "0", "1", "0", "0", "4", "0", "4"]
    assert numbers(demo_row) == ["2", "1", "0", "1", "0", str(run.summary["schools_failing"]),
                                str(run.summary["schools"]), "0", "9"]  # fmt: skip
    # drill down to a city
    assert f'href="{region_url(other_city)}"' in cities
    # the city column links to the city view
    assert f'href="{region_url(world.city)}"' in row_html(html, "county-table", world.county.code)
    assert client.get(region_url(other_city)).status_code == 200


def test_english(evaluated: World) -> None:
    world = evaluated
    html = client_for(world.city_inspector, HTTP_ACCEPT_LANGUAGE="en").get(region_url(world.city)).text
    assert '<html lang="en">' in html
    for text in ("County comparison", "Ranking and first tier", "not assessed", "Overall verdict", "First tier:"):
        assert text in html, text
    assert "未评估" not in html and "第一方阵" not in html
    assert "Counties whose result is not yet made or out of date: 1." in html


def _city_with(n: int) -> tuple[Region, User]:
    province = Region.objects.get(code="13")
    city = Region.objects.create(code="1397", name="大市", level="city", parent=province)
    for i in range(n):
        county = Region.objects.create(code=f"1397{i:02d}", name=f"大市{i}县", level="county", parent=city)
        census.save_record(SYSTEM, school(county, f"{county.code}01", "primary"), YEAR, "primary", figures(PRIMARY))
        census.save_record(SYSTEM, school(county, f"{county.code}02", "primary"), YEAR, "primary",
                           figures(PRIMARY, 1 + i / 10))  # fmt: skip
        if i % 3:
            evaluate_county(SYSTEM, county, YEAR, STANDARD)
    user = User.objects.create_user("大市督学", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.CITY_INSPECTOR, region=city)
    return city, user


# session, user, memberships, the city, its counties, runs (with their stored out-of-date flag), the stored
# readiness, years with data, the background jobs updating any of them (更新中)
CITY_QUERIES = 9


@pytest.mark.parametrize("counties", [3, 8])
def test_the_city_view_query_count_does_not_grow(world: World, counties: int, django_assert_num_queries) -> None:
    city, user = _city_with(counties)
    client = client_for(user)
    with django_assert_num_queries(CITY_QUERIES):
        page = client.get(region_url(city))
    assert page.status_code == 200 and len(rows_of(page.text, "county-table")) == counties


def test_the_province_view_query_count(world: World, django_assert_num_queries) -> None:
    _city_with(5)
    client = client_for(world.province_inspector)
    with django_assert_num_queries(CITY_QUERIES):
        page = client.get(region_url(world.province))
    assert page.status_code == 200 and len(rows_of(page.text, "county-table")) == 7


def test_a_wrong_first_tier_setting_stops_the_system_check(settings: object) -> None:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.DUDAO_FIRST_TIER = "half"  # type: ignore[attr-defined]
    with pytest.raises(SystemCheckError, match="DUDAO_FIRST_TIER='half'"):
        call_command("check")


def test_a_large_province_shows_its_counties_one_city_at_a_time(world: World, monkeypatch) -> None:
    from dudao.overview.views import region as view

    _city_with(5)  # the province: 示范市 (2 counties) and 大市 (5)
    monkeypatch.setattr(view, "REGION_ROWS", 4)
    client = client_for(world.province_inspector)
    html = client.get(region_url(world.province)).text
    # city table and ranking come first, every county ranked
    assert html.index('id="city-table"') < html.index('id="ranking-table"') < html.index('id="county-table"')
    assert len(rows_of(html, "ranking-table")) == 4  # one page of the ranking
    # the first city by default, the other one chosen; sorting keeps the choice
    assert rows_of(html, "county-table") == [f"1397{i:02d}" for i in range(5)]  # 大市 (1397) sorts before 1399
    html = client.get(region_url(world.province, city="1397", sort="-code")).text
    assert rows_of(html, "county-table") == [f"1397{i:02d}" for i in reversed(range(5))]
    assert rows_of(html, "cv-table") == rows_of(html, "county-table")
    assert 'aria-current="page">大市（5）' in html
    # the download keeps every county
    download = client.get(region_url(world.province, city="1397", download="counties-13-2025", format="csv"))
    assert len(list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))) == 1 + 7
    assert client.get(region_url(world.province, city="9999")).status_code == 400
    # the ranking of 7, 4 to a page: the second page holds the last 3 places
    page_two = client.get(region_url(world.province, ranking_page="2")).text
    assert len(rows_of(page_two, "ranking-table")) == 3 and 'aria-current="page">5–7' in page_two
    ranked = rows_of(html, "ranking-table") + rows_of(page_two, "ranking-table")
    assert sorted(ranked) == sorted([world.county.code, world.neighbour.code, *(f"1397{i:02d}" for i in range(5))])
    assert client.get(region_url(world.province, ranking_page="3")).status_code == 400


def nation_url(year: int = YEAR, standard: str = STANDARD, **query: str) -> str:
    url = reverse("overview:nation", args=[year, standard])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_national_view_adds_up_the_stored_county_rows(evaluated: World) -> None:
    world = evaluated
    html = client_for(world.province_inspector).get(nation_url()).text
    # a province inspector sees their province only, linked to the province view
    assert rows_of(html, "province-table") == ["13"]
    row = row_html(html, "province-table", "13")
    assert f'href="{region_url(world.province)}"' in row
    cells = re.findall(r'data-sort="([^"]*)"', row)
    # counties 2, evaluated 1, passed 0, not passed 1, out of date 0, not evaluated 1; schools expected: the
    # 3 personas' + 5 stocked of 示范县, 邻县's 1; 示范县's 5 stocked records and 邻县's 1 not submitted
    assert cells[2:8] == ["2", "1", "0", "1", "0", "1"]
    assert cells[8] == "9" and cells[12] == "9"
    assert "1 个省，共 2 个县（市、区）：已评估 1 个" in html
    # a change marks the county out of date (the job has not run: on_commit is not executed here)
    record = CensusRecord.objects.filter(school__county=world.county).first()
    census.save_record(SYSTEM, record.school, YEAR, record.level, {"students": 480}, expected_version=record.version)
    row = row_html(client_for(world.province_inspector).get(nation_url()).text, "province-table", "13")
    assert re.findall(r'data-sort="([^"]*)"', row)[6] == "1"


def test_the_national_view_for_a_superuser_lists_every_province(world: World, django_assert_num_queries) -> None:
    admin = User.objects.create_superuser("nation-admin", password=PASSWORD)
    client = client_for(admin)
    client.get(nation_url())  # warm the standards
    # session, user, memberships, provinces, counties, runs, readiness, years with data
    with django_assert_num_queries(8):
        html = client.get(nation_url()).text
    assert rows_of(html, "province-table") == ["13", "14"]
    assert "href=" not in row_html(html, "province-table", "13").split("</th>")[0]  # no role below: no link
    assert client_for(world.city_inspector).get(nation_url()).status_code == 404
    english = client_for(admin, HTTP_ACCEPT_LANGUAGE="en").get(nation_url()).text
    assert "National overview" in english and "全国" not in english


def test_the_national_view_query_count_does_not_grow(world: World, django_assert_num_queries) -> None:
    _city_with(8)
    client = client_for(world.province_inspector)
    client.get(nation_url())
    with django_assert_num_queries(8):
        page = client.get(nation_url())
    assert re.findall(r'data-sort="([^"]*)"', row_html(page.text, "province-table", "13"))[2] == "10"


def test_the_national_view_is_reached_from_the_province_and_the_cities_below_it(world: World) -> None:
    link = f'<a href="{nation_url()}">全国</a>'
    inspector = client_for(world.province_inspector)
    assert link in inspector.get(region_url(world.province)).text
    assert link in inspector.get(region_url(world.city)).text
    assert inspector.get(nation_url()).status_code == 200
    # a city inspector may not view the province, so has no national view and no link to one
    assert nation_url() not in client_for(world.city_inspector).get(region_url(world.city)).text
