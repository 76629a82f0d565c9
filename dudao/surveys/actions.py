"""What changes a survey, and the public submission. Views call these; each checks permissions
(``edit`` on the county for staff actions) and refuses bad input with ``SurveyError``."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from dudao.actors import Actor, is_system, user_of
from dudao.audit.record import record_event
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region, SchoolYear
from dudao.surveys import intake, stats
from dudao.surveys.access import MANAGE
from dudao.surveys.models import (
    RATE_KEEP,
    RATE_WINDOW,
    SPLITS,
    Questionnaire,
    QuotaCount,
    Response,
    Survey,
    Token,
    default_config,
    sample_tiers,
)
from dudao.surveys.questionnaire import (
    GROUPS,
    LIKERT,
    QuestionnaireError,
    check_answers,
    default_items,
    defaults,
    validate,
)

PARENT = "parent"
TOKEN_BATCH_LIMIT = 2000


class SurveyError(Exception):
    """Refused: ``status`` is the HTTP status the view answers with, ``message`` is shown."""

    def __init__(self, status: int, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or {}


def _require_edit(actor: Actor, county: Region) -> None:
    if not is_system(actor) and MANAGE not in region_permissions(actor, county):
        raise PermissionDenied


def create_survey(actor: Actor, county: Region, year: int, title: str) -> Survey:
    """A new survey with the default questionnaire of every group (version 1)."""
    _require_edit(actor, county)
    if county.level != Region.Level.COUNTY:
        raise SurveyError(400, _("只能为县（市、区）创建调查"))
    title = title.strip()
    if not title or len(title) > 200 or not 2000 <= year <= 2100:
        raise SurveyError(400, _("请填写调查名称和有效年度"))
    with transaction.atomic():
        survey = Survey.objects.create(
            county=county, year=year, title=title, population=county.resident_population,
            config=dict(default_config()), created_by=user_of(actor),
        )  # fmt: skip
        groups = defaults()["groups"]
        Questionnaire.objects.bulk_create(
            Questionnaire(survey=survey, group=g, intro=groups[g]["intro"], items=validate(default_items(g)))
            for g in GROUPS
        )
        replan(survey)
    return survey


def current_questionnaire(survey: Survey, group: str) -> Questionnaire:
    found = survey.questionnaires.filter(group=group).order_by("-version").first()
    if found is None:
        raise SurveyError(404, _("没有这一类问卷"))
    return found


def edit_questionnaire(actor: Actor, survey: Survey, group: str, items: Any, intro: str) -> Questionnaire:
    """Saves the edited items; once the current version has responses, a new version is made and
    the old one stays with its answers."""
    _require_edit(actor, survey.county)
    try:
        items = validate(items)
    except QuestionnaireError as exc:
        raise SurveyError(400, str(exc)) from exc
    if "stage" in survey.setting("split_by") and group in STAGE_GROUPS and _stages(items) is None:
        raise SurveyError(400, _("样本按学段分配时，问卷须保留必答的单选题“stage”（学段）"))
    with transaction.atomic():
        current = current_questionnaire(survey, group)
        if current.responses.exists():
            current = Questionnaire.objects.create(
                survey=survey, group=group, version=current.version + 1, intro=intro[:300], items=items
            )
        else:
            current.items, current.intro = items, intro[:300]
            current.save(update_fields=["items", "intro"])
        replan(survey)
        return current


def set_status(actor: Actor, survey: Survey, status: str) -> None:
    _require_edit(actor, survey.county)
    if status not in Survey.Status.values:
        raise SurveyError(400, _("状态无效"))
    before, survey.status = survey.status, status
    with transaction.atomic():
        survey.save(update_fields=["status"])
        record_event(actor, "surveys.survey.status", target=survey, region=survey.county,
                     data={"before": before, "after": status})  # fmt: skip


CONFIG_NUMBERS = {
    "per_mille": (0.01, 100.0),
    "minimum": (1, 1_000_000),
    "parent_share": (0.0, 1.0),
    "threshold": (0.0, 1.0),
    "min_seconds_per_item": (0.0, 60.0),
    "straight_min_items": (2, 100),
    "burst_per_window": (1, 100_000),
    "address_limit": (1, 100_000),
    "token_address_limit": (1, 100_000),
    "device_limit": (1, 100_000),
}


def _numbers(values: dict[str, Any]) -> dict[str, Any]:
    """The numeric settings given in ``values``, each of its default's type and within its bounds."""
    out: dict[str, Any] = {}
    for name, (low, high) in CONFIG_NUMBERS.items():
        if name not in values or values[name] in ("", None):
            continue
        try:
            number = type(default_config()[name])(values[name])
        except (TypeError, ValueError):
            raise SurveyError(400, _("数值无效：%(name)s") % {"name": name}) from None
        if not low <= number <= high:
            raise SurveyError(400, _("数值超出范围：%(name)s") % {"name": name})
        out[name] = number
    return out


