"""The results of a survey: recognition per group and overall (raw and weighted to the planned
shares) with Wilson intervals, the per-question breakdown and free-text answers, as Tables."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.surveys import stats
from dudao.surveys.actions import cell_counts, counts, plan_of, quotas
from dudao.surveys.models import Response, Survey
from dudao.surveys.questionnaire import GROUPS, LIKERT, options
from dudao.tables import Column, Table


@dataclass
class Results:
    groups: dict[str, stats.Rate]
    overall: stats.Rate
    weighted: stats.Rate | None
    shares: dict[str, float]
    threshold: float
    flagged: int
    excluded: int
    responses: list[Response]

    @property
    def passed(self) -> bool | None:
        """Judged on the weighted rate when the sample is unbalanced, else on the raw rate."""
        rate = (self.weighted or self.overall).rate
        return None if rate is None else rate >= self.threshold


def recognition(survey: Survey, responses: list[Response]) -> dict[str, stats.Rate]:
    items, answers = set(survey.setting("recognition_items")), set(survey.setting("recognition_answers"))
    k = dict.fromkeys(GROUPS, 0)
    n = dict.fromkeys(GROUPS, 0)
    for r in responses:
        for code in items:
            if (v := r.answers.get(code)) is not None and not isinstance(v, list):
                n[r.group] += 1
                k[r.group] += v in answers
    return {g: stats.wilson(k[g], n[g]) for g in GROUPS}


def compute(survey: Survey) -> Results:
    everything = list(survey.responses.select_related("questionnaire").order_by("pk"))
    used = [r for r in everything if r.review != Response.Review.EXCLUDED]
    groups = recognition(survey, used)
    quota = quotas(survey)
    total = sum(quota.values())
    shares = {g: quota[g] / total for g in GROUPS}
    k, n = sum(r.k for r in groups.values()), sum(r.n for r in groups.values())
    return Results(
        groups, stats.wilson(k, n), stats.weighted(groups, shares), shares, float(survey.setting("threshold")),
        sum(1 for r in everything if r.review == Response.Review.PENDING),
        len(everything) - len(used), used,
    )  # fmt: skip


PERCENT = Column("rate", "", "percent", 1)


def percent(value: float | None) -> str:
    """A share as people write it: 0.8642 → "86.4%"; None → "—"."""
    return PERCENT.text(value)


def interval(rate: stats.Rate) -> str:
    """The 95 % interval alone: "83.1%–89.2%" ("—" without answers)."""
    if rate.low is None or rate.high is None:
        return "—"
    return f"{percent(rate.low)}–{percent(rate.high)}"


def rate_phrase(rate: stats.Rate | None) -> str:
    """A rate with its interval as a report writes it: "86.4%（95%置信区间 83.1%–89.2%）"."""
    if rate is None or rate.rate is None:
        return "—"
    return _("%(rate)s（95%%置信区间 %(interval)s）") % {"rate": percent(rate.rate), "interval": interval(rate)}


def _rate_row(group: str, r: stats.Rate, share: float, **extra: Any) -> dict[str, Any]:
    return {"group": group, "n": r.n, "k": r.k, "rate": r.rate, "interval": interval(r), "share": share, **extra}


def rate_table(res: Results) -> Table:
    columns = [
        Column("group", _("调查对象")), Column("n", _("有效回答"), "int"), Column("k", _("认可"), "int"),
        Column("rate", _("认可度"), "percent", 1), Column("interval", _("95%置信区间")),
        Column("share", _("计划占比"), "percent", 1),
    ]  # fmt: skip
    rows = [_rate_row(GROUPS[g], r, res.shares[g]) for g, r in res.groups.items()]
    rows.append(_rate_row(_("合计（未加权）"), res.overall, 1.0, _row_class="total"))
    if (w := res.weighted) is not None:
        rows.append(_rate_row(_("合计（按计划占比加权）"), w, 1.0, _row_class="total"))
    note = _("认可度为认可的回答占有效回答的比例；95%置信区间按 Wilson 法计算，加权合计按各类对象的计划占比加权。")
    return Table("recognition", _("认可度（95%置信区间，Wilson法）"), columns, rows, note=note)


def progress_tables(survey: Survey) -> list[Table]:
    """Progress per group against the plan, and per cell (town, stage) when the plan divides."""
    quota, done = quotas(survey), counts(survey)
    columns = [
        Column("group", _("调查对象")), Column("quota", _("计划样本"), "int"), Column("done", _("已回收"), "int"),
        Column("progress", _("完成率"), "percent", 1), Column("state", _("状态")),
    ]  # fmt: skip
    rows = [_progress_row(quota[g], done[g], group=GROUPS[g]) for g in GROUPS]
    total, got = sum(quota.values()), sum(done.values())
    rows.append({"group": _("合计"), "quota": total, "done": got, "progress": got / max(1, total), "state": "",
                 "_row_class": "total"})  # fmt: skip
    tables = [Table("progress", _("样本进度"), columns, rows)]
    plan = plan_of(survey)
    if plan["towns"] or any(plan["stages"].values()):
        counted = cell_counts(survey)
        planned = {(g, t, st): n for g, t, st, n in plan["cells"]}
        cells = list(planned) + sorted(set(counted) - set(planned))  # answers outside the plan last
        town_names = {**plan["towns"], "": "—"}
        rows = [
            _progress_row(planned.get(c), counted.get(c, 0), group=GROUPS[c[0]],
                          town=town_names.get(c[1], c[1]), stage=c[2] or "—")
            for c in cells
        ]  # fmt: skip
        tables.append(Table("progress_cells", _("分乡镇、学段样本进度"), [
            columns[0], Column("town", _("乡镇（街道）")), Column("stage", _("学段")), *columns[1:],
        ], rows))  # fmt: skip
    return tables


def _progress_row(quota: int | None, done: int, **names: str) -> dict[str, Any]:
    if quota is None:
        return {**names, "quota": None, "done": done, "progress": None, "state": _("计划外")}
    full = done >= quota
    return {**names, "quota": quota, "done": done, "progress": done / quota if quota else None,
            "state": _("已满") if full else _("未满"), "_class": {"state": "ok" if full else ""}}  # fmt: skip


def question_texts(survey: Survey) -> dict[str, str]:
    """Each question's text by its code, over every group's questionnaire (the latest wording)."""
    texts: dict[str, str] = {}
    for q in survey.questionnaires.order_by("group", "version"):
        for item in q.items:
            texts[item["code"]] = item["text"]
    return texts


def short_text(text: str, limit: int = 12) -> str:
    """A question as a chart's axis names it: without "您对本县…的情况是否满意？" and the examples in
    brackets, at most ``limit`` characters."""
    core = re.sub(r"（[^）]*）|\([^)]*\)", "", text)  # the examples in brackets: the full text is in the tooltip
    core = re.sub(r"^(总体而言，)?(您|你)对(本县|学校)?", "", core)
    core = re.sub(r"(的情况)?是否满意[？?]?$", "", core).strip("，。？? ") or text
    return core if len(core) <= limit else core[: limit - 1] + "…"


def question_tables(survey: Survey, res: Results) -> list[Table]:
    """One table per choice question (by code, over every group that asked it): answers per option,
    titled with the question's text (groups number their questions differently: no number)."""
    seen: dict[str, dict[str, Any]] = {}
    for q in survey.questionnaires.order_by("group", "version"):
        for item in q.items:
            if item["type"] != "text":
                seen[item["code"]] = item
    tables = []
    for code, item in seen.items():
        counter: dict[str, int] = {}
        answered = 0
        for r in res.responses:
            v = r.answers.get(code)
            if v is None:
                continue
            answered += 1
            for x in v if isinstance(v, list) else [v]:
                counter[x] = counter.get(x, 0) + 1
        opts = options(item) + [o for o in counter if o not in options(item)]
        rows = [{"option": o, "n": counter.get(o, 0), "share": counter.get(o, 0) / answered if answered else None}
                for o in opts]  # fmt: skip
        columns = [Column("option", _("选项")), Column("n", _("人数"), "int"), Column("share", _("占比"), "percent", 1)]
        tables.append(Table(f"q-{code}", item["text"], columns, rows))
    return tables


