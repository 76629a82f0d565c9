"""Staff pages (county supervisors manage, inspectors and observers read, others 404) and the
public, account-free form."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dudao.evaluation.actions import EvaluationError, set_county_item
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import Permission, access_region, region_permissions
from dudao.orgs.models import School
from dudao.parsing import read_int
from dudao.security.addresses import client_address
from dudao.surveys import actions, links, results, stats
from dudao.surveys.access import MANAGE, access_response, access_survey
from dudao.surveys.actions import Submission, SurveyError
from dudao.surveys.models import RECOGNITION_ITEM, RECOGNITION_STANDARD, Response, Survey, Token
from dudao.surveys.questionnaire import GROUPS, LIKERT, options
from dudao.tables import download

MAX_BODY = 64 * 1024
DEVICE_COOKIE = "dudao_survey_device"
TITLE = _lazy("社会认可度调查")


def _survey(request: HttpRequest, pk: int, perm: Permission = "view") -> Survey:
    return access_survey(request.user, pk, perm)


def _refused(request: HttpRequest, exc: SurveyError, target: str) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect(target)


@login_required
def county(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = access_region(request.user, code, MANAGE if request.method == "POST" else "view")
    if region.level != "county":
        raise Http404
    status = 200
    if request.method == "POST":
        year = read_int(request.POST.get("year")) or 0
        try:
            survey = actions.create_survey(request.user, region, year, request.POST.get("title", ""))
        except SurveyError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            return redirect("surveys:survey", pk=survey.pk)
    table = results.trend_table(list(Survey.objects.filter(county=region).select_related("county")))
    if (response := download(request, [table])) is not None:
        return response
    return render(request, "surveys/county.html", {
        "county": region, "table": table, "perms": region_permissions(request.user, region),
    }, status=status)  # fmt: skip


@login_required
def survey(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    s = _survey(request, pk)
    tables = results.progress_tables(s)
    if (response := download(request, tables)) is not None:
        return response
    versions, ntokens = actions.last_version(s), dict(s.tokens.values_list("group").annotate(n=Count("pk")).order_by())
    group_links = [
        (g, label, links.public_url(request, s, g), ntokens.get(g, 0), versions.get(g))
        for g, label in GROUPS.items()
    ]  # fmt: skip
    perms = region_permissions(request.user, s.county)
    return render(request, "surveys/survey.html", {
        "survey": s, "tables": tables, "links": group_links, "perms": perms,
        "likert": LIKERT, "config": {**s.config},
        "percents": {k: f"{float(s.setting(k)) * 100:g}" for k in PERCENT_SETTINGS},
        "questions": results.question_texts(s) if "edit" in perms else {},  # for the settings form only
        "sample_rule": s.setting("sample_rule"), "split_by": s.setting("split_by"),
    })  # fmt: skip


# The settings that are shares, entered and shown as percentages (stored as 0–1).
PERCENT_SETTINGS = ("threshold", "parent_share")


def _from_percent(value: str | None) -> str | None:
    """ "85" or "85%" → "0.85"; a value that is no number is passed on as it is, for the action to refuse."""
    if value is None or not value.strip():
        return value
    try:
        return str(float(value.strip().rstrip("%").strip()) / 100)
    except ValueError:
        return value


@login_required
@require_POST
def settings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    s = _survey(request, pk, MANAGE)
    post = request.POST
    try:
        if status := post.get("status"):
            if status == Survey.Status.CLOSED and not post.get("confirm"):  # ending asks first (views.close)
                return redirect("surveys:close", pk=s.pk)
            actions.set_status(request.user, s, status)
            messages.success(request, _("已结束调查，公开链接和问卷码不再接收答卷。") if status == Survey.Status.CLOSED
                             else _("已开始接收答卷。"))  # fmt: skip
            return redirect("surveys:survey", pk=s.pk)
        else:
            values: dict[str, Any] = {k: post.get(k) for k in actions.CONFIG_NUMBERS}
            values.update({k: _from_percent(post.get(k)) for k in PERCENT_SETTINGS})
            values["full_policy"] = post.get("full_policy", "stop")
            values["sample_rule"] = post.get("sample_rule", "rate")
            values["split_by"] = post.getlist("split_by")
            values["recognition_answers"] = post.getlist("recognition_answers")
            values["recognition_items"] = post.get("recognition_items", "").replace("，", ",").split(",")
            if not post.get("why", "").strip():
                raise SurveyError(400, _("请填写修改原因。"))
            actions.update_config(request.user, s, values, post.get("population"), why=post.get("why", ""))
    except SurveyError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:survey", pk=s.pk)
    messages.success(request, _("已保存。"))
    return redirect("surveys:survey", pk=s.pk)


@login_required
def questionnaire(request: AuthenticatedHttpRequest, pk: int, group: str) -> HttpResponse:
    s = _survey(request, pk, MANAGE if request.method == "POST" else "view")
    if group not in GROUPS:
        raise Http404
    q = actions.current_questionnaire(s, group)
    text, status = yaml.safe_dump(q.items, allow_unicode=True, sort_keys=False), 200
    if request.method == "POST":
        text = request.POST.get("items", "")
        try:
            try:
                items = yaml.safe_load(text)
            except yaml.YAMLError:
                raise SurveyError(400, _("题目格式（YAML）无法读取")) from None
            new = actions.edit_questionnaire(request.user, s, group, items, request.POST.get("intro", q.intro))
        except SurveyError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已保存为第%(v)s版。") % {"v": new.version})
            return redirect("surveys:questionnaire", pk=s.pk, group=group)
    return render(request, "surveys/questionnaire.html", {
        "survey": s, "group": group, "label": GROUPS[group], "q": q, "text": text,
        "perms": region_permissions(request.user, s.county), "items": _display(q.items),
    }, status=status)  # fmt: skip


def _display(items: list[dict], given: dict[str, list[str]] | None = None) -> list[dict]:
    given = given or {}
    number = {i["code"]: n for n, i in enumerate(items, 1)}
    return [
        {**i, "choices": options(i), "n": n, "given": given.get(i["code"], []),
         "after": number.get(i["show_if"]["item"]) if i.get("show_if") else None}
        for n, i in enumerate(items, 1)
    ]  # fmt: skip


@login_required
def result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    s = _survey(request, pk)
    res = results.compute(s)
    rate = results.rate_table(res)
    questions = results.question_tables(s, res)
    tables = [rate, *results.progress_tables(s), *questions, results.text_table(res), results.flagged_table(s)]
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "surveys/results.html", {
        "survey": s, "res": res, "tables": tables, "perms": region_permissions(request.user, s.county),
        "answers": "、".join(s.setting("recognition_answers")), "items": _recognition_items(s),
        "shown_rate": results.rate_phrase(res.weighted or res.overall), "threshold": results.percent(res.threshold),
        "chart": results.chart_data(s, res, questions),
        "pending": [(r, results.flag_texts(s, r))
                    for r in s.responses.filter(review=Response.Review.PENDING).order_by("pk")[:100]],
    })  # fmt: skip


def _recognition_items(s: Survey) -> str:
    """The questions the rate counts, by their text (a code no questionnaire has stays as it is)."""
    texts = results.question_texts(s)
    return "、".join(f"“{texts[c]}”" if c in texts else c for c in s.setting("recognition_items"))


@login_required
@require_POST
def to_evaluation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Feeds the rate into the county's SR-01 item (weighted when the sample is unbalanced)."""
    s = _survey(request, pk, MANAGE)
    res = results.compute(s)
    rate = (res.weighted or res.overall).rate
    if rate is None:
        messages.error(request, _("还没有有效回答。"))
        return redirect("surveys:results", pk=s.pk)
    note = _("来自社会认可度调查“%(title)s”：%(n)s份有效回答，认可度%(rate).1f%%") % {
        "title": s.title, "n": res.overall.n, "rate": rate * 100,
    }  # fmt: skip
    try:
        set_county_item(
            request.user, s.county, s.year, RECOGNITION_STANDARD, RECOGNITION_ITEM, round(rate, 4), note=note
        )
    except EvaluationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已写入评估指标SR-01。"))
    return redirect("surveys:results", pk=s.pk)


