"""F5, F10 and the review's trail (issue #13): the one-use codes are seen only by those who hand
them out, answers with codes are rate-limited too, the open link has a sane limit per address (the
client's address behind trusted proxies), and exclusions and settings changes say who and why."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dudao.audit.models import AuditEvent
from dudao.surveys import actions
from dudao.surveys.actions import SurveyError
from dudao.surveys.models import RATE_KEEP, RATE_WINDOW, RateCounter, Response, Survey
from tests.personas import World, client_for
from tests.surveys.helpers import answers, post

OLD = time.time() - 600  # the form was opened ten minutes ago: not "too fast"


def as_(world: World, who: str) -> Client:
    return client_for(getattr(world, who))


@pytest.mark.parametrize("who", ["observer", "province_inspector", "city_inspector"])
def test_readers_do_not_see_the_one_use_codes(world: World, survey: Survey, who: str) -> None:
    actions.make_tokens(world.county_supervisor, survey, "parent", 27, "一小")
    client = as_(world, who)
    assert client.get(f"/surveys/{survey.pk}/parent/tokens/").status_code == 403
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert f"/surveys/{survey.pk}/parent/tokens/" not in page and "27" in page  # the count, not the codes
    codes = survey.tokens.values_list("code", flat=True)
    assert not any(code in page for code in codes)
    slips = as_(world, "county_supervisor").get(f"/surveys/{survey.pk}/parent/tokens/")
    assert slips.status_code == 200 and all(code in slips.content.decode() for code in codes)


def test_answers_with_codes_are_rate_limited_too(world: World, survey: Survey) -> None:
    actions.update_config(world.county_supervisor, survey, {"token_address_limit": 3}, None, why="测试")
    codes = [t.code for t in actions.make_tokens(world.county_supervisor, survey, "parent", 5, "一小")]
    statuses = [post(Client(), survey, answers(survey, started=OLD, t=code)).status_code for code in codes[:4]]
    assert statuses == [200, 200, 200, 429]
    assert post(Client(), survey, answers(survey, started=OLD, t=codes[4]), REMOTE_ADDR="192.0.2.50").status_code == 200


def test_one_address_cannot_fill_the_open_link(world: World, survey: Survey) -> None:
    statuses = [post(Client(), survey, answers(survey, started=OLD)).status_code for _ in range(25)]
    assert statuses.count(200) == 20 and statuses[20:] == [429] * 5  # the default limit of a new survey
    burst = [("burst" in r.flags) for r in Response.objects.order_by("pk")]
    assert burst == [False] * 10 + [True] * 10  # beyond 10 in ten minutes: flagged for review


def test_a_refused_answer_counts_nothing_and_old_counters_go(world: World, survey: Survey) -> None:
    actions.update_config(world.county_supervisor, survey, {"address_limit": 1}, None, why="测试")
    window = int(time.time()) // RATE_WINDOW
    RateCounter.objects.create(key="0" * 64, window=window - RATE_KEEP // RATE_WINDOW - 1, count=7)
    assert [post(Client(), survey, answers(survey, started=OLD)).status_code for _ in range(3)] == [200, 429, 429]
    # the first answer of the window made its counter and took the windows past RATE_KEEP with it;
    # the refused answers were not counted, nor did they take a place in the sample
    assert not RateCounter.objects.filter(key="0" * 64).exists()
    assert list(RateCounter.objects.values_list("count", flat=True)) == [1]
    assert Response.objects.count() == 1 and sum(c.count for c in survey.quota_counts.all()) == 1


def test_behind_a_proxy_the_survey_limit_keys_on_the_client(world: World, survey: Survey, settings) -> None:
    settings.DUDAO_PROXY_COUNT = 1
    survey.config.update(address_limit=2)
    survey.save()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def send(client_ip: str) -> int:
        data = answers(survey, started=OLD)
        return post(Client(), survey, data, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_ip}", **proxy).status_code

    assert [send("192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert send("192.0.2.2") == 200  # another client behind the same proxy


def test_an_exclusion_needs_a_reason_and_is_recorded(world: World, survey: Survey) -> None:
    assert post(Client(), survey, answers(survey)).status_code == 200  # too fast: flagged
    response = Response.objects.get()
    with pytest.raises(SurveyError, match="原因"):
        actions.review(world.county_supervisor, response, Response.Review.EXCLUDED, "  ")
    client = as_(world, "county_supervisor")
    page = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert 'name="why"' in page
    url = f"/surveys/{survey.pk}/responses/{response.pk}/review/"
    # the exclusion is confirmed first, on a page saying its effect (that page writes nothing)
    confirmation = client.post(url, {"decision": "excluded"}).content.decode()
    assert "剔除后此答卷不再计入认可度" in confirmation and 'name="confirm"' in confirmation
    refused = client.post(url, {"decision": "excluded", "confirm": "1"}, follow=True)
    assert "剔除答卷须填写原因" in refused.content.decode()
    response.refresh_from_db()
    assert response.review == "pending"
    done = client.post(url, {"decision": "excluded", "why": "同一设备10秒内提交", "confirm": "1"}, follow=True)
    assert f"已剔除第{response.pk}份答卷，不再计入认可度。" in done.content.decode()
    response.refresh_from_db()
    event = AuditEvent.objects.get(verb="surveys.response.exclude")
    assert response.review == "excluded" and event.actor == world.county_supervisor
    assert event.why == "同一设备10秒内提交" and event.region == world.county and event.target_id == str(response.pk)
    assert event.data["flags"] == ["too_fast"] and event.data["before"] == "pending"


def test_a_settings_change_needs_a_reason_and_is_recorded(world: World, survey: Survey) -> None:
    client = as_(world, "county_supervisor")
    form = {"sample_rule": "rate", "full_policy": "stop", "recognition_answers": ["满意", "比较满意", "一般"],
            "recognition_items": "overall", "per_mille": "2"}  # fmt: skip
    refused = client.post(f"/surveys/{survey.pk}/settings/", form, follow=True)
    assert "请填写修改原因" in refused.content.decode()
    survey.refresh_from_db()
    assert survey.setting("recognition_answers") == ["满意", "比较满意"]
    client.post(f"/surveys/{survey.pk}/settings/", {**form, "why": "按县政府常务会议意见"})
    event = AuditEvent.objects.get(verb="surveys.survey.settings")
    assert event.actor == world.county_supervisor and event.why == "按县政府常务会议意见"
    assert event.data["changed"]["recognition_answers"] == [["满意", "比较满意"], ["满意", "比较满意", "一般"]]
    assert event.data["changed"]["per_mille"][1] == 2.0
    client.post(f"/surveys/{survey.pk}/close/")  # ending a survey: after its confirmation page
    assert AuditEvent.objects.filter(verb="surveys.survey.status").first().data == {"before": "open", "after": "closed"}
