"""Ending a survey and excluding an answer ask first, on a page that says the effect (the answers received and
the recognition rate; the rate before and after the exclusion); the confirmation page writes nothing, and the
act ends with a message."""

from __future__ import annotations

import pytest
from django.test import Client

from dudao.audit.models import AuditEvent
from dudao.surveys.models import Response, Survey
from tests.personas import World, client_for
from tests.surveys.helpers import answers, post

pytestmark = pytest.mark.django_db


def test_ending_a_survey_says_what_it_does_first(world: World, survey: Survey) -> None:
    for overall in ("满意", "不满意"):
        assert post(Client(), survey, answers(survey, overall=overall)).status_code == 200
    county = client_for(world.county_supervisor)
    page = county.get(f"/surveys/{survey.pk}/").content.decode()
    assert f'href="/surveys/{survey.pk}/close/" id="close-survey"' in page  # a link to the confirmation
    confirmation = county.get(f"/surveys/{survey.pk}/close/").content.decode()
    assert "结束后，公开链接和问卷码不再接收答卷；已收到 2 份答卷" in confirmation
    # neither the confirmation nor a plain status post (not through it) ends the survey
    events = AuditEvent.objects.filter(verb="surveys.survey.status").count()
    county.post(f"/surveys/{survey.pk}/settings/", {"status": "closed"})
    survey.refresh_from_db()
    assert survey.status == "open" and AuditEvent.objects.filter(verb="surveys.survey.status").count() == events
    done = county.post(f"/surveys/{survey.pk}/close/", follow=True).content.decode()
    assert "已结束调查，公开链接和问卷码不再接收答卷。" in done
    survey.refresh_from_db()
    assert survey.status == "closed"
    reopened = county.post(f"/surveys/{survey.pk}/settings/", {"status": "open"}, follow=True).content.decode()
    assert "已开始接收答卷。" in reopened


def test_excluding_an_answer_states_the_rate_before_and_after(world: World, survey: Survey) -> None:
    for overall in ("满意", "不满意"):  # both too fast: flagged, still counted until excluded
        assert post(Client(), survey, answers(survey, overall=overall)).status_code == 200
    unhappy = Response.objects.get(answers__overall="不满意")
    county = client_for(world.county_supervisor)
    url = f"/surveys/{survey.pk}/responses/{unhappy.pk}/review/"
    confirmation = county.post(url, {"decision": "excluded", "why": "同一设备"}).content.decode()
    assert "认可度将由 50.0% 变为 100.0%" in confirmation
    unhappy.refresh_from_db()
    assert unhappy.review == "pending"
    kept = county.post(url, {"decision": "kept"}, follow=True).content.decode()  # keeping needs no confirmation
    assert f"已保留第{unhappy.pk}份答卷，继续计入认可度。" in kept
