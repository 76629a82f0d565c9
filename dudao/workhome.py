"""The work home (工作台): what each person has to do or watch, on the page after login.

Each role the person holds gives one section, built here from the functions the other pages use
(nothing counted a second way): census completeness (``census.reports.completeness``), stored
evaluation runs and whether they are stale (``evaluation.actions.latest_runs``/``stale_counties``,
never ``current_run``: a GET never writes), task states (``rectification.status.task_state`` through
``rectification.reports``), survey progress (``surveys.actions.quotas``/``counts``) and the city and
province rows (``overview.regions.county_rows``).

- School clerk: each school they answer for, this year's state, deadline, return reasons, next step.
- County supervisor or observer: records awaiting review, schools not submitted (days left or
  overdue), tasks awaiting acceptance, overdue tasks, survey progress, whether the stored
  evaluation is out of date.
- Department clerk: their open tasks, overdue and at risk first, progress reporting one click away.
- City or province inspector: their counties at a glance (verdict, worst CV, census, rectification).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dudao.census.models import CensusRecord
from dudao.census.reports import Completeness, SchoolRow, completeness
from dudao.engine.result import ResultSummary
from dudao.evaluation.actions import latest_runs, stale_counties
from dudao.evaluation.models import EvaluationRun
from dudao.evaluation.render import level_label, status_label
from dudao.orgs.access import clerk_departments, memberships
from dudao.orgs.models import Region, Role
from dudao.overview import regions
from dudao.overview.cockpit import default_standard, latest_years, standard, years_with_data
from dudao.rectification.models import Task
from dudao.rectification.reports import CountyProgress, counties_states, county_progress
from dudao.rectification.rules import rules_for
from dudao.rectification.status import State, task_state
from dudao.rectification.tables import task_row
from dudao.surveys.actions import counts, quotas
from dudao.surveys.models import Survey
from dudao.tables import Column, Table

Person = User | AnonymousUser
# The next step of a school clerk, by the school's state (its least advanced record).
NEXT_STEP = {
    "missing": gettext_noop("填报本校数据"),
    "draft": gettext_noop("检查后提交审核"),
    "returned": gettext_noop("按退回原因修改后重新提交"),
    "submitted": gettext_noop("等待县督导室审核"),
    "approved": gettext_noop("已审核通过"),
}
STATE_TEXT = {
    "missing": gettext_noop("未填报"),
    "draft": gettext_noop("草稿未提交"),
    "returned": gettext_noop("已退回"),
    "submitted": gettext_noop("已提交待审"),
    "approved": gettext_noop("已审核"),
}
STATE_CSS = {"missing": "bad", "draft": "warn", "returned": "bad", "submitted": "", "approved": "ok"}


def latest_year(county_id: int, fallback: int) -> int:
    years = years_with_data(county_id)
    return years[0] if years else fallback


def days_text(deadline: dt.date | None, today: dt.date) -> str:
    """ "还剩 3 天", "今天截止", "逾期 35 天" (or "" without a deadline)."""
    if deadline is None:
        return ""
    days = (deadline - today).days
    if days > 0:
        return _("还剩 %(days)d 天") % {"days": days}
    if days == 0:
        return _("今天截止")
    return _("逾期 %(days)d 天") % {"days": -days}


# ---------------------------------------------------------------------------------------------
# School clerk


@dataclass
class SchoolItem:
    code: str
    name: str
    year: int
    state: str
    deadline: dt.date | None
    days: str
    overdue: bool
    locked: bool
    reasons: list[str]

    @property
    def state_text(self) -> str:
        return _(STATE_TEXT[self.state])

    @property
    def css(self) -> str:
        return STATE_CSS[self.state]

    @property
    def next_step(self) -> str:
        return _("本学年数据已锁定") if self.locked and self.state != "approved" else _(NEXT_STEP[self.state])

    @property
    def act(self) -> bool:
        """Whether the clerk has something to do."""
        return self.state in ("missing", "draft", "returned") and not self.locked

    @property
    def form_url(self) -> str:
        return reverse("census:school", args=[self.code, self.year])


def clerk_schools(user: Person, today: dt.date, fallback_year: int) -> list[SchoolItem]:
    """Every school the user answers for as a clerk, the ones with something to do first."""
    own = {m.school.pk: m.school for m in memberships(user) if m.role == Role.SCHOOL_CLERK and m.school}
    if not own:
        return []
    by_county: dict[int, list[int]] = {}
    for school in own.values():
        by_county.setdefault(school.county_id, []).append(school.pk)
    items: list[SchoolItem] = []
    for county_id, school_ids in by_county.items():
        county = Region.objects.get(pk=county_id)
        year = latest_year(county_id, fallback_year)
        report = completeness(county, year, today)
        codes = {own[pk].code for pk in school_ids}
        reasons: dict[str, list[str]] = {}
        returned = CensusRecord.objects.filter(school_id__in=school_ids, year=year, status="returned")
        for code, level, reason in returned.values_list("school__code", "level", "return_reason").order_by("level"):
            label = CensusRecord.Level(level).label
            reasons.setdefault(code, []).append(_("%(level)s：%(reason)s") % {"level": label, "reason": reason})
        for row in report.rows:
            if row.code in codes:
                items.append(_school_item(row, report, year, today, reasons.get(row.code, [])))
    order = {"returned": 0, "missing": 1, "draft": 1, "submitted": 2, "approved": 3}
    return sorted(items, key=lambda i: (not i.act, order[i.state], i.code))


def _school_item(row: SchoolRow, report: Completeness, year: int, today: dt.date, reasons: list[str]) -> SchoolItem:
    days = days_text(report.deadline, today) if row.state in ("missing", "draft", "returned") else ""
    return SchoolItem(row.code, row.name, year, row.state, report.deadline, days, row.overdue, report.locked, reasons)


# ---------------------------------------------------------------------------------------------
# County supervisor (and observer)


@dataclass
class CountyDesk:
    county: Region
    year: int
    report: Completeness
    today: dt.date
    progress: CountyProgress
    run: EvaluationRun | None
    stale: bool
    survey: Survey | None
    survey_done: int = 0
    survey_quota: int = 0
    review: bool = False  # the person may act (supervisor), not only watch (observer)
    tables: list[Table] = field(default_factory=list)  # what the page lists (filled by the view)

    @property
    def waiting_review(self) -> int:
        return self.report.counts["submitted"]

    @property
    def not_submitted(self) -> list[SchoolRow]:
        return self.report.not_submitted

    @property
    def days(self) -> str:
        return days_text(self.report.deadline, self.today)

    @property
    def awaiting_acceptance(self) -> list[Task]:
        return [t for t in self.progress.tasks if t.status == Task.Status.SUBMITTED]

    @property
    def overdue_tasks(self) -> list[Task]:
        return self.progress.of("overdue")

    @property
    def evaluation(self) -> str:
        if self.run is None:
            return _("未评估")
        return _("需更新") if self.stale else status_label(_verdict(self.run.summary_obj.passed))

    @property
    def evaluation_css(self) -> str:
        if self.run is None or self.stale:
            return "warn"
        return VERDICT_CSS[self.run.summary_obj.passed]

    @property
    def survey_rate(self) -> float | None:
        return self.survey_done / self.survey_quota if self.survey_quota else None


# The css class of an evaluation's verdict (passed, failed, undetermined).
VERDICT_CSS: dict[bool | None, str] = {True: "ok", False: "bad", None: "muted"}


def _verdict(passed: bool | None) -> str:
    return {True: "passed", False: "failed", None: "undetermined"}[passed]


def county_desks(user: Person, today: dt.date, fallback_year: int) -> list[CountyDesk]:
    """One desk per county the user supervises or observes."""
    desks = []
    held = [m for m in memberships(user) if m.role in (Role.COUNTY_SUPERVISOR, Role.OBSERVER) and m.region_id]
    for m in held:
        county = m.region
        if county is None or county.level != Region.Level.COUNTY:
            continue
        year = latest_year(county.pk, fallback_year)
        runs = latest_runs([county], year, default_standard())
        stale = bool(runs) and county.pk in stale_counties(runs, year, default_standard())
        survey = Survey.objects.filter(county=county, year=year).order_by("-created_at").first()
        desk = CountyDesk(
            county, year, completeness(county, year, today), today, county_progress(county, today),
            runs.get(county.pk), stale, survey, review=m.role == Role.COUNTY_SUPERVISOR,
        )  # fmt: skip
        if survey is not None and survey.plan.get("groups"):
            desk.survey_quota, desk.survey_done = sum(quotas(survey).values()), sum(counts(survey).values())
        desks.append(desk)
    return desks


def overdue_schools_table(desk: CountyDesk) -> Table:
    """The schools of a county not yet submitted (or returned), with the days to the deadline."""
    columns = [Column("name", _("学校")), Column("state", _("状态")), Column("days", _("截止")),
               Column("code", _("学校标识码"))]  # fmt: skip
    rows = [
        {"name": r.name, "state": _(STATE_TEXT[r.state]), "days": desk.days, "code": r.code,
         "_href": {"name": reverse("census:school", args=[r.code, desk.year])},
         "_class": {"state": STATE_CSS[r.state], "days": "bad" if r.overdue else "nowrap"}}
        for r in desk.not_submitted
    ]  # fmt: skip
    return Table(f"unsubmitted-{desk.county.code}", _("未报送或被退回的学校"), columns, rows)


def county_tasks_table(name: str, title: str, tasks: list[Task], desk: CountyDesk) -> Table:
    return _task_table(name, title, tasks, desk.progress.states, desk.today, report=False)


# ---------------------------------------------------------------------------------------------
# Department clerk


def clerk_tasks(user: Person, today: dt.date) -> tuple[Table, int] | None:
    """The open tasks of the clerk's departments (and those they cooperate on), overdue and at risk
    first, then by deadline; and how many are done. None for a person who is no department's clerk."""
    own = clerk_departments(user)
    if not own:
        return None
    cooperating = Task.cooperating.through.objects.filter(department_id__in=own).values("task_id")
    tasks = list(
        Task.objects.filter(Q(department_id__in=own) | Q(pk__in=cooperating))
        .select_related("department", "county")
        .prefetch_related("cooperating", "milestones")
        .order_by("deadline", "pk")
    )
    states = {t.pk: task_state(t, today, rules_for(t.county.code)) for t in tasks}
    urgency = {"overdue": 0, "at_risk": 1, "on_time": 2, "done": 3}
    open_tasks = sorted((t for t in tasks if states[t.pk] != "done"), key=lambda t: (urgency[states[t.pk]], t.deadline))
    table = _task_table("my-tasks", _("待办任务"), open_tasks, states, today, report_for=own)
    return table, sum(1 for t in tasks if states[t.pk] == "done")


