"""What the 学位预警 (seats) and 达标预测 (projected compliance) pages show: the pure engine's results
(:mod:`dudao.engine.seats`, :mod:`dudao.engine.projected`) on a county's census and its enrolment forecast,
as downloadable tables and the data of the towns' charts.

Every figure comes from the engine; a chart and the table beside it read the same rows. Nothing here
writes: the pages are GETs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.census.tables import census_table
from dudao.engine.forecast import CountyForecast, Scenario
from dudao.engine.projected import ProjectedCompliance, projected_compliance
from dudao.engine.result import CountyResult
from dudao.engine.rules import round_half_up
from dudao.engine.seats import OVER, Seats, over_capacity, seats
from dudao.evaluation.actions import latest_run
from dudao.evaluation.models import EvaluationRun
from dudao.evaluation.render import level_label
from dudao.orgs.models import Region
from dudao.overview.cockpit import english, pick, verdict_class
from dudao.overview.cockpit import standard as load_standard
from dudao.planning.forecasting import county_forecast
from dudao.standards import StandardError
from dudao.standards.planning import PlanningStandard, load_planning, unconfirmed_planning
from dudao.tables import Column, Table

SORTS = {
    "first_year": gettext_lazy("首次超容年份"),
    "gap": gettext_lazy("缺口"),
    "max_gap": gettext_lazy("最大缺口"),
    "name": gettext_lazy("名称"),
}
BASES = {"staffing": gettext_lazy("教职工编制（按师生比）")}
BANDS = {"large": gettext_lazy("大班额"), "very_large": gettext_lazy("超大班额")}


def planning_figures(province: str | None) -> PlanningStandard:
    """The planning figures with the province's profile (a run's province without one: the national ones)."""
    try:
        return load_planning(province or None)
    except StandardError:
        return load_planning()


def county_seats(
    county: Region, year: int, standard_id: str, scenario: Scenario, warning_years: int | None = None
) -> tuple[PlanningStandard, Seats, CountyForecast]:
    """Seats of the county's census of ``year`` under its enrolment forecast (the province of its latest
    run, if any, for the standard and the planning figures). Raises ``InputError`` (no enrolment to forecast
    from, data that cannot be read) and ``StandardError``."""
    run = latest_run(county, year, standard_id)
    province = run.province if run is not None else None
    planning = planning_figures(province)
    standard = load_standard(standard_id, province or None)
    forecast = county_forecast(county, year, scenario)
    frame, _present = census_table([county], year)
    towns = {u.school_code: u.town for u in forecast.schools}
    projected = forecast.projected_students()
    return (
        planning,
        seats(frame, standard, planning, projected, year, towns=towns, warning_years=warning_years),
        forecast,
    )


def county_projected(run: EvaluationRun, scenario: Scenario) -> tuple[ProjectedCompliance, CountyForecast]:
    """Each forecast year evaluated like ``run`` (its inputs, standard, province and county items) with the
    forecast's pupils. Raises ``InputError``."""
    standard = load_standard(run.standard_id, run.province or None)
    forecast = county_forecast(run.county, run.year, scenario)
    frame, present, items = run_frame(run)
    result = projected_compliance(
        frame, standard, forecast.projected_students(), run.year, county_code=run.county_code(), items=items,
        present=present,
    )  # fmt: skip
    return result, forecast


def has_inputs(run: EvaluationRun) -> bool:
    """Whether the run stored the engine's input (every run dudao stores does; a hand-made one may not)."""
    return isinstance(run.inputs, dict) and "schools" in run.inputs and "columns" in run.inputs


def run_frame(run: EvaluationRun) -> tuple[pd.DataFrame, frozenset[str], dict[str, Any]]:
    """The stored run's input table, the figures present and the county items, as
    :meth:`EvaluationRun.reproduce` reads them (so a projection equal to today gives the run's result)."""
    frame, present = run.input_frame()
    return frame, present, run.inputs["items"]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _name(school_name: str, town: str, scope: str) -> str:
    if scope == "town":
        return town or _("（未注明乡镇）")
    return school_name


