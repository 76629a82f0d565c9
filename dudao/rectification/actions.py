"""Every change in rectification: work plans and tasks, milestones, progress reports with evidence,
acceptance and return, rectification items (from the evaluation, by hand, from inspectors'
findings), consultation meetings and their decisions, leaders' liaison schools, bulletins and
reminders.

Each action checks permission through ``dudao.orgs.access`` (``review`` on the county for the
supervision office, ``report`` on a task for the responsible department's clerk, ``inspect`` for
inspectors' findings), validates everything before writing, writes inside a transaction, leaves a
:class:`TaskEvent` on the task's timeline, and notifies the people concerned. A refusal is a
:class:`RectificationError` with a stable code and Chinese and English messages; nothing is written.

Every action takes its actor first (docs/adr/0008-actors.md): a person is checked, the system is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from dudao.actors import Actor, is_system, user_of
from dudao.engine.fields import LEVEL_ZH
from dudao.engine.messages import LEVEL
from dudao.evaluation.actions import current_run
from dudao.evaluation.models import EvaluationRun
from dudao.evidence import UploadRefused, check_upload, save_with_file
from dudao.notifications import notify
from dudao.notifications.models import Kind
from dudao.notifications.recipients import clerks, supervisors
from dudao.orgs.access import rectification_permissions, task_permissions
from dudao.orgs.models import Department, Region, School, SchoolYear
from dudao.rectification.models import (
    Bulletin,
    Decision,
    Leader,
    LiaisonSchool,
    Meeting,
    Milestone,
    PracticalMatter,
    ProgressReport,
    RectificationItem,
    Task,
    TaskEvent,
    TaskEvidence,
    Visit,
    WorkPlan,
)
from dudao.rectification.rules import pick_departments, rules_for
from dudao.standards import StandardError, load

Status = Task.Status
Item = RectificationItem
MAX_TITLE = 2000
MAX_FILES = 10


class RectificationError(Exception):
    """A refused action, with a stable code and messages in both languages."""

    def __init__(self, code: str, message_zh: str, message_en: str, details: list[dict] | None = None) -> None:
        self.code, self.message_zh, self.message_en = code, message_zh, message_en
        self.details = details or []
        super().__init__(f"{code}: {message_en}")

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang.startswith("en") else self.message_zh


def _require(actor: Actor, county: Region, perm: str) -> None:
    if not is_system(actor) and perm not in rectification_permissions(actor, county):
        raise PermissionDenied


def _require_task(actor: Actor, task: Task, perm: str) -> None:
    if not is_system(actor) and perm not in task_permissions(actor, task):
        raise PermissionDenied


def today() -> dt.date:
    return timezone.localdate()


def _event(task: Task, action: str, actor: Actor, note: str = "", **data: Any) -> TaskEvent:
    return TaskEvent.objects.create(task=task, action=action, user=user_of(actor), note=note, data=data)


# ---------------------------------------------------------------------------------------------
# Checks shared by the forms, the import and the API


def check_county(county: Region) -> None:
    if county.level != Region.Level.COUNTY:
        raise RectificationError(
            "not_a_county", f"“{county.name}”不是县级区域", f"{county.code} is not a county; tasks belong to counties"
        )


def check_text(value: str, label_zh: str, label_en: str, limit: int = MAX_TITLE) -> str:
    text = (value or "").strip()
    if not text:
        raise RectificationError("required", f"请填写{label_zh}", f"{label_en} is required")
    if len(text) > limit:
        raise RectificationError(
            "too_long", f"{label_zh}超过 {limit} 字", f"{label_en} is longer than {limit} characters"
        )
    return text


def check_deadline(deadline: dt.date | None, on: dt.date | None = None, label: str = "完成时限") -> dt.date:
    if deadline is None:
        raise RectificationError("required", f"请填写{label}", "a deadline is required")
    on = on or today()
    if deadline < on:
        raise RectificationError(
            "deadline_past",
            f"{label} {deadline:%Y-%m-%d} 已经过去，请填写今天（{on:%Y-%m-%d}）或以后的日期",
            f"the deadline {deadline:%Y-%m-%d} is in the past; give today ({on:%Y-%m-%d}) or a later date",
        )
    return deadline


def check_department(county: Region, department: Department | int | str | None) -> Department:
    """A department of ``county``, given as a unit, its id or its name."""
    if department is None or (isinstance(department, str) and not department.strip()):
        raise RectificationError("required", "请填写责任单位", "a responsible unit is required")
    found: Department | None = None
    if isinstance(department, Department):
        found = department if department.county_id == county.pk else None
    elif isinstance(department, int) or (isinstance(department, str) and department.isdigit()):
        found = Department.objects.filter(county=county, pk=int(department)).first()
    elif isinstance(department, str) and department.strip():
        found = find_department(county, department)
    if found is None:
        raise RectificationError(
            "unknown_department",
            f"{county.name}没有“{department}”这个部门（单位），请从本县部门中选择",
            f"{county.name} has no department {str(department)!r}; choose one of the county's departments",
            [{"value": str(department)}],
        )
    return found


def find_department(county: Region, name: str) -> Department | None:
    """By its full name; a town's name (东关街道 → 东关街道办事处); the name without the county's
    (财政局, 县财政局 → 示范县财政局); or the usual short name of a kind the county has one of
    (人社局 → 示范县人力资源和社会保障局)."""
    name = name.strip()
    units = list(Department.objects.filter(county=county))
    by_name = {d.name: d for d in units}
    bare = name.removeprefix(county.name).removeprefix("县")
    for candidate in (name, county.name + bare, name + "人民政府", name + "办事处"):
        if candidate in by_name:
            return by_name[candidate]
    kinds = [k for k, label in Department.Kind.choices if str(label) == bare]
    of_kind = [d for d in units if kinds and d.kind == kinds[0]]
    return of_kind[0] if len(of_kind) == 1 else None


def town_of(department: Department) -> Region | None:
    """The town a town government (乡镇人民政府, 街道办事处) stands for, by its name."""
    if department.kind != Department.Kind.TOWN:
        return None
    towns = Region.objects.filter(parent_id=department.county_id, level=Region.Level.TOWN)
    matches = [t for t in towns if department.name.startswith(t.name)]
    return max(matches, key=lambda t: len(t.name)) if matches else None


def indicator_codes() -> set[str]:
    try:
        standard = load(_default_standard())
    except StandardError:
        return set()
    return {i.code for i in standard.indicators}


def _default_standard() -> str:
    return str(settings.DUDAO_DEFAULT_STANDARD)


def check_indicators(codes: Iterable[str]) -> list[str]:
    wanted = [c.strip().upper() for c in codes if c and c.strip()]
    known = indicator_codes()
    bad = [c for c in wanted if c not in known]
    if bad:
        raise RectificationError(
            "unknown_indicator",
            f"未知的指标代码：{'、'.join(bad)}（可选：{'、'.join(sorted(known))}）",
            f"unknown indicator code(s): {', '.join(bad)} (known: {', '.join(sorted(known))})",
        )
    return list(dict.fromkeys(wanted))


def check_cooperating(county: Region, lead: Department, units: Iterable[Department | int | str]) -> list[Department]:
    out = []
    for unit in units:
        dept = check_department(county, unit)
        if dept.pk != lead.pk and dept not in out:
            out.append(dept)
    return out


# ---------------------------------------------------------------------------------------------
# Work plans and tasks


def create_plan(actor: Actor, county: Region, title: str, year: int, doc_no: str = "", goal: str = "") -> WorkPlan:
    _require(actor, county, "review")
    check_county(county)
    title = check_text(title, "方案名称", "the title", 200)
    if not 1990 <= int(year) <= 2100:
        raise RectificationError("bad_year", f"年度 {year} 无效", f"year {year} is not valid")
    return WorkPlan.objects.create(
        county=county, title=title, year=year, doc_no=(doc_no or "").strip()[:64], goal=(goal or "").strip(),
        created_by=user_of(actor),
    )  # fmt: skip


SYSTEM_LISTS = {
    WorkPlan.Kind.RECTIFICATION: ("{county}{year}年义务教育优质均衡发展对标整改任务清单", "rectification list"),
    WorkPlan.Kind.MEETING: ("{county}{year}年会商决定事项督办清单", "meeting decisions"),
}


def system_plan(county: Region, year: int, kind: str) -> WorkPlan:
    """The county's rectification list or meeting-decision list of ``year`` (made when first needed)."""
    title = SYSTEM_LISTS[kind][0].format(county=county.name, year=year)
    plan, _ = WorkPlan.objects.get_or_create(county=county, year=year, kind=kind, defaults={"title": title})
    return plan