def _task_table(
    name: str, title: str, tasks: list[Task], states: dict[int, State], on: dt.date,
    report: bool = True, report_for: frozenset[int] = frozenset(),
) -> Table:  # fmt: skip
    """A compact task list: the task first (the key column), its state (逾期 N 天), deadline, progress,
    unit, and for the responsible clerk a link to report progress. Values from ``task_row``."""
    columns = [Column("title", _("任务")), Column("state", _("督办")), Column("deadline", _("完成时限")),
               Column("percent", _("完成进度（%）"), "int"), Column("department", _("责任单位"))]  # fmt: skip
    if report:
        columns.append(Column("report", _("操作")))
    rows = []
    for task in tasks:
        row = task_row(task, states.get(task.pk), on)
        url = reverse("rectification:task", args=[task.pk])
        if report:
            can = task.department_id in report_for and task.status not in (Task.Status.SUBMITTED, Task.Status.ACCEPTED)
            row["report"] = _("报送进展") if can else _("查看")
            row["_href"] = {**row["_href"], "report": f"{url}#report" if can else url}
        rows.append(row)
    return Table(name, title, columns, rows)


# ---------------------------------------------------------------------------------------------
# City and province inspectors


@dataclass
class RegionDesk:
    region: Region
    year: int
    rows: list[regions.CountyRow]
    states: dict[int, dict[str, int]]
    table: Table = field(init=False)
    chart: dict[str, Any] = field(init=False)
    shown: Any = None  # the table as the page draws it (sortable; filled by the view)

    @property
    def chart_id(self) -> str:
        return f"glance-data-{self.region.code}"


