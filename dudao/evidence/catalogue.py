"""Every evidence file of a county, school year and standard, wherever it was uploaded, with where it
came from and the indicators it is filed under.

Which files belong to a county × year × standard:

- a county item's files (``evaluation.Evidence``): the items of that year and standard;
- a task's progress-report files (``rectification.TaskEvidence``): the tasks of a rectification item of
  that school year; the tasks of a meeting decision (会商议定事项) whose meeting was held in calendar year
  ``year`` or ``year + 1`` (a school year runs from September into the next calendar year, and the
  inspection of a school year is prepared in the next); any other task by its work plan's year.

The indicators a file is filed under are those its source gives (a county item's code; a rectification
item's indicator, else the task's served indicators; none for a liaison file) and those a supervisor
linked it to
(``EvidenceLink``). A file with none is "to link" (待关联); nothing is left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext as _

from dudao.evaluation.models import Evidence
from dudao.evidence.models import EvidenceLink
from dudao.orgs.lists import school_names
from dudao.orgs.models import Region
from dudao.rectification.models import LiaisonEvidence, TaskEvidence, WorkPlan
from dudao.standards import load

ITEM, TASK, LIAISON = "item", "task", "liaison"
# The EvidenceLink field that names a file of each kind.
LINK_FIELDS = {ITEM: "item_evidence", TASK: "task_evidence", LIAISON: "liaison_evidence"}


@dataclass
class EvidenceFile:
    """One stored file with its source and indicators (``given`` by its source, ``linked`` by hand)."""

    kind: str  # ITEM, TASK or LIAISON
    doc: Evidence | TaskEvidence | LiaisonEvidence
    source: str  # 县级指标 / 整改事项 / 会商议定事项 / 工作方案任务 / 联系学校走访 / 实事
    about: str  # which item, task or meeting
    given: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    url: str = ""  # where a page offers the file (filled by the page)

    @property
    def key(self) -> str:
        """``item-<pk>``, ``task-<pk>`` or ``liaison-<pk>``: how a page names the file."""
        return f"{self.kind}-{self.doc.pk}"

    @property
    def codes(self) -> list[str]:
        return sorted(set(self.given) | set(self.linked), key=code_order)

    @property
    def uploader(self) -> str:
        user: User | None = self.doc.uploaded_by
        return (user.get_full_name() or user.get_username()) if user is not None else _("系统")

    @property
    def uploaded_at(self) -> datetime:
        return self.doc.uploaded_at


def code_order(code: str) -> tuple[str, int, str]:
    """GG-2 before GG-10, GG-03a before GG-03b, L3 before L10."""
    match = re.match(r"(\D*)(\d*)(.*)", code)
    head, number, rest = match.groups() if match else (code, "", "")
    return (head, int(number) if number else -1, rest)


def indicator_names(standard_id: str) -> dict[str, str]:
    """Every code a file can be filed under in the standard, in the standard's order: the per-school
    indicators, the county items of each area (GG-, EQ-, SR- …) and the veto items."""
    standard = load(standard_id)
    names = {ind.code: ind.name_zh for ind in standard.indicators}
    for area in standard.areas:
        names.update({item.code: item.name_zh for item in area.items or []})
    names.update({item.code: item.name_zh for item in standard.veto})
    return names


def indicator_groups(standard_id: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The codes of :func:`indicator_names` grouped as the standard groups them (for a choice list)."""
    standard = load(standard_id)
    groups = [(str(_("资源配置（校际均衡指标）")), [(i.code, i.name_zh) for i in standard.indicators])]
    groups += [(area.name_zh, [(i.code, i.name_zh) for i in area.items]) for area in standard.areas if area.items]
    groups.append((str(_("一票否决")), [(i.code, i.name_zh) for i in standard.veto]))
    return [(label, codes) for label, codes in groups if codes]


