"""What the self-evaluation report (自查自评报告) and its annex tables say, taken from one stored
evaluation run (``EvaluationRun.result_obj`` and ``.inputs``) and the county's rectification items.

One source of truth: every figure here is a value of the run's result (or a sum over its schools and
input rows); the .docx and the .xlsx are two layouts of this same :class:`ReportData`, so they
cannot disagree with each other or with the stored run. Numbers stay numbers here; each layout
formats them (the CV with 3 decimals, as ``cv_3dp``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Min
from django.utils import timezone

from dudao.engine.fields import LOCATION_ZH, SCHOOL_TYPE_ZH
from dudao.engine.result import Area, AreaItem, CountyResult, Level, LevelIndicator, School, StandardInfo
from dudao.evaluation.models import CountyItemValue, EvaluationRun
from dudao.orgs.models import Region
from dudao.rectification.models import (
    Decision,
    Leader,
    LiaisonSchool,
    Meeting,
    PracticalMatter,
    RectificationItem,
    Task,
    Visit,
    WorkPlan,
)
from dudao.reports.models import PracticeText, ReportHeading

LEVELS = ("primary", "junior")
LOCATIONS = ("urban", "town", "rural")
AREA_STATUS_ZH = {"passed": "达标", "failed": "未达标", "incomplete": "数据不全", "not_assessed": "未评估"}


def verdict_zh(passed: bool | None) -> str:
    return "达标" if passed is True else "未达标" if passed is False else "待定"


def unmet_codes(school: School) -> list[str]:
    """The indicators a school does not meet (``met`` false; undetermined ones are not listed)."""
    return [code for code, ind in school.indicators.items() if ind.met is False]


OP_ZH = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}


def _is_ratio(item: AreaItem) -> bool:
    return item.threshold is not None and 0 < item.threshold <= 1


def threshold_zh(item: AreaItem) -> str:
    """An item's standard as written in the tables: ≥85%, ≤2000, or — for a yes/no item."""
    threshold = item.threshold
    if threshold is None:
        return "—"
    text = f"{threshold * 100:g}%" if _is_ratio(item) else f"{threshold:g}"
    return f"{OP_ZH.get(item.op or '', '')}{text}"


def item_value_zh(item: AreaItem) -> str:
    """A county item's value as an official table writes it (ratios as percentages)."""
    value = item.value
    if value is None:
        return "未录入"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and _is_ratio(item):
        return f"{value * 100:.1f}%"
    return str(value)


@dataclass
class LevelBasics:
    level: str
    schools: int
    students: int
    teachers: int
    by_location: dict[str, tuple[int, int]]  # location → (schools, students)


@dataclass
class Measure:
    """A rectification item as the report's 整改措施 table lists it."""

    number: int
    finding: str
    target: str
    department: str
    deadline: dt.date
    status: str
    done: bool


@dataclass
class Heading:
    """The report's 文号 and 落款 (unit and date) as the county entered them, with the defaults filled in."""

    doc_no: str
    issuer: str
    issued_on: dt.date


@dataclass
class Practice:
    title: str
    body: str


@dataclass
class WorkFacts:
    """What the platform holds of the county's work: rectification items, work-plan tasks, consultation
    meetings and the county leaders' liaison schools (走访, 实事) up to the report's date."""

    items: int = 0
    items_done: int = 0
    tasks: int = 0
    tasks_done: int = 0
    meetings: int = 0
    first_meeting: dt.date | None = None
    decisions: int = 0
    decisions_done: int = 0
    leaders: int = 0
    liaison_schools: int = 0
    visits: int = 0
    matters: int = 0
    matters_done: int = 0

    def any(self) -> bool:
        return bool(self.items or self.tasks or self.meetings or self.leaders)


@dataclass
class ReportData:
    run: EvaluationRun
    county: Region
    result: CountyResult
    basics: list[LevelBasics]
    measures: list[Measure]
    evidence: dict[str, list[str]] = field(default_factory=dict)  # item code → file names
    notes: dict[str, str] = field(default_factory=dict)  # item code → the county's note (e.g. the survey's)
    heading: Heading | None = None
    practice: list[Practice] = field(default_factory=list)
    facts: WorkFacts = field(default_factory=WorkFacts)
    heading_entered: bool = False  # the county saved a 文号

    @property
    def levels(self) -> list[tuple[str, Level]]:
        return list(self.result.levels.items())

    @property
    def standard(self) -> StandardInfo:
        return self.result.standard

    @property
    def year(self) -> int:
        return self.run.year

    def cvs(self) -> list[tuple[str, str, LevelIndicator]]:
        """(level, indicator code, indicator result) for every CV, in the result's order."""
        return [(lv, code, ind) for lv, data in self.levels for code, ind in data.indicators.items()]

    def schools(self, level: str) -> list[School]:
        return self.result.school_parts(level)

    def recognition(self) -> AreaItem | None:
        area = self.result.areas.get("SR")
        return next((item for item in (area.items or []) if item.code == "SR-01"), None) if area else None

    def item_areas(self) -> list[Area]:
        return [area for area in self.result.areas.values() if area.items is not None]