def worst_indicator(summary: ResultSummary | None, names: dict[str, str]) -> tuple[str, float | None]:
    """The CV furthest over its limit (as a share of the limit), e.g. "初中 L4 0.512（≤0.45）"; "" when
    every CV is within its limit."""
    worst, ratio = "", None
    for level, data in (summary.levels if summary is not None else {}).items():
        for code, ind in data.indicators.items():
            cv, limit = ind.cv_3dp, ind.cv_limit
            if ind.cv_passed is False and cv is not None and limit:
                if ratio is None or cv / limit > ratio:
                    ratio = cv / limit
                    worst = f"{level_label(level)} {names.get(code, code)} {cv:.3f}（≤{limit}）"
    return worst, ratio


def region_desks(user: Person, today: dt.date, fallback_year: int) -> list[RegionDesk]:
    """One desk per city or province the user inspects (the counties below it)."""
    held = [m.region for m in memberships(user)
            if m.role in (Role.CITY_INSPECTOR, Role.PROVINCE_INSPECTOR) and m.region]  # fmt: skip
    desks = []
    for region in sorted(held, key=lambda r: r.path):
        counties = regions.counties_of(region)
        years = latest_years([c.pk for c in counties])
        year = max(years.values(), default=fallback_year)
        rows = regions.county_rows(counties, year, default_standard())
        desks.append(RegionDesk(region, year, rows, counties_states(counties, today)))
    return desks