def _level(level: str) -> str:
    return level_label(level) if level in ("primary", "junior") else level


# --- 学位预警 -----------------------------------------------------------------------------------------


@dataclass
class SeatsPage:
    result: Seats
    warning_table: Table
    town_summary: Table
    town_table: Table
    school_table: Table
    class_table: Table
    teacher_table: Table
    teacher_totals: Table
    chart: dict[str, Any]
    settings: list[dict[str, Any]]
    counts: dict[str, int]
    tables: list[Table] = field(default_factory=list)


def seats_page(result: Seats, planning: PlanningStandard, sort: str) -> SeatsPage:
    tables = [
        warning_table(result, sort),
        town_summary(result),
        town_table(result),
        school_table(result),
        class_table(result),
        teacher_table(result),
        teacher_totals(result),
    ]
    warnings = result.warnings
    counts = {
        "schools": int((warnings["scope"] == "school").sum()) if len(warnings) else 0,
        "towns": int((warnings["scope"] == "town").sum()) if len(warnings) else 0,
        "already": int(warnings["already_over"].astype(bool).sum()) if len(warnings) else 0,
        "estimated": int(result.schools["estimated"].sum()),
        "unknown": int((result.schools["basis"] == "none").sum()),
    }
    _no_wrap(tables)
    warning, summary, towns, schools, classes, teachers, totals = tables
    return SeatsPage(
        result, warning, summary, towns, schools, classes, teachers, totals, town_chart(result),
        planning_settings(planning), counts, tables,
    )  # fmt: skip


SHORT = ("scope", "level", "year", "kind", "change", "first_year")


def _no_wrap(tables: list[Table]) -> None:
    """Short cells (a level, a year) stay on one line in the wide tables."""
    for table in tables:
        keys = [c.key for c in table.columns if c.key in SHORT]
        for row in table.rows:
            classes = row.setdefault("_class", {})
            for key in keys:
                classes[key] = " ".join(c for c in (classes.get(key, ""), "nowrap") if c)


def warning_table(result: Seats, sort: str) -> Table:
    cols = [
        Column("scope", _("范围")),
        Column("name", _("学校或乡镇")),
        Column("town", _("乡镇")),
        Column("level", _("学段")),
        Column("first_year", _("首次超容年份"), "int"),
        Column("gap", _("当年缺口（学位）"), "int"),
        Column("pupils", _("当年预测在校生"), "int"),
        Column("capacity", _("容量（学位）"), "int"),
        Column("max_gap", _("最大缺口（学位）"), "int"),
        Column("max_gap_year", _("最大缺口年份"), "int"),
    ]
    rows = []
    for r in _records(result.warnings):
        rows.append(
            {
                "scope": _("乡镇") if r["scope"] == "town" else _("学校"),
                "name": _name(r["school_name"], r["town"], r["scope"]),
                "town": r["town"] or None,
                "level": _level(r["level"]),
                **{k: r[k] for k in ("first_year", "gap", "pupils", "capacity", "max_gap", "max_gap_year")},
                "_class": {"first_year": "bad" if r["already_over"] else ""},
                "_sort": (
                    r["first_year"],
                    -r["gap"],
                    -r["max_gap"],
                    r["scope"] != "town",
                    r["school_name"] or r["town"],
                ),
            }
        )
    rows.sort(key=_sort_key(sort))
    for row in rows:
        del row["_sort"]
    note = _(
        "在校生数超过容量（普通教室数×标准班额）的学校和乡镇，自当年起%(n)s年内；首次超容年份为当年者现已超容。"
    ) % {"n": result.warning_years}
    return Table("warnings", _("学位预警"), cols, rows, note=note, key="name")


def _sort_key(sort: str) -> Any:
    def key(row: dict[str, Any]) -> Any:
        first_year, neg_gap, neg_max, is_school, name = row["_sort"]
        if sort == "gap":
            return (neg_gap, first_year, name)
        if sort == "max_gap":
            return (neg_max, first_year, name)
        if sort == "name":
            return (name, is_school, first_year)
        return (first_year, neg_gap, is_school, name)

    return key