@login_required
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ending a survey asks first, saying what it does: GET the confirmation (the answers so far, the rate);
    POST ends it."""
    s = _survey(request, pk, MANAGE)
    if request.method == "POST":
        try:
            actions.set_status(request.user, s, Survey.Status.CLOSED)
        except SurveyError as exc:
            return _refused(request, exc, reverse("surveys:survey", args=[s.pk]))
        messages.success(request, _("已结束调查，公开链接和问卷码不再接收答卷。"))
        return redirect("surveys:survey", pk=s.pk)
    res = results.compute(s)
    return render(request, "surveys/close_confirm.html", {
        "survey": s, "res": res, "answers": len(res.responses) + res.excluded,
        "shown_rate": results.rate_phrase(res.weighted or res.overall),
    })  # fmt: skip


def _rate_without(s: Survey, res: results.Results, response: Response) -> float | None:
    """The recognition rate as it would be once ``response`` no longer counts."""
    groups = results.recognition(s, [r for r in res.responses if r.pk != response.pk])
    k, n = sum(r.k for r in groups.values()), sum(r.n for r in groups.values())
    return (stats.weighted(groups, res.shares) or stats.wilson(k, n)).rate


@login_required
@require_POST
def review(request: AuthenticatedHttpRequest, pk: int, response_pk: int) -> HttpResponse:
    """Keep or exclude a flagged answer. An exclusion is confirmed first on a page that says its effect on the
    recognition rate (the first post renders it and writes nothing; its button posts ``confirm``)."""
    found = access_response(request.user, pk, response_pk, MANAGE)
    s = found.survey
    decision, why = request.POST.get("decision", ""), request.POST.get("why", "")
    if decision == Response.Review.EXCLUDED and not request.POST.get("confirm"):
        res = results.compute(s)
        return render(request, "surveys/exclude_confirm.html", {
            "survey": s, "response": found, "why": why, "flags": results.flag_texts(s, found),
            "rate_now": results.percent((res.weighted or res.overall).rate),
            "rate_after": results.percent(_rate_without(s, res, found)),
        })  # fmt: skip
    try:
        actions.review(request.user, found, decision, why)
    except SurveyError as exc:
        return _refused(request, exc, reverse("surveys:results", args=[s.pk]))
    if decision == Response.Review.EXCLUDED:
        messages.success(request, _("已剔除第%(n)d份答卷，不再计入认可度。") % {"n": found.pk})
    else:
        messages.success(request, _("已保留第%(n)d份答卷，继续计入认可度。") % {"n": found.pk})
    return redirect("surveys:results", pk=s.pk)


@login_required
def tokens(request: AuthenticatedHttpRequest, pk: int, group: str) -> HttpResponse:
    """POST: makes a batch of one-use codes; GET: printable slips with a QR code each. Only those who
    hand the codes out (the county's supervision office) see them: an unused code is an answer."""
    s = _survey(request, pk, MANAGE)
    if group not in GROUPS:
        raise Http404
    if request.method == "POST":
        count = read_int(request.POST.get("count")) or 0
        try:
            actions.make_tokens(request.user, s, group, count, request.POST.get("label", ""))
        except SurveyError as exc:
            return _refused(request, exc, reverse("surveys:survey", args=[s.pk]))
        return redirect("surveys:tokens", pk=s.pk, group=group)
    slips = [
        (t, url, links.qr_svg(url))
        for t in Token.objects.filter(survey=s, group=group, response__isnull=True).order_by("pk")[:200]
        for url in [links.public_url(request, s, group, t=t.code)]
    ]
    return render(request, "surveys/tokens.html", {"survey": s, "label": GROUPS[group], "slips": slips})


@login_required
def qr(request: AuthenticatedHttpRequest, pk: int, group: str, fmt: str) -> HttpResponse:
    """The QR code of a group's link as PNG or SVG; ``?school=CODE`` for that school's link."""
    s = _survey(request, pk)
    if group not in GROUPS or fmt not in ("png", "svg"):
        raise Http404
    school = links.survey_school(s, request.GET.get(links.SCHOOL_PARAM))
    if request.GET.get(links.SCHOOL_PARAM) and school is None:
        raise Http404
    body = links.qr_file(links.public_url(request, s, group, school), fmt)
    response = HttpResponse(body, content_type="image/png" if fmt == "png" else "image/svg+xml")
    name = f"survey-{s.pk}-{group}" + (f"-{school.code}" if school else "")
    response["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return response


# ---- public -------------------------------------------------------------------------------------


Given = dict[str, list[str]]


def _form(request: HttpRequest, s: Survey, group: str, status: int = 200, given: Given | None = None,
          school: School | None = None, **extra: object) -> HttpResponse:  # fmt: skip
    """The form; ``given`` (a refused post) brings back its answers and its school."""
    q = actions.current_questionnaire(s, group)
    school = links.survey_school(s, (given.get(links.SCHOOL_PARAM) or [""])[0]) if given is not None else school
    towns = actions.plan_of(s)["towns"] if school is None and group not in actions.COUNTY_GROUPS else {}
    response = render(request, "surveys/public.html", {
        "survey": s, "group": group, "label": GROUPS[group], "q": q, "items": _display(q.items, given),
        "stamp": actions.form_stamp(s, group), "token": request.GET.get("t", "")[:40], "errors": {},
        "school": school, "school_name": links.school_name(s, school) if school else "", "towns": towns,
        "town": ((given or {}).get("town") or [""])[0], **extra,
    }, status=status)  # fmt: skip
    if DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(12), max_age=86400, httponly=True, samesite="Lax")
    return response


def _message(request: HttpRequest, title: str | Promise, message: str | Promise, status: int) -> HttpResponse:
    return HttpResponse(_message_page(str(title), str(message), get_language()), status=status)


@lru_cache(maxsize=256)
def _message_page(title: str, message: str, language: str) -> str:
    """A message page of the public form (above all the intake's most frequent answer, "submitted"): the
    same HTML for every request with these texts in this language, with nothing of the request or of
    the context processors in it, so rendered once per process."""
    return render_to_string("surveys/message.html", {"title": title, "message": message})


@csrf_exempt  # anonymous and account-free: no session to protect; integrity comes from tokens and limits
def public(request: HttpRequest, key: str, group: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if request.method == "GET":
        s = Survey.objects.filter(key=key).first()
        if s is None or group not in GROUPS:
            raise Http404
        if s.status != Survey.Status.OPEN:
            return _message(request, s.title, _("本次调查未在进行中，不再接收答卷。"), 410)
        code = request.GET.get(links.SCHOOL_PARAM)
        school = links.survey_school(s, code)
        if code and school is None:
            return _message(request, s.title, _("链接中的学校不属于本次调查的县，请使用学校发放的二维码。"), 404)
        return _form(request, s, group, school=school)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY + 1
    if length > MAX_BODY:
        return _message(request, TITLE, _("提交的内容过大。"), 413)
    try:
        data = dict(request.POST.lists())
    except Exception:  # a body Django cannot parse is the sender's error
        return _message(request, TITLE, _("提交的内容无法识别。"), 400)
    sub = Submission(key, group, data, client_address(request), request.COOKIES.get(DEVICE_COOKIE, ""))
    try:
        survey = actions.submit(sub)
    except SurveyError as exc:
        if exc.errors:
            s = Survey.objects.get(key=key)
            token = (data.get("t") or [""])[0][:40]
            return _form(request, s, group, exc.status, given=data, errors=exc.errors, error=exc.message, token=token)
        if exc.status == 404:
            raise Http404 from None
        return _message(request, TITLE, exc.message, exc.status)
    return _message(request, survey.title, _("提交成功，感谢您的参与！"), 200)
