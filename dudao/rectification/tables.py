"""Every table the rectification pages show, as ``dudao.tables.Table`` (so each downloads as .xlsx
and .csv with exactly what the page shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.orgs.models import Region
from dudao.rectification.models import (
    Bulletin,
    Decision,
    Leader,
    LiaisonEvidence,
    Meeting,
    PracticalMatter,
    RectificationItem,
    Task,
    TaskEvent,
    TaskEvidence,
    Visit,
    WorkPlan,
)
from dudao.rectification.reports import UnitProgress
from dudao.rectification.rules import rules_for
from dudao.rectification.status import STATE_CSS, STATE_LABELS, State, days_overdue, task_state
from dudao.tables import Column, Table


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def unit_table(name: str, title: str, label: str, units: list[UnitProgress]) -> Table:
    columns = [
        Column("unit", label),
        Column("total", _("任务数"), "int"),
        Column("done", _("已完成"), "int"),
        Column("on_time", _("按期推进"), "int"),
        Column("at_risk", _("存在风险"), "int"),
        Column("overdue", _("逾期"), "int"),
        Column("rate", _("完成率"), "percent", 1),
    ]
    rows = []
    for unit in units:
        row = unit.row()
        row["_class"] = {
            "overdue": "bad" if unit.counts["overdue"] else "",
            "at_risk": "warn" if unit.counts["at_risk"] else "",
        }
        rows.append(row)
    return Table(name, title, columns, rows)


def task_columns(with_state: bool = True) -> list[Column]:
    """The familiar task-list layout (序号, 任务, 责任单位, 配合单位, 完成时限, 进展情况) and the state."""
    columns = [
        Column("number", _("序号"), "int"),
        Column("title", _("任务")),
        Column("department", _("责任单位")),
        Column("cooperating", _("配合单位")),
        Column("deadline", _("完成时限")),
        Column("progress", _("进展情况")),
        Column("percent", _("完成进度（%）"), "int"),
        Column("status", _("状态")),
    ]
    if with_state:
        columns.append(Column("state", _("督办")))
    return columns


def task_row(task: Task, state: State | None, on: dt.date) -> dict[str, Any]:
    label = str(STATE_LABELS[state]) if state else ""
    if state == "overdue":
        label = _("逾期 %(days)d 天") % {"days": days_overdue(task, on)}
    return {
        "number": task.number,
        "title": task.title,
        "department": task.department.name,
        "cooperating": "、".join(d.name for d in task.cooperating.all()),
        "deadline": f"{task.deadline:%Y-%m-%d}",
        "progress": task.progress,
        "percent": task.percent,
        "status": task.get_status_display(),
        "state": label,
        "_href": {"title": reverse("rectification:task", args=[task.pk])},
        "_class": {"state": STATE_CSS.get(state or "", ""), "deadline": "nowrap"},
    }


def tasks_table(name: str, title: str, tasks: Iterable[Task], states: dict[int, State], on: dt.date) -> Table:
    rows = [task_row(t, states.get(t.pk), on) for t in tasks]
    return Table(name, title, task_columns(), rows, key="title")


def items_of(county: Region, on: dt.date, **filters: Any) -> tuple[list[RectificationItem], dict[int, State]]:
    """The county's items (``filters`` narrow them, e.g. ``status="open"`` or ``school=...``), newest
    year first, with the state of each item's task on ``on``: what ``items_table`` shows, in 3 queries."""
    items = list(
        RectificationItem.objects.filter(county=county, **filters)
        .select_related("task__department", "task__county")
        .prefetch_related("task__milestones")
        .order_by("-year", "task__deadline", "pk")
    )
    rules = rules_for(county.code)
    return items, {i.task.pk: task_state(i.task, on, rules) for i in items}