def text_table(res: Results) -> Table:
    rows = []
    for r in res.responses:
        for item in r.questionnaire.items:
            if item["type"] == "text" and (v := r.answers.get(item["code"])):
                rows.append({"group": GROUPS[r.group], "item": item["text"], "text": v})
    columns = [Column("group", _("调查对象")), Column("item", _("题目")), Column("text", _("回答"))]
    return Table("free-text", _("意见和建议（原文）"), columns, rows)


def flag_texts(survey: Survey, response: Response) -> str:
    """Why an answer was flagged, in plain words: "作答过快（少于18秒）、所有题目选同一项"."""
    texts = []
    for flag in response.flags:
        if flag == "too_fast":
            limit = math.ceil(float(survey.setting("min_seconds_per_item")) * len(response.answers))
            texts.append(_("作答过快（少于%(n)s秒）") % {"n": limit})
        elif flag == "straight":
            texts.append(_("所有题目选同一项"))
        elif flag == "burst":
            texts.append(_("同一网络地址短时间内集中提交"))
        else:
            texts.append(flag)
    return "、".join(texts)


def flagged_table(survey: Survey) -> Table:
    rows = [
        {"id": r.pk, "group": GROUPS[r.group], "at": r.submitted_at.strftime("%Y-%m-%d %H:%M"), "seconds": r.seconds,
         "flags": flag_texts(survey, r), "review": r.get_review_display()}
        for r in survey.responses.exclude(review="").order_by("pk")[:500]
    ]  # fmt: skip
    columns = [
        Column("id", _("编号"), "int"), Column("group", _("调查对象")), Column("at", _("提交时间")),
        Column("seconds", _("用时（秒）"), "int"), Column("flags", _("标记原因")), Column("review", _("复核")),
    ]  # fmt: skip
    return Table("flagged", _("待复核答卷（标记不删除）"), columns, rows)


