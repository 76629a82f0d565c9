"""Rectification items: from the evaluation's shortfalls (generated, refreshed, closed when met,
withdrawn), entered by hand or from an inspector's finding; closing one by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, user_of
from dudao.engine.fields import LEVEL_ZH
from dudao.engine.messages import LEVEL
from dudao.engine.result import CountyResult
from dudao.engine.result import School as ResultSchool
from dudao.evaluation.actions import current_run
from dudao.evaluation.models import EvaluationRun
from dudao.notifications import notify
from dudao.notifications.models import Kind
from dudao.notifications.recipients import supervisors
from dudao.orgs.models import Department, Region, School, SchoolYear
from dudao.rectification.actions.common import (
    Item,
    RectificationError,
    _event,
    _require,
    _require_task,
    check_county,
    check_text,
    today,
)
from dudao.rectification.actions.tasks import (
    CheckedTask,
    TaskSpec,
    _insert_task,
    check_task,
    system_plan,
    task_url,
)
from dudao.rectification.models import (
    RectificationItem,
    Task,
    TaskEvent,
    WorkPlan,
)
from dudao.rectification.rules import pick_departments, rules_for


@dataclass
class Shortfall:
    key: str
    school_code: str | None
    school_name: str
    level: str
    indicator: str
    indicator_name: str
    value: float | None
    threshold: float | None
    gap: float | None
    gap_unit: str
    finding: str
    finding_en: str
    target_zh: str
    target_en: str
    new: bool  # a failing school's unmet indicator, or a CV over its limit: a new item if none is open


@dataclass
class GenerateResult:
    run: EvaluationRun
    created: list[RectificationItem] = field(default_factory=list)
    updated: list[RectificationItem] = field(default_factory=list)
    met: list[RectificationItem] = field(default_factory=list)
    void: list[RectificationItem] = field(default_factory=list)
    unchanged: int = 0


def _gap_text(gap: float | None, unit: str) -> str:
    if gap is None:
        return "—"
    return f"{int(gap):,}" if float(gap).is_integer() else f"{gap:,.2f}"


def _school_label(school: ResultSchool, lang: str) -> str:
    name = school.school_name
    if school.part_of_whole:
        level = school.level
        return f"{name}（{LEVEL_ZH[level]}部）" if lang == "zh" else f"{name} ({LEVEL[level][1]} part)"
    return name


def shortfalls(run: EvaluationRun, county_code: str) -> list[Shortfall]:
    """Every unmet indicator of every school in the run, and every indicator CV over its limit;
    ``new`` marks those that make new items (schools failing the per-school rule, failed CVs)."""
    result = run.result_obj
    return _school_shortfalls(result, county_code) + _cv_shortfalls(result, county_code)


def _school_shortfalls(result: CountyResult, county_code: str) -> list[Shortfall]:
    rules = rules_for(county_code)
    out: list[Shortfall] = []
    for school in result.schools:
        reasons = {r.indicator: r for r in school.reasons if r.rule == "indicator_unmet"}
        for code, ind in school.indicators.items():
            if ind.met is not False:
                continue
            rule = rules.indicator(code)
            args = {"gap": _gap_text(ind.gap, ind.gap_unit or "")}
            reason = reasons.get(code)
            out.append(Shortfall(
                key=f"school:{school.school_code}:{school.level}:{code}", school_code=school.school_code,
                school_name=school.school_name, level=school.level, indicator=code,
                indicator_name=_indicator_name(result, school.level, code),
                value=ind.value, threshold=ind.threshold, gap=ind.gap,
                gap_unit=ind.gap_unit or "", finding=reason.message_zh if reason else "",
                finding_en=reason.message_en if reason else "",
                target_zh=rule.target_zh.format(school=_school_label(school, "zh"), **args),
                target_en=rule.target_en.format(school=_school_label(school, "en"), **args),
                new=school.passed is False,
            ))  # fmt: skip
    return out


def _cv_shortfalls(result: CountyResult, county_code: str) -> list[Shortfall]:
    rules = rules_for(county_code)
    out: list[Shortfall] = []
    for level, data in result.levels.items():
        for code, ind in data.indicators.items():
            if ind.cv_passed is not False:
                continue
            cv, limit = ind.cv_3dp, ind.cv_limit
            zh_args = {"level": LEVEL_ZH[level], "indicator": ind.name_zh, "cv": cv, "limit": limit}
            en_args = {**zh_args, "level": LEVEL[level][1], "indicator": ind.name_en}
            out.append(Shortfall(
                key=f"cv:{level}:{code}", school_code=None, school_name="", level=level, indicator=code,
                indicator_name=ind.name_zh, value=cv, threshold=limit, gap=None, gap_unit="cv",
                finding=f"{LEVEL_ZH[level]}“{ind.name_zh}”校际差异系数 {cv}，超过 {limit}",
                finding_en=f"{LEVEL[level][1]} CV of “{ind.name_en}” is {cv}, over {limit}",
                target_zh=rules.cv["target_zh"].format(**zh_args), target_en=rules.cv["target_en"].format(**en_args),
                new=True,
            ))  # fmt: skip
    return out


def _indicator_name(result: CountyResult, level: str, code: str) -> str:
    ind = result.indicator(level, code)
    return ind.name_zh if ind is not None else code


def _lead_and_partners(county: Region, indicator: str, departments: list[Department]) -> tuple[Department, list]:
    picked = pick_departments(rules_for(county.code).indicator(indicator).departments, departments)
    if not picked:
        picked = pick_departments(["education"], departments) or departments[:1]
    if not picked:
        raise RectificationError(
            "no_departments",
            gettext_lazy("%(county_name)s尚未建立部门（单位），无法分配整改事项；请先在系统中登记各部门"),
            county_name=county.name,
        )
    return picked[0], picked[1:]


def generate_items(actor: Actor, county: Region, year: int, standard_id: str) -> GenerateResult:
    """Turn the current evaluation's shortfalls into items (each with a task in the county's
    rectification list), update the gap of open items still short, close (已达标) those the run
    shows met — recording the values of both runs — and withdraw (已撤销) those whose school is no
    longer evaluated. Running it again changes nothing; an open item is never duplicated. Runs of
    an earlier year than an item's own do not touch it."""
    _require(actor, county, "review")
    check_county(county)
    run = current_run(county, year, standard_id)  # EvaluationError when there is nothing to evaluate
    found = {s.key: s for s in shortfalls(run, county.code)}
    evaluated = {s.school_code for s in run.result_obj.schools}
    departments = list(Department.objects.filter(county=county).order_by("pk"))
    rules = rules_for(county.code)
    out = GenerateResult(run)
    with transaction.atomic():
        open_items = {
            i.key: i
            for i in Item.objects.select_for_update(of=("self",))
            .filter(county=county, standard_id=standard_id, status=Item.Status.OPEN)
            .exclude(key="")
            .select_related("task", "checked_run")
        }
        for key, item in open_items.items():
            if item.year > year:
                out.unchanged += 1
                continue
            short = found.get(key)
            if short is not None:
                _refresh_item(actor, item, short, run, out)
            elif key.startswith("school:") and key.split(":")[1] not in evaluated:
                _void_item(actor, item, run, out)
            elif _is_met(run.result_obj, key):
                _close_met(actor, item, run, out)
            else:
                out.unchanged += 1  # no data for the indicator in this run: left as it is
        plan = None
        towns = _school_towns(county, year)
        for key, short in found.items():
            if key in open_items or not short.new:
                continue
            if plan is None:
                plan = system_plan(county, year, WorkPlan.Kind.RECTIFICATION)
                WorkPlan.objects.select_for_update().get(pk=plan.pk)
            lead, partners = _lead_and_partners(county, short.indicator, departments)
            checked = CheckedTask(
                short.target_zh, lead, today() + dt.timedelta(days=rules.indicator(short.indicator).deadline_days),
                partners, [short.indicator], [],
            )  # fmt: skip
            town = towns.get(short.school_code or "")
            task = _insert_task(actor, plan, checked, town=town, why="evaluation", year=year, run=run.pk)
            out.created.append(Item.objects.create(
                county=county, task=task, source=Item.Source.EVALUATION, key=key, standard_id=standard_id,
                year=year, school=School.objects.filter(code=short.school_code).first() if short.school_code else None,
                school_name=short.school_name, level=short.level, indicator=short.indicator, finding=short.finding,
                finding_en=short.finding_en,
                target=short.target_zh,
                target_en=short.target_en, gap=short.gap, gap_unit=short.gap_unit, value=short.value,
                threshold=short.threshold, opened_run=run, checked_run=run, created_by=user_of(actor),
            ))  # fmt: skip
    return out


