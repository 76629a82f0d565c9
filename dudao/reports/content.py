"""What the self-evaluation report (自查自评报告) and its annex tables say, taken from one stored
evaluation run (``EvaluationRun.result_obj`` and ``.inputs``) and the county's rectification items.

One source of truth: every figure here is a value of the run's result (or a sum over its schools and
input rows); the .docx and the .xlsx are two layouts of this same :class:`ReportData`, so they
cannot disagree with each other or with the stored run. Numbers stay numbers here; each layout
formats them (the CV with 3 decimals, as ``cv_3dp``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dudao.engine.fields import LOCATION_ZH, SCHOOL_TYPE_ZH
from dudao.engine.result import Area, AreaItem, CountyResult, Level, LevelIndicator, School, StandardInfo
from dudao.evaluation.models import CountyItemValue, EvaluationRun
from dudao.orgs.models import Region
from dudao.rectification.models import RectificationItem

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
class Problem:
    number: int
    finding: str
    target: str
    department: str
    deadline: Any  # datetime.date
    status: str


@dataclass
class ReportData:
    run: EvaluationRun
    county: Region
    result: CountyResult
    basics: list[LevelBasics]
    problems: list[Problem]
    evidence: dict[str, list[str]] = field(default_factory=dict)  # item code → file names
    notes: dict[str, str] = field(default_factory=dict)  # item code → the county's note (e.g. the survey's)

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


def problems(county: Region, run: EvaluationRun) -> list[Problem]:
    items = (
        RectificationItem.objects.filter(county=county, year=run.year, standard_id__in=[run.standard_id, ""])
        .exclude(status=RectificationItem.Status.VOID)
        .select_related("task__department")
        .order_by("pk")
    )
    return [
        Problem(i, item.finding or item.task.title, item.target, item.task.department.name, item.task.deadline,
                item.get_status_display())
        for i, item in enumerate(items, start=1)
    ]  # fmt: skip


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


def report_data(run: EvaluationRun) -> ReportData:
    county = run.county
    evidence, notes = county_items(county, run)
    return ReportData(run, county, run.result_obj, basics(run), problems(county, run), evidence, notes)


def location_zh(code: str | None) -> str:
    return LOCATION_ZH.get(code or "", code or "")


def school_type_zh(code: str) -> str:
    return SCHOOL_TYPE_ZH.get(code, code or "")


def file_names(data: ReportData) -> tuple[str, str]:
    """The report's and the annex's file names: 示范县2025年度自查自评报告.docx, …附表.xlsx."""
    stem = f"{data.county.name}{data.year}年度"
    return f"{stem}自查自评报告.docx", f"{stem}自查自评报告附表.xlsx"