def glance(desk: RegionDesk) -> None:
    """Fill the desk's table and chart data: per county the verdict, the worst CV, census and rectification."""
    std = standard(default_standard())
    names = {ind.code: regions.localized(ind) for ind in std.indicators}
    columns = [
        Column("county", _("县（市、区）")), Column("overall", _("总体结论")), Column("worst", _("超标最多的差异系数")),
        Column("census", _("填报审核"), "percent", 0), Column("unsubmitted", _("未报送或退回"), "int"),
        Column("tasks", _("整改完成"), "percent", 0), Column("overdue", _("逾期任务"), "int"),
        Column("code", _("区划代码")),
    ]  # fmt: skip
    rows: list[dict[str, Any]] = []
    chart: dict[str, Any] = {
        "counties": [],
        "census": [],
        "tasks": [],
        "labels": {"census": _("填报审核完成率"), "tasks": _("整改任务完成率")},
    }
    for row in desk.rows:
        county, ready, states = row.county, row.ready, desk.states.get(row.county.pk, {})
        passed = row.summary.passed if row.summary else None
        worst, ratio = worst_indicator(row.summary, names)
        census = ready.approved / ready.expected if ready.expected else None
        total = sum(states.values())
        done = states.get("done", 0) / total if total else None
        overall = _("未评估") if row.run is None else status_label(_verdict(passed))
        if row.stale:
            overall = _("%(verdict)s（需更新）") % {"verdict": overall}
        cockpit = reverse("overview:county", args=[county.code, desk.year, default_standard()])
        rows.append({
            "county": county.name, "overall": overall, "worst": worst or "—", "census": census,
            "unsubmitted": ready.not_submitted + ready.returned, "tasks": done, "overdue": states.get("overdue", 0),
            "code": county.code, "_id": county.code,
            "_href": {"county": cockpit, "census": reverse("census:completeness", args=[county.code, desk.year]),
                      **({"tasks": reverse("rectification:dashboard", args=[county.code])} if total else {})},
            "_class": {"overall": "warn" if row.stale else VERDICT_CSS[passed],
                       "overdue": "bad" if states.get("overdue") else ""},
            "_sort": {"county": county.code, "overall": {False: 0, None: 1, True: 2}[passed] if row.run else -1,
                      "worst": -(ratio or 0), "census": census, "unsubmitted": ready.not_submitted + ready.returned,
                      "tasks": done, "overdue": states.get("overdue", 0), "code": county.code},
        })  # fmt: skip
        chart["counties"].append(county.name)
        chart["census"].append(None if census is None else round(census * 100, 1))
        chart["tasks"].append(None if done is None else round(done * 100, 1))
    desk.table = Table(f"counties-{desk.region.code}", _("各县概况"), columns, rows)
    desk.chart = chart