def _school_towns(county: Region, year: int) -> dict[str, Region]:
    rows = SchoolYear.objects.filter(school__county=county, year=year, town__isnull=False).select_related(
        "school", "town"
    )
    return {sy.school.code: sy.town for sy in rows if sy.town is not None}


def _school_part(result: CountyResult, code: str, level: str) -> ResultSchool | None:
    return next((s for s in result.schools if s.school_code == code and s.level == level), None)


def _is_met(result: CountyResult, key: str) -> bool:
    parts = key.split(":")
    if parts[0] == "school":
        _, code, level, indicator = parts
        school = _school_part(result, code, level)
        part = school.indicators.get(indicator) if school is not None else None
        return part is not None and part.met is True
    _, level, indicator = parts
    ind = result.indicator(level, indicator)
    return ind is not None and ind.cv_passed is True


def _figures(item: RectificationItem) -> dict[str, Any]:
    run = item.checked_run
    return {"value": item.value, "gap": item.gap, "threshold": item.threshold,
            "run": run.pk if run else None, "year": run.year if run else item.year}  # fmt: skip


def _now_figures(run: EvaluationRun, key: str) -> dict[str, Any]:
    parts = key.split(":")
    result = run.result_obj
    if parts[0] == "school":
        _, code, level, indicator = parts
        school = _school_part(result, code, level)
        if school is None:
            return {"run": run.pk, "year": run.year}
        part = school.indicators.get(indicator)
        return {"value": part.value if part else None, "gap": part.gap if part else None,
                "threshold": part.threshold if part else None, "run": run.pk, "year": run.year}  # fmt: skip
    _, level, indicator = parts
    ind = result.indicator(level, indicator)
    return {"value": ind.cv_3dp if ind else None, "gap": None, "threshold": ind.cv_limit if ind else None,
            "run": run.pk, "year": run.year}  # fmt: skip