def _choices(values: dict[str, Any]) -> dict[str, Any]:
    """The sampling choices given in ``values`` (full-group policy, sample rule, split), each checked."""
    out: dict[str, Any] = {}
    if "full_policy" in values:
        if values["full_policy"] not in ("stop", "accept"):
            raise SurveyError(400, _("满额处理方式无效"))
        out["full_policy"] = values["full_policy"]
    if "sample_rule" in values:
        if values["sample_rule"] not in ("rate", "tiers"):
            raise SurveyError(400, _("样本规则无效"))
        out["sample_rule"] = values["sample_rule"]
    if "split_by" in values:
        if any(v not in SPLITS for v in values["split_by"]):
            raise SurveyError(400, _("样本分配方式无效"))
        out["split_by"] = [v for v in SPLITS if v in values["split_by"]]
    return out


def _recognition(values: dict[str, Any]) -> dict[str, Any]:
    """Which answers count as recognition, and on which items, if given in ``values``."""
    out: dict[str, Any] = {}
    if "recognition_answers" in values:
        answers = [a for a in values["recognition_answers"] if a]
        if not answers or any(a not in LIKERT for a in answers):
            raise SurveyError(400, _("请至少选择一个计为认可的答案"))
        out["recognition_answers"] = [a for a in LIKERT if a in answers]
    if "recognition_items" in values:
        codes = [c.strip() for c in values["recognition_items"] if c.strip()]
        if not codes:
            raise SurveyError(400, _("请至少指定一道计入认可度的题目"))
        out["recognition_items"] = codes
    return out


def _population(raw: Any) -> int:
    try:
        population = int(raw)
    except (TypeError, ValueError):
        raise SurveyError(400, _("常住人口须为整数")) from None
    if population < 0:
        raise SurveyError(400, _("常住人口须为整数"))
    return population


