"""Demo data for ``dudao seed_survey_demo``: an open 2025 survey of 示范县 (130135), its sample divided
by town, with answers collected part-way against the quotas of every cell, a few flagged responses
and a batch of token slips."""

from __future__ import annotations

import random

from django.contrib.auth.models import User
from django.db import transaction

from dudao.evaluation.actions import set_county_item
from dudao.orgs.models import Region
from dudao.surveys import actions, results
from dudao.surveys.models import RECOGNITION_ITEM, RECOGNITION_STANDARD, Response, Survey
from dudao.surveys.questionnaire import LIKERT

COUNTY = "130135"
TITLE = "2025年示范县义务教育优质均衡发展社会认可度调查"
# The share of each group answering 满意 / 比较满意 / 一般 / 不太满意 / 不满意 on every item, and the
# share of the quota already collected.
MOOD = {
    "parent": ([0.62, 0.28, 0.07, 0.02, 0.01], 0.9),
    "student": ([0.66, 0.26, 0.06, 0.01, 0.01], 0.8),
    "teacher": ([0.52, 0.33, 0.10, 0.03, 0.02], 1.0),
    "principal": ([0.60, 0.30, 0.08, 0.02, 0.00], 1.0),
    "deputy": ([0.45, 0.35, 0.14, 0.04, 0.02], 0.6),
    "member": ([0.45, 0.33, 0.15, 0.05, 0.02], 0.5),
    "public": ([0.40, 0.36, 0.16, 0.05, 0.03], 0.7),
}
ADVICE = [
    "希望增加课后服务的兴趣课程",
    "建议进一步控制书面作业量",
    "农村学校音体美教师还需补充",
    "学校周边交通安全需加强",
]


class DemoMissing(Exception):
    pass


def to_evaluation() -> float | None:
    """Writes the demo survey's recognition rate into 示范县's SR-01 as its supervisor does from the results
    page (weighted when the sample is unbalanced), so the website's 社会认可度 is judged; the rate, or None
    when there is no demo survey or no valid answer yet. Unchanged, nothing is written."""
    survey = Survey.objects.filter(county__code=COUNTY, title=TITLE).first()
    supervisor = User.objects.filter(username="county").first()
    if survey is None or supervisor is None:
        return None
    res = results.compute(survey)
    rate = (res.weighted or res.overall).rate
    if rate is None:
        return None
    note = f"来自社会认可度调查“{survey.title}”：{res.overall.n}份有效回答，认可度{rate * 100:.1f}%"
    set_county_item(
        supervisor, survey.county, survey.year, RECOGNITION_STANDARD, RECOGNITION_ITEM, round(rate, 4), note
    )
    return rate


def reset() -> int:
    """Deletes the demo survey (its responses first: they protect their questionnaire versions)."""
    surveys = Survey.objects.filter(county__code=COUNTY, title=TITLE)
    with transaction.atomic():
        return Response.objects.filter(survey__in=surveys).delete()[0] + surveys.delete()[0]


def seed() -> Survey | None:
    """The demo survey, or None when it is already there."""
    county = Region.objects.filter(code=COUNTY, level="county").first()
    supervisor = User.objects.filter(username="county").first()
    if county is None or supervisor is None:
        raise DemoMissing("请先运行 dudao seed_demo / run dudao seed_demo first")
    if Survey.objects.filter(county=county, title=TITLE).exists():
        return None
    rng = random.Random(2025)
    with transaction.atomic():
        survey = actions.create_survey(supervisor, county, 2025, TITLE)
        actions.update_config(supervisor, survey, {"split_by": ["town"]}, None)
        actions.set_status(supervisor, survey, "open")
        rows = []
        for group, town, _stage, quota in actions.plan_of(survey)["cells"]:
            q = actions.current_questionnaire(survey, group)
            weights, done = MOOD[group]
            for n in range(int(quota * done)):
                answers: dict[str, object] = {}
                for item in q.items:
                    if item["type"] == "likert":
                        answers[item["code"]] = rng.choices(LIKERT, weights)[0]
                    elif item["type"] == "single":
                        answers[item["code"]] = rng.choice(item["options"])
                if answers.get("q8") in ("不太满意", "不满意"):
                    answers["burden"] = rng.sample(["书面作业过多", "校外培训", "考试排名压力", "家长期望"], 2)
                if rng.random() < 0.08:
                    answers["advice"] = rng.choice(ADVICE)
                flags = ["too_fast", "straight"] if n % 97 == 5 else []
                if flags:
                    answers.update({i["code"]: "满意" for i in q.items if i["type"] == "likert"})
                rows.append(Response(
                    survey=survey, questionnaire=q, group=group, answers=answers, flags=flags, town=town,
                    stage=str(answers.get("stage", "")),
                    seconds=rng.randint(8, 15) if flags else rng.randint(90, 400),
                    review=Response.Review.PENDING if flags else "",
                ))  # fmt: skip
        Response.objects.bulk_create(rows)
        actions.recount(survey)
        actions.make_tokens(supervisor, survey, "parent", 24, "示范县第一小学 三年级（2）班")
    return survey