def _refresh_item(
    actor: Actor, item: RectificationItem, short: Shortfall, run: EvaluationRun, out: GenerateResult
) -> None:
    if item.checked_run_id == run.pk or (item.gap == short.gap and item.value == short.value):
        if item.checked_run_id != run.pk:
            Item.objects.filter(pk=item.pk).update(checked_run=run)
        out.unchanged += 1
        return
    old = _figures(item)
    item.gap, item.value, item.threshold, item.checked_run = short.gap, short.value, short.threshold, run
    item.target, item.target_en = short.target_zh, short.target_en
    item.save()
    new = _figures(item)
    _event(item.task, TaskEvent.Action.ITEM_UPDATED, actor, "", old=old, new=new,
           target_zh=short.target_zh, target_en=short.target_en)  # fmt: skip
    out.updated.append(item)


def _close_met(actor: Actor, item: RectificationItem, run: EvaluationRun, out: GenerateResult) -> None:
    old, new = _figures(item), _now_figures(run, item.key)
    item.status, item.closed_at, item.checked_run = Item.Status.MET, timezone.now(), run
    item.close_reason = f"{run.year}学年评估（记录 #{run.pk}）显示已达标"
    item.close_data = {"indicator": item.indicator, "old": old, "new": new}
    item.save()
    _event(item.task, TaskEvent.Action.ITEM_MET, actor, "", why="met", year=run.year, run=run.pk, old=old, new=new)
    out.met.append(item)