def town_table(result: Seats) -> Table:
    cols = [
        Column("town", _("乡镇")),
        Column("level", _("学段")),
        Column("year", _("年份"), "int"),
        Column("pupils", _("在校生（预测）"), "int"),
        Column("capacity", _("容量（学位）"), "int"),
        Column("gap", _("缺口（+）或富余（−）"), "int"),
        Column("schools_over", _("超容学校数"), "int"),
        Column("schools_unknown", _("无容量数据学校数"), "int"),
    ]
    rows = [
        {**r, "town": r["town"] or _("（未注明乡镇）"), "level": _level(r["level"]),
         "_class": {"gap": "bad" if r["gap"] >= OVER else ""}}
        for r in _records(result.town_years)
    ]  # fmt: skip
    note = _("乡镇合计只计有容量数据的学校；同一乡镇同一学段内，一校富余可抵另一校缺口。")
    return Table("towns", _("各乡镇学位供需"), cols, rows, note=note, key="town")


def school_table(result: Seats) -> Table:
    years = list(result.years)
    cols = [
        Column("school", _("学校")),
        Column("town", _("乡镇")),
        Column("level", _("学段")),
        Column("rooms", _("教室数"), "number", 1),
        Column("basis", _("容量依据")),
        Column("capacity", _("容量（学位）"), "int"),
        *[Column(f"gap_{y}", _("%(year)s年缺口") % {"year": y}, "int") for y in years],
    ]
    by_part = result.school_years.pivot_table(
        index=["school_code", "level"], columns="year", values="gap", aggfunc="first"
    )
    rows = []
    for part in _records(result.schools):
        key = (part["school_code"], part["level"])
        gaps = by_part.loc[key].to_dict() if key in by_part.index else {}
        row: dict[str, Any] = {
            "school": part["school_name"],
            "town": part["town"] or None,
            "level": _level(part["level"]),
            "rooms": part["rooms"],
            "basis": _basis(part["basis"]),
            "capacity": part["capacity"],
            "_class": {},
        }
        for y in years:
            raw = gaps.get(y)
            gap = None if raw is None or pd.isna(raw) else float(raw)
            row[f"gap_{y}"] = gap
            if gap is not None and gap >= OVER:
                row["_class"][f"gap_{y}"] = "bad"
        rows.append(row)
    note = _(
        "缺口 = 在校生数 − 容量：正数为缺少的学位，负数为富余。%(base)s年为当年实际在校生，其后为预测。"
        "一贯制学校整校填报的教室按各学段在校生比例分摊。"
    ) % {"base": result.base_year}
    return Table("schools", _("各校学位测算"), cols, rows, note=note, key="school")


def _basis(basis: str) -> str:
    return {"classrooms": _("普通教室数"), "classes": _("班级数（估算）"), "none": _("无数据")}[basis]


def class_table(result: Seats) -> Table:
    cols = [
        Column("school", _("学校")),
        Column("town", _("乡镇")),
        Column("level", _("学段")),
        Column("rooms", _("教室数"), "number", 1),
        Column("first_large", _("首次大班额年份"), "int"),
        Column("first_very_large", _("首次超大班额年份"), "int"),
        Column("max_size", _("最大平均班额（人）"), "number", 1),
        Column("max_year", _("最大班额年份"), "int"),
    ]
    sy = result.school_years
    risky = sy[sy["band"] != ""]
    rows = []
    for (code, level), group in risky.groupby(["school_code", "level"], sort=False):
        everything = sy[(sy["school_code"] == code) & (sy["level"] == level)].reset_index(drop=True)
        worst = everything.iloc[int(everything["class_size"].to_numpy().argmax())]
        very = group[group["band"] == "very_large"]
        rows.append(
            {
                "school": worst["school_name"],
                "town": worst["town"] or None,
                "level": _level(str(level)),
                "rooms": worst["rooms"],
                "first_large": int(group["year"].min()),
                "first_very_large": int(very["year"].min()) if len(very) else None,
                "max_size": worst["class_size"],
                "max_year": int(worst["year"]),
                "_class": {"first_very_large": "bad" if len(very) else ""},
            }
        )
    rows.sort(key=lambda r: (r["first_large"], -r["max_size"]))
    note = _("平均班额 = 在校生数 ÷ 教室数（无教室数时用班级数）；达到大班额或超大班额下限的学校。")
    return Table("class-sizes", _("班额风险"), cols, rows, note=note, key="school")