def items_table(items: Iterable[RectificationItem], states: dict[int, State], on: dt.date) -> Table:
    columns = [
        Column("year", _("学年"), "int"),
        Column("source", _("来源")),
        Column("school", _("学校")),
        Column("indicator", _("指标")),
        Column("target", _("整改目标")),
        Column("value", _("现值"), "number", 2),
        Column("threshold", _("标准值"), "number", 2),
        Column("department", _("责任单位")),
        Column("deadline", _("完成时限")),
        Column("status", _("事项状态")),
        Column("state", _("督办")),
    ]
    rows = []
    for item in items:
        task = item.task
        state = states.get(task.pk)
        rows.append({
            "year": item.year, "source": item.get_source_display(),
            "school": _school_label(item),
            "indicator": item.indicator, "target": item.target, "value": item.value, "threshold": item.threshold,
            "department": task.department.name, "deadline": f"{task.deadline:%Y-%m-%d}",
            "status": item.get_status_display(),
            "state": str(STATE_LABELS[state]) if state and item.status == "open" else "",
            "_href": {"target": reverse("rectification:task", args=[task.pk])},
            "_class": {"status": "ok" if item.status == "met" else "", "state": STATE_CSS.get(state or "", "")},
        })  # fmt: skip
    return Table("items", _("整改事项"), columns, rows)


def _school_label(item: RectificationItem) -> str:
    if item.school_id is None:
        return _("全县") if item.key.startswith("cv:") else ""
    level = {"primary": _("小学"), "junior": _("初中")}.get(item.level, "")
    name = item.school_name or str(item.school_id)
    return f"{name}（{level}）" if level else name


def plans_table(plans: Iterable[WorkPlan], counts: dict[int, int]) -> Table:
    columns = [
        Column("year", _("年度"), "int"),
        Column("title", _("方案名称")),
        Column("doc_no", _("文号")),
        Column("kind", _("类别")),
        Column("tasks", _("任务数"), "int"),
    ]
    rows = [
        {"year": p.year, "title": p.title, "doc_no": p.doc_no, "kind": p.get_kind_display(),
         "tasks": counts.get(p.pk, 0), "_href": {"title": reverse("rectification:plan", args=[p.pk])}}
        for p in plans
    ]  # fmt: skip
    return Table("plans", _("工作方案与任务清单"), columns, rows)


def why_text(data: dict[str, Any]) -> str:
    """Where a task came from or why an item closed, in the reader's language (kept as data)."""
    why = data.get("why")
    if why == "evaluation":
        return _("评估短板（%(year)s学年，评估记录 #%(run)s）") % data
    if why == "import":
        return _("导入任务清单 %(file)s") % data
    if why == "decision":
        return _("%(meeting)s（%(date)s）议定事项第%(number)s项") % data
    if why in ("manual", "inspection"):
        return str(RectificationItem.Source(why).label)
    if why == "met":
        return _("%(year)s学年评估（记录 #%(run)s）显示已达标") % data
    if why == "void":
        return _("学校未参加%(year)s学年评估（记录 #%(run)s），如已撤并请核实") % data
    return ""


def event_note(e: TaskEvent, lang: str) -> str:
    note = e.note or why_text(e.data)
    if e.action == "item_updated":
        note = e.data.get("target_en" if lang == "en" else "target_zh", note)
    changes = e.data.get("changes")
    if changes:
        note = "；".join(f"{key}：{old} → {new}" for key, (old, new) in changes.items()) + (
            f"（{note}）" if note else ""
        )
    if e.action in ("item_met", "item_updated") and e.data.get("old"):
        old, new = e.data["old"], e.data.get("new", {})
        note = _("%(note)s（现值 %(old)s → %(new)s，差距 %(gap_old)s → %(gap_new)s）") % {
            "note": note, "old": old.get("value"), "new": new.get("value"),
            "gap_old": old.get("gap"), "gap_new": new.get("gap"),
        }  # fmt: skip
    if e.data.get("files"):
        note = f"{note}（{_('佐证材料')}：{'、'.join(e.data['files'])}）"
    return note


