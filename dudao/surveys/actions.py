"""What changes a survey, and the public submission. Views call these; each checks permissions
(``edit`` on the county for staff actions) and refuses bad input with ``SurveyError``."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max
from django.utils.translation import gettext as _

from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.surveys import stats
from dudao.surveys.models import (
    RATE_KEEP,
    RATE_WINDOW,
    Questionnaire,
    RateCounter,
    Response,
    Survey,
    Token,
    default_config,
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


def _require_edit(user: User | AnonymousUser | None, county: Region) -> None:
    if user is None or "edit" not in region_permissions(user, county):
        raise PermissionDenied


def create_survey(user: User | AnonymousUser, county: Region, year: int, title: str) -> Survey:
    """A new survey with the default questionnaire of every group (version 1)."""
    _require_edit(user, county)
    if county.level != Region.Level.COUNTY:
        raise SurveyError(400, _("只能为县（市、区）创建调查"))
    title = title.strip()
    if not title or len(title) > 200 or not 2000 <= year <= 2100:
        raise SurveyError(400, _("请填写调查名称和有效年度"))
    with transaction.atomic():
        survey = Survey.objects.create(
            county=county, year=year, title=title, population=county.resident_population,
            config=dict(default_config()), created_by=user if user.is_authenticated else None,
        )  # fmt: skip
        groups = defaults()["groups"]
        Questionnaire.objects.bulk_create(
            Questionnaire(survey=survey, group=g, intro=groups[g]["intro"], items=validate(default_items(g)))
            for g in GROUPS
        )
    return survey


def current_questionnaire(survey: Survey, group: str) -> Questionnaire:
    found = survey.questionnaires.filter(group=group).order_by("-version").first()
    if found is None:
        raise SurveyError(404, _("没有这一类问卷"))
    return found


def edit_questionnaire(user: User | AnonymousUser, survey: Survey, group: str, items: Any, intro: str) -> Questionnaire:
    """Saves the edited items; once the current version has responses, a new version is made and
    the old one stays with its answers."""
    _require_edit(user, survey.county)
    try:
        items = validate(items)
    except QuestionnaireError as exc:
        raise SurveyError(400, str(exc)) from exc
    with transaction.atomic():
        current = current_questionnaire(survey, group)
        if current.responses.exists():
            return Questionnaire.objects.create(
                survey=survey, group=group, version=current.version + 1, intro=intro[:300], items=items
            )
        current.items, current.intro = items, intro[:300]
        current.save(update_fields=["items", "intro"])
        return current


def set_status(user: User | AnonymousUser, survey: Survey, status: str) -> None:
    _require_edit(user, survey.county)
    if status not in Survey.Status.values:
        raise SurveyError(400, _("状态无效"))
    survey.status = status
    survey.save(update_fields=["status"])


CONFIG_NUMBERS = {
    "per_mille": (0.01, 100.0),
    "minimum": (1, 1_000_000),
    "parent_share": (0.0, 1.0),
    "threshold": (0.0, 1.0),
    "min_seconds_per_item": (0.0, 60.0),
    "straight_min_items": (2, 100),
    "burst_per_window": (1, 100_000),
    "address_limit": (1, 100_000),
    "device_limit": (1, 100_000),
}


def update_config(user: User | AnonymousUser, survey: Survey, values: dict[str, Any], population: Any) -> Survey:
    """Sample rule, full-group policy, recognition answers and integrity thresholds."""
    _require_edit(user, survey.county)
    config = {**default_config(), **survey.config}
    for name, (low, high) in CONFIG_NUMBERS.items():
        if name not in values or values[name] in ("", None):
            continue
        try:
            number = type(default_config()[name])(values[name])
        except (TypeError, ValueError):
            raise SurveyError(400, _("数值无效：%(name)s") % {"name": name}) from None
        if not low <= number <= high:
            raise SurveyError(400, _("数值超出范围：%(name)s") % {"name": name})
        config[name] = number
    if "full_policy" in values:
        if values["full_policy"] not in ("stop", "accept"):
            raise SurveyError(400, _("满额处理方式无效"))
        config["full_policy"] = values["full_policy"]
    if "recognition_answers" in values:
        answers = [a for a in values["recognition_answers"] if a]
        if not answers or any(a not in LIKERT for a in answers):
            raise SurveyError(400, _("请至少选择一个计为认可的答案"))
        config["recognition_answers"] = [a for a in LIKERT if a in answers]
    if "recognition_items" in values:
        codes = [c.strip() for c in values["recognition_items"] if c.strip()]
        if not codes:
            raise SurveyError(400, _("请至少指定一道计入认可度的题目"))
        config["recognition_items"] = codes
    if population not in (None, ""):
        try:
            survey.population = int(population)
        except (TypeError, ValueError):
            raise SurveyError(400, _("常住人口须为整数")) from None
        if survey.population < 0:
            raise SurveyError(400, _("常住人口须为整数"))
    survey.config = config
    survey.save(update_fields=["config", "population"])
    return survey


def make_tokens(user: User | AnonymousUser, survey: Survey, group: str, count: int, label: str) -> list[Token]:
    _require_edit(user, survey.county)
    if group not in GROUPS or not 1 <= count <= TOKEN_BATCH_LIMIT:
        raise SurveyError(400, _("每次可生成1至%(n)s个问卷码") % {"n": TOKEN_BATCH_LIMIT})
    return Token.objects.bulk_create(Token(survey=survey, group=group, label=label[:100]) for _i in range(count))


def quotas(survey: Survey) -> dict[str, int]:
    return stats.plan_quotas(
        survey.population, list(GROUPS), float(survey.setting("per_mille")), int(survey.setting("minimum")),
        float(survey.setting("parent_share")), PARENT,
    )  # fmt: skip


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


# ---- the public form ---------------------------------------------------------------------------

_signer = signing.Signer(salt="dudao.surveys.form")
FORM_MAX_AGE = 86400


def form_stamp(survey: Survey, group: str, now: float | None = None) -> str:
    """A signed start time for the form, so the server knows how long it took to answer."""
    return _signer.sign(f"{survey.key}:{group}:{int(now if now is not None else time.time())}")


def _hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|{kind}|{value}".encode()).hexdigest()


def _bump(key: str, window: int) -> int:
    """Adds one to the counter of ``key`` in ``window`` and returns the new count."""
    if not RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window=window, count=1)
                return 1
        except IntegrityError:
            RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
    return RateCounter.objects.filter(key=key, window=window).values_list("count", flat=True).get()


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


def submit(sub: Submission) -> Response:
    """Checks and stores one anonymous response; raises SurveyError (nothing written) otherwise.
    The usual path costs four queries: the questionnaire with its survey, the token with its
    response, the group's count (for the quota) and the insert (autocommit: one round trip)."""
    stale = SurveyError(400, _("提交的表单不完整或已过期，请重新打开问卷。"))
    version = _first(sub.data, "v", 9)
    questionnaire = (
        Questionnaire.objects.select_related("survey")
        .filter(survey__key=sub.survey_key, group=sub.group, version=int(version))
        .first()
        if version.isdigit() and sub.group in GROUPS
        else None
    )
    survey = questionnaire.survey if questionnaire else Survey.objects.filter(key=sub.survey_key).first()
    if survey is None or sub.group not in GROUPS:
        raise SurveyError(404, _("问卷不存在"))
    if survey.status != Survey.Status.OPEN:
        raise SurveyError(410, _("本次调查未在进行中，不再接收答卷。"))
    token = None
    if code := _first(sub.data, "t", 40):
        token = Token.objects.select_related("response").filter(code=code, survey=survey).first()
        if token is None or token.group != sub.group:
            raise SurveyError(403, _("问卷码无效。"))
        if hasattr(token, "response"):
            raise SurveyError(409, _("这个问卷码已经使用过，感谢您的参与。"))
    if questionnaire is None:
        raise stale
    try:
        key, group, started = _signer.unsign(_first(sub.data, "s")).split(":")
        seconds = int(sub.now) - int(started)
    except (ValueError, signing.BadSignature):
        raise stale from None
    if (key, group) != (survey.key, sub.group) or not 0 <= seconds <= FORM_MAX_AGE:
        raise stale
    answers, errors = check_answers(questionnaire.items, sub.data)
    if errors:
        raise SurveyError(400, _("请检查标出的题目。"), errors)
    if survey.setting("full_policy") == "stop" and counts_for(survey, sub.group) >= quotas(survey)[sub.group]:
        raise SurveyError(409, _("本组样本已满，感谢您的参与！"))
    flags = _flags(survey, questionnaire, answers, seconds)
    window = int(sub.now) // RATE_WINDOW
    if token is None:
        if sub.device and _bump(_hash("device", sub.device), window) > int(survey.setting("device_limit")):
            raise SurveyError(429, _("提交过于频繁，请稍后再试。"))
        per_address = _bump(_hash("address", sub.address), window)
        if per_address > int(survey.setting("address_limit")):
            raise SurveyError(429, _("提交过于频繁，请稍后再试。"))
        if per_address > int(survey.setting("burst_per_window")):
            flags.append("burst")
        RateCounter.objects.filter(window__lt=window - RATE_KEEP // RATE_WINDOW).delete()
    # One INSERT in autocommit (a savepoint only inside an outer transaction): the token's unique
    # constraint lets exactly one of two concurrent submits in; the other gets 409.
    try:
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            return Response.objects.create(
                survey=survey, questionnaire=questionnaire, group=sub.group, token=token, answers=answers,
                seconds=seconds, flags=flags, review=Response.Review.PENDING if flags else "",
            )  # fmt: skip
    except IntegrityError:
        raise SurveyError(409, _("这个问卷码已经使用过，感谢您的参与。")) from None


def counts_for(survey: Survey, group: str) -> int:
    return survey.responses.filter(group=group).exclude(review=Response.Review.EXCLUDED).count()


def review(user: User | AnonymousUser, response: Response, decision: str) -> None:
    _require_edit(user, response.survey.county)
    if decision not in (Response.Review.KEPT, Response.Review.EXCLUDED):
        raise SurveyError(400, _("复核结论无效"))
    response.review = decision
    response.save(update_fields=["review"])


def last_version(survey: Survey) -> dict[str, int]:
    return dict(survey.questionnaires.values_list("group").annotate(v=Max("version")).order_by())


def option_counts(responses: list[Response], code: str) -> Counter[str]:
    c: Counter[str] = Counter()
    for r in responses:
        v = r.answers.get(code)
        for x in v if isinstance(v, list) else [v] if v is not None else []:
            c[x] += 1
    return c