def _basis_label(code: str, result: Seats) -> str:
    if code in BASES:
        return str(BASES[code])
    return _("%(code)s 所需教师") % {"code": code}


def _part_order(level: Any, basis: Any) -> tuple[int, int, str]:
    """Primary before junior; the staffing ratio before the indicators."""
    return (0 if level == "primary" else 1, 0 if basis == "staffing" else 1, str(basis))


def teacher_table(result: Seats) -> Table:
    """Per school, level and basis: today's teachers, the need in the last year, and the first year short."""
    last = max(result.years)
    cols = [
        Column("school", _("学校")),
        Column("level", _("学段")),
        Column("basis", _("测算口径")),
        Column("now", _("现有（人）"), "int"),
        Column("needed_base", _("%(year)s年需要") % {"year": result.base_year}, "int"),
        Column("needed_last", _("%(year)s年需要") % {"year": last}, "int"),
        Column("shortfall_last", _("%(year)s年缺口") % {"year": last}, "int"),
        Column("first_short", _("首次缺员年份"), "int"),
    ]
    t = result.teachers
    rows = []
    groups = sorted(
        t.groupby(["school_code", "level", "basis"], sort=False), key=lambda g: (g[0][0], *_part_order(*g[0][1:]))
    )
    for (_code, level, basis), group in groups:
        by_year = group.set_index("year")
        short = group[group["shortfall"] > 0]
        rows.append(
            {
                "school": group["school_name"].iloc[0],
                "level": _level(str(level)),
                "basis": _basis_label(str(basis), result),
                "now": group["now"].iloc[0],
                "needed_base": by_year["needed"].get(result.base_year),
                "needed_last": by_year["needed"].get(last),
                "shortfall_last": by_year["shortfall"].get(last),
                "first_short": int(short["year"].min()) if len(short) else None,
                "_class": {"shortfall_last": "bad" if (by_year["shortfall"].get(last) or 0) > 0 else ""},
            }
        )
    note = _(
        "编制按教职工与学生比测算，与专任教师数比较；L1–L3 为保持每百名学生教师数达标所需的教师数。"
        "缺口为所需减现有（不为负）。"
    )
    return Table("teachers", _("教师需求"), cols, rows, note=note, key="school")


def teacher_totals(result: Seats) -> Table:
    """Level × basis: the county's teachers today and needed each year, and the schools' shortfalls summed."""
    years = list(result.years)
    last = max(years)
    cols = [
        Column("level", _("学段")),
        Column("basis", _("测算口径")),
        Column("now", _("现有（人）"), "int"),
        *[Column(f"needed_{y}", _("%(year)s年需要") % {"year": y}, "int") for y in years],
        Column("shortfall", _("%(year)s年各校缺口合计") % {"year": last}, "int"),
    ]
    totals = result.county_teachers()
    rows = []
    groups = sorted(totals.groupby(["level", "basis"], sort=False), key=lambda g: _part_order(*g[0]))
    for (level, basis), group in groups:
        by_year = group.set_index("year")
        row: dict[str, Any] = {
            "level": _level(str(level)),
            "basis": _basis_label(str(basis), result),
            "now": by_year["now"].get(result.base_year),
            **{f"needed_{y}": by_year["needed"].get(y) for y in years},
            "shortfall": by_year["shortfall"].get(last),
        }
        row["_class"] = {"shortfall": "bad" if (row["shortfall"] or 0) > 0 else ""}
        rows.append(row)
    note = _("各校缺口合计不以一校富余抵另一校不足。")
    return Table("teacher-totals", _("全县教师需求"), cols, rows, note=note, key="basis")


