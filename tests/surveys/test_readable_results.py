"""Survey results a county can read and hand on: questions by their text (never q1…q8), rates as
percentages, review flags in plain words, intervals as "86.4%（95%置信区间 83.1%–89.2%）" — on the
page, in the confirmations and in every .xlsx download."""

from __future__ import annotations

import io
import json
import re
import time

from django.test import Client
from openpyxl import load_workbook

from dudao.surveys import results, stats
from dudao.surveys.models import Survey
from dudao.surveys.questionnaire import LIKERT
from tests.personas import World, client_for
from tests.surveys.helpers import answers, post

Q7 = "您对本县义务教育质量是否满意？"


def _answer(survey: Survey) -> None:
    old = time.time() - 300
    for overall in ["满意"] * 8 + ["比较满意", "一般"]:
        assert post(Client(), survey, answers(survey, started=old, overall=overall)).status_code == 200
    same = {code: LIKERT[0] for code in [f"q{n}" for n in range(1, 9)]}
    assert post(Client(), survey, answers(survey, overall="满意", **same)).status_code == 200  # fast, all the same


def test_a_rate_is_written_with_its_interval_as_a_report_writes_it() -> None:
    assert results.rate_phrase(stats.Rate(864, 1000, 0.864, 0.8311, 0.8924)) == "86.4%（95%置信区间 83.1%–89.2%）"
    assert results.rate_phrase(stats.wilson(0, 0)) == "—" and results.percent(0.85) == "85.0%"


def test_the_page_names_questions_by_text_and_shows_percentages_and_flags_in_words(
    world: World, survey: Survey
) -> None:
    _answer(survey)
    body = client_for(world.county_supervisor).get(f"/surveys/{survey.pk}/results/").content.decode()
    assert re.search(r"认可度：<strong>\d+\.\d%（95%置信区间 \d+\.\d%–\d+\.\d%）</strong>", body)
    assert "达标线 85.0%" in body and "达标线 0.85" not in body
    assert "计入的题目：“总体而言，您对本县义务教育优质均衡发展的情况是否满意？”" in body
    assert f'<span class="table-title">{Q7}</span>' in body and "q7." not in body
    assert "作答过快（少于" in body and "所有题目选同一项" in body
    assert "too_fast" not in body and "straight" not in body
    chart = json.loads(re.search(r'<script id="survey-chart" type="application/json">(.*?)</script>', body).group(1))
    assert "义务教育质量" in chart["items"] and "推行教育公平政策" in chart["items"] and Q7 in chart["item_texts"]
    assert not any(re.fullmatch(r"q\d+", item) for item in chart["items"])
    assert chart["intervals"][0].startswith("90.9%（95%置信区间 ")  # parents: 10 of 11


def test_every_xlsx_download_is_readable(world: World, survey: Survey) -> None:
    _answer(survey)
    client = client_for(world.county_supervisor)
    page = f"/surveys/{survey.pk}/results/"

    def sheet(name: str) -> list[tuple]:
        response = client.get(page, {"download": name, "format": "xlsx"})
        assert response.status_code == 200, name
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    rates = sheet("recognition")
    assert rates[0] == ("调查对象", "有效回答", "认可", "认可度", "95%置信区间", "计划占比")
    parents = next(r for r in rates if r[0] == "家长")
    assert parents[1:4] == (11, 10, 0.909) and re.fullmatch(r"\d+\.\d%–\d+\.\d%", parents[4])
    assert (
        load_workbook(io.BytesIO(client.get(page, {"download": "recognition"}).content)).active["D2"].number_format
        == "0.0%"
    )
    quality = load_workbook(io.BytesIO(client.get(page, {"download": "q-q7"}).content)).active
    assert quality.title == Q7[:31] and quality["A1"].value == "选项"
    flagged = sheet("flagged")
    assert re.match(r"作答过快（少于\d+秒）、所有题目选同一项", flagged[1][4])


def test_the_exclusion_and_close_confirmations_speak_plainly(world: World, survey: Survey) -> None:
    _answer(survey)
    client = client_for(world.county_supervisor)
    flagged = survey.responses.get(review="pending")
    confirm = client.post(f"/surveys/{survey.pk}/responses/{flagged.pk}/review/", {"decision": "excluded"}).text
    assert "作答过快（少于" in confirm and "too_fast" not in confirm
    close = client.get(f"/surveys/{survey.pk}/close/").text
    assert re.search(r"认可度 \d+\.\d%（95%置信区间 \d+\.\d%–\d+\.\d%）", close)


def test_the_threshold_and_the_parents_share_are_set_as_percentages(world: World, survey: Survey) -> None:
    client = client_for(world.county_supervisor)
    page = client.get(f"/surveys/{survey.pk}/").text
    assert "达标线（%）" in page and 'name="threshold" inputmode="decimal" value="85"' in page
    assert 'name="parent_share" inputmode="decimal" value="50"' in page
    form = {"recognition_answers": ["满意", "比较满意"], "recognition_items": "overall", "why": "市里要求"}
    response = client.post(f"/surveys/{survey.pk}/settings/", {**form, "threshold": "90%", "parent_share": "40"})
    survey.refresh_from_db()
    assert response.status_code == 302 and survey.setting("threshold") == 0.9 and survey.setting("parent_share") == 0.4
    assert "达标线 90.0%" in client.get(f"/surveys/{survey.pk}/results/").text
    client.post(f"/surveys/{survey.pk}/settings/", {**form, "threshold": "150"})
    survey.refresh_from_db()
    assert survey.setting("threshold") == 0.9  # out of range: refused, nothing changed
