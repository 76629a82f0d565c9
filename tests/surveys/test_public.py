"""The public form: account-free, server-checked, and refusing what it must with a clear 4xx and
nothing written."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dudao.surveys import actions
from dudao.surveys.models import RateCounter, Response, Survey
from tests.personas import World
from tests.surveys.helpers import answers, post, url

pytestmark = pytest.mark.django_db


def test_form_is_small_and_needs_no_account(survey: Survey) -> None:
    r = Client().get(url(survey))
    assert r.status_code == 200
    body = r.content.decode()
    assert "<script" not in body and len(r.content) < 30_000
    assert "总体而言" in body and 'name="s"' in body
    assert "dudao_survey_device" in r.cookies


def test_a_complete_sheet_is_stored_anonymously(survey: Survey) -> None:
    client = Client()
    r = post(client, survey, answers(survey, started=time.time() - 300, advice="多开设兴趣课"))
    assert r.status_code == 200 and "提交成功" in r.content.decode()
    resp = Response.objects.get()
    assert resp.group == "parent" and resp.answers["overall"] == "满意" and resp.answers["advice"] == "多开设兴趣课"
    assert resp.flags == [] and resp.review == ""
    # the counters hold only salted hashes, never the address
    assert all("127.0.0.1" not in c.key and len(c.key) == 64 for c in RateCounter.objects.all())


def test_missing_required_item_redisplays_with_answers_kept(survey: Survey) -> None:
    data = answers(survey)
    del data["q3"]
    r = post(Client(), survey, data)
    assert r.status_code == 400
    body = r.content.decode()
    assert "此题必答" in body and 'value="满意" checked' in body
    assert Response.objects.count() == 0


def test_skip_logic_drops_hidden_answers(survey: Survey) -> None:
    shown = answers(survey, started=time.time() - 300, q8="不满意", burden=["校外培训", "书面作业过多"])
    assert post(Client(), survey, shown).status_code == 200
    hidden = answers(survey, started=time.time() - 300, q8="满意", burden="校外培训")
    assert post(Client(), survey, hidden).status_code == 200
    first, second = Response.objects.order_by("pk")
    assert first.answers["burden"] == ["书面作业过多", "校外培训"]
    assert "burden" not in second.answers


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"overall": "非常满意"}, 400),  # not an option
        ({"stage": ["小学", "初中"]}, 400),  # two answers to a single choice
        ({"s": "forged:stamp"}, 400),
        ({"v": "99"}, 400),
        ({"v": "x"}, 400),
        ({"t": "forged-token"}, 403),
        ({"advice": "长" * 1001}, 400),
    ],
)
def test_malformed_posts_are_refused_and_nothing_written(survey: Survey, change: dict, status: int) -> None:
    r = post(Client(), survey, {**answers(survey), **change})
    assert r.status_code == status
    assert Response.objects.count() == 0


def test_oversized_body_closed_survey_and_unknown_links(world: World, survey: Survey) -> None:
    big = post(Client(), survey, {**answers(survey), "junk": "x" * 70_000})
    assert big.status_code == 413
    assert Client().get(f"/s/{survey.key}/nobody/").status_code == 404
    assert Client().get("/s/nosuchkey/parent/").status_code == 404
    assert Client().put(url(survey)).status_code == 405
    actions.set_status(world.county_supervisor, survey, "closed")
    assert Client().get(url(survey)).status_code == 410
    assert post(Client(), survey, answers(survey)).status_code == 410
    assert Response.objects.count() == 0


def test_token_is_one_use_and_bound_to_its_group(world: World, survey: Survey) -> None:
    token = actions.make_tokens(world.county_supervisor, survey, "teacher", 1, "一小")[0]
    assert post(Client(), survey, answers(survey, t=token.code)).status_code == 403  # parent link, teacher token
    data = answers(survey, "teacher", started=time.time() - 300, t=token.code)
    assert post(Client(), survey, data, "teacher").status_code == 200
    again = post(Client(), survey, data, "teacher")
    assert again.status_code == 409 and "已经使用过" in again.content.decode()
    assert Response.objects.get().token == token


def test_flags_too_fast_and_straight_lining_are_kept_for_review(survey: Survey) -> None:
    data = answers(survey)  # started now: far too fast
    for code in ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "overall"):
        data[code] = "满意"
    assert post(Client(), survey, data).status_code == 200
    resp = Response.objects.get()
    assert set(resp.flags) == {"too_fast", "straight"} and resp.review == "pending"


def test_device_and_address_limits(survey: Survey) -> None:
    survey.config.update(device_limit=2, address_limit=4, burst_per_window=2)
    survey.save()
    client = Client()
    client.get(url(survey))  # sets the device cookie
    old = time.time() - 300
    assert [post(client, survey, answers(survey, started=old)).status_code for _ in range(3)] == [200, 200, 429]
    others = [post(Client(), survey, answers(survey, started=old)).status_code for _ in range(3)]
    assert others == [200, 200, 429]  # the address: 2 + 2 accepted, the fifth refused
    stored = list(Response.objects.order_by("pk"))
    assert len(stored) == 4
    assert [("burst" in r.flags) for r in stored] == [False, False, True, True]


def test_full_group_stops_or_keeps_accepting(world: World, survey: Survey) -> None:
    actions.update_config(world.county_supervisor, survey, {"minimum": 14, "per_mille": 0.01}, None)
    assert actions.quotas(survey)["teacher"] == 1  # 14: 7 parents, 1 per other group
    old = time.time() - 300
    assert post(Client(), survey, answers(survey, "teacher", started=old), "teacher").status_code == 200
    full = post(Client(), survey, answers(survey, "teacher", started=old), "teacher")
    assert full.status_code == 409 and "已满" in full.content.decode()
    actions.update_config(world.county_supervisor, survey, {"full_policy": "accept"}, None)
    assert post(Client(), survey, answers(survey, "teacher", started=old), "teacher").status_code == 200
    assert Response.objects.filter(group="teacher").count() == 2