def town_summary(result: Seats) -> Table:
    """Town × level: capacity, pupils each year and the first year over (the charts' figures; by year in
    the towns table)."""
    years = list(result.years)
    cols = [
        Column("town", _("乡镇")),
        Column("level", _("学段")),
        Column("capacity", _("容量（学位）"), "int"),
        *[Column(f"pupils_{y}", _("%(year)s年在校生") % {"year": y}, "int") for y in years],
        Column("first_over", _("首次超容年份"), "int"),
    ]
    rows = []
    for (town, level), group in result.town_years.groupby(["town", "level"], sort=True):
        by_year = group.set_index("year")
        over = group[over_capacity(group["gap"].to_numpy(dtype=float))]
        row: dict[str, Any] = {
            "town": town or _("（未注明乡镇）"),
            "level": _level(str(level)),
            "capacity": by_year["capacity"].get(result.base_year),
            **{f"pupils_{y}": by_year["pupils"].get(y) for y in years},
            "first_over": int(over["year"].min()) if len(over) else None,
            "_class": {f"pupils_{y}": "bad" for y in over["year"]},
        }
        rows.append(row)
    note = _("超出容量的年份标红；乡镇只计有容量数据的学校。逐年的容量和缺口见下方“各乡镇学位供需”。")
    return Table("town-summary", _("各乡镇在校生与容量"), cols, rows, note=note, key="town")


def town_chart(result: Seats) -> dict[str, Any]:
    """Per town and level: pupils and capacity by year (the chart's data; the towns table has the same)."""
    towns: dict[str, dict[str, Any]] = {}
    for r in _records(result.town_years):
        town = r["town"] or _("（未注明乡镇）")
        entry = towns.setdefault(town, {"name": town, "levels": {}})
        level = entry["levels"].setdefault(r["level"], {"label": _level(r["level"]), "pupils": {}, "capacity": {}})
        level["pupils"][int(r["year"])] = None if pd.isna(r["pupils"]) else round(float(r["pupils"]))
        level["capacity"][int(r["year"])] = None if pd.isna(r["capacity"]) else round(float(r["capacity"]))
    years = [int(y) for y in result.years]
    out = []
    for i, entry in enumerate(towns.values()):
        series = []
        for lvl, data in sorted(entry["levels"].items(), key=lambda item: item[0] != "primary"):
            series.append(
                {
                    "level": lvl,
                    "label": data["label"],
                    "pupils_name": _("%(level)s在校生") % {"level": data["label"]},
                    "capacity_name": _("%(level)s容量") % {"level": data["label"]},
                    "pupils": [data["pupils"].get(y) for y in years],
                    "capacity": [data["capacity"].get(y) for y in years],
                }
            )
        out.append({"id": f"town-chart-{i}", "name": entry["name"], "series": series})
    return {
        "years": years,
        "base_year": result.base_year,
        "towns": out,
    }


def planning_settings(planning: PlanningStandard) -> list[dict[str, Any]]:
    """The planning figures a page rests on: each with its value, confirmation and sources."""
    unconfirmed = {u.path for u in unconfirmed_planning(planning)}
    names = {
        "class_size.standard.primary": _("小学标准班额（人）"),
        "class_size.standard.junior": _("初中标准班额（人）"),
        "class_size.large": _("大班额下限（人，含本数）"),
        "class_size.very_large": _("超大班额下限（人，含本数）"),
        "staffing.students_per_post.primary": _("小学教职工与学生比"),
        "staffing.students_per_post.junior": _("初中教职工与学生比"),
    }
    out = []
    for path, node in planning.sourced().items():
        sources = [planning.sources[s] for s in node.source]
        out.append(
            {
                "name": names.get(path, path),
                "value": ("1:" if path.startswith("staffing.") else "") + _plain_number(node.value),
                "unconfirmed": path in unconfirmed,
                "sources": [{"title": s.title, "url": s.url} for s in sources],
            }
        )
    return out


def _plain_number(value: Any) -> str:
    number = float(value)
    return f"{int(number)}" if number.is_integer() else f"{number:g}"


# --- 达标预测 -----------------------------------------------------------------------------------------


