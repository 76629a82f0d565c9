"""Questionnaires as data: the default content (questionnaires.yaml), validation of an edited copy,
and checking one submitted answer sheet against it (required items, options, skip logic)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

ITEM_TYPES = ("single", "multiple", "likert", "text")
TEXT_LIMIT = 1000
ITEM_LIMIT = 100


class QuestionnaireError(ValueError):
    """An edited questionnaire that cannot be used; ``args[0]`` is a Chinese message."""


@functools.cache
def defaults() -> dict[str, Any]:
    with open(Path(__file__).with_name("questionnaires.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


GROUPS: dict[str, str] = {code: g["label"] for code, g in defaults()["groups"].items()}
LIKERT: list[str] = list(defaults()["likert"])


def default_items(group: str) -> list[dict[str, Any]]:
    data = defaults()
    return [dict(i) for i in data["lead"].get(group, []) + data["common"]]


def options(item: dict[str, Any]) -> list[str]:
    return LIKERT if item["type"] == "likert" else list(item.get("options", []))


def validate(items: Any) -> list[dict[str, Any]]:
    """The items, normalised; raises QuestionnaireError naming the first problem."""
    if not isinstance(items, list) or not items:
        raise QuestionnaireError(_("问卷须为题目列表，且至少一题"))
    if len(items) > ITEM_LIMIT:
        raise QuestionnaireError(_("题目不能超过%(n)s道") % {"n": ITEM_LIMIT})
    seen: dict[str, dict[str, Any]] = {}
    for n, raw in enumerate(items, 1):
        item = _item(n, raw, seen)
        seen[item["code"]] = item
    return list(seen.values())


def _item(n: int, raw: Any, seen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Item ``n`` normalised, given the items before it (``seen``, for codes and skip logic)."""
    if not isinstance(raw, dict):
        raise QuestionnaireError(_("第%(n)s题格式不正确") % {"n": n})
    code, kind, text = str(raw.get("code", "")).strip(), raw.get("type"), str(raw.get("text", "")).strip()
    if not code or not code.isidentifier() or code in seen:
        raise QuestionnaireError(_("第%(n)s题的编号缺失、不合规或重复") % {"n": n})
    if kind not in ITEM_TYPES:
        raise QuestionnaireError(_("第%(n)s题的题型应为 single、multiple、likert 或 text") % {"n": n})
    if not text:
        raise QuestionnaireError(_("第%(n)s题缺少题干") % {"n": n})
    item: dict[str, Any] = {"code": code, "type": kind, "text": text, "required": bool(raw.get("required"))}
    if raw.get("overall"):
        item["overall"] = True
    if kind in ("single", "multiple"):
        opts = raw.get("options")
        if not isinstance(opts, list) or len(opts) < 2 or len({str(o) for o in opts}) != len(opts):
            raise QuestionnaireError(_("第%(n)s题至少需要两个不重复的选项") % {"n": n})
        item["options"] = [str(o) for o in opts]
    if (cond := raw.get("show_if")) is not None:
        if not isinstance(cond, dict) or cond.get("item") not in seen or not isinstance(cond.get("in"), list):
            raise QuestionnaireError(_("第%(n)s题的跳题条件须引用前面的题目") % {"n": n})
        if seen[cond["item"]]["type"] == "text":
            raise QuestionnaireError(_("第%(n)s题的跳题条件不能引用填空题") % {"n": n})
        item["show_if"] = {"item": cond["item"], "in": [str(v) for v in cond["in"]]}
    return item


def _answer(item: dict[str, Any], values: list[str]) -> tuple[Any, str]:
    """(the answer to ``item`` from its non-blank posted ``values`` — empty if none —, an error or "")."""
    if item["type"] == "text":
        text = values[0].strip() if values else ""
        if len(values) > 1 or len(text) > TEXT_LIMIT:
            return None, _("请填写不超过%(n)s字") % {"n": TEXT_LIMIT}
        return text, ""
    allowed = options(item)
    if item["type"] == "multiple":
        if any(v not in allowed for v in values) or len(set(values)) != len(values):
            return None, _("选项无效")
        return [v for v in allowed if v in values], ""
    if len(values) > 1 or (values and values[0] not in allowed):
        return None, _("选项无效")
    return (values[0] if values else None), ""


def shown(item: dict[str, Any], answers: dict[str, Any]) -> bool:
    """False when skip logic hides the item for these answers."""
    cond = item.get("show_if")
    if not cond:
        return True
    given = answers.get(cond["item"])
    given = given if isinstance(given, list) else [given]
    return any(v in cond["in"] for v in given)


def check_answers(items: list[dict[str, Any]], raw: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers, errors by item code) from the posted values (``QueryDict.lists()``); answers to
    items hidden by skip logic are dropped; unknown options are errors, never stored."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in items:
        code, values = item["code"], [v for v in raw.get(item["code"], []) if v.strip()]
        if not shown(item, answers):
            continue
        answer, error = _answer(item, values)
        if error:
            errors[code] = error
        elif answer:
            answers[code] = answer
        elif item["required"]:
            errors[code] = _("此题必答")
    return answers, errors