@dataclass
class TaskSpec:
    """A task as entered (form, import, API), checked by :func:`check_task`."""

    title: str
    department: Department | int | str | None
    deadline: dt.date | None
    cooperating: Sequence[Department | int | str] = ()
    indicators: Sequence[str] = ()
    milestones: Sequence[tuple[str, dt.date]] = ()
    progress: str = ""


@dataclass
class CheckedTask:
    title: str
    department: Department
    deadline: dt.date
    cooperating: list[Department]
    indicators: list[str]
    milestones: list[tuple[str, dt.date]]
    progress: str = ""


def check_task(county: Region, spec: TaskSpec, on: dt.date | None = None) -> CheckedTask:
    """Every rule a new task must meet; raises the first broken one."""
    title = check_text(spec.title, "任务内容", "the task")
    department = check_department(county, spec.department)
    deadline = check_deadline(spec.deadline, on)
    milestones = []
    for name, due in spec.milestones:
        due = check_deadline(due, on, "节点时限")
        if due > deadline:
            raise RectificationError(
                "milestone_after_deadline",
                f"节点“{name}”的时限 {due:%Y-%m-%d} 晚于任务完成时限 {deadline:%Y-%m-%d}",
                f"milestone {name!r} is due {due:%Y-%m-%d}, after the task's deadline {deadline:%Y-%m-%d}",
            )
        milestones.append((check_text(name, "节点名称", "the milestone", 200), due))
    return CheckedTask(
        title, department, deadline, check_cooperating(county, department, spec.cooperating),
        check_indicators(spec.indicators), milestones, (spec.progress or "").strip(),
    )  # fmt: skip