def chart_data(survey: Survey, res: Results, questions: list[Table]) -> dict[str, Any]:
    """What the charts draw (the same figures as the tables): rates per group with intervals, and
    the shares of each Likert answer per Likert question."""
    likert = [t for t in questions if [r["option"] for r in t.rows] == LIKERT]
    texts = question_texts(survey)
    return {
        "groups": [GROUPS[g] for g in res.groups], "rates": [r.rate for r in res.groups.values()],
        "low": [r.low for r in res.groups.values()], "high": [r.high for r in res.groups.values()],
        "threshold": res.threshold, "rate_label": _("认可度"), "threshold_label": _("达标线"),
        "intervals": [rate_phrase(r) for r in res.groups.values()],
        "items": [short_text(texts.get(t.name.removeprefix("q-"), t.name)) for t in likert],
        "item_texts": [texts.get(t.name.removeprefix("q-"), t.name) for t in likert], "options": LIKERT,
        "shares": [[r["share"] for r in t.rows] for t in likert],
    }  # fmt: skip


def trend_table(surveys: list[Survey]) -> Table:
    """One row per survey round of a county: answers, raw and weighted rates, the verdict."""
    rows = []
    for survey in surveys:
        res = compute(survey)
        rows.append({
            "year": survey.year, "title": survey.title, "status": survey.get_status_display(), "n": res.overall.n,
            "rate": res.overall.rate, "weighted": res.weighted.rate if res.weighted else None, "passed": res.passed,
            "_href": {"title": reverse("surveys:results", args=[survey.pk])},
        })  # fmt: skip
    columns = [
        Column("year", _("年度"), "int"), Column("title", _("调查名称")), Column("status", _("状态")),
        Column("n", _("有效回答"), "int"), Column("rate", _("认可度（未加权）"), "percent", 1),
        Column("weighted", _("认可度（加权）"), "percent", 1), Column("passed", _("结论"), "verdict"),
    ]  # fmt: skip
    return Table("rounds", _("各轮调查认可度"), columns, rows)
