"""Enrolment forecast for a county's schools (pure: no Django): cohort survival with back-testing.

>>> from dudao.engine.forecast import ForecastInputs, forecast
>>> result = forecast(ForecastInputs(enrolment, births, changes), base_year=2025, horizon=6)
>>> result.projected_students()["13013500001"][2027]["primary"]     # pupils, medium scenario
>>> result.to_json()                                                  # docs/forecast-json.md

The inputs are three long frames (:class:`ForecastInputs`, the shapes of docs/forecast-json.md):
enrolment per school, year, level and grade (grade 0 = only the level's total is known), births per
town and calendar year (town "" = county-wide) and known changes (a new housing estate: extra pupils
entering grade 1 or 7 each year from a year on). A *unit* is one school's one level (a one-through
school has two).

Methods (each a function of the history up to a year ``end``, projecting ``end + 1 …``):

* ``cohort_births`` — grade progression (cohort survival) ratios ``r_g = Σ G_g(y) / Σ G_{g−1}(y−1)``
  over the last ``ratio_years`` year pairs; the entry grade (1) from the births ``entry_age`` years
  earlier times an entry ratio ``Σ G_1(y) / Σ B(y − entry_age)`` (the town's births, or the county's
  where the town has none). A year whose births are missing takes the trend.
* ``cohort_transition`` — junior units: the same ratios; grade 7 from the town's grade 6 (all its
  primary units with grades) the year before times a transition ratio; that grade 6 is itself forecast
  (by each primary unit's chosen method, or its first cohort method where a total method was chosen).
* ``cohort_trend`` — the same ratios; the entry grade from a linear trend on its last
  ``trend_years`` values, floored at 0.
* ``total_trend`` — a linear trend on the unit's totals (floored at 0); ``total_ratio`` — the totals
  grow by the ratio ``Σ T(y) / Σ T(y − 1)`` of the last year pairs. A school that gave only totals
  has only these two and ``naive``.
* ``naive`` — same as the last year.

Back-test and choice: the last ``holdout_years`` (2; 1 when the county has 3 years; none below) are
held out, every method is fitted on the years before and forecasts them; the error of a unit is the
MAPE of its level total over the held-out years. Each unit uses the method with the lowest MAPE (ties:
the order above, ``naive`` last); towns and the county are the sums of their units, with their own
MAPE from the summed back-test forecasts. A unit whose history is too short (or that has no pupils in a
held-out year) has no MAPE (``None``, never a made-up one) and uses the default method (the first
cohort method it has, else ``total_trend``, else ``naive``).

Interval and scenarios: the absolute percentage errors of the chosen methods, each divided by
√(years ahead), are pooled per kind (school, town, county) and level; their ``interval_quantile``
quantile ``q`` — or the unit's own largest such error where that is larger, so a volatile school gets a
wider band — not below ``min_error``, gives the half-width ``q × √k`` at ``k`` years ahead. Without a
back-test the half-width is ``default_error × √k``. The ``low`` and ``high`` scenarios are the bounds
of that interval (``medium`` is the point forecast); the low bound is floored at 0. The parameters are
data (``dudao/standards/data/planning/forecast.yaml``, :class:`ForecastSettings`).

Known changes add their pupils to the entry grade of every forecast year from ``from_year`` on
(``from_year`` after the base year; an earlier one is taken to be in the history already and noted):
to the school named, or spread over the town's units of that level by their share of the entry grade
in the base year (of the total, for schools with totals only); they then move up the grades with the
ratios. A unit forecast by a total method gains ``pupils × min(years since from_year + 1, grades)``.

Compared with enrollcast (R; grade progression ratios as a projection matrix after Webster 1970, the
method behind ``cohort_trend``): it projects one series without saying how good the projection is. Here
every unit is back-tested, the method is chosen per unit by its back-test, births drive the entry
grade where known, junior entry follows the town's primary grade 6, known changes enter, schools with
totals only are forecast, and every figure carries an interval from the measured errors
(docs/adr/0036-enrolment-forecast.md).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
import yaml

from dudao.engine.problems import InputError, Problem
from dudao.engine.result import Part

Level = Literal["primary", "junior"]
Scenario = Literal["low", "medium", "high"]
SCENARIOS: tuple[Scenario, ...] = ("low", "medium", "high")
LEVELS: tuple[Level, ...] = ("primary", "junior")
GRADES: dict[str, tuple[int, ...]] = {"primary": (1, 2, 3, 4, 5, 6), "junior": (7, 8, 9)}
# Methods in the order a tie is broken (naive last); the cohort methods keep the grades.
METHODS = ("cohort_births", "cohort_transition", "cohort_trend", "total_trend", "total_ratio", "naive")
COHORT_METHODS = frozenset(METHODS[:3])
METHOD_NAMES: dict[str, tuple[str, str]] = {
    "cohort_births": ("年级递进+出生人口", "grade progression + births"),
    "cohort_transition": ("年级递进+小升初", "grade progression + primary-to-junior transition"),
    "cohort_trend": ("年级递进+入学趋势", "grade progression + entry trend"),
    "total_trend": ("总数线性趋势", "linear trend of the total"),
    "total_ratio": ("总数增长率", "growth ratio of the total"),
    "naive": ("保持上年", "same as last year"),
}
SETTINGS_FILE = Path(__file__).resolve().parent.parent / "standards" / "data" / "planning" / "forecast.yaml"

ENROLMENT_COLUMNS = ("school_code", "school_name", "town", "year", "level", "grade", "students")
BIRTHS_COLUMNS = ("town", "year", "births")
CHANGES_COLUMNS = ("name", "town", "school_code", "level", "from_year", "pupils")


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


@dataclass(frozen=True)
class ForecastInputs:
    """The history a forecast reads: long frames with exactly these columns (docs/forecast-json.md).

    enrolment: school_code, school_name, town ("" unknown), year, level ("primary"|"junior"),
    grade (1..9; 0 = only the level's total), students. births: town ("" county-wide), year (of
    birth), births. changes: name, town, school_code ("" = the town's schools), level, from_year, pupils.
    """

    enrolment: pd.DataFrame
    births: pd.DataFrame = field(default_factory=lambda: _empty(BIRTHS_COLUMNS))
    changes: pd.DataFrame = field(default_factory=lambda: _empty(CHANGES_COLUMNS))


@dataclass(frozen=True)
class ForecastSettings:
    """The method's parameters (see the YAML file for why each value)."""

    entry_age: int = 6
    ratio_years: int = 3
    trend_years: int = 4
    holdout_years: int = 2
    interval_quantile: float = 0.8
    min_error: float = 0.02
    default_error: float = 0.15

    @classmethod
    def load(cls, path: Path | str | None = None) -> ForecastSettings:
        """The settings of ``path`` (default: the shipped file); a key left out keeps its default."""
        data = yaml.safe_load(Path(path or SETTINGS_FILE).read_text(encoding="utf-8")) or {}
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            entry = data.get(name)
            if entry is not None:
                values[name] = entry["value"] if isinstance(entry, dict) else entry
        settings = cls(**values)
        if not (1 <= settings.holdout_years <= 2 and 0 < settings.interval_quantile < 1 and settings.ratio_years >= 1):
            raise ValueError(f"{path or SETTINGS_FILE}: holdout_years 1–2, ratio_years ≥ 1, 0 < interval_quantile < 1")
        return settings


@functools.cache
def _shipped_settings() -> ForecastSettings:
    """The shipped file's settings, read once per process."""
    return ForecastSettings.load()


# -- the result ------------------------------------------------------------------------------------


class Note(Part):
    """Something the reader of the forecast should know (bilingual, like a Problem)."""

    rule: str  # history_too_short, no_base_year_school, change_applied, change_in_history, change_without_school
    school_code: str | None = None
    level: str | None = None
    message_zh: str
    message_en: str


class Backtest(Part):
    """A unit's back-test: the held-out years and each method's MAPE (None: the method does not apply)."""

    years: list[int]
    mape: dict[str, float | None]


class Band(Part):
    """A forecast with its interval: year → pupils (medium), low and high bounds; the history as given."""

    history: dict[int, float]
    medium: dict[int, float]
    low: dict[int, float]
    high: dict[int, float]
    mape: float | None  # of the chosen method(s) over the held-out years; None: not back-tested

    def scenario(self, name: Scenario) -> dict[int, float]:
        return {"low": self.low, "medium": self.medium, "high": self.high}[name]


class UnitForecast(Band):
    """One school's one level."""

    school_code: str
    school_name: str
    town: str
    level: Level
    by_grade: bool  # the base year gives grades (else only the total)
    method: str
    backtest: Backtest | None
    grades: dict[int, dict[int, float]] = {}  # year → grade → pupils (medium), cohort methods only


class AreaForecast(Band):
    """A town ("" = schools without a town) or the county ("*"), one level: the sum of its units."""

    town: str
    level: Level
    schools: int


class CountyForecast(Part):
    base_year: int
    horizon: int
    years: list[int]  # the forecast years, base_year + 1 … base_year + horizon
    scenario: Scenario  # the one projected_students() gives by default
    backtest_years: list[int]  # [] when the history is too short to back-test
    settings: dict[str, float]
    schools: list[UnitForecast]
    towns: list[AreaForecast]
    county: list[AreaForecast]
    notes: list[Note]

    def projected_students(self, scenario: Scenario | None = None) -> dict[str, dict[int, dict[str, float]]]:
        """school_code → year → level → pupils, for the forecast years (the scenario asked, else the
        forecast's own, medium by default)."""
        name = scenario or self.scenario
        out: dict[str, dict[int, dict[str, float]]] = {}
        for unit in self.schools:
            years = out.setdefault(unit.school_code, {})
            for year, value in unit.scenario(name).items():
                years.setdefault(year, {})[unit.level] = value
        return out

    def unit(self, school_code: str, level: str) -> UnitForecast | None:
        return next((u for u in self.schools if u.school_code == school_code and u.level == level), None)

    def area(self, town: str, level: str) -> AreaForecast | None:
        found = self.county if town == "*" else self.towns
        return next((a for a in found if a.town == town and a.level == level), None)


# -- the history as plain mappings -----------------------------------------------------------------

Grades = dict[int, dict[int, float]]  # year → grade → students
Series = dict[int, float]  # year → value


@dataclass
class _Unit:
    code: str
    name: str
    town: str
    level: Level
    grades: Grades  # years with grades
    totals: Series  # every year with data

    @property
    def entry(self) -> int:
        return GRADES[self.level][0]

    def by_grade(self, year: int) -> bool:
        return year in self.grades

    def entry_series(self, end: int) -> Series:
        return {y: g.get(self.entry, 0.0) for y, g in self.grades.items() if y <= end}


def _text(value: object) -> str:
    """A frame's cell as text: "" for None/NaN, a whole float without its ".0"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = [str(c) for c in frame.columns]
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*(frame[c].tolist() for c in columns), strict=True)
    ]


def _problem(rule: str, zh: str, en: str, column: str | None = None, value: object = None) -> Problem:
    return Problem(rule, zh, en, column=column, value=None if value is None else str(value))


def _check_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> list[Problem]:
    missing = [c for c in columns if c not in frame.columns]
    return [
        _problem("missing_column", f"{name}缺少列“{c}”", f"the {name} frame has no column {c!r}", c) for c in missing
    ]


def _units(enrolment: pd.DataFrame, base_year: int) -> list[_Unit]:
    problems = _check_columns(enrolment, ENROLMENT_COLUMNS, "在校生表")
    if problems:
        raise InputError(problems)
    units: dict[tuple[str, str], _Unit] = {}
    for row in _records(enrolment):
        code, level, grade = _text(row["school_code"]), _text(row["level"]), int(row["grade"])
        year, students = int(row["year"]), float(row["students"])
        if level not in GRADES or (grade and grade not in GRADES[level]) or students < 0 or not math.isfinite(students):
            problems.append(_bad_row(code, year, level, grade, students))
            continue
        if year > base_year:
            continue
        unit = units.get((code, level))
        if unit is None:
            unit = units[code, level] = _Unit(
                code, _text(row["school_name"]), _text(row["town"]), cast(Level, level), {}, {}
            )
        if grade:
            unit.grades.setdefault(year, {})[grade] = unit.grades.get(year, {}).get(grade, 0.0) + students
        else:
            unit.totals[year] = unit.totals.get(year, 0.0) + students
    if problems:
        raise InputError(problems)
    for unit in units.values():
        for year, grades in unit.grades.items():
            unit.totals[year] = sum(grades.values())  # grades win over a total given for the same year
    return sorted(units.values(), key=lambda u: (u.town, u.code, LEVELS.index(u.level)))


def _bad_row(code: str, year: int, level: str, grade: int, students: float) -> Problem:
    return _problem(
        "bad_enrolment_row",
        f"学校 {code} {year} 年：学段“{level}”、年级 {grade}、人数 {students} 不合规（学段 primary/junior，"
        "小学 1–6、初中 7–9 年级或 0 表示仅有合计，人数不小于 0）",
        f"school {code}, {year}: level {level!r}, grade {grade}, students {students} is not valid (level "
        "primary/junior, grades 1–6 / 7–9 or 0 for a total only, students ≥ 0)",
        "grade",
        grade,
    )


def _births(births: pd.DataFrame) -> dict[str, Series]:
    problems = _check_columns(births, BIRTHS_COLUMNS, "出生人口表")
    if problems:
        raise InputError(problems)
    out: dict[str, Series] = {}
    for row in _records(births):
        series = out.setdefault(_text(row["town"]), {})
        series[int(row["year"])] = series.get(int(row["year"]), 0.0) + float(row["births"])
    return out


# -- fitting ---------------------------------------------------------------------------------------


def _ratio(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ numerators / Σ denominators (None when the denominators sum to 0)."""
    num = den = 0.0
    for n, d in pairs:
        num, den = num + n, den + d
    return num / den if den > 0 else None


def _trend(series: Mapping[int, float], end: int, window: int) -> Callable[[int], float]:
    """A least-squares line through the last ``window`` values up to ``end``, floored at 0."""
    points = sorted((y, v) for y, v in series.items() if y <= end)[-window:]
    if not points:
        return lambda year: 0.0
    if len(points) == 1:
        value = points[0][1]
        return lambda year: max(value, 0.0)
    # least squares in closed form (a handful of points: faster than numpy's polyfit here)
    mid = sum(p[0] for p in points) / len(points)
    intercept = sum(p[1] for p in points) / len(points)
    slope = sum((x - mid) * (y - intercept) for x, y in points) / sum((x - mid) ** 2 for x, _ in points)
    return lambda year: max(intercept + slope * (year - mid), 0.0)


@dataclass
class _Context:
    """What a projection needs beyond the unit: settings, births, the towns' grade 6, extra entrants."""

    settings: ForecastSettings
    births: dict[str, Series]
    grade6: dict[str, Series]  # town → year → grade-6 pupils of its primary units (history, then forecast)
    extra: dict[tuple[str, str], Series]  # (code, level) → year → extra entrants (known changes)

    def births_of(self, town: str) -> Series | None:
        return self.births.get(town) or self.births.get("") or None


def _progression(unit: _Unit, end: int, window: int) -> dict[int, float]:
    ratios: dict[int, float] = {}
    years = sorted(y for y in unit.grades if y <= end and y - 1 in unit.grades)[-window:]
    for g in GRADES[unit.level][1:]:
        pairs = ((unit.grades[y].get(g, 0.0), unit.grades[y - 1].get(g - 1, 0.0)) for y in years)
        ratio = _ratio(pairs)
        ratios[g] = 1.0 if ratio is None else ratio  # no pupils to progress from: assume they stay
    return ratios


def _entry_source(unit: _Unit, method: str, end: int, ctx: _Context) -> Callable[[int], float] | None:
    """The entry grade of a forecast year, or None when the method does not apply to the unit."""
    s = ctx.settings
    trend = _trend(unit.entry_series(end), end, s.trend_years)
    if method == "cohort_trend":
        return trend
    source, lag = (ctx.births_of(unit.town), s.entry_age) if method == "cohort_births" else (None, 1)
    if method == "cohort_transition":
        source = ctx.grade6.get(unit.town)
    if source is None or (method == "cohort_births") != (unit.level == "primary"):
        return None
    years = sorted(y for y in unit.grades if y <= end and y - lag in source)[-s.ratio_years :]
    factor = _ratio((unit.grades[y].get(unit.entry, 0.0), source[y - lag]) for y in years)
    if factor is None:
        return None
    return lambda year: source[year - lag] * factor if year - lag in source else trend(year)


def _project(unit: _Unit, method: str, end: int, years: int, ctx: _Context) -> tuple[Series, Grades] | None:
    """Totals (and grades, for a cohort method) for ``end + 1 … end + years``; None: not applicable."""
    extra = ctx.extra.get((unit.code, unit.level), {})
    if method in COHORT_METHODS:
        if end not in unit.grades:
            return None
        entry = _entry_source(unit, method, end, ctx)
        if entry is None:
            return None
        ratios = _progression(unit, end, ctx.settings.ratio_years)
        grades: Grades = {}
        prev = unit.grades[end]
        for year in range(end + 1, end + years + 1):
            cur = {unit.entry: entry(year) + extra.get(year, 0.0)}
            cur |= {g: prev.get(g - 1, 0.0) * ratios[g] for g in GRADES[unit.level][1:]}
            grades[year], prev = cur, cur
        return {y: sum(g.values()) for y, g in grades.items()}, grades
    totals = _total_method(unit, method, end, ctx.settings)
    if totals is None:
        return None
    return {y: totals(y) + _extra_total(unit, extra, y) for y in range(end + 1, end + years + 1)}, {}


def _total_method(unit: _Unit, method: str, end: int, s: ForecastSettings) -> Callable[[int], float] | None:
    if end not in unit.totals:
        return None
    last = unit.totals[end]
    if method == "naive":
        return lambda year: last
    if method == "total_trend":
        return _trend(unit.totals, end, s.trend_years) if len([y for y in unit.totals if y <= end]) >= 2 else None
    years = sorted(y for y in unit.totals if y <= end and y - 1 in unit.totals)[-s.ratio_years :]
    growth = _ratio((unit.totals[y], unit.totals[y - 1]) for y in years)
    return None if growth is None else (lambda year: last * growth ** (year - end))


def _extra_total(unit: _Unit, extra: Series, year: int) -> float:
    """Entrants of the last ``len(grades)`` years: a total method's share of the known changes."""
    width = len(GRADES[unit.level])
    return sum(v for y, v in extra.items() if year - width < y <= year)


# -- known changes ---------------------------------------------------------------------------------


def _spread_changes(
    changes: pd.DataFrame, units: list[_Unit], base_year: int, years: list[int]
) -> tuple[dict[tuple[str, str], Series], list[Note]]:
    problems = _check_columns(changes, CHANGES_COLUMNS, "已知变化表")
    if problems:
        raise InputError(problems)
    extra: dict[tuple[str, str], Series] = {}
    notes: list[Note] = []
    for row in _records(changes):
        name, town, code, level = _text(row["name"]), _text(row["town"]), _text(row["school_code"]), _text(row["level"])
        start, pupils = int(row["from_year"]), float(row["pupils"])
        if start <= base_year:
            notes.append(_change_note("change_in_history", name, code, level, start, base_year))
            continue
        targets = [u for u in units if u.level == level and (u.code == code if code else u.town == town)]
        weights = [_entry_weight(u, base_year) for u in targets]
        if not targets or sum(weights) <= 0:
            notes.append(_change_note("change_without_school", name, code or town, level, start, base_year))
            continue
        for unit, weight in zip(targets, weights, strict=True):
            series = extra.setdefault((unit.code, unit.level), {})
            for year in years:
                if year >= start:
                    series[year] = series.get(year, 0.0) + pupils * weight / sum(weights)
        notes.append(_applied_note(name, pupils, level, start, [u.code for u in targets]))
    return extra, notes


def _applied_note(name: str, pupils: float, level: str, start: int, codes: list[str]) -> Note:
    entry = GRADES[level][0]
    return Note(
        rule="change_applied",
        school_code=codes[0] if len(codes) == 1 else None,
        level=level,
        message_zh=f"已知变化“{name}”：自 {start} 年起每年 {pupils:g} 人进入{'一' if entry == 1 else '七'}年级，"
        f"分到 {len(codes)} 所学校",
        message_en=f"known change {name!r}: {pupils:g} pupils a year enter grade {entry} from {start}, "
        f"spread over {len(codes)} school(s)",
    )


def _entry_weight(unit: _Unit, base_year: int) -> float:
    if base_year in unit.grades:
        return unit.grades[base_year].get(unit.entry, 0.0)
    return unit.totals.get(base_year, 0.0) / len(GRADES[unit.level])


def _change_note(rule: str, name: str, where: str, level: str, start: int, base_year: int) -> Note:
    if rule == "change_in_history":
        zh = f"已知变化“{name}”自 {start} 年起，不晚于基准年 {base_year}：视为已计入历史数据，未另加"
        en = f"known change {name!r} starts in {start}, not after the base year {base_year}: taken to be in the history"
    else:
        zh = f"已知变化“{name}”：{where} 没有{level}学段的学校可分配，未计入"
        en = f"known change {name!r}: no {level} school in {where!r} to take its pupils; left out"
    return Note(rule=rule, school_code=None, level=level, message_zh=zh, message_en=en)


# -- back-test, choice, interval -------------------------------------------------------------------


def _ape(forecast: Series, actual: Series, years: list[int]) -> float | None:
    if not years or any(y not in actual or actual[y] <= 0 or y not in forecast for y in years):
        return None
    # rounded to 10 places, so that methods equal but for floating-point noise tie (and the order decides)
    return round(sum(abs(forecast[y] - actual[y]) / actual[y] for y in years) / len(years), 10)


def _run(
    units: list[_Unit], end: int, years: int, ctx: _Context, methods: Mapping[tuple[str, str], str] | None
) -> dict[tuple[str, str], dict[str, tuple[Series, Grades]]]:
    """Every applicable method's projection per unit from ``end`` (primary first: junior entry needs
    the towns' grade 6). With ``methods``, only the method named per unit feeds the towns' grade 6."""
    out: dict[tuple[str, str], dict[str, tuple[Series, Grades]]] = {}
    ctx.grade6 = _grade6_history(units, end)
    for level in LEVELS:
        for unit in (u for u in units if u.level == level):
            done = {m: p for m in METHODS if (p := _project(unit, m, end, years, ctx)) is not None}
            out[unit.code, level] = done
            if level == "primary":
                # the town's grade 6 counts every primary unit with grades: by its chosen method where that
                # keeps the grades, else by its first cohort method (a total method has no grade 6)
                chosen = (methods or {}).get((unit.code, level))
                if chosen not in COHORT_METHODS:
                    chosen = next((m for m in METHODS if m in COHORT_METHODS and m in done), None)
                for year, grades in done.get(chosen or "", ({}, {}))[1].items():
                    town = ctx.grade6.setdefault(unit.town, {})
                    town[year] = town.get(year, 0.0) + grades.get(6, 0.0)
    return out


def _grade6_history(units: list[_Unit], end: int) -> dict[str, Series]:
    towns: dict[str, Series] = {}
    for unit in units:
        if unit.level == "primary":
            for year, grades in unit.grades.items():
                if year <= end:
                    town = towns.setdefault(unit.town, {})
                    town[year] = town.get(year, 0.0) + grades.get(6, 0.0)
    return towns


def _default(done: Mapping[str, object]) -> str:
    return next((m for m in (*METHODS[:4], "naive") if m in done), "naive")


def _choose(tested: Mapping[str, float | None], done: Mapping[str, object]) -> str:
    scored = [(mape, METHODS.index(m), m) for m, mape in tested.items() if mape is not None and m in done]
    return min(scored)[2] if scored else _default(done)


def _half_width(pooled: list[float], own: list[float], settings: ForecastSettings, tested: bool) -> float:
    """One year ahead: the pooled errors' quantile, or the unit's own largest error where that is larger
    (a volatile school gets its own wider band), not below ``min_error``; ``default_error`` untested."""
    if not tested or not pooled:
        return settings.default_error
    quantile = float(np.quantile(np.array(pooled), settings.interval_quantile))
    return max(quantile, *own, settings.min_error)


# -- the forecast ----------------------------------------------------------------------------------


def forecast(
    inputs: ForecastInputs,
    base_year: int,
    horizon: int = 6,
    scenario: Scenario = "medium",
    settings: ForecastSettings | None = None,
) -> CountyForecast:
    """Forecast every school's enrolment for ``base_year + 1 … base_year + horizon`` (see the module)."""
    s = settings or _shipped_settings()
    units, notes = _checked_units(inputs.enrolment, base_year, horizon, scenario)
    years = list(range(base_year + 1, base_year + horizon + 1))
    extra, change_notes = _spread_changes(inputs.changes, units, base_year, years)
    ctx = _Context(s, _births(inputs.births), {}, {})
    history_years = sorted({y for u in units for y in u.totals})
    holdout = min(s.holdout_years, len(history_years) - 2)
    test_years = history_years[-holdout:] if holdout >= 1 else []
    tested = _backtest_all(units, test_years, ctx)
    ctx.extra = {}
    probe = _run(units, base_year, horizon, _Context(s, ctx.births, {}, {}), None)
    chosen = {key: _choose(tested.get(key, {}), probe[key]) for key in probe}
    # the back-test again with each unit's chosen method feeding grade 6, for the errors of the choice
    backtests = _chosen_backtest(units, chosen, test_years, ctx) if test_years else {}
    ctx.extra = extra
    final = _run(units, base_year, horizon, ctx, chosen)
    parts = _assemble(units, final, chosen, tested, backtests, test_years, s)
    return CountyForecast(
        base_year=base_year,
        horizon=horizon,
        years=years,
        scenario=scenario,
        backtest_years=test_years,
        settings={k: float(v) for k, v in vars(s).items()},
        schools=parts[0],
        towns=parts[1],
        county=parts[2],
        notes=[*notes, *change_notes, *_short_history_notes(test_years, history_years)],
    )


def _checked_units(
    enrolment: pd.DataFrame, base_year: int, horizon: int, scenario: str
) -> tuple[list[_Unit], list[Note]]:
    """The units with figures in the base year, and a note for each one without."""
    if scenario not in SCENARIOS or not 1 <= horizon <= 20:
        zh, en = "情景须为 low/medium/high，预测年数 1–20", "the scenario must be low/medium/high and the horizon 1–20"
        raise InputError([_problem("bad_option", zh, en, value=f"{scenario} {horizon}")])
    units = _units(enrolment, base_year)
    if not any(base_year in u.totals for u in units):
        zh, en = (
            f"在校生表中没有基准年 {base_year} 的数据",
            f"the enrolment has no figures for the base year {base_year}",
        )
        raise InputError([_problem("no_base_year", zh, en, "year", base_year)])
    notes = [_note("no_base_year_school", u, base_year) for u in units if base_year not in u.totals]
    return [u for u in units if base_year in u.totals], notes


def _backtest_all(
    units: list[_Unit], test_years: list[int], ctx: _Context
) -> dict[tuple[str, str], dict[str, float | None]]:
    """Every method's MAPE per unit, fitted on the years before the held-out ones (no known changes)."""
    if not test_years:
        return {}
    totals: dict[tuple[str, str], Series] = {(u.code, u.level): u.totals for u in units}
    run = _run(units, test_years[0] - 1, len(test_years), ctx, None)
    return {key: {m: _ape(p[0], totals[key], test_years) for m, p in done.items()} for key, done in run.items()}


def _note(rule: str, unit: _Unit, base_year: int) -> Note:
    return Note(
        rule=rule,
        school_code=unit.code,
        level=unit.level,
        message_zh=f"{unit.name}（{unit.code}）{base_year} 年无在校生数据，未预测",
        message_en=f"{unit.name} ({unit.code}) has no enrolment in {base_year}; not forecast",
    )


def _short_history_notes(test_years: list[int], history_years: list[int]) -> list[Note]:
    if test_years:
        return []
    return [
        Note(
            rule="history_too_short",
            message_zh=f"历史数据仅 {len(history_years)} 年，不足 3 年，无法回测：采用默认方法，区间取默认误差（较宽）",
            message_en=f"the history has {len(history_years)} year(s), fewer than 3: no back-test; the default "
            "method is used with the default (wider) interval",
        )
    ]


def _chosen_backtest(
    units: list[_Unit], chosen: Mapping[tuple[str, str], str], test_years: list[int], ctx: _Context
) -> dict[tuple[str, str], Series]:
    """Each unit's back-test forecast by its chosen method (none where it does not apply then)."""
    run = _run(units, test_years[0] - 1, len(test_years), ctx, chosen)
    return {key: done[chosen[key]][0] for key, done in run.items() if chosen[key] in done}


def _band(history: Series, medium: Series, width: float, base_year: int, mape: float | None) -> dict[str, Any]:
    low = {y: max(v * (1 - width * math.sqrt(y - base_year)), 0.0) for y, v in medium.items()}
    high = {y: v * (1 + width * math.sqrt(y - base_year)) for y, v in medium.items()}
    return {"history": dict(sorted(history.items())), "medium": medium, "low": low, "high": high, "mape": mape}


def _errors(forecast_: Series, actual: Series, test_years: list[int], base: int) -> list[float]:
    return [
        abs(forecast_[y] - actual[y]) / actual[y] / math.sqrt(y - base)
        for y in test_years
        if y in forecast_ and actual.get(y, 0) > 0
    ]


def _assemble(
    units: list[_Unit],
    final: Mapping[tuple[str, str], Mapping[str, tuple[Series, Grades]]],
    chosen: Mapping[tuple[str, str], str],
    tested: Mapping[tuple[str, str], dict[str, float | None]],
    backtests: Mapping[tuple[str, str], Series],
    test_years: list[int],
    s: ForecastSettings,
) -> tuple[list[UnitForecast], list[AreaForecast], list[AreaForecast]]:
    base = max(y for u in units for y in u.totals)
    fit_end = test_years[0] - 1 if test_years else base
    schools: list[UnitForecast] = []
    for level in LEVELS:
        level_units = [u for u in units if u.level == level]
        mapes = {(u.code, level): _ape(backtests.get((u.code, level), {}), u.totals, test_years) for u in level_units}
        pooled = [
            e
            for u in level_units
            if mapes[u.code, level] is not None
            for e in _errors(backtests[u.code, level], u.totals, test_years, fit_end)
        ]
        for u in level_units:
            key = (u.code, level)
            totals, grades = final[key][chosen[key]]
            mape = mapes[key]
            own = _errors(backtests[key], u.totals, test_years, fit_end) if mape is not None else []
            width = _half_width(pooled, own, s, mape is not None)
            schools.append(
                UnitForecast(
                    school_code=u.code,
                    school_name=u.name,
                    town=u.town,
                    level=level,
                    by_grade=u.by_grade(base),
                    method=chosen[key],
                    backtest=Backtest(years=test_years, mape=tested[key]) if key in tested else None,
                    grades=grades,
                    **_band(u.totals, totals, width, base, mape),
                )
            )
    towns = _areas(units, schools, backtests, test_years, fit_end, s, by_town=True)
    county = _areas(units, schools, backtests, test_years, fit_end, s, by_town=False)
    return schools, towns, county


def _areas(
    units: list[_Unit],
    schools: list[UnitForecast],
    backtests: Mapping[tuple[str, str], Series],
    test_years: list[int],
    fit_end: int,
    s: ForecastSettings,
    *,
    by_town: bool,
) -> list[AreaForecast]:
    base = max(y for u in units for y in u.totals)
    groups: dict[tuple[str, Level], list[UnitForecast]] = {}
    for unit in schools:
        groups.setdefault((unit.town if by_town else "*", unit.level), []).append(unit)
    sums: dict[tuple[str, Level], tuple[Series, Series, Series, Series]] = {}
    for key, members in groups.items():
        tested = [m for m in members if (m.school_code, m.level) in backtests]
        sums[key] = (
            _sum(m.history for m in members),
            _sum(m.medium for m in members),
            _sum(backtests[m.school_code, m.level] for m in tested),  # the back-test of the units that have one
            _sum(m.history for m in tested),
        )
    out = []
    for level in LEVELS:
        keys = sorted(k for k in sums if k[1] == level)
        pooled = [e for k in keys for e in _errors(sums[k][2], sums[k][3], test_years, fit_end)]
        for key in keys:
            history, medium, test, actual = sums[key]
            mape = _ape(test, actual, test_years) if test else None
            width = _half_width(pooled, _errors(test, actual, test_years, fit_end), s, mape is not None)
            out.append(
                AreaForecast(
                    town=key[0], level=level, schools=len(groups[key]), **_band(history, medium, width, base, mape)
                )
            )
    return out


def _sum(series: Iterable[Mapping[int, float]]) -> Series:
    out: Series = {}
    for one in series:
        for year, value in one.items():
            out[year] = out.get(year, 0.0) + value
    return out