def _next_number(plan: WorkPlan) -> int:
    return (Task.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1


def _insert_task(actor: Actor, plan: WorkPlan, checked: CheckedTask, town: Region | None = None, **why: Any) -> Task:
    """Write one checked task with its milestones and its ``create`` event (inside a transaction);
    ``why`` says where it came from (``why="evaluation", year=, run=``; see ``tables.event_note``)."""
    task = Task.objects.create(
        county_id=plan.county_id, plan=plan, number=_next_number(plan), title=checked.title,
        department=checked.department, town=town or town_of(checked.department), deadline=checked.deadline,
        indicators=checked.indicators, progress=checked.progress, created_by=user_of(actor),
    )  # fmt: skip
    task.cooperating.set(checked.cooperating)
    Milestone.objects.bulk_create(Milestone(task=task, title=t, due=d) for t, d in checked.milestones)
    _event(task, TaskEvent.Action.CREATE, actor, "", **why, department=checked.department.name,
           deadline=checked.deadline.isoformat())  # fmt: skip
    _notify_new(task, checked.department, checked.cooperating)
    return task


def task_url(task: Task) -> str:
    return reverse("rectification:task", args=[task.pk])


def _notify_new(task: Task, department: Department, cooperating: list[Department]) -> None:
    zh = f"新任务（{department.name}，{task.deadline:%Y-%m-%d}前完成）：{task.title[:80]}"
    en = f"New task for {department.name}, due {task.deadline:%Y-%m-%d}: {task.title[:80]}"
    notify(clerks([department]), Kind.TASK_ASSIGNED, f"task_assigned:{task.pk}", zh, en, task_url(task))
    if cooperating:
        zh = f"新任务（配合{department.name}，{task.deadline:%Y-%m-%d}前完成）：{task.title[:80]}"
        en = f"New task (cooperating with {department.name}), due {task.deadline:%Y-%m-%d}: {task.title[:80]}"
        notify(clerks(cooperating), Kind.TASK_ASSIGNED, f"task_assigned:{task.pk}", zh, en, task_url(task))


def create_task(actor: Actor, plan: WorkPlan, spec: TaskSpec) -> Task:
    """Add a task to ``plan``; its clerks are notified."""
    county = Region.objects.get(pk=plan.county_id)
    _require(actor, county, "review")
    checked = check_task(county, spec)
    with transaction.atomic():
        WorkPlan.objects.select_for_update().get(pk=plan.pk)  # numbers are given one at a time
        return _insert_task(actor, plan, checked)


def create_tasks(actor: Actor, plan: WorkPlan, checked: Sequence[CheckedTask], filename: str = "") -> list[Task]:
    """Add already checked tasks (an import of ``filename``) in one transaction."""
    county = Region.objects.get(pk=plan.county_id)
    _require(actor, county, "review")
    with transaction.atomic():
        WorkPlan.objects.select_for_update().get(pk=plan.pk)
        return [_insert_task(actor, plan, c, why="import", file=filename) for c in checked]


def update_task(
    actor: Actor,
    task: Task,
    *,
    title: str | None = None,
    department: Department | int | str | None = None,
    deadline: dt.date | None = None,
    cooperating: Sequence[Department | int | str] | None = None,
    indicators: Sequence[str] | None = None,
    reason: str = "",
) -> Task:
    """Change what the task asks, of whom, by when. A new deadline may not be in the past; a new
    department's clerks are notified. Every change is on the timeline with old and new value."""
    _require_task(actor, task, "review")
    county = task.county
    changes: dict[str, list[Any]] = {}
    new_title = check_text(title, "任务内容", "the task") if title is not None else task.title
    new_dept = check_department(county, department) if department is not None else task.department
    new_deadline = task.deadline
    if deadline is not None and deadline != task.deadline:
        new_deadline = check_deadline(deadline)
    new_coop = check_cooperating(county, new_dept, cooperating) if cooperating is not None else None
    new_ind = check_indicators(indicators) if indicators is not None else task.indicators
    if new_title != task.title:
        changes["title"] = [task.title, new_title]
    if new_dept.pk != task.department_id:
        changes["department"] = [task.department.name, new_dept.name]
    if new_deadline != task.deadline:
        changes["deadline"] = [task.deadline.isoformat(), new_deadline.isoformat()]
    if new_ind != task.indicators:
        changes["indicators"] = [task.indicators, new_ind]
    old_coop = sorted(d.name for d in task.cooperating.all())
    if new_coop is not None and sorted(d.name for d in new_coop) != old_coop:
        changes["cooperating"] = [old_coop, sorted(d.name for d in new_coop)]
    if not changes:
        return task
    with transaction.atomic():
        Task.objects.select_for_update().get(pk=task.pk)
        task.title, task.department, task.deadline, task.indicators = new_title, new_dept, new_deadline, new_ind
        if "department" in changes:
            task.town = town_of(new_dept) or task.town
        task.save()
        if new_coop is not None:
            task.cooperating.set(new_coop)
        _event(task, TaskEvent.Action.EDIT, actor, reason, changes=changes)
        if "department" in changes:
            _notify_new(task, new_dept, [])
    return task


def add_milestone(actor: Actor, task: Task, title: str, due: dt.date | None) -> Milestone:
    _require_task(actor, task, "review")
    name = check_text(title, "节点名称", "the milestone", 200)
    due = check_deadline(due, label="节点时限")
    if due > task.deadline:
        raise RectificationError(
            "milestone_after_deadline",
            f"节点时限 {due:%Y-%m-%d} 晚于任务完成时限 {task.deadline:%Y-%m-%d}",
            f"the milestone is due {due:%Y-%m-%d}, after the task's deadline {task.deadline:%Y-%m-%d}",
        )
    return Milestone.objects.create(task=task, title=name, due=due)


def complete_milestone(actor: Actor, milestone: Milestone) -> Milestone:
    task = milestone.task
    if not is_system(actor) and not {"report", "review"} & task_permissions(actor, task):
        raise PermissionDenied
    if milestone.done_on is not None:
        return milestone
    with transaction.atomic():
        milestone.done_on = today()
        milestone.save(update_fields=["done_on"])
        _event(task, TaskEvent.Action.MILESTONE, actor, milestone.title)
    return milestone


# ---------------------------------------------------------------------------------------------
# Progress, acceptance, return


def _check_percent(percent: Any) -> int:
    try:
        value = int(str(percent).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise RectificationError(
            "bad_percent", f"完成进度“{percent}”不是 0–100 的整数", f"percent {percent!r} is not a whole number 0–100"
        ) from None
    if not 0 <= value <= 100:
        raise RectificationError(
            "bad_percent", f"完成进度 {value} 应在 0–100 之间", f"percent {value} must lie between 0 and 100"
        )
    return value


def report_progress(
    actor: Actor, task: Task, text: str, percent: Any, done: bool = False, files: Sequence[File] = ()
) -> ProgressReport:
    """A progress report of the responsible department (text, percent, evidence files); ``done``
    reports the task completed (100 %), for the supervision office to accept or return. Every file
    is checked before anything is stored: one bad file refuses the whole report."""
    _require_task(actor, task, "report")
    text = check_text(text, "进展情况", "the progress text", 5000)
    value = 100 if done else _check_percent(percent)
    if len(files) > MAX_FILES:
        raise RectificationError(
            "too_many_files", f"一次最多上传 {MAX_FILES} 个文件", f"at most {MAX_FILES} files per report"
        )
    checked = []
    for f in files:
        try:
            checked.append((f, check_upload(f)))
        except UploadRefused as refused:
            raise RectificationError(refused.code, refused.message_zh, refused.message_en) from None
    if done and not checked and not task.reports.filter(evidence__isnull=False).exists():
        raise RectificationError(
            "evidence_required",
            "报告完成须上传佐证材料（如验收报告、照片、文件）",
            "reporting a task done needs evidence files (an acceptance report, photos, documents)",
        )
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status in (Status.SUBMITTED, Status.ACCEPTED):
            label = locked.get_status_display()
            raise RectificationError(
                "bad_state",
                f"任务当前为“{label}”，不能再报送进展；如需补充，请联系督导室退回",
                f"the task is {locked.status}; no more reports until the supervision office returns it",
            )
        now = timezone.now()
        report = ProgressReport.objects.create(task=locked, text=text, percent=value, done=done, user=user_of(actor))
        for f, c in checked:
            doc = TaskEvidence(report=report)
            doc.describe(c, user_of(actor))
            save_with_file(doc, f, c)
        locked.percent, locked.progress, locked.reported_at = value, text, now
        locked.status = Status.SUBMITTED if done else Status.IN_PROGRESS
        if done:
            locked.submitted_at = now
        locked.save()
        _event(locked, TaskEvent.Action.DONE if done else TaskEvent.Action.REPORT, actor, text,
               percent=value, files=[c.name for _, c in checked], report=report.pk)  # fmt: skip
        if done:
            zh = f"{locked.department.name}报告任务已完成，请验收：{locked.title[:80]}"
            en = f"{locked.department.name} reports a task done; please accept or return it: {locked.title[:80]}"
            notify(supervisors(locked.county), Kind.TASK_SUBMITTED, f"task_submitted:{report.pk}", zh, en,
                   task_url(locked))  # fmt: skip
    task.refresh_from_db()
    return report


def accept_task(actor: Actor, task: Task, note: str = "") -> Task:
    """The supervision office accepts a task reported done."""
    _require_task(actor, task, "review")
    with transaction.atomic():
        locked = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
        if locked.status != Status.SUBMITTED:
            raise RectificationError(
                "bad_state",
                f"任务当前为“{locked.get_status_display()}”，只有“待验收”的任务可以验收",
                f"only a task reported done can be accepted; this one is {locked.status}",
            )
        locked.status, locked.accepted_at, locked.return_reason = Status.ACCEPTED, timezone.now(), ""
        locked.save()
        event = _event(locked, TaskEvent.Action.ACCEPT, actor, note.strip())
        zh, en = f"任务已验收通过：{locked.title[:80]}", f"Task accepted: {locked.title[:80]}"
        notify(clerks([locked.department_id]), Kind.TASK_ACCEPTED, f"task_accepted:{event.pk}", zh, en,
               task_url(locked))  # fmt: skip
    task.refresh_from_db()
    return task


def return_task(actor: Actor, task: Task, reason: str) -> Task:
    """The supervision office returns a task reported done (or accepted) with a reason; the
    department reports again."""
    _require_task(actor, task, "review")
    reason = check_text(reason, "退回原因", "a reason", 2000)
    with transaction.atomic():
        locked = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
        if locked.status not in (Status.SUBMITTED, Status.ACCEPTED):
            raise RectificationError(
                "bad_state",
                f"任务当前为“{locked.get_status_display()}”，只有“待验收”或“已完成”的任务可以退回",
                f"only a task reported done or accepted can be returned; this one is {locked.status}",
            )
        locked.status, locked.return_reason = Status.RETURNED, reason
        locked.accepted_at = locked.submitted_at = None
        locked.save()
        event = _event(locked, TaskEvent.Action.RETURN, actor, reason)
        zh = f"任务被督导室退回（原因：{reason[:100]}）：{locked.title[:60]}"
        en = f"Task returned by the supervision office (reason: {reason[:100]}): {locked.title[:60]}"
        notify(clerks([locked.department_id]), Kind.TASK_RETURNED, f"task_returned:{event.pk}", zh, en,
               task_url(locked))  # fmt: skip
    task.refresh_from_db()
    return task


# ---------------------------------------------------------------------------------------------
# Rectification items


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


def _school_label(school: dict[str, Any], lang: str) -> str:
    name = school["school_name"]
    if school.get("part_of_whole"):
        level = school["level"]
        return f"{name}（{LEVEL_ZH[level]}部）" if lang == "zh" else f"{name} ({LEVEL[level][1]} part)"
    return name


def shortfalls(run: EvaluationRun, county_code: str) -> list[Shortfall]:
    """Every unmet indicator of every school in the run, and every indicator CV over its limit;
    ``new`` marks those that make new items (schools failing the per-school rule, failed CVs)."""
    rules = rules_for(county_code)
    result = run.result
    out: list[Shortfall] = []
    for school in result.get("schools", []):
        reasons = {r.get("indicator"): r for r in school.get("reasons", []) if r.get("rule") == "indicator_unmet"}
        for code, ind in school.get("indicators", {}).items():
            if ind.get("met") is not False:
                continue
            rule = rules.indicator(code)
            args = {"gap": _gap_text(ind.get("gap"), ind.get("gap_unit", ""))}
            name = _indicator_name(result, school["level"], code)
            out.append(Shortfall(
                key=f"school:{school['school_code']}:{school['level']}:{code}", school_code=school["school_code"],
                school_name=school["school_name"], level=school["level"], indicator=code, indicator_name=name,
                value=ind.get("value"), threshold=ind.get("threshold"), gap=ind.get("gap"),
                gap_unit=ind.get("gap_unit", ""), finding=reasons.get(code, {}).get("message_zh", ""),
                finding_en=reasons.get(code, {}).get("message_en", ""),
                target_zh=rule.target_zh.format(school=_school_label(school, "zh"), **args),
                target_en=rule.target_en.format(school=_school_label(school, "en"), **args),
                new=school.get("passed") is False,
            ))  # fmt: skip
    for level, data in result.get("levels", {}).items():
        for code, ind in (data.get("indicators") or {}).items():
            if ind.get("cv_passed") is not False:
                continue
            cv, limit = ind.get("cv_3dp"), ind.get("cv_limit")
            zh_args = {"level": LEVEL_ZH[level], "indicator": ind.get("name_zh", code), "cv": cv, "limit": limit}
            en_args = {**zh_args, "level": LEVEL[level][1], "indicator": ind.get("name_en", code)}
            out.append(Shortfall(
                key=f"cv:{level}:{code}", school_code=None, school_name="", level=level, indicator=code,
                indicator_name=ind.get("name_zh", code), value=cv, threshold=limit, gap=None, gap_unit="cv",
                finding=f"{LEVEL_ZH[level]}“{ind.get('name_zh', code)}”校际差异系数 {cv}，超过 {limit}",
                finding_en=f"{LEVEL[level][1]} CV of “{ind.get('name_en', code)}” is {cv}, over {limit}",
                target_zh=rules.cv["target_zh"].format(**zh_args), target_en=rules.cv["target_en"].format(**en_args),
                new=True,
            ))  # fmt: skip
    return out


def _indicator_name(result: dict[str, Any], level: str, code: str) -> str:
    return str(((result.get("levels", {}).get(level) or {}).get("indicators") or {}).get(code, {}).get("name_zh", code))


def _lead_and_partners(county: Region, indicator: str, departments: list[Department]) -> tuple[Department, list]:
    picked = pick_departments(rules_for(county.code).indicator(indicator).departments, departments)
    if not picked:
        picked = pick_departments(["education"], departments) or departments[:1]
    if not picked:
        raise RectificationError(
            "no_departments",
            f"{county.name}尚未建立部门（单位），无法分配整改事项；请先在系统中登记各部门",
            f"{county.name} has no departments yet; items cannot be assigned",
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
    evaluated = {s["school_code"] for s in run.result.get("schools", [])}
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
            elif _is_met(run.result, key):
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
    return {sy.school.code: sy.town for sy in rows}


def _is_met(result: dict[str, Any], key: str) -> bool:
    parts = key.split(":")
    if parts[0] == "school":
        _, code, level, indicator = parts
        for school in result.get("schools", []):
            if school["school_code"] == code and school["level"] == level:
                return (school.get("indicators", {}).get(indicator) or {}).get("met") is True
        return False
    _, level, indicator = parts
    ind = ((result.get("levels", {}).get(level) or {}).get("indicators") or {}).get(indicator) or {}
    return ind.get("cv_passed") is True


def _figures(item: RectificationItem) -> dict[str, Any]:
    run = item.checked_run
    return {"value": item.value, "gap": item.gap, "threshold": item.threshold,
            "run": run.pk if run else None, "year": run.year if run else item.year}  # fmt: skip


def _now_figures(run: EvaluationRun, key: str) -> dict[str, Any]:
    parts = key.split(":")
    if parts[0] == "school":
        _, code, level, indicator = parts
        for school in run.result.get("schools", []):
            if school["school_code"] == code and school["level"] == level:
                ind = school.get("indicators", {}).get(indicator) or {}
                return {"value": ind.get("value"), "gap": ind.get("gap"), "threshold": ind.get("threshold"),
                        "run": run.pk, "year": run.year}  # fmt: skip
        return {"run": run.pk, "year": run.year}
    _, level, indicator = parts
    ind = ((run.result.get("levels", {}).get(level) or {}).get("indicators") or {}).get(indicator) or {}
    return {"value": ind.get("cv_3dp"), "gap": None, "threshold": ind.get("cv_limit"), "run": run.pk, "year": run.year}


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
        raise RectificationError("bad_source", "来源无效", f"unknown source {source!r}")
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
                "unknown_school", f"{county.name}没有学校“{school}”", f"{county.name} has no school {school!r}"
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
            raise RectificationError("bad_state", "该整改事项已关闭", f"the item is already {locked.status}")
        locked.status, locked.closed_at, locked.close_reason = Item.Status.CLOSED, timezone.now(), reason
        locked.save()
        _event(task, TaskEvent.Action.ITEM_CLOSED, actor, reason)
    return locked


# ---------------------------------------------------------------------------------------------
# Consultation meetings


def _lines(text: str, label_zh: str, label_en: str) -> str:
    rows = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not rows:
        raise RectificationError("required", f"请填写{label_zh}（每行一项）", f"{label_en} is required (one per line)")
    return "\n".join(rows)


def record_meeting(
    actor: Actor, county: Region, title: str, held_on: dt.date | None, attendees: str, topics: str, place: str = ""
) -> Meeting:
    _require(actor, county, "review")
    check_county(county)
    title = check_text(title, "会议名称", "the meeting's title", 200)
    if held_on is None:
        raise RectificationError("required", "请填写会议日期", "the meeting's date is required")
    if held_on > today():
        raise RectificationError(
            "date_in_future", "会议日期不能晚于今天（先开会，后记录）", "the meeting's date cannot be after today"
        )
    return Meeting.objects.create(
        county=county, title=title, held_on=held_on, place=(place or "").strip()[:100],
        attendees=_lines(attendees, "参会人员", "attendees"), topics=_lines(topics, "会商议题", "topics"),
        created_by=user_of(actor),
    )  # fmt: skip


def add_decision(
    actor: Actor,
    meeting: Meeting,
    text: str,
    department: Department | int | str | None = None,
    deadline: dt.date | None = None,
) -> Decision:
    """A decision of the meeting; with an owner and a deadline it becomes a task in the county's
    meeting-decision list at once (else later, with :func:`decision_to_task`)."""
    county = Region.objects.get(pk=meeting.county_id)
    _require(actor, county, "review")
    text = check_text(text, "议定事项", "the decision", 2000)
    checked = None
    if department or deadline:
        checked = check_task(county, TaskSpec(text, department, deadline))
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        number = (meeting.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        decision = Decision.objects.create(meeting=meeting, number=number, text=text)
        if checked is not None:
            _decision_task(actor, decision, checked)
    return decision


def decision_to_task(
    actor: Actor, decision: Decision, department: Department | int | str | None, deadline: dt.date | None
) -> Task:
    meeting = decision.meeting
    county = Region.objects.get(pk=meeting.county_id)
    _require(actor, county, "review")
    checked = check_task(county, TaskSpec(decision.text, department, deadline))
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.task_id is not None:
            raise RectificationError("already_task", "该议定事项已转为任务", "the decision is already a task")
        return _decision_task(actor, locked, checked)


def _decision_task(actor: Actor, decision: Decision, checked: CheckedTask) -> Task:
    meeting = decision.meeting
    plan = system_plan(meeting.county, meeting.held_on.year, WorkPlan.Kind.MEETING)
    WorkPlan.objects.select_for_update().get(pk=plan.pk)
    held = f"{meeting.held_on:%Y-%m-%d}"
    task = _insert_task(actor, plan, checked, why="decision", meeting=meeting.title, date=held, number=decision.number)
    decision.task = task
    decision.save(update_fields=["task"])
    return task


# ---------------------------------------------------------------------------------------------
# Leaders' liaison schools and things done for schools


def add_leader(actor: Actor, county: Region, name: str, post: str) -> Leader:
    _require(actor, county, "review")
    check_county(county)
    name, post = check_text(name, "姓名", "the name", 32), check_text(post, "职务", "the post", 64)
    try:
        with transaction.atomic():
            return Leader.objects.create(county=county, name=name, post=post)
    except IntegrityError:
        raise RectificationError(
            "duplicate", f"已有县领导“{name}”", f"there is already a leader named {name!r}"
        ) from None


def _leader_school(county: Region, school: School | str) -> School:
    unit = school if isinstance(school, School) else School.objects.filter(code=str(school).strip()).first()
    if unit is None or unit.county_id != county.pk:
        raise RectificationError(
            "unknown_school", f"{county.name}没有学校“{school}”", f"{county.name} has no school {school!r}"
        )
    return unit


def link_school(actor: Actor, leader: Leader, school: School | str, since: dt.date | None = None) -> LiaisonSchool:
    county = Region.objects.get(pk=leader.county_id)
    _require(actor, county, "review")
    unit = _leader_school(county, school)
    link, _ = LiaisonSchool.objects.get_or_create(leader=leader, school=unit, defaults={"since": since or today()})
    return link


def _linked(leader: Leader, school: School | str) -> School:
    county = Region.objects.get(pk=leader.county_id)
    unit = _leader_school(county, school)
    if not LiaisonSchool.objects.filter(leader=leader, school=unit).exists():
        raise RectificationError(
            "not_linked",
            f"{leader.name}未挂钩联系该学校，请先建立挂钩关系",
            f"{leader.name} is not linked with this school; link it first",
        )
    return unit


def record_visit(actor: Actor, leader: Leader, school: School | str, on: dt.date | None, note: str) -> Visit:
    county = Region.objects.get(pk=leader.county_id)
    _require(actor, county, "review")
    unit = _linked(leader, school)
    if on is None or on > today():
        raise RectificationError(
            "bad_date", "走访日期须为今天或以前的日期", "the visit's date must be today or earlier"
        )
    note = check_text(note, "走访情况", "what the visit found", 2000)
    return Visit.objects.create(leader=leader, school=unit, on=on, note=note, created_by=user_of(actor))


def add_matter(actor: Actor, leader: Leader, school: School | str, year: int, title: str) -> PracticalMatter:
    county = Region.objects.get(pk=leader.county_id)
    _require(actor, county, "review")
    unit = _linked(leader, school)
    title = check_text(title, "实事内容", "the matter", 200)
    return PracticalMatter.objects.create(leader=leader, school=unit, year=year, title=title, created_by=user_of(actor))


def complete_matter(actor: Actor, matter: PracticalMatter, done_on: dt.date | None = None) -> PracticalMatter:
    county = Region.objects.get(pk=matter.leader.county_id)
    _require(actor, county, "review")
    done_on = done_on or today()
    if done_on > today():
        raise RectificationError("bad_date", "办结日期不能晚于今天", "the completion date cannot be after today")
    matter.status, matter.done_on = PracticalMatter.Status.DONE, done_on
    matter.save(update_fields=["status", "done_on"])
    return matter


# ---------------------------------------------------------------------------------------------
# Bulletins


def issue_bulletin(actor: Actor, county: Region, start: dt.date | None, end: dt.date | None) -> Bulletin:
    """Generate the bulletin (督导通报) of the period as .docx and keep it with the next number of
    the year; it names the units with overdue tasks on the period's last day."""
    from django.core.files.base import ContentFile

    from dudao.rectification.bulletin import bulletin_docx, bulletin_report

    _require(actor, county, "review")
    check_county(county)
    if start is None or end is None:
        raise RectificationError("required", "请填写通报的起止日期", "the period's first and last day are required")
    if start > end:
        raise RectificationError("bad_period", "起始日期晚于截止日期", "the period starts after it ends")
    if end > today():
        raise RectificationError("bad_period", "截止日期不能晚于今天", "the period cannot end after today")
    with transaction.atomic():
        number = (Bulletin.objects.filter(county=county, year=end.year).aggregate(n=Max("number"))["n"] or 0) + 1
        report = bulletin_report(county, start, end, number)
        bulletin = Bulletin(
            county=county, year=end.year, number=number, title=report.title, period_start=start, period_end=end,
            overdue_units=[u.name for u in report.overdue_units], created_by=user_of(actor),
        )  # fmt: skip
        name = f"{county.code}-{end.year}-{number:02d}.docx"
        bulletin.file.save(name, ContentFile(bulletin_docx(report)), save=False)
        try:
            with transaction.atomic():
                bulletin.save()
        except BaseException:
            bulletin.file.delete(save=False)
            raise
    return bulletin


# ---------------------------------------------------------------------------------------------
# Reminders


@dataclass
class ReminderResult:
    due_soon: int = 0
    overdue: int = 0
    digests: int = 0


def send_reminders(on: dt.date | None = None) -> ReminderResult:
    """Remind the responsible clerks of tasks due within N days (``remind_days``) and of overdue
    ones, and give each county's supervision office a digest of its overdue tasks. Each reminder
    is keyed by its day: running this again the same day sends nothing new."""
    on = on or today()
    out = ReminderResult()
    tasks = (
        Task.objects.filter(status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED])
        .select_related("county", "department")
        .prefetch_related("milestones")
        .order_by("county_id", "deadline", "pk")
    )
    overdue_by_county: dict[int, list[Task]] = {}
    for task in tasks:
        rules = rules_for(task.county.code)
        days = (task.deadline - on).days
        people = clerks([task.department_id])
        if days < 0:
            zh = f"任务已逾期 {-days} 天（时限 {task.deadline:%Y-%m-%d}）：{task.title[:80]}"
            en = f"Task {-days} day(s) overdue (due {task.deadline:%Y-%m-%d}): {task.title[:80]}"
            key = f"task_overdue:{task.pk}:{on}"
            out.overdue += len(notify(people, Kind.TASK_OVERDUE, key, zh, en, task_url(task)))
            overdue_by_county.setdefault(task.county_id, []).append(task)
        elif days <= rules.remind_days:
            zh = f"任务将于 {days} 天后到期（{task.deadline:%Y-%m-%d}），请抓紧推进：{task.title[:80]}"
            en = f"Task due in {days} day(s) ({task.deadline:%Y-%m-%d}): {task.title[:80]}"
            key = f"task_due:{task.pk}:{on}"
            out.due_soon += len(notify(people, Kind.TASK_DUE, key, zh, en, task_url(task)))
    for tasks_of in overdue_by_county.values():
        county = tasks_of[0].county
        units = sorted({t.department.name for t in tasks_of})
        zh = f"{county.name}有 {len(tasks_of)} 项任务逾期未完成，涉及：{'、'.join(units)}"
        en = f"{county.name}: {len(tasks_of)} task(s) overdue, at {', '.join(units)}"
        url = reverse("rectification:dashboard", args=[county.code])
        out.digests += len(notify(supervisors(county), Kind.TASK_OVERDUE, f"digest:{county.pk}:{on}", zh, en, url))
    return out