def _teachers(run: EvaluationRun, parts: set[tuple[str, str]]) -> dict[str, int]:
    """Teachers per level from the run's input rows of the schools (or school parts) evaluated."""
    columns = run.inputs.get("columns", [])
    out: dict[str, int] = {}
    for row in run.inputs.get("schools", []):
        d = dict(zip(columns, row, strict=False))
        for level in LEVELS:
            if (d.get("school_code"), level) not in parts:
                continue
            value = d.get("teachers") if d.get("level") == level else d.get(f"teachers_{level}")
            out[level] = out.get(level, 0) + int(value or 0)
    return out


def basics(run: EvaluationRun) -> list[LevelBasics]:
    result = run.result_obj
    parts = {(s.school_code, s.level) for s in result.schools}
    teachers = _teachers(run, parts)
    out = []
    for level in result.levels:
        schools = result.school_parts(level)
        by_location = {
            loc: (
                sum(1 for s in schools if s.location == loc),
                sum(s.students for s in schools if s.location == loc),
            )
            for loc in LOCATIONS
        }
        students = sum(s.students for s in schools)
        out.append(LevelBasics(level, len(schools), students, teachers.get(level, 0), by_location))
    return out


def measures(county: Region, year: int, standard_id: str) -> list[Measure]:
    items = (
        RectificationItem.objects.filter(county=county, year=year, standard_id__in=[standard_id, ""])
        .exclude(status=RectificationItem.Status.VOID)
        .select_related("task__department")
        .order_by("pk")
    )
    done = {RectificationItem.Status.MET, RectificationItem.Status.CLOSED}
    return [
        Measure(i, item.finding or item.task.title, item.target, item.task.department.name, item.task.deadline,
                item.get_status_display(), item.status in done)
        for i, item in enumerate(items, start=1)
    ]  # fmt: skip


def work_facts(county: Region, year: int, until: dt.date, measures: list[Measure]) -> WorkFacts:
    """The county's work as the platform holds it, up to ``until``: rectification items of the year,
    the tasks of its work plans of the year, consultation meetings and their decisions, liaison schools,
    visits and practical matters (实事) of the county's leaders."""
    tasks = Task.objects.filter(county=county, plan__year=year, plan__kind=WorkPlan.Kind.PLAN)
    meetings = Meeting.objects.filter(county=county, held_on__lte=until)
    decisions = Decision.objects.filter(meeting__in=meetings)
    leaders = Leader.objects.filter(county=county)
    matters = PracticalMatter.objects.filter(leader__in=leaders)
    return WorkFacts(
        items=len(measures), items_done=sum(1 for m in measures if m.done),
        tasks=tasks.count(), tasks_done=tasks.filter(status=Task.Status.ACCEPTED).count(),
        meetings=meetings.count(), first_meeting=meetings.aggregate(first=Min("held_on"))["first"],
        decisions=decisions.count(), decisions_done=decisions.filter(task__status=Task.Status.ACCEPTED).count(),
        leaders=leaders.count(), liaison_schools=LiaisonSchool.objects.filter(leader__in=leaders).count(),
        visits=Visit.objects.filter(leader__in=leaders, on__lte=until).count(),
        matters=matters.count(), matters_done=matters.filter(status=PracticalMatter.Status.DONE).count(),
    )  # fmt: skip


def county_items(county: Region, run: EvaluationRun) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The county items' evidence file names and notes (the survey writes where SR-01 comes from)."""
    evidence: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    values = CountyItemValue.objects.filter(county=county, year=run.year, standard_id=run.standard_id)
    for item in values.prefetch_related("evidence"):
        evidence[item.code] = [e.original_name for e in item.evidence.all()]
        if item.note:
            notes[item.code] = item.note
    return evidence, notes


def report_data(run: EvaluationRun, today: dt.date | None = None) -> ReportData:
    """Everything the report and its annex say: the run, the county's rectification items, county items'
    evidence and notes, the 文号 and 落款 it entered, its 主要做法与成效 texts, and its work's facts."""
    county = run.county
    evidence, notes = county_items(county, run)
    saved = ReportHeading.objects.filter(county=county, year=run.year, standard_id=run.standard_id).first()
    day = (saved.issued_on if saved and saved.issued_on else None) or today or timezone.localdate()
    heading = Heading(saved.doc_no if saved else "", (saved.issuer if saved else "") or f"{county.name}人民政府", day)
    practice = [Practice(p.title, p.body) for p in PracticeText.objects.filter(county=county, year=run.year)]
    found = measures(county, run.year, run.standard_id)
    return ReportData(
        run, county, run.result_obj, basics(run), found, evidence, notes, heading, practice,
        work_facts(county, run.year, day, found), bool(saved and saved.doc_no),
    )  # fmt: skip


def location_zh(code: str | None) -> str:
    return LOCATION_ZH.get(code or "", code or "")


def school_type_zh(code: str) -> str:
    return SCHOOL_TYPE_ZH.get(code, code or "")


def file_names(data: ReportData) -> tuple[str, str]:
    """The report's and the annex's file names: 示范县2025年度自查自评报告.docx, …附表.xlsx."""
    stem = f"{data.county.name}{data.year}年度"
    return f"{stem}自查自评报告.docx", f"{stem}自查自评报告附表.xlsx"


def note_name(data: ReportData) -> str:
    """The note on what was missing: 示范县2025年度自查自评报告说明.docx."""
    return file_names(data)[0].replace("报告.docx", "报告说明.docx")
