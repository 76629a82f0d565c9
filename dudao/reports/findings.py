"""What the self-evaluation report says is wrong, and what is still missing before it can be handed in.

Two different things, kept apart on purpose (issue 16):

- :func:`problems` — the county's real shortfalls, with their figures: CVs over the limit, schools that
  do not meet the per-school rule (each unmet indicator with its value, the standard and the gap), county
  items not met, vetoes. They are the report's 存在的问题.
- :func:`gaps` — inputs the platform does not have yet (county items not entered, the survey's rate, the
  主要做法与成效 texts, the 文号, records not approved, schools that cannot be judged for lack of data).
  They are never written as problems in the report's body: the report page lists them before the county
  generates the report, and a report generated with gaps comes with a separate note (说明) saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from dudao.engine.fields import LEVEL_ZH
from dudao.engine.messages import GAP_VERB, UNITS, fmt_number
from dudao.engine.result import AreaItem, School
from dudao.reports.content import ReportData, item_value_zh, threshold_zh


@dataclass
class Problem:
    """One shortfall: a sentence and, for a failing school, the lines under it (one per unmet indicator)."""

    text: str
    lines: list[str] = field(default_factory=list)


@dataclass
class ProblemGroup:
    """The problems of one area (资源配置方面 …), under a second-level heading."""

    title: str
    problems: list[Problem]


def _school_lines(data: ReportData, school: School) -> list[str]:
    level = data.result.levels[school.level]
    lines = []
    for code, ind in school.indicators.items():
        if ind.met is not False:
            continue
        name = level.indicators[code].name_zh if code in level.indicators else code
        text = f"{name}（{code}）为{fmt_number(ind.value)}，低于标准{fmt_number(ind.threshold)}"
        if ind.gap and ind.gap_unit in UNITS:
            text += f"，需{GAP_VERB[ind.gap_unit][0]}{ind.gap}{UNITS[ind.gap_unit][0]}"
        lines.append(text)
    return lines


def _resource_problems(data: ReportData) -> list[Problem]:
    found: list[Problem] = []
    for level, result in data.levels:
        name = LEVEL_ZH[level]
        for code, ind in result.indicators.items():
            if ind.cv_status == "ok" and ind.cv_passed is False and ind.cv_3dp is not None:
                found.append(Problem(
                    f"{name}{ind.name_zh}（{code}）校际差异系数为{ind.cv_3dp:.3f}，高于{fmt_number(ind.cv_limit)}的限值。"
                ))  # fmt: skip
            elif ind.cv_status == "undefined":
                found.append(Problem(f"{name}{ind.name_zh}（{code}）县域均值为0，差异系数不能判为达标。"))
        if result.composite_cv_passed is False and result.composite_cv_3dp is not None:
            found.append(Problem(
                f"{name}综合差异系数为{result.composite_cv_3dp:.3f}，高于{fmt_number(result.composite_cv_limit)}的限值。"
            ))  # fmt: skip
        failing = [s for s in data.schools(level) if s.passed is False]
        if failing:
            found.append(Problem(f"{name}有{len(failing)}所学校未达到每校要求：", []))
            for school in failing:
                lines = "；".join(_school_lines(data, school))
                found[-1].lines.append(f"{school.school_name}：{lines}。" if lines else f"{school.school_name}。")
    return found


def _item_problem(item: AreaItem) -> Problem:
    standard = threshold_zh(item)
    against = f"，标准为{standard}" if standard != "—" else ""
    return Problem(f"{item.name_zh}（{item.code}）未达到要求：为{item_value_zh(item)}{against}。")


def problems(data: ReportData) -> list[ProblemGroup]:
    """The county's real shortfalls by area, with figures (never a missing input: see :func:`gaps`)."""
    groups = []
    resources = _resource_problems(data)
    if resources:
        area = data.result.areas.get("RA")
        groups.append(ProblemGroup(f"{area.name_zh if area else '资源配置'}方面", resources))
    for area in data.item_areas():
        failed = [_item_problem(item) for item in area.items or [] if item.passed is False]
        if failed:
            groups.append(ProblemGroup(f"{area.name_zh}方面", failed))
    if data.result.vetoes:
        groups.append(ProblemGroup("一票否决事项", [Problem(f"{v.message_zh}。") for v in data.result.vetoes]))
    return groups