def _task_files(county: Region, year: int) -> list[EvidenceFile]:
    meeting_years = Q(report__task__decision__meeting__held_on__year__in=[year, year + 1])
    plan_year = Q(report__task__plan__year=year) & Q(report__task__decision__isnull=True)
    docs = (
        TaskEvidence.objects.filter(report__task__county=county)
        .filter(Q(report__task__item__year=year) | (Q(report__task__item__isnull=True) & (meeting_years | plan_year)))
        .select_related("report__task__plan", "report__task__item", "report__task__decision__meeting", "uploaded_by")
        .order_by("pk")
    )
    files = []
    for doc in docs:
        task = doc.report.task
        item, decision = getattr(task, "item", None), getattr(task, "decision", None)
        if item is not None:
            given = [item.indicator] if item.indicator else list(task.indicators or [])
            files.append(EvidenceFile(TASK, doc, _("整改事项"), task.title, given))
        elif decision is not None:
            meeting = decision.meeting
            about = _("%(meeting)s（%(date)s）第%(n)s项：%(task)s") % {
                "meeting": meeting.title, "date": f"{meeting.held_on:%Y-%m-%d}", "n": decision.number,
                "task": task.title,
            }  # fmt: skip
            files.append(EvidenceFile(TASK, doc, _("会商议定事项"), about, list(task.indicators or [])))
        else:
            source = _("整改事项") if task.plan.kind == WorkPlan.Kind.RECTIFICATION else _("工作方案任务")
            about = f"{task.plan.title}：{task.title}"
            files.append(EvidenceFile(TASK, doc, source, about, list(task.indicators or [])))
    return files


def _liaison_files(county: Region, year: int) -> list[EvidenceFile]:
    visits = Q(visit__leader__county=county, visit__on__year__in=[year, year + 1])
    matters = Q(matter__leader__county=county, matter__year=year)
    docs = list(
        LiaisonEvidence.objects.filter(visits | matters)
        .select_related("visit__leader", "matter__leader", "uploaded_by")
        .order_by("pk")
    )
    names = school_names({owner.school_id for d in docs if (owner := d.visit or d.matter) is not None})
    files = []
    for doc in docs:
        if doc.visit is not None:
            visit = doc.visit
            about = _("%(school)s（%(date)s，%(leader)s走访）") % {
                "school": names.get(visit.school_id, ""), "date": f"{visit.on:%Y-%m-%d}", "leader": visit.leader.name,
            }  # fmt: skip
            files.append(EvidenceFile(LIAISON, doc, _("联系学校走访"), about))
        elif doc.matter is not None:
            matter = doc.matter
            when = f"{matter.done_on:%Y-%m-%d}" if matter.done_on else matter.get_status_display()
            about = _("%(school)s（%(date)s）：%(title)s") % {
                "school": names.get(matter.school_id, ""), "date": when, "title": matter.title,
            }  # fmt: skip
            files.append(EvidenceFile(LIAISON, doc, _("实事"), about))
    return files


def county_files(county: Region, year: int, standard_id: str) -> list[EvidenceFile]:
    """Every evidence file of the county, year and standard (module docstring), in upload order."""
    files = [
        EvidenceFile(ITEM, doc, _("县级指标"), f"{doc.item.code}", [doc.item.code])
        for doc in Evidence.objects.filter(item__county=county, item__year=year, item__standard_id=standard_id)
        .select_related("item", "uploaded_by")
        .order_by("pk")
    ]
    files += _task_files(county, year) + _liaison_files(county, year)
    links: dict[tuple[str, int], list[str]] = defaultdict(list)
    for link in EvidenceLink.objects.filter(county=county, standard_id=standard_id):
        for kind, name in LINK_FIELDS.items():
            if (pk := getattr(link, f"{name}_id")) is not None:
                links[(kind, pk)].append(link.code)
    for f in files:
        f.linked = links.get((f.kind, f.doc.pk), [])
    files.sort(key=lambda f: f.uploaded_at)
    return files