@dataclass
class ProjectedPage:
    result: ProjectedCompliance
    verdict_table: Table
    cv_table: Table
    school_table: Table
    tables: list[Table] = field(default_factory=list)
    first_failure: int | None = None  # the first year a level passing (or undetermined) today fails
    today_failed: bool = False  # a level fails already today
    schools_failing: int = 0  # school parts that turn from passing to failing
    cvs_failing: list[str] = field(default_factory=list)  # a sentence for each CV that turns to failing
    schools_failing_from: int | None = None  # the earliest year one does


def projected_page(result: ProjectedCompliance) -> ProjectedPage:
    tables = [verdict_table(result), projected_cv_table(result), newly_failing_table(result)]
    _no_wrap(tables)
    by_year = result.level_verdicts()
    today = by_year[result.base_year]
    # The first year a level that does not fail today fails.
    first = min(
        (y for y, levels in by_year.items() if y > result.base_year
         for lvl, passed in levels.items() if passed is False and today.get(lvl) is not False),
        default=None,
    )  # fmt: skip
    verdicts, cvs, schools = tables
    turning = [s.first_year for s in result.schools if s.change == "fails"]
    cvs_failing = [
        _("%(level)s %(code)s %(name)s的差异系数%(year)s年起超过限值（%(cv)s，限值 %(limit)s）")
        % {"level": _level(c.level), "code": c.code, "name": c.name_en if english() else c.name_zh,
           "year": c.first_year, "cv": _three(c.cv_then), "limit": _three(c.limit)}
        for c in result.cvs
        if c.change == "fails"
    ]  # fmt: skip
    return ProjectedPage(
        result, verdicts, cvs, schools, tables=tables, first_failure=first, today_failed=False in today.values(),
        schools_failing=len(turning), schools_failing_from=min(turning, default=None), cvs_failing=cvs_failing,
    )  # fmt: skip


def _three(value: float | None) -> str:
    shown = round_half_up(value, 3)
    return "—" if shown is None else f"{shown:.3f}"


def _results(result: ProjectedCompliance) -> dict[int, CountyResult]:
    return {result.base_year: result.today, **result.years}


def _verdict_text(passed: bool | None) -> str:
    return {True: _("达标"), False: _("未达标"), None: _("未判定")}[passed]


def verdict_table(result: ProjectedCompliance) -> Table:
    levels = [lvl for lvl, lv in result.today.levels.items() if lv.has_schools]
    cols = [Column("year", _("年份"), "int"), Column("kind", _("数据"))]
    for lvl in levels:
        label = level_label(lvl)
        cols += [
            Column(f"{lvl}_students", _("%(level)s在校生") % {"level": label}, "int"),
            Column(f"{lvl}_passed", _("%(level)s资源配置") % {"level": label}),
            Column(f"{lvl}_failed", _("%(level)s未达标学校") % {"level": label}, "int"),
            Column(f"{lvl}_cvs", _("%(level)s差异系数超限项") % {"level": label}, "int"),
        ]
    rows = []
    for year, res in _results(result).items():
        row: dict[str, Any] = {
            "year": year,
            "kind": _("当年实际") if year == result.base_year else _("预测"),
            "_class": {},
        }
        for lvl in levels:
            lv = res.levels[lvl]
            row[f"{lvl}_students"] = lv.students
            row[f"{lvl}_passed"] = _verdict_text(lv.passed)
            row["_class"][f"{lvl}_passed"] = verdict_class(lv.passed)
            row[f"{lvl}_failed"] = lv.schools_failed
            row[f"{lvl}_cvs"] = sum(1 for i in lv.indicators.values() if i.cv_passed is False)
        rows.append(row)
    note = _("以今年的教师、校舍和设备，按预测在校生数逐年重新评估资源配置（差异系数和每校要求）。")
    return Table("verdicts", _("逐年达标预测"), cols, rows, note=note, key="year")