def _void_item(actor: Actor, item: RectificationItem, run: EvaluationRun, out: GenerateResult) -> None:
    item.status, item.closed_at, item.checked_run = Item.Status.VOID, timezone.now(), run
    item.close_reason = f"学校未参加{run.year}学年评估（记录 #{run.pk}），如已撤并请核实"
    item.close_data = {"indicator": item.indicator, "old": _figures(item), "new": {"run": run.pk, "year": run.year}}
    item.save()
    _event(item.task, TaskEvent.Action.ITEM_VOID, actor, "", why="void", year=run.year, run=run.pk)
    out.void.append(item)


def add_item(
    actor: Actor,
    county: Region,
    source: str,
    target: str,
    department: Department | int | str | None,
    deadline: dt.date | None,
    *,
    finding: str = "",
    year: int | None = None,
    school: School | str | None = None,
    cooperating: Sequence[Department | int | str] = (),
    indicators: Sequence[str] = (),
) -> RectificationItem:
    """An item entered by the county (``manual``, needs ``review``) or an inspector's finding
    (``inspection``, needs ``inspect``), with its task in the county's rectification list."""
    if source not in (Item.Source.MANUAL, Item.Source.INSPECTION):
        raise RectificationError("bad_source", gettext_lazy("来源无效：%(source)s"), source=source)
    _require(actor, county, "review" if source == Item.Source.MANUAL else "inspect")
    check_county(county)
    if source == Item.Source.INSPECTION:
        finding = check_text(finding, "督导发现的问题", "the finding", 5000)
    checked = check_task(county, TaskSpec(target, department, deadline, cooperating, indicators))
    unit = None
    if school:
        unit = school if isinstance(school, School) else School.objects.filter(code=str(school).strip()).first()
        if unit is None or unit.county_id != county.pk:
            raise RectificationError(
                "unknown_school",
                gettext_lazy("%(county_name)s没有学校“%(school)s”"),
                county_name=county.name,
                school=school,
            )
    year = int(year or today().year)
    with transaction.atomic():
        plan = system_plan(county, year, WorkPlan.Kind.RECTIFICATION)
        WorkPlan.objects.select_for_update().get(pk=plan.pk)
        town = _school_towns(county, year).get(unit.code) if unit else None
        task = _insert_task(actor, plan, checked, town=town, why=source)
        item = Item.objects.create(
            county=county, task=task, source=source, year=year, school=unit, school_name=_school_name(unit, year),
            finding=(finding or "").strip(),
            target=checked.title, indicator=(checked.indicators or [""])[0], created_by=user_of(actor),
        )  # fmt: skip
        if source == Item.Source.INSPECTION:
            where = f"（{item.school_name}）" if item.school_name else ""
            zh = f"督导检查发现问题{where}：{item.finding[:80]}；已列入整改，责任单位{checked.department.name}"
            en = (f"Inspection finding{f' at {item.school_name}' if item.school_name else ''}: {item.finding[:80]}; "
                  f"a rectification task for {checked.department.name}")  # fmt: skip
            notify(supervisors(county), Kind.FINDING, f"finding:{item.pk}", zh, en, task_url(task))
        return item


def _school_name(school: School | None, year: int) -> str:
    if school is None:
        return ""
    found = SchoolYear.objects.filter(school=school, year__lte=year).order_by("-year").first()
    return found.name if found else school.code


def close_item(actor: Actor, item: RectificationItem, reason: str) -> RectificationItem:
    """The supervision office closes (销号) an item by hand, with the reason (e.g. the inspectors'
    re-check found it fixed). An evaluation item closes by itself when a run shows it met."""
    task = Task.objects.select_related("county", "department").get(pk=item.task_id)
    _require_task(actor, task, "review")
    reason = check_text(reason, "销号理由", "a reason", 2000)
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        if locked.status != Item.Status.OPEN:
            raise RectificationError("bad_state", gettext_lazy("该整改事项已关闭"))
        locked.status, locked.closed_at, locked.close_reason = Item.Status.CLOSED, timezone.now(), reason
        locked.save()
        _event(task, TaskEvent.Action.ITEM_CLOSED, actor, reason)
    return locked