# ---------------------------------------------------------------------------------------------
# What is missing


@dataclass
class Gap:
    """A missing input: a stable ``code``, a message with its values, and where it is put right."""

    code: str
    message: str | Promise
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    action: str | Promise = ""  # what the link does: 录入县级指标 …

    def text(self) -> str:
        """The message in the active language."""
        values = {k: str(v) for k, v in self.params.items()}
        return str(self.message) % values if values else str(self.message)

    def text_zh(self) -> str:
        with override("zh-hans"):
            return self.text()


def _codes(codes: list[str], most: int = 6) -> str:
    """GG-01、GG-02 … at most ``most`` codes, then 等."""
    return "、".join(codes[:most]) + ("等" if len(codes) > most else "")


def _item_gaps(data: ReportData) -> list[Gap]:
    county, year, standard = data.county.code, data.year, data.run.standard_id
    found = []
    items_page = reverse("evaluation:items", args=[county, year, standard])
    for area in data.item_areas():
        missing = [item for item in area.items or [] if item.value is None]
        survey = [item for item in missing if item.code == "SR-01"]
        others = [item for item in missing if item.code != "SR-01"]
        if others:
            found.append(Gap(
                "items", _("%(area)s有%(n)s项县级指标尚未录入（%(codes)s），报告中不写该部分的结论"),
                {"area": area.name_zh, "n": len(others), "codes": _codes([i.code for i in others])}, items_page,
                _("录入县级指标"),
            ))  # fmt: skip
        if survey:
            found.append(Gap(
                "survey", _("社会认可度调查结果（SR-01）尚未录入：调查尚未完成，或结果尚未写入县级指标"), {},
                reverse("surveys:county", args=[county]), _("查看社会认可度调查"),
            ))  # fmt: skip
    return found


def _data_gaps(data: ReportData) -> list[Gap]:
    county, year = data.county.code, data.year
    found = []
    waiting = sum(n for status, n in data.run.records_by_status.items() if status != "approved")
    if waiting:
        found.append(Gap("records", _("有%(n)s条学校填报记录尚未审核通过"), {"n": waiting},
                         reverse("census:review", args=[county, year]), _("去审核")))  # fmt: skip
    elif not data.run.census_locked:
        found.append(Gap("unlocked", _("本学年统计数据尚未锁定，报告中的数字可能随数据修改而变化"), {},
                         reverse("census:completeness", args=[county, year]), _("查看填报进度")))  # fmt: skip
    undetermined = sum(result.schools_undetermined or 0 for _level, result in data.levels)
    if undetermined:
        found.append(Gap("undetermined", _("有%(n)s所学校因缺少数据无法判定是否达到每校要求"), {"n": undetermined},
                         reverse("census:completeness", args=[county, year]), _("查看填报进度")))  # fmt: skip
    no_data = [f"{LEVEL_ZH[lv]}{code}" for lv, code, ind in data.cvs() if ind.cv_status == "no_data"]
    if no_data:
        found.append(Gap("cv_no_data", _("%(codes)s无数据，差异系数无法计算"), {"codes": "、".join(no_data)},
                         reverse("census:completeness", args=[county, year]), _("查看填报进度")))  # fmt: skip
    if data.run.stale:
        found.append(Gap("stale", _("统计数据或县级指标在评估后有修改，评估结果正在更新"), {}, ""))
    return found


def gaps(data: ReportData) -> list[Gap]:
    """What the platform does not have yet for this report, with where to put it right."""
    county, year, standard = data.county.code, data.year, data.run.standard_id
    found = _item_gaps(data) + _data_gaps(data)
    if not data.practice:
        found.append(Gap(
            "practice", _("尚未填写“主要做法与成效”，报告中该部分只写平台记录的工作情况"), {},
            reverse("reports:practice", args=[county, year, standard]), _("编写主要做法与成效"),
        ))  # fmt: skip
    if not data.heading_entered:
        found.append(Gap("doc_no", _("尚未填写报告文号"), {}, reverse("reports:county", args=[county, year, standard])
                         + "#heading", _("填写文号")))  # fmt: skip
    if problems(data) and not data.measures:
        found.append(Gap("measures", _("评估发现的问题尚未生成整改事项，报告中“整改措施”部分为空"), {},
                         reverse("rectification:items", args=[county]), _("生成整改事项")))  # fmt: skip
    return found
