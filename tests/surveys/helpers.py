from __future__ import annotations

from django.test import Client

from dudao.surveys import actions
from dudao.surveys.models import Survey
from dudao.surveys.questionnaire import LIKERT


def url(survey: Survey, group: str = "parent") -> str:
    return f"/s/{survey.key}/{group}/"


def answers(survey: Survey, group: str = "parent", overall: str = "满意", started: float | None = None, **extra: object
            ) -> dict[str, object]:  # fmt: skip
    """A complete, varied answer sheet for the current questionnaire of ``group``."""
    q = actions.current_questionnaire(survey, group)
    data: dict[str, object] = {"s": actions.form_stamp(survey, group, started), "v": q.version}
    for n, item in enumerate(q.items):
        if item["type"] == "likert":
            data[item["code"]] = LIKERT[n % 2]
        elif item["type"] == "single":
            data[item["code"]] = item["options"][0]
    data["overall"] = overall
    data.update(extra)
    return data


def post(client: Client, survey: Survey, data: dict[str, object], group: str = "parent", **kw: object):
    return client.post(url(survey, group), data, **kw)