def update_config(actor: Actor, survey: Survey, values: dict[str, Any], population: Any, why: str = "") -> Survey:
    """Sample rule, full-group policy, recognition answers and integrity thresholds. The change (old
    and new values) and its reason go to the audit trail."""
    _require_edit(actor, survey.county)
    before = {**default_config(), **survey.config, "population": survey.population}
    config = {**default_config(), **survey.config, **_numbers(values), **_choices(values), **_recognition(values)}
    if population not in (None, ""):
        survey.population = _population(population)
    survey.config = config
    after = {**config, "population": survey.population}
    changed = {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
    with transaction.atomic():
        survey.save(update_fields=["config", "population"])
        replan(survey)
        record_event(actor, "surveys.survey.settings", target=survey, region=survey.county, why=why.strip()[:1000],
                     data={"changed": changed})  # fmt: skip
    return survey


def make_tokens(actor: Actor, survey: Survey, group: str, count: int, label: str) -> list[Token]:
    _require_edit(actor, survey.county)
    if group not in GROUPS or not 1 <= count <= TOKEN_BATCH_LIMIT:
        raise SurveyError(400, _("每次可生成1至%(n)s个问卷码") % {"n": TOKEN_BATCH_LIMIT})
    return Token.objects.bulk_create(Token(survey=survey, group=group, label=label[:100]) for _i in range(count))


# ---- the sample plan ---------------------------------------------------------------------------

COUNTY_GROUPS = ("deputy", "member")  # county-wide groups: never divided by town
STAGE_GROUPS = ("parent", "student", "teacher", "principal")


def _stages(items: list[dict[str, Any]]) -> list[str] | None:
    """The options of the questionnaire's required single-choice item ``stage``, or None."""
    item = next((i for i in items if i["code"] == "stage"), None)
    if item is None or item["type"] != "single" or not item["required"] or item.get("show_if"):
        return None
    return list(item["options"])


def replan(survey: Survey) -> dict[str, Any]:
    """Works out the sample plan from the survey's rule, population and divisions, stores it on the
    survey and recounts the answers into its cells. Divided by town: in proportion to the towns'
    resident population (evenly when a town lacks it); by stage: evenly over the options of each
    school group's ``stage`` item."""
    groups = list(GROUPS)
    if survey.setting("sample_rule") == "tiers":
        by_group = stats.tier_quotas(survey.population, sample_tiers(), groups)
    else:
        by_group = stats.plan_quotas(
            survey.population, groups, per_mille=float(survey.setting("per_mille")),
            minimum=int(survey.setting("minimum")), parent_share=float(survey.setting("parent_share")),
            parent_group=PARENT,
        )  # fmt: skip
    split_by = survey.setting("split_by")
    towns: dict[str, tuple[str, int | None]] = {}
    if "town" in split_by:
        towns = {
            code: (name, population)
            for code, name, population in Region.objects.filter(parent=survey.county_id, level=Region.Level.TOWN)
            .order_by("code").values_list("code", "name", "resident_population")
        }  # fmt: skip
    weights = {c: float(p or 0) for c, (_n, p) in towns.items()}
    if any(not p for _n, p in towns.values()):
        weights = dict.fromkeys(towns, 1.0)
    stages: dict[str, list[str]] = {}
    if "stage" in split_by:
        for q in Questionnaire.objects.filter(survey=survey, group__in=STAGE_GROUPS).order_by("group", "-version"):
            if q.group not in stages:
                stages[q.group] = _stages(q.items) or []
    town_groups = [g for g in groups if g not in COUNTY_GROUPS]
    cells = stats.plan_cells(by_group, weights or None, town_groups, {g: v for g, v in stages.items() if v})
    survey.plan = {
        "groups": by_group, "cells": [[g, t, st, n] for (g, t, st), n in cells.items()],
        "towns": {c: name for c, (name, _p) in towns.items()}, "stages": stages,
    }  # fmt: skip
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(plan=survey.plan)
        recount(survey)
    return survey.plan


def plan_of(survey: Survey) -> dict[str, Any]:
    """The stored plan (worked out once for a survey saved before plans were stored)."""
    if not survey.plan.get("cells"):  # worked out from the whole stored survey, not a partial copy
        survey.plan = replan(Survey.objects.get(pk=survey.pk))
    return survey.plan


def quotas(survey: Survey) -> dict[str, int]:
    """The planned sample per group."""
    return dict(plan_of(survey)["groups"])


def cell_of(survey: Survey, group: str, town: str, stage: str) -> tuple[tuple[str, str, str], int | None]:
    """The plan's cell an answer with this town and stage counts in, and its quota (None: outside
    the plan, e.g. a school without a town; such answers are counted but never refused as full)."""
    plan = plan_of(survey)
    towns = plan["towns"] and group not in COUNTY_GROUPS
    key = (group, town if towns else "", stage if plan["stages"].get(group) else "")
    quota = next((n for g, t, st, n in plan["cells"] if (g, t, st) == key), None)
    return key, quota


def recount(survey: Survey) -> None:
    """Rebuilds the cell counters from the responses (reviewers' exclusions deducted)."""
    counted = cell_counts(survey)
    with transaction.atomic():
        QuotaCount.objects.filter(survey=survey).delete()
        QuotaCount.objects.bulk_create(
            QuotaCount(survey=survey, group=g, town=t, stage=st, count=n) for (g, t, st), n in counted.items()
        )


def counts(survey: Survey) -> dict[str, int]:
    """Responses per group, excluding those a reviewer excluded."""
    rows = (
        survey.responses.exclude(review=Response.Review.EXCLUDED)
        .values_list("group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = dict(rows)
    return {g: found.get(g, 0) for g in GROUPS}


def cell_counts(survey: Survey) -> dict[tuple[str, str, str], int]:
    """Responses per cell of the plan (exclusions deducted), from the responses themselves."""
    counted: Counter[tuple[str, str, str]] = Counter()
    rows = (
        survey.responses.exclude(review=Response.Review.EXCLUDED)
        .values_list("group", "town", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for group, town, stage, n in rows:
        counted[cell_of(survey, group, town, stage)[0]] += n
    return dict(counted)


# ---- the public form ---------------------------------------------------------------------------

_signer = signing.Signer(salt="dudao.surveys.form")
FORM_MAX_AGE = 86400


def form_stamp(survey: Survey, group: str, now: float | None = None) -> str:
    """A signed start time for the form, so the server knows how long it took to answer."""
    return _signer.sign(f"{survey.key}:{group}:{int(now if now is not None else time.time())}")


def _hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|{kind}|{value}".encode()).hexdigest()


@dataclass
class Submission:
    survey_key: str
    group: str
    data: dict[str, list[str]]
    address: str = ""
    device: str = ""
    now: float = field(default_factory=time.time)


def _flags(survey: Survey, questionnaire: Questionnaire, answers: dict[str, Any], seconds: int | None) -> list[str]:
    flags = []
    answered = len(answers)
    if seconds is not None and seconds < float(survey.setting("min_seconds_per_item")) * answered:
        flags.append("too_fast")
    likert = [answers[i["code"]] for i in questionnaire.items if i["type"] == "likert" and i["code"] in answers]
    if len(likert) >= int(survey.setting("straight_min_items")) and len(set(likert)) == 1:
        flags.append("straight")
    return flags


def _first(data: dict[str, list[str]], name: str, limit: int = 200) -> str:
    return (data.get(name) or [""])[0][:limit]


def _stale() -> SurveyError:
    """A form that is incomplete, forged or too old: the respondent opens the survey again."""
    return SurveyError(400, _("提交的表单不完整或已过期，请重新打开问卷。"))


def _form(sub: Submission) -> tuple[Survey, Any, int | None]:
    """(the survey, the questionnaire the form was made from, the one-use code's id or None), or refused."""
    version, code = _first(sub.data, "v", 9), _first(sub.data, "t", 40)
    found = (
        intake.form(sub.survey_key, sub.group, int(version), code)
        if version.isdigit() and sub.group in GROUPS
        else None
    )
    survey = found[0] if found else Survey.objects.filter(key=sub.survey_key).first()
    if survey is None or sub.group not in GROUPS:
        raise SurveyError(404, _("问卷不存在"))
    if survey.status != Survey.Status.OPEN:
        raise SurveyError(410, _("本次调查未在进行中，不再接收答卷。"))
    token_id = None
    if code:
        token = found[2] if found else intake.token(survey, code)
        if token is None or token[1] != sub.group:
            raise SurveyError(403, _("问卷码无效。"))
        if token[2]:
            raise SurveyError(409, _("这个问卷码已经使用过，感谢您的参与。"))
        token_id = token[0]
    if found is None:
        raise _stale()
    return survey, found[1], token_id


def _seconds(sub: Submission, survey: Survey) -> int:
    """Seconds since the form was opened, from its signed start (a forged or old form is refused)."""
    try:
        key, group, started = _signer.unsign(_first(sub.data, "s")).split(":")
        seconds = int(sub.now) - int(started)
    except (ValueError, signing.BadSignature):
        raise _stale() from None
    if (key, group) != (survey.key, sub.group) or not 0 <= seconds <= FORM_MAX_AGE:
        raise _stale()
    return seconds


def _rate_limited(cursor: Any, survey: Survey, sub: Submission, token_id: int | None) -> bool:
    """Counts the answer against its device and address (in ``intake.counting``); refuses it over the
    limits (429). True when an open link's address is past the burst threshold (the answer is
    flagged, not refused)."""
    window = int(sub.now) // RATE_WINDOW
    oldest = window - RATE_KEEP // RATE_WINDOW
    if (
        token_id is None
        and sub.device
        and intake.bump(cursor, _hash("device", sub.device), window, oldest) > int(survey.setting("device_limit"))
    ):
        raise SurveyError(429, _("提交过于频繁，请稍后再试。"))
    # one counter per address for open links and codes alike; codes (handed out in person, maybe to a
    # roomful of parents on one network) have a limit of their own
    per_address = intake.bump(cursor, _hash("address", sub.address), window, oldest)
    limit = "address_limit" if token_id is None else "token_address_limit"
    if per_address > int(survey.setting(limit)):
        raise SurveyError(429, _("提交过于频繁，请稍后再试。"))
    return token_id is None and per_address > int(survey.setting("burst_per_window"))


def submit(sub: Submission) -> Survey:
    """Checks and stores one anonymous response and returns its survey; raises SurveyError (nothing
    stored) otherwise. With a one-use code: one read (the questionnaire with its survey, the code with
    its response); one transaction for the counters (dudao.surveys.intake.counting): the address's
    rate counter and the cell's place, a conditional UPDATE that refuses exactly at the quota; then
    the INSERT, whose unique code lets exactly one of two concurrent submits in (the other gives its
    place back). An open link adds the device's rate counter; a school link, the school's town."""
    survey, questionnaire, token_id = _form(sub)
    seconds = _seconds(sub, survey)
    answers, errors = check_answers(questionnaire.items, sub.data)
    school, town = _where(survey, sub, errors)
    if errors:
        raise SurveyError(400, _("请检查标出的题目。"), errors)
    given_stage = answers.get("stage")
    stage = given_stage if isinstance(given_stage, str) else ""
    cell, quota = cell_of(survey, sub.group, town, stage)
    stop = survey.setting("full_policy") == "stop"
    if stop and quotas(survey)[sub.group] == 0:
        raise SurveyError(409, _("本次调查的样本计划不含这一类调查对象，感谢您的关注！"))
    flags = _flags(survey, questionnaire, answers, seconds)
    with intake.counting() as cursor:  # a refusal (429, full) rolls the counts back
        if _rate_limited(cursor, survey, sub, token_id):
            flags.append("burst")
        if not intake.take_place(cursor, survey, cell, quota if stop else None):
            raise SurveyError(409, _("本组样本已满，感谢您的参与！"))
    values = {
        "group": sub.group, "token_id": token_id, "answers": answers, "school_id": school, "town": town,
        "stage": stage[:20], "seconds": seconds, "flags": flags, "review": Response.Review.PENDING if flags else "",
    }  # fmt: skip
    try:
        intake.store(survey, questionnaire, values)
    except IntegrityError:
        intake.give_back(survey, cell)
        raise SurveyError(409, _("这个问卷码已经使用过，感谢您的参与。")) from None
    return survey


def _where(survey: Survey, sub: Submission, errors: dict[str, str]) -> tuple[int | None, str]:
    """(school id, town code) of the answer: a school link's school and its town in the survey's
    year (or the latest year before it); else the town the respondent chose when the plan divides
    this group by town (a missing or unknown town is an error on the ``town`` field)."""
    if code := _first(sub.data, "school", 20):
        found = (
            SchoolYear.objects.filter(school__code=code, school__county=survey.county_id, year__lte=survey.year)
            .order_by("-year")
            .values_list("school_id", "town__code")
            .first()
        )
        if found is None:
            raise SurveyError(400, _("链接中的学校不属于本次调查的县，请使用学校发放的二维码。"))
        return found[0], found[1] or ""
    towns = plan_of(survey)["towns"]
    if not towns or sub.group in COUNTY_GROUPS:
        return None, ""
    town = _first(sub.data, "town", 20)
    if town not in towns:
        errors["town"] = _("此题必答")
    return None, town


def review(actor: Actor, response: Response, decision: str, why: str = "") -> None:
    """Keeps or excludes a flagged answer (an exclusion changes the recognition rate, SR-01, so it
    needs a reason); who, why and the answer's flags go to the audit trail."""
    _require_edit(actor, response.survey.county)
    if decision not in (Response.Review.KEPT, Response.Review.EXCLUDED):
        raise SurveyError(400, _("复核结论无效"))
    why = why.strip()[:1000]
    if decision == Response.Review.EXCLUDED and not why:
        raise SurveyError(400, _("剔除答卷须填写原因。"))
    before, response.review = response.review, decision
    with transaction.atomic():
        response.save(update_fields=["review"])
        recount(response.survey)
        record_event(
            actor, "surveys.response.exclude" if decision == Response.Review.EXCLUDED else "surveys.response.keep",
            target=response, region=response.survey.county, why=why,
            data={"before": before, "after": decision, "group": response.group, "flags": list(response.flags)},
        )  # fmt: skip


def last_version(survey: Survey) -> dict[str, int]:
    return dict(survey.questionnaires.values_list("group").annotate(v=Max("version")).order_by())


def option_counts(responses: list[Response], code: str) -> Counter[str]:
    c: Counter[str] = Counter()
    for r in responses:
        v = r.answers.get(code)
        for x in v if isinstance(v, list) else [v] if v is not None else []:
            c[x] += 1
    return c