def timeline_table(events: Iterable[TaskEvent], lang: str = "zh") -> Table:
    columns = [
        Column("at", _("时间")),
        Column("user", _("人员")),
        Column("action", _("事项")),
        Column("note", _("内容")),
    ]
    rows = [
        {"at": _local(e.at), "user": e.user.get_username() if e.user else _("系统"),
         "action": e.get_action_display(), "note": event_note(e, lang)}
        for e in events
    ]  # fmt: skip
    return Table("timeline", _("任务轨迹"), columns, rows)


def evidence_table(files: Iterable[TaskEvidence]) -> Table:
    columns = [
        Column("name", _("文件")),
        Column("size", _("大小（KB）"), "number", 1),
        Column("at", _("上传时间")),
        Column("user", _("上传人")),
    ]
    rows = [
        {"name": f.original_name, "size": f.size / 1024, "at": _local(f.uploaded_at),
         "user": f.uploaded_by.get_username() if f.uploaded_by else "",
         "_href": {"name": reverse("rectification:evidence", args=[f.pk])}}
        for f in files
    ]  # fmt: skip
    return Table("evidence", _("佐证材料"), columns, rows)


def milestones_table(task: Task, on: dt.date) -> Table:
    columns = [Column("title", _("节点")), Column("due", _("节点时限")), Column("done", _("完成日期"))]
    rows = []
    for m in task.milestones.all():
        late = m.done_on is None and m.due < on
        rows.append({"title": m.title, "due": f"{m.due:%Y-%m-%d}",
                     "done": f"{m.done_on:%Y-%m-%d}" if m.done_on else (_("已超期") if late else _("未完成")),
                     "_class": {"done": "bad" if late else ("ok" if m.done_on else "")}})  # fmt: skip
    return Table("milestones", _("节点"), columns, rows)


def meetings_table(meetings: Iterable[Meeting], counts: dict[int, tuple[int, int]]) -> Table:
    columns = [
        Column("held_on", _("会议日期")),
        Column("title", _("会议名称")),
        Column("place", _("地点")),
        Column("decisions", _("议定事项"), "int"),
        Column("tasks", _("已转任务"), "int"),
    ]
    rows = [
        {"held_on": f"{m.held_on:%Y-%m-%d}", "title": m.title, "place": m.place,
         "decisions": counts.get(m.pk, (0, 0))[0], "tasks": counts.get(m.pk, (0, 0))[1],
         "_href": {"title": reverse("rectification:meeting", args=[m.pk])}}
        for m in meetings
    ]  # fmt: skip
    return Table("meetings", _("会商记录"), columns, rows)


def decisions_table(
    name: str, title: str, decisions: Iterable[Decision], states: dict[int, State], on: dt.date
) -> Table:
    columns = [
        Column("number", _("序号"), "int"),
        Column("text", _("议定事项")),
        Column("department", _("责任单位")),
        Column("deadline", _("完成时限")),
        Column("status", _("落实情况")),
    ]
    rows = []
    for d in decisions:
        task = d.task
        state = states.get(task.pk) if task else None
        rows.append({
            "number": d.number, "text": d.text, "department": task.department.name if task else "",
            "deadline": f"{task.deadline:%Y-%m-%d}" if task else "",
            "status": (f"{task.get_status_display()}（{STATE_LABELS[state]}）" if task and state
                       else _("未转为任务")),
            "_href": {"text": reverse("rectification:task", args=[task.pk])} if task else {},
            "_class": {"status": STATE_CSS.get(state or "", "")},
        })  # fmt: skip
    return Table(name, title, columns, rows)


