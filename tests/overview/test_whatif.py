"""What-if (模拟测算): a school's figures changed on screen, recomputed by the engine on the run's
stored inputs; nothing saved. With no change it is the stored result exactly; a hand-checked change
matches a direct engine call; the JSON endpoint and the form without JavaScript show the same; bad
input is a clear 400 in Chinese or English; CSRF is checked."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.census.actions import save_record
from dudao.census.models import CensusChange, CensusRecord
from dudao.census.tables import census_table
from dudao.engine import county_result, evaluate_table
from dudao.evaluation.actions import current_run
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.models import School
from dudao.overview import whatif
from dudao.standards import load
from tests.evaluation.test_stored_evaluation import store_county
from tests.personas import SYSTEM, YEAR, World, client_for

STANDARD = "national-2017"
DONGGUAN = "1399010012"  # 示范县东关小学, 500 pupils; here with 3 PE/art teachers: 0.6 per 100 < 0.9
CJK = re.compile(r"[\u4e00-\u9fff]")


def page_url(world: World) -> str:
    return reverse("overview:whatif", args=[world.county.code, YEAR, STANDARD])


def compute_url(world: World) -> str:
    return reverse("overview:whatif_compute", args=[world.county.code, YEAR, STANDARD])


def post_json(client: Client, world: World, body: object) -> object:
    return client.post(compute_url(world), json.dumps(body), content_type="application/json")


@pytest.fixture
def run(world: World) -> EvaluationRun:
    store_county(world)
    save_record(SYSTEM, School.objects.get(code=DONGGUAN), YEAR, "primary", {"pe_art_teachers": 3}, note="测试")
    return current_run(world.county, YEAR, STANDARD)


def test_no_change_is_the_stored_result_exactly(world: World, run: EvaluationRun) -> None:
    assert run.reproduce().to_dict() == run.result
    assert run.reproduce({}).to_dict() == run.result
    part = whatif.find_part(run.result_obj, f"{DONGGUAN}:primary")
    row = whatif.input_row(run, part.source_row)
    keys = whatif.figure_keys(load(STANDARD), run, row)
    # the figures as the form shows them, sent back unchanged: no change at all
    same = {k: whatif.number_text(row[k]) for k in keys}
    assert whatif.parse_changes(same, keys, row) == {}
    assert whatif.recompute(run, part.source_row, {}).to_dict() == run.result
    data = whatif.outcome(run, f"{DONGGUAN}:primary", same).data
    for level in data["levels"].values():
        assert level["passed"][0] == level["passed"][1]
        for ind in level["indicators"].values():
            assert ind["cv"][0] == ind["cv"][1]


def test_adding_pe_and_art_teachers_by_hand(world: World, run: EvaluationRun) -> None:
    # Primary L3 (PE/art teachers per 100 pupils) before: 第一小学 10/1000 → 1.0 (P 1000), 河西小学 2/200 → 1.0
    # (P 200), 东关小学 3/500 → 0.6 (P 500), the nine-year school's primary part 5/500 → 1.0 (P 500).
    # X̄ = 2000/2200 = 10/11; S² = (1700·(1/11)² + 500·(3.4/11)²)/2200 = 7480/266200; CV = S/X̄ = 0.18439…
    # 东关小学 lacks ⌈0.9·500/100 − 3⌉ = 2 teachers. With 5: every school 1.0 per 100, so the CV is 0.
    before = run.result["levels"]["primary"]["indicators"]["L3"]
    assert before["cv"] == pytest.approx(math.sqrt(7480 / 266200) * 11 / 10, rel=1e-12)
    dongguan = next(s for s in run.result["schools"] if s["school_code"] == DONGGUAN)
    assert dongguan["indicators"]["L3"]["met"] is False and dongguan["indicators"]["L3"]["gap"] == 2

    response = post_json(client_for(world.county_supervisor), world,
                         {"school": f"{DONGGUAN}:primary", "values": {"pe_art_teachers": "5"}})  # fmt: skip
    assert response.status_code == 200 and response.json()["ok"] is True
    data = response.json()["result"]
    assert data["changes"] == {"pe_art_teachers": 5.0}
    l3 = data["parts"]["primary"]["indicators"]["L3"]
    assert l3["value"] == [pytest.approx(0.6), pytest.approx(1.0)]
    assert l3["met"] == [False, True] and l3["gap"] == [2, 0]
    cv = data["levels"]["primary"]["indicators"]["L3"]
    assert cv["cv"][0] == before["cv"] and cv["cv"][1] == pytest.approx(0.0, abs=1e-12)
    assert cv["cv_3dp"] == [0.184, 0.0]

    # The same change through a direct engine call on the stored census gives the same result.
    frame, present = census_table([world.county], YEAR)
    frame.loc[frame["school_code"] == DONGGUAN, "pe_art_teachers"] = 5.0
    direct = county_result(evaluate_table(frame, load(STANDARD), present), world.county.code).to_dict()
    new = run.reproduce({dongguan["source_row"]: {"pe_art_teachers": 5.0}}).to_dict()
    assert new == direct
    assert whatif.recompute(run, dongguan["source_row"], {"pe_art_teachers": 5.0}).to_dict() == direct
    # and the junior CVs, untouched by a primary school, stay as they were
    junior = direct["levels"]["junior"]["indicators"]["L3"]["cv"]
    assert data["levels"]["junior"]["indicators"]["L3"]["cv"] == [junior, junior]


def test_a_school_without_pupils_leaves_the_evaluation_with_its_reason(world: World, run: EvaluationRun) -> None:
    body = {"school": f"{DONGGUAN}:primary", "values": {"students": "0"}}
    response = post_json(client_for(world.county_supervisor), world, body)
    assert response.status_code == 200
    data = response.json()["result"]
    assert data["parts"]["primary"]["passed"] == [False, None]
    assert data["levels"]["primary"]["schools_passed"][1] is not None
    assert "不参评" in response.json()["html"] and "在校生数为0" in response.json()["html"]


def test_the_baseline_is_recomputed_when_the_standard_changed_since_the_run(world: World, run: EvaluationRun) -> None:
    run.standard_version = "an older version"
    assert (
        whatif.baseline(run).to_dict() == run.reproduce().to_dict() == run.result
    )  # the same data under today's standard


def test_a_whole_school_record_changes_both_of_its_parts(world: World, run: EvaluationRun) -> None:
    body = {"school": f"{world.nine_year.code}:junior", "values": {"students_junior": "400"}}
    response = post_json(client_for(world.county_supervisor), world, body)
    assert response.status_code == 200
    data = response.json()["result"]
    assert set(data["parts"]) == {"primary", "junior"}  # the facility split moves with the pupils
    assert data["changes"] == {"students_junior": 400.0, "students": None}  # the total: the sum of the levels
    # junior L3: 3 PE/art teachers for 300 pupils → for 400
    assert data["parts"]["junior"]["indicators"]["L3"]["value"] == [pytest.approx(1.0), pytest.approx(0.75)]
    html = response.json()["html"]
    assert html.index('id="whatif-part-junior"') < html.index('id="whatif-part-primary"')  # the chosen part first


def test_nothing_is_written(world: World, run: EvaluationRun) -> None:
    county = client_for(world.county_supervisor)
    records = list(CensusRecord.objects.order_by("pk").values())
    counts = (EvaluationRun.objects.count(), CensusChange.objects.count())
    body = {"school": f"{DONGGUAN}:primary", "values": {"pe_art_teachers": "9", "sports_area_m2": "100"}}
    with CaptureQueriesContext(connection) as queries:
        assert post_json(county, world, body).status_code == 200
        form = {"school": f"{DONGGUAN}:primary", "pe_art_teachers": "9"}
        assert county.post(page_url(world), form).status_code == 200
        assert county.get(page_url(world), form).status_code == 200
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    # the session's own bookkeeping (last login is not touched on a request) aside, nothing at all
    assert [w for w in writes if "django_session" not in w] == []
    assert list(CensusRecord.objects.order_by("pk").values()) == records
    assert (EvaluationRun.objects.count(), CensusChange.objects.count()) == counts
    assert not current_run(world.county, YEAR, STANDARD).is_stale() and current_run(world.county, YEAR, STANDARD) == run


def test_the_form_without_javascript_shows_what_the_endpoint_returns(world: World, run: EvaluationRun) -> None:
    county = client_for(world.county_supervisor)
    page = county.post(page_url(world), {"school": f"{DONGGUAN}:primary", "pe_art_teachers": "5"})
    assert page.status_code == 200
    endpoint = post_json(county, world, {"school": f"{DONGGUAN}:primary", "values": {"pe_art_teachers": "5"}})
    assert endpoint.json()["html"] in page.text
    html = page.text
    for element in ('id="whatif-pick"', 'id="whatif-form"', 'id="whatif-result"', 'id="whatif-output"',
                    'id="whatif-error"', 'id="whatif-pe_art_teachers"', 'id="whatif-part-primary"',
                    'id="whatif-level-primary"', 'id="whatif-level-junior"'):  # fmt: skip
        assert element in html, element
    assert 'name="pe_art_teachers" value="5"' in html  # the form keeps what was typed
    assert "体育、艺术(美术、音乐)专任教师数：3 → <strong>5</strong>" in html
    assert "/static/dudao/whatif.js" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_a_what_if_table_downloads_as_shown(world: World, run: EvaluationRun) -> None:
    county = client_for(world.county_supervisor)
    page = county.post(page_url(world), {"school": f"{DONGGUAN}:primary", "pe_art_teachers": "5"})
    link = re.search(r'href="([^"]*download=whatif-cv-primary[^"]*format=csv[^"]*)"', page.text).group(1)
    assert "pe_art_teachers=5" in link
    response = county.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == ["指标", "限值", "当前差异系数", "测算差异系数", "变化", "当前结论", "测算结论"]
    l3 = next(r for r in table if r[0].startswith("L3 "))
    assert l3[1:] == ["0.50", "0.184", "0.000", "-0.184", "达标", "达标"]


@pytest.mark.parametrize(
    ("values", "code", "zh", "en"),
    [
        ({"pe_art_teachers": "-1"}, "negative", "不能为负数", "cannot be negative"),
        ({"pe_art_teachers": "五"}, "not_a_number", "应为数字", "must be a number"),
        ({"pe_art_teachers": "2.5"}, "not_whole", "应为整数", "must be a whole number"),
        ({"pe_art_teachers": True}, "not_a_number", "应为数字", "must be a number"),
        ({"pe_art_teachers": "1e400"}, "too_large", "数值过大", "is too large"),
        ({"pe_art_teachers": "Infinity"}, "not_a_number", "应为数字", "must be a number"),
        ({"pe_art_teachers": ""}, "missing", "不能为空", "cannot be empty"),
        ({"music_rooms": "3"}, "unknown_field", "不能修改“music_rooms”", "cannot change music_rooms"),
        ({"pe_art_teachers_primary": "3"}, "unknown_field", "不能修改", "cannot change"),
    ],
)
def test_bad_input_is_a_clear_400(world: World, run: EvaluationRun, values: dict, code: str, zh: str, en: str) -> None:
    county = client_for(world.county_supervisor)
    response = post_json(county, world, {"school": f"{DONGGUAN}:primary", "values": values})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and zh in error["message_zh"] and en in error["message_en"]
    assert error["message"] == error["message_zh"]
    form = county.post(page_url(world), {"school": f"{DONGGUAN}:primary", **values})
    assert form.status_code == 400 and 'id="whatif-input-error"' in form.text and zh in form.text
    english = client_for(world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en")
    answer = post_json(english, world, {"school": f"{DONGGUAN}:primary", "values": values}).json()["error"]
    assert en in answer["message"]


def test_unknown_school_and_malformed_requests(world: World, run: EvaluationRun) -> None:
    county = client_for(world.county_supervisor)
    for body in ({"school": "9999999999:primary", "values": {}}, {"school": f"{DONGGUAN}:junior"}, {"values": {}}):
        response = post_json(county, world, body)
        assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_school", body
    assert "请从列表中选择参评学校" in response.json()["error"]["message_zh"]
    assert "choose one of the schools listed" in response.json()["error"]["message_en"]
    for raw in ("not json", "[1, 2]", '{"school": "x", "values": [1]}'):
        response = county.post(compute_url(world), raw, content_type="application/json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
    assert county.get(page_url(world), {"school": "9999999999"}).status_code == 400
    assert county.get(compute_url(world)).status_code == 405
    assert county.put(page_url(world)).status_code == 405


def test_csrf_is_checked(world: World, run: EvaluationRun) -> None:
    strict = client_for(world.county_supervisor, enforce_csrf_checks=True)
    body = {"school": f"{DONGGUAN}:primary", "values": {"pe_art_teachers": "5"}}
    assert post_json(strict, world, body).status_code == 403
    page = strict.get(page_url(world), {"school": f"{DONGGUAN}:primary"})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = strict.post(
        compute_url(world), json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200


def test_the_picker_lists_every_school_part(world: World, run: EvaluationRun) -> None:
    page = client_for(world.observer).get(page_url(world))
    assert page.status_code == 200 and 'id="whatif-form"' not in page.text
    assert "/static/dudao/whatif.js" in page.text  # it submits the picker on change
    options = re.findall(r'<option value="([^"]+)"', page.text)
    assert len([o for o in options if ":" in o]) == 7  # six records, the nine-year school in two parts
    assert f'value="{world.nine_year.code}:primary"' in page.text and "示范县河西小学（未达标）" in page.text


def test_english(world: World, run: EvaluationRun) -> None:
    english = client_for(world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en")
    page = english.post(page_url(world), {"school": f"{DONGGUAN}:primary", "pe_art_teachers": "5"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    main = re.sub(r"<(script|style|select)\b.*?</\1>", " ", re.search(r'<nav class="subnav".*</main>', page.text, re.S)
                  .group(0), flags=re.S)  # fmt: skip
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))
    assert "What-if" in words and "PE and art" in words
    for name in ("示范县东关小学", "示范县", "示范县"):
        words = words.replace(name, "")
    assert not CJK.findall(words), sorted(set(CJK.findall(words)))


WHATIF_QUERIES = 7  # session, user, roles, county, latest run, data version (2)


def test_query_count_is_pinned(world: World, run: EvaluationRun, django_assert_num_queries) -> None:
    county = client_for(world.county_supervisor)
    body = {"school": f"{DONGGUAN}:primary", "values": {"pe_art_teachers": "5"}}
    assert post_json(county, world, body).status_code == 200
    with django_assert_num_queries(WHATIF_QUERIES):
        assert post_json(county, world, body).status_code == 200
