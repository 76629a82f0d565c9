"""Staff pages: the county supervisor manages, inspectors and the observer read, everyone else gets
404; results, SR-01, versioning, tokens and QR codes through HTTP."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dudao.evaluation.models import CountyItemValue
from dudao.surveys import actions
from dudao.surveys.models import Questionnaire, Response, Survey
from tests.personas import World, client_for
from tests.surveys.helpers import answers, post

pytestmark = pytest.mark.django_db

READERS = ["province_inspector", "city_inspector", "observer"]
OUTSIDERS = ["school_clerk", "department_clerk", "neighbour_supervisor"]


def as_(world: World, who: str) -> Client:
    return client_for(getattr(world, who))


def pages(s: Survey) -> list[str]:
    return [
        f"/surveys/county/{s.county.code}/", f"/surveys/{s.pk}/", f"/surveys/{s.pk}/results/",
        f"/surveys/{s.pk}/parent/questionnaire/", f"/surveys/{s.pk}/parent/tokens/", f"/surveys/{s.pk}/parent/qr.png",
        f"/surveys/{s.pk}/close/",
    ]  # fmt: skip


@pytest.mark.parametrize("who", ["county_supervisor", *READERS, *OUTSIDERS])
def test_access_matrix(world: World, survey: Survey, who: str) -> None:
    client = as_(world, who)
    expected_get = 404 if who in OUTSIDERS else 200
    for page in pages(survey):
        # the token slips only for those who hand them out: an unused code is an answer (F5); ending the
        # survey's confirmation only for those who may end it
        expected = 403 if page.endswith(("/tokens/", "/close/")) and who in READERS else expected_get
        assert client.get(page).status_code == expected, page
    writes = [
        (f"/surveys/{survey.pk}/settings/", {"status": "closed"}),
        (f"/surveys/{survey.pk}/close/", {}),
        (f"/surveys/{survey.pk}/parent/tokens/", {"count": "3"}),
        (f"/surveys/{survey.pk}/parent/questionnaire/", {"items": "[]"}),
        (f"/surveys/{survey.pk}/results/evaluation/", {}),
        (f"/surveys/county/{survey.county.code}/", {"title": "x", "year": "2025"}),
    ]
    for page, data in writes:
        status = client.post(page, data).status_code
        if who == "county_supervisor":
            assert status in (302, 400), page
        else:
            assert status == (404 if who in OUTSIDERS else 403), page
    if who != "county_supervisor":
        survey.refresh_from_db()
        assert survey.status == "open" and survey.tokens.count() == 0 and Survey.objects.count() == 1


def test_anonymous_is_sent_to_login(survey: Survey) -> None:
    for page in pages(survey):
        r = Client().get(page)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_a_city_or_unknown_code_is_404(world: World, survey: Survey) -> None:
    client = as_(world, "province_inspector")
    assert client.get(f"/surveys/county/{world.city.code}/").status_code == 404
    assert client.get("/surveys/county/999999/").status_code == 404
    assert client.get("/surveys/999999/").status_code == 404
    assert client.get(f"/surveys/{survey.pk}/nobody/questionnaire/").status_code == 404
    assert client.get(f"/surveys/{survey.pk}/parent/qr.gif").status_code == 404


def test_supervisor_creates_a_survey_with_every_group(world: World) -> None:
    client = as_(world, "county_supervisor")
    r = client.post(f"/surveys/county/{world.county.code}/", {"title": "2025年调查", "year": "2025"})
    s = Survey.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/surveys/{s.pk}/"
    assert s.questionnaires.count() == 7
    assert client.post(f"/surveys/county/{world.county.code}/", {"title": "", "year": "x"}).status_code == 400
    page = client.get(f"/surveys/{s.pk}/").content.decode()
    for label in ("家长", "学生", "教师", "校长", "人大代表", "政协委员", "其他群众"):
        assert label in page


def test_editing_with_responses_makes_a_new_version(world: World, survey: Survey) -> None:
    client = as_(world, "county_supervisor")
    page = f"/surveys/{survey.pk}/public/questionnaire/"
    items = "- {code: overall, type: likert, required: true, text: 总体满意吗？}\n"
    assert client.post(page, {"items": items, "intro": "您好"}).status_code == 302
    assert survey.questionnaires.filter(group="public").count() == 1  # no answers yet: edited in place
    assert post(Client(), survey, {"s": actions.form_stamp(survey, "public", time.time() - 60), "v": 1,
                                   "overall": "满意"}, "public").status_code == 200  # fmt: skip
    items2 = items + "- {code: note, type: text, text: 建议}\n"
    assert client.post(page, {"items": items2, "intro": "您好"}).status_code == 302
    versions = list(Questionnaire.objects.filter(survey=survey, group="public").values_list("version", flat=True))
    assert sorted(versions) == [1, 2]
    assert Response.objects.get().questionnaire.version == 1
    bad = client.post(page, {"items": "- {code: a, type: nonsense, text: x}"})
    assert bad.status_code == 400 and "题型" in bad.content.decode()
    assert client.post(page, {"items": "[unclosed"}).status_code == 400


def test_results_rates_and_sr01(world: World, survey: Survey) -> None:
    old = time.time() - 300
    for overall in ["满意"] * 8 + ["比较满意"] + ["一般"]:
        assert post(Client(), survey, answers(survey, started=old, overall=overall)).status_code == 200
    for overall in ["满意", "不满意"]:
        assert (
            post(Client(), survey, answers(survey, "teacher", started=old, overall=overall), "teacher").status_code
            == 200
        )
    client = as_(world, "county_supervisor")
    body = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    # parents 9/10 = 90.0 %, teachers 1/2 = 50.0 %; raw 10/12 = 83.3 %; weighted over parents and
    # teachers by their planned shares 300:50 → (0.9·300 + 0.5·50)/350 = 84.3 %
    assert "90.0%" in body and "50.0%" in body and "83.3%" in body and "84.3%" in body
    assert "未达标" in body and "满意、比较满意" in body
    csv = client.get(f"/surveys/{survey.pk}/results/?download=recognition&format=csv")
    assert csv.status_code == 200 and "家长" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"/surveys/{survey.pk}/results/?download=q-overall&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.post(f"/surveys/{survey.pk}/results/evaluation/").status_code == 302
    item = CountyItemValue.objects.get(county=world.county, year=2025, code="SR-01")
    assert item.value == pytest.approx(0.8429, abs=1e-4) and item.note.startswith("来自社会认可度调查")
    # counting 一般 too raises the rate
    actions.update_config(world.county_supervisor, survey, {"recognition_answers": ["满意", "比较满意", "一般"]}, None)
    assert "91.7%" in client.get(f"/surveys/{survey.pk}/results/").content.decode()  # 11/12


def test_review_excludes_a_flagged_response(world: World, survey: Survey) -> None:
    assert post(Client(), survey, answers(survey, overall="不满意")).status_code == 200  # too fast: flagged
    resp = Response.objects.get()
    client = as_(world, "county_supervisor")
    assert client.post(f"/surveys/{survey.pk}/responses/{resp.pk}/review/", {"decision": "bogus"}).status_code == 302
    resp.refresh_from_db()
    assert resp.review == "pending"
    url = f"/surveys/{survey.pk}/responses/{resp.pk}/review/"
    confirmation = client.post(url, {"decision": "excluded", "why": "10秒答完"}).content.decode()
    assert "认可度将由 0.0% 变为 —" in confirmation and "10秒答完" in confirmation  # its effect; nothing yet
    resp.refresh_from_db()
    assert resp.review == "pending"
    client.post(url, {"decision": "excluded", "why": "10秒答完", "confirm": "1"})
    resp.refresh_from_db()
    assert resp.review == "excluded" and Response.objects.count() == 1
    assert actions.counts(survey)["parent"] == 0
    assert as_(world, "observer").post(f"/surveys/{survey.pk}/responses/{resp.pk}/review/",
                                       {"decision": "kept"}).status_code == 403  # fmt: skip


def test_tokens_and_qr_codes(world: World, survey: Survey) -> None:
    client = as_(world, "county_supervisor")
    assert client.post(f"/surveys/{survey.pk}/parent/tokens/", {"count": "5", "label": "一小三年级"}).status_code == 302
    assert client.post(f"/surveys/{survey.pk}/parent/tokens/", {"count": "99999"}).status_code == 302
    assert survey.tokens.count() == 5
    slips = client.get(f"/surveys/{survey.pk}/parent/tokens/").content.decode()
    assert slips.count("<svg") == 5 and "一小三年级" in slips
    png = client.get(f"/surveys/{survey.pk}/parent/qr.png")
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(f"/surveys/{survey.pk}/parent/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_progress_page_query_count(world: World, survey: Survey, django_assert_num_queries) -> None:
    client = as_(world, "observer")
    client.get(f"/surveys/{survey.pk}/")
    with django_assert_num_queries(7):  # the survey comes with its county (access_survey)
        assert client.get(f"/surveys/{survey.pk}/").status_code == 200


def test_county_page_lists_rounds_with_their_rates(world: World, survey: Survey) -> None:
    old = time.time() - 300
    for overall in ("满意", "一般"):
        assert post(Client(), survey, answers(survey, started=old, overall=overall)).status_code == 200
    client = as_(world, "city_inspector")
    body = client.get(f"/surveys/county/{world.county.code}/").content.decode()
    assert "各轮调查认可度" in body and "50.0%" in body and "未达标" in body
    csv = client.get(f"/surveys/county/{world.county.code}/?download=rounds&format=csv").content.decode("utf-8-sig")
    assert survey.title in csv