def projected_cv_table(result: ProjectedCompliance) -> Table:
    results = _results(result)
    years = list(results)
    cols = [Column("level", _("学段")), Column("indicator", _("指标")), Column("limit", _("限值"), "number", 2)]
    cols += [Column(f"cv_{y}", str(y), "number", 3) for y in years]
    rows = []
    for lvl, lv in result.today.levels.items():
        for code, ind in lv.indicators.items():
            row: dict[str, Any] = {
                "level": _level(lvl),
                "indicator": f"{code} {pick(ind, 'name')}",
                "limit": ind.cv_limit,
                "_class": {},
            }
            for y in years:
                then = results[y].indicator(lvl, code)
                row[f"cv_{y}"] = None if then is None else then.cv_3dp
                if then is not None and then.cv_passed is False:
                    row["_class"][f"cv_{y}"] = "bad"
            rows.append(row)
    note = _("各年校际差异系数（按在校生数加权，保留三位小数）；超过限值的标红。")
    return Table("cvs", _("差异系数预测"), cols, rows, note=note, key="indicator")


def newly_failing_table(result: ProjectedCompliance) -> Table:
    cols = [
        Column("school", _("学校")),
        Column("level", _("学段")),
        Column("change", _("变化")),
        Column("first_year", _("年份"), "int"),
        Column("students_today", _("当年在校生"), "int"),
        Column("students_then", _("届时在校生"), "int"),
        Column("indicators", _("变化的指标")),
        Column("why", _("原因")),
    ]
    rows = []
    for s in result.schools:
        fails = s.change == "fails"
        rows.append(
            {
                "school": s.school_name,
                "level": _level(s.level),
                "change": _("转为未达标") if fails else _("恢复达标"),
                "first_year": s.first_year,
                "students_today": s.students_today,
                "students_then": s.students_then,
                "indicators": "、".join(s.indicators) if s.indicators else None,
                "why": "；".join(r.message_en if english() else r.message_zh for r in s.reasons) if fails else None,
                "_class": {"change": "bad" if fails else "ok"},
            }
        )
    note = _(
        "与当年相比，因在校生数变化而每校要求由达标转为未达标（或恢复达标）的学校，列出首次变化的年份和当年的原因。"
    )
    return Table("schools", _("学校达标变化"), cols, rows, note=note, key="school")


# --- the JSON of dudao seats and of the API ---------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return value


def _json_rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{k: _json_value(r[k]) for k in columns} for r in frame.to_dict("records")]


def as_json(
    result: Seats, projected: ProjectedCompliance | None, planning: PlanningStandard, scenario: str
) -> dict[str, Any]:
    """The command's JSON: the seats engine's tables as lists of records and each projected year's verdicts."""
    part = ["school_code", "school_name", "town", "level"]
    return {
        "base_year": result.base_year,
        "years": list(result.years),
        "scenario": scenario,
        "warning_years": result.warning_years,
        "planning": {
            "version": planning.version,
            "figures": {
                p: {"value": _json_value(float(n.value)), "confirmation": n.confirmation, "source": n.source}
                for p, n in planning.sourced().items()
            },
        },
        "warnings": _json_rows(
            result.warnings,
            ["scope", *part, "first_year", "gap", "pupils", "capacity", "max_gap", "max_gap_year", "already_over"],
        ),
        "schools": _json_rows(result.schools, [*part, "students", "rooms", "basis", "estimated", "capacity"]),
        "school_years": _json_rows(
            result.school_years, [*part, "year", "pupils", "capacity", "gap", "class_size", "band"]
        ),
        "town_years": _json_rows(result.town_years, list(result.town_years.columns)),
        "teachers": _json_rows(result.teachers, [*part, "year", "basis", "pupils", "needed", "now", "shortfall"]),
        "projected": None
        if projected is None
        else {
            "levels": {str(y): v for y, v in projected.level_verdicts().items()},
            "cvs": [c.__dict__ for c in projected.cvs],
            "schools": [
                {**{k: v for k, v in s.__dict__.items() if k != "reasons"}, "reasons": [r.to_dict() for r in s.reasons]}
                for s in projected.schools
            ],
        },
        "problems": [p.as_dict() for p in [*result.problems, *(projected.problems if projected else [])]],
    }
