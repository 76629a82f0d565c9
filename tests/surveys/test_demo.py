"""``dudao seed_survey_demo``: after seed_demo, an open survey with answers; a second run changes
nothing; --reset rebuilds it; the pages show it to the demo county supervisor."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from dudao.surveys import actions
from dudao.surveys.models import QuotaCount, Response, Survey

pytestmark = pytest.mark.django_db


def test_seed_survey_demo(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", verbosity=0)
    call_command("seed_survey_demo")
    survey = Survey.objects.get()
    n = Response.objects.count()
    assert survey.status == "open" and 500 < n < 702 and survey.tokens.count() == 24
    call_command("seed_survey_demo")
    assert "未作改动" in capsys.readouterr().out and Response.objects.count() == n
    call_command("seed_survey_demo", "--reset")
    assert Survey.objects.count() == 1 and Response.objects.count() == n
    client = Client()
    assert client.login(username="county", password="dudao-demo")
    survey = Survey.objects.get()
    body = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "达标" in body and "待复核答卷" in body
    assert client.get(f"/s/{survey.key}/parent/").status_code == 200
    # The sample is divided by town: the progress page lists the towns, and the counters agree with
    # the stored responses cell by cell.
    assert survey.plan["towns"] and "分乡镇、学段样本进度" in client.get(f"/surveys/{survey.pk}/").content.decode()
    counters = {(c.group, c.town, c.stage): c.count for c in QuotaCount.objects.filter(survey=survey)}
    assert counters == {cell: n for cell, n in actions.cell_counts(survey).items() if n}


def test_needs_seed_demo_first() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_survey_demo")
