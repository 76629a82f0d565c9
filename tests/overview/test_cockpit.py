"""The county cockpit (县域总览) and the school list, through HTTP as the named people: figures from the
stored run, failing CVs coloured and labelled, gaps in planning units, re-evaluation when a census change
commits (never by a GET), errors shown instead of a 500, English, downloads and pinned query counts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from dudao.census import actions as census
from dudao.evaluation.actions import EvaluationError, current_run, evaluate_county
from dudao.evaluation.jobs import refresh_stale
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.models import Region, School, SchoolYear
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import SYSTEM, YEAR, World, client_for, evaluate

STANDARD = "national-2017"
CJK = re.compile(r"[\u4e00-\u9fff]")


# what the 2012 standard reads besides the 2017 figures
FOR_2012 = {"teachers": 30, "senior_title_teachers": 10, "computers": 60, "books": 15000}


def figures(base: dict, **changes: float) -> dict:
    return {**{k: v for k, v in base.items() if k != "school_type"}, **FOR_2012, **changes}


def add_school(world: World, code: str, name: str, school_type: str = "primary", location: str = "rural") -> School:
    school = School.objects.create(code=code, county=world.county)
    for year in (YEAR - 1, YEAR):
        SchoolYear.objects.create(school=school, year=year, name=name, school_type=school_type, location=location)
    return school


def county_census(world: World, extra: int = 2, year: int = YEAR) -> dict[str, School]:
    """示范县's census for ``year``: 第一小学 with far more sports ground than the rest (the primary L5
    CV fails), ``extra`` ordinary primary schools, of which 示范县短板小学 has 2 backbone teachers for
    500 pupils (L2 0.4 per 100 against 1: it fails the per-school rule and lacks 3), and 第一中学."""
    census.save_record(SYSTEM, world.primary, year, "primary", figures(PRIMARY, sports_area_m2=20000))
    census.save_record(SYSTEM, world.junior, year, "junior", figures(JUNIOR))
    schools = {"primary": world.primary, "junior": world.junior}
    for n in range(extra):
        code = f"13990101{n:02d}"
        school = School.objects.filter(code=code).first() or add_school(
            world, code, "示范县短板小学" if n == 0 else f"示范县第{n + 10}小学"
        )
        values = figures(PRIMARY, backbone_teachers=2) if n == 0 else figures(PRIMARY)
        census.save_record(SYSTEM, school, year, "primary", values)
        schools["weak" if n == 0 else code] = school
    return schools


def cockpit_url(county: Region, year: int = YEAR, standard: str = STANDARD) -> str:
    return reverse("overview:county", args=[county.code, year, standard])


def section_div(html: str, div_id: str) -> str:
    match = re.search(rf'<div[^>]*id="{div_id}".*?</div>', html, re.S)
    assert match, f"no #{div_id}"
    return match.group(0)


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, f"no section #{section_id}"
    return match.group(0)


def text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def stored(world: World) -> dict[str, School]:
    schools = county_census(world)
    evaluate(world.county)
    return schools


def test_a_failing_cv_is_red_labelled_and_equal_to_the_runs_figure(world: World, stored: dict) -> None:
    page = client_for(world.county_supervisor).get(cockpit_url(world.county))
    assert page.status_code == 200
    run = EvaluationRun.objects.get()
    l5 = run.result["levels"]["primary"]["indicators"]["L5"]
    assert l5["cv_passed"] is False and l5["cv_3dp"] > 0.5
    cvs = section(page.text, "cv-table")
    row = re.search(r"<tr>\s*<td>L5 [^<]*</td>(.*?)</tr>", cvs, re.S).group(1)
    cells = re.findall(r'<td class="([^"]*)">([^<]*)</td>', row)
    assert cells[0] == ("num bad", f"{l5['cv_3dp']:.3f}")  # primary CV, red
    assert cells[1][1] == f"{l5['cv_limit']:.2f}"
    assert cells[2] == ("bad", "未达标")  # labelled, not colour alone
    l1 = run.result["levels"]["primary"]["indicators"]["L1"]
    assert f'<td class="num ok">{l1["cv_3dp"]:.3f}</td>' in cvs and "达标" in cvs


def test_the_cockpit_shows_verdicts_counts_and_what_failing_schools_lack(world: World, stored: dict) -> None:
    page = client_for(world.county_supervisor).get(cockpit_url(world.county))
    run = EvaluationRun.objects.get()
    weak = next(s for s in run.result["schools"] if s["school_code"] == stored["weak"].code)
    assert weak["passed"] is False and weak["indicators"]["L2"]["gap"] == 3
    verdict = text(section(page.text, "verdict"))
    for name in ("资源配置", "政府保障程度", "教育质量", "社会认可度", "一票否决"):
        assert name in verdict
    assert "总体：未达标" in verdict
    counts = text(section(page.text, "school-counts"))
    primary = run.result["levels"]["primary"]
    assert f"{primary['schools_passed']}/{primary['schools_total']}" in counts
    failing = section(page.text, "failing-schools")
    assert "示范县短板小学" in failing and "缺 3 名县级及以上骨干教师" in failing
    assert reverse("overview:school", args=[stored["weak"].code, YEAR, STANDARD]) in failing
    assert "示范县第一中学" not in failing  # it meets the rule
    vetoes = text(section(page.text, "vetoes"))
    assert "VETO-01" in vetoes and "未填报" in vetoes
    census_block = text(section(page.text, "census"))
    assert (
        "应报学校 5" in census_block
        and "未提交 5" in census_block
        and reverse("census:completeness", args=[world.county.code, YEAR]) in page.text
    )
    assert reverse("evaluation:items", args=[world.county.code, YEAR, STANDARD]) in page.text
    assert reverse("evaluation:run", args=[run.pk]) in page.text
    assert "本学年数据尚未锁定" in page.text
    assert run.result["settings"] and "项由省级确定的取值" in page.text and "未经核实" not in page.text
    assert reverse("evaluation:settings", args=[STANDARD, "national"]) in page.text


def test_a_census_change_shows_at_once(world: World, stored: dict, django_capture_on_commit_callbacks) -> None:
    county = client_for(world.county_supervisor)
    county.get(cockpit_url(world.county))
    first = EvaluationRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # the change commits: its job re-evaluates
        record = census.save_record(SYSTEM, world.primary, YEAR, "primary", {"sports_area_m2": 4400}).record
    assert record.version == 2
    page = county.get(cockpit_url(world.county))
    latest = EvaluationRun.objects.order_by("-pk").first()
    assert latest.pk != first.pk and not latest.is_stale()
    before = first.result["levels"]["primary"]["indicators"]["L5"]["cv_3dp"]
    now = latest.result["levels"]["primary"]["indicators"]["L5"]["cv_3dp"]
    assert now < before
    cvs = section(page.text, "cv-table")
    assert f"{now:.3f}" in cvs and f"{before:.3f}" not in cvs
    # an approval changes the data version too, and the page still matches the data
    with django_capture_on_commit_callbacks(execute=True):
        census.submit(SYSTEM, record)
    county.get(cockpit_url(world.county))
    assert EvaluationRun.objects.count() == 3
    # a change not yet brought up to date: the stored result, said to be out of date; no GET evaluates
    census.save_record(SYSTEM, world.primary, YEAR, "primary", {"sports_area_m2": 4500})
    page = county.get(cockpit_url(world.county))
    assert EvaluationRun.objects.count() == 3 and "结果正在按新数据更新" in section_div(page.text, "run-stale")


def test_current_run_reuses_a_fresh_run_and_replaces_a_stale_one(world: World, stored: dict) -> None:
    first = current_run(world.county, YEAR, STANDARD)
    assert current_run(world.county, YEAR, STANDARD).pk == first.pk
    census.save_record(SYSTEM, stored["weak"], YEAR, "primary", {"backbone_teachers": 5})
    assert first.is_stale()
    second = current_run(world.county, YEAR, STANDARD)
    assert second.pk != first.pk and not second.is_stale() and second.created_by is None
    weak = next(s for s in second.result["schools"] if s["school_code"] == stored["weak"].code)
    assert weak["passed"] is True
    assert current_run(world.county, YEAR, STANDARD).pk == second.pk
    with pytest.raises(EvaluationError) as error:
        current_run(world.neighbour, YEAR, STANDARD)
    assert error.value.code == "no_records"


def test_nothing_to_evaluate_is_said_with_links_to_fix_it(world: World) -> None:
    page = client_for(world.county_supervisor).get(cockpit_url(world.county))
    assert page.status_code == 200
    alert = section(page.text, "evaluation-error")
    assert "没有学校统计数据，无法评估" in alert
    assert reverse("census:completeness", args=[world.county.code, YEAR]) in alert
    assert reverse("census:upload", args=[world.county.code, YEAR]) in alert
    observer = client_for(world.observer).get(cockpit_url(world.county))
    assert observer.status_code == 200 and reverse("census:upload", args=[world.county.code, YEAR]) not in observer.text
    assert client_for(world.county_supervisor).get(cockpit_url(world.county) + "?download=cvs").status_code == 404


def test_data_the_engine_refuses_is_named_not_a_500(world: World, stored: dict) -> None:
    SchoolYear.objects.filter(school=world.junior, year=YEAR).update(school_type="")
    assert refresh_stale() == []  # the sweep cannot bring the result up to date; it keeps why
    county = client_for(world.county_supervisor)
    page = county.get(cockpit_url(world.county))
    stale = section_div(page.text, "run-stale")
    assert page.status_code == 200 and "按现在的数据无法评估" in stale and world.junior.code in stale
    evaluate_url = reverse("evaluation:evaluate", args=[world.county.code, YEAR, STANDARD])
    again = county.post(evaluate_url, {"next": cockpit_url(world.county)}, follow=True)
    assert again.status_code == 200 and world.junior.code in again.text and EvaluationRun.objects.count() == 1
    observer = client_for(world.observer).get(cockpit_url(world.county))
    assert "按现在的数据无法评估" in observer.text and evaluate_url not in observer.text
    SchoolYear.objects.filter(school=world.junior, year=YEAR).update(school_type="junior")
    # the data as they were: the stored result is up to date again, nothing to do
    assert refresh_stale() == [] and "run-stale" not in county.get(cockpit_url(world.county)).text


def test_change_since_last_year(world: World, stored: dict) -> None:
    county = client_for(world.county_supervisor)
    page = county.get(cockpit_url(world.county))
    assert f"{YEAR - 1}学年没有统计数据" in section(page.text, "change")
    census.save_record(SYSTEM, world.primary, YEAR - 1, "primary", figures(PRIMARY, sports_area_m2=30000))
    census.save_record(SYSTEM, world.junior, YEAR - 1, "junior", figures(JUNIOR))
    assert f"{YEAR - 1}学年尚未评估" in section(county.get(cockpit_url(world.county)).text, "change")
    evaluate(world.county, year=YEAR - 1)
    page = county.get(cockpit_url(world.county))
    before = EvaluationRun.objects.get(year=YEAR - 1)
    now = EvaluationRun.objects.filter(year=YEAR).latest("pk")
    change = section(page.text, "change")
    then_cv = before.result["levels"]["primary"]["indicators"]["L5"]["cv_3dp"]
    now_cv = now.result["levels"]["primary"]["indicators"]["L5"]["cv_3dp"]
    assert f"{then_cv:.3f}" in change and f"{now_cv:.3f}" in change
    assert f"{round(now_cv - then_cv, 3):.3f}" in change
    counts = re.search(r'<table data-table="schools-change">.*?</table>', change, re.S).group(0)
    assert re.search(r"<td>小学</td><td class=\"num\">2</td><td class=\"num\">1</td>", counts)


def test_downloads_hold_the_tables_on_screen(world: World, stored: dict) -> None:
    county = client_for(world.county_supervisor)
    county.get(cockpit_url(world.county))
    run = EvaluationRun.objects.get()
    cv = run.result["levels"]["primary"]["indicators"]["L5"]["cv_3dp"]
    csv = county.get(cockpit_url(world.county) + "?download=cvs&format=csv")
    assert csv.status_code == 200 and f"{cv:.3f}" in csv.content.decode("utf-8-sig")
    xlsx = county.get(cockpit_url(world.county) + "?download=failing-schools&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    schools = county.get(
        reverse("overview:schools", args=[world.county.code, YEAR, STANDARD])
        + "?level=primary&download=schools&format=csv"
    )
    lines = schools.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 3 and "示范县短板小学" in schools.content.decode("utf-8-sig")
    assert county.get(cockpit_url(world.county) + "?download=nothing").status_code == 404


def test_the_school_list_filters(world: World, stored: dict) -> None:
    county = client_for(world.county_supervisor)
    url = reverse("overview:schools", args=[world.county.code, YEAR, STANDARD])
    page = county.get(url)
    assert page.status_code == 200
    listing = section(page.text, "school-list")
    for name in ("示范县第一小学", "示范县第一中学", "示范县短板小学", "示范县第11小学"):
        assert name in listing
    assert "6/7" in listing and "缺 3 名县级及以上骨干教师" in listing
    failed = section(county.get(url, {"verdict": "failed"}).text, "school-list")
    assert "示范县短板小学" in failed and "示范县第一中学" not in failed
    junior = section(county.get(url, {"level": "junior"}).text, "school-list")
    assert "示范县第一中学" in junior and "示范县第一小学" not in junior
    urban = section(county.get(url, {"location": "urban"}).text, "school-list")
    assert "示范县第一小学" in urban and "示范县短板小学" not in urban
    assert county.get(url, {"level": "senior"}).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("overview:county", args=[w.city.code, YEAR, STANDARD]),  # a city is not a county
        lambda w: reverse("overview:county", args=[w.county.code, 1999, STANDARD]),
        lambda w: reverse("overview:county", args=[w.county.code, 9999, STANDARD]),
        lambda w: reverse("overview:county", args=[w.county.code, YEAR, "national-2099"]),
        lambda w: reverse("overview:county", args=[w.county.code, YEAR, "preschool-2020"]),  # not school-based
        lambda w: reverse("overview:schools", args=[w.city.code, YEAR, STANDARD]),
        lambda w: reverse("overview:county", args=["000000", YEAR, STANDARD]),
        lambda w: reverse("overview:county_latest", args=[w.city.code]),
    ],
)
def test_addresses_that_do_not_exist_are_404(world: World, url) -> None:
    assert client_for(world.province_inspector).get(url(world)).status_code == 404


def test_the_switch_keeps_the_page_and_refuses_bad_input(world: World) -> None:
    county = client_for(world.county_supervisor)
    switch = reverse("overview:county_switch", args=[world.county.code])
    response = county.get(switch, {"year": YEAR - 1, "standard": "basic-2012", "page": "schools"})
    assert response.status_code == 302
    assert response.url == reverse("overview:schools", args=[world.county.code, YEAR - 1, "basic-2012"])
    assert county.get(switch, {"year": YEAR, "page": "nonsense"}).url == cockpit_url(world.county)
    assert county.get(switch, {"year": "twenty"}).status_code == 400
    assert county.get(switch, {"year": YEAR, "standard": "nope"}).status_code == 400
    assert county.get(switch, {"year": 1900}).status_code == 400


def test_the_subnav_offers_years_with_data_and_standards(world: World, stored: dict) -> None:
    census.save_record(SYSTEM, world.primary, YEAR - 1, "primary", figures(PRIMARY))
    page = client_for(world.county_supervisor).get(cockpit_url(world.county))
    nav = re.search(r'<nav class="subnav" id="county-nav".*?</nav>', page.text, re.S).group(0)
    assert re.search(rf'<option value="{YEAR}" selected>', nav) and f'<option value="{YEAR - 1}">' in nav
    assert 'value="national-2017" selected' in nav and 'value="basic-2012"' in nav
    assert 'value="preschool-2020"' not in nav
    assert 'aria-current="page"' in nav and reverse("overview:schools", args=[world.county.code, YEAR, STANDARD]) in nav


def test_the_2012_standard_shows_its_composite_cv(world: World, stored: dict) -> None:
    evaluate(world.county, standard="basic-2012")
    page = client_for(world.county_supervisor).get(cockpit_url(world.county, standard="basic-2012"))
    assert page.status_code == 200
    run = EvaluationRun.objects.get(standard_id="basic-2012")
    composite = run.result["levels"]["primary"]["composite_cv_3dp"]
    assert "综合差异系数" in section(page.text, "cv-table") and f"{composite:.3f}" in page.text


def test_english_leaves_no_chinese_in_the_cockpits_own_words(world: World, stored: dict) -> None:
    english = client_for(world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en")
    page = english.get(cockpit_url(world.county))
    assert page.status_code == 200 and '<html lang="en">' in page.text
    main = re.search(r'<nav class="subnav".*</main>', page.text, re.S).group(0)
    words = text(main)
    assert "Verdict by area" in words and "not met" in words
    assert "Basic backbone" not in words and "County-level-or-above backbone teachers: 3 persons short" in words
    # data keeps its own language: names of places and schools, the standard's document number
    data = ["示范县短板小学", "示范县第一小学", "示范县第一中学", "示范县第11小学", "示范县", "教督〔2017〕6号"]
    for name in data:
        words = words.replace(name, "")
    assert not CJK.findall(words), sorted(set(CJK.findall(words)))
    # the language switch of the header works on the same page
    chinese = client_for(world.county_supervisor)
    switched = chinese.post(reverse("set_language"), {"language": "en", "next": cockpit_url(world.county)}, follow=True)
    assert "County overview" in switched.text


def _warm_and_count(client: Client, url: str, django_assert_num_queries, expected: int) -> None:
    assert client.get(url).status_code == 200
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


# session, user, region, memberships (4); census completeness (3); years with data (1); this year's run
# and its data version (3); last year's stored run (1); a background job updating the county (1)
COCKPIT_QUERIES = 13
# the same 4; years with data (1); this year's run and its data version (3)
SCHOOLS_QUERIES = 8


@pytest.mark.parametrize("extra", [2, 12])
def test_cockpit_query_count_is_pinned(world: World, extra: int, django_assert_num_queries) -> None:
    county_census(world, extra)
    evaluate(world.county)
    census.save_record(SYSTEM, world.primary, YEAR - 1, "primary", figures(PRIMARY))
    evaluate_county(SYSTEM, world.county, YEAR - 1, STANDARD)
    _warm_and_count(
        client_for(world.county_supervisor), cockpit_url(world.county), django_assert_num_queries, COCKPIT_QUERIES
    )


@pytest.mark.parametrize("extra", [2, 12])
def test_school_list_query_count_is_pinned(world: World, extra: int, django_assert_num_queries) -> None:
    county_census(world, extra)
    evaluate(world.county)
    url = reverse("overview:schools", args=[world.county.code, YEAR, STANDARD])
    _warm_and_count(client_for(world.county_supervisor), url, django_assert_num_queries, SCHOOLS_QUERIES)


def test_people_land_on_their_own_unit(world: World, stored: dict) -> None:
    """The work home leads each person to their county's cockpit, their school, their counties, for
    the latest year with data."""
    census.save_record(SYSTEM, world.primary, YEAR + 1, "primary", figures(PRIMARY), note="运动场改建")  # a later year
    home = reverse("home")
    for person in (world.county_supervisor, world.observer):
        response = client_for(person).get(home)
        assert response.status_code == 200 and cockpit_url(world.county, YEAR + 1) in response.text
    clerk = client_for(world.school_clerk).get(home)
    assert reverse("census:school", args=[world.primary.code, YEAR + 1]) in clerk.text
    city = client_for(world.city_inspector).get(home)
    assert city.status_code == 200
    assert reverse("overview:county", args=[world.county.code, YEAR + 1, STANDARD]) in city.text
    assert reverse("overview:county", args=[world.neighbour.code, YEAR + 1, STANDARD]) in city.text  # one year
    assert world.other_county.name not in city.text
    assert reverse("overview:region", args=[world.city.code, YEAR + 1, STANDARD]) in city.text


def test_the_county_subnav_leads_to_every_county_page(world: World, stored: dict) -> None:
    html = client_for(world.county_supervisor).get(cockpit_url(world.county)).text
    nav = re.search(r'<nav[^>]*id="county-nav".*?</nav>', html, re.S).group(0)
    for url in (
        reverse("overview:schools", args=[world.county.code, YEAR, STANDARD]),
        reverse("overview:balance", args=[world.county.code, YEAR, STANDARD]),
        reverse("overview:whatif", args=[world.county.code, YEAR, STANDARD]),
        reverse("census:completeness", args=[world.county.code, YEAR]),
        reverse("evaluation:items", args=[world.county.code, YEAR, STANDARD]),
        reverse("rectification:dashboard", args=[world.county.code]),
    ):
        assert f'href="{url}"' in nav, url