def leaders_table(leaders: Iterable[Leader], year: int, target: tuple[int, int], names: dict[int, str]) -> Table:
    low, high = target
    columns = [
        Column("leader", _("县领导")),
        Column("post", _("职务")),
        Column("schools", _("挂钩联系学校")),
        Column("visits", _("本年走访次数"), "int"),
        Column("matters", _("本年办结实事"), "int"),
        Column("target", _("目标")),
    ]
    rows = []
    for leader in leaders:
        done = sum(1 for m in leader.matters.all() if m.year == year and m.status == PracticalMatter.Status.DONE)
        visits = sum(1 for v in leader.visits.all() if v.on.year == year)
        met = done >= low
        rows.append({
            "leader": leader.name, "post": leader.post,
            "schools": "、".join(names.get(link.school_id, "") for link in leader.links.all()),
            "visits": visits, "matters": done,
            "target": (_("已完成（目标 %(low)d–%(high)d 件）") if met else _("未完成（目标 %(low)d–%(high)d 件）"))
            % {"low": low, "high": high},
            "_class": {"target": "ok" if met else "bad"},
        })  # fmt: skip
    return Table("leaders", _("县领导挂钩联系学校"), columns, rows)


def visits_table(visits: Iterable[Visit], names: dict[int, str]) -> Table:
    columns = [Column("on", _("走访日期")), Column("leader", _("县领导")), Column("school", _("学校")),
               Column("note", _("走访情况")), Column("files", _("佐证材料"), "int")]  # fmt: skip
    rows = [{"on": f"{v.on:%Y-%m-%d}", "leader": v.leader.name, "school": names.get(v.school_id, ""), "note": v.note,
             "files": len(v.evidence.all())} for v in visits]  # fmt: skip
    return Table("visits", _("走访记录"), columns, rows)


def matters_table(matters: Iterable[PracticalMatter], names: dict[int, str]) -> Table:
    columns = [Column("year", _("年度"), "int"), Column("leader", _("县领导")), Column("school", _("学校")),
               Column("title", _("实事")), Column("status", _("状态")), Column("done_on", _("办结日期")),
               Column("files", _("佐证材料"), "int")]  # fmt: skip
    rows = [
        {"year": m.year, "leader": m.leader.name, "school": names.get(m.school_id, ""), "title": m.title,
         "status": m.get_status_display(), "done_on": f"{m.done_on:%Y-%m-%d}" if m.done_on else "",
         "_class": {"status": "ok" if m.status == "done" else ""}, "pk": m.pk, "files": len(m.evidence.all())}
        for m in matters
    ]  # fmt: skip
    return Table("matters", _("为学校办实事"), columns, rows)


def liaison_evidence_table(docs: Iterable[LiaisonEvidence], names: dict[int, str]) -> Table:
    """The files of leaders' visits and practical matters, each with what it documents."""
    columns = [Column("name", _("文件")), Column("source", _("来源")), Column("school", _("学校")),
               Column("about", _("事项")), Column("at", _("上传时间"))]  # fmt: skip
    rows = []
    for f in docs:
        owner = f.visit or f.matter
        about = f"{f.visit.on:%Y-%m-%d} {f.visit.leader.name}" if f.visit else f"{f.matter.title}" if f.matter else ""
        rows.append({
            "name": f.original_name, "source": _("联系学校走访") if f.visit else _("实事"),
            "school": names.get(owner.school_id, "") if owner else "", "about": about, "at": _local(f.uploaded_at),
            "_href": {"name": reverse("rectification:liaison_evidence", args=[f.pk])},
        })  # fmt: skip
    return Table("liaison_evidence", _("走访与实事佐证材料"), columns, rows)


def bulletins_table(bulletins: Iterable[Bulletin]) -> Table:
    columns = [
        Column("number", _("期号")),
        Column("title", _("标题")),
        Column("period", _("通报期间")),
        Column("overdue", _("通报逾期单位")),
        Column("at", _("印发时间")),
    ]
    rows = [
        {"number": _("%(year)d年第%(number)d期") % {"year": b.year, "number": b.number}, "title": b.title,
         "period": f"{b.period_start:%Y-%m-%d} — {b.period_end:%Y-%m-%d}", "overdue": "、".join(b.overdue_units),
         "at": _local(b.created_at), "_href": {"title": reverse("rectification:bulletin", args=[b.pk])}}
        for b in bulletins
    ]  # fmt: skip
    return Table("bulletins", _("督导通报"), columns, rows)
