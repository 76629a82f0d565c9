"""What the forecast page (入学预测) and ``dudao forecast --format xlsx`` show of a
:class:`~dudao.engine.forecast.CountyForecast`: its tables (dudao.tables.Table, the same rows on the
page, in its downloads and in the command's workbook) and the data of the page's charts.

One scenario at a time: the figures of the year columns are the scenario's (low, medium, high); the
interval columns give the half-width of the interval one year ahead and at the horizon, as a share of
the medium forecast (the interval grows with √(years ahead): docs/adr/0036-enrolment-forecast.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dudao.engine.forecast import METHOD_NAMES, AreaForecast, Band, CountyForecast, Scenario
from dudao.evaluation.render import level_label
from dudao.tables import Column, Table

SCENARIO_LABELS: dict[str, Any] = {
    "low": pgettext_lazy("forecast scenario", "低方案"),
    "medium": pgettext_lazy("forecast scenario", "中方案"),
    "high": pgettext_lazy("forecast scenario", "高方案"),
}
COUNTY_LABEL = gettext_lazy("全县")
NO_TOWN = gettext_lazy("（未注明乡镇）")


def method_label(method: str, lang: str = "zh") -> str:
    zh, en = METHOD_NAMES.get(method, (method, method))
    return en if lang.startswith("en") else zh


def town_label(town: str) -> str:
    return str(COUNTY_LABEL) if town == "*" else town or str(NO_TOWN)


def _width(band: Band, year: int) -> float | None:
    """The interval's half-width at ``year`` as a share of the medium forecast (None where it is 0)."""
    medium = band.medium.get(year)
    if not medium:
        return None
    return (band.high[year] - medium) / medium


def _year_columns(result: CountyForecast) -> list[Column]:
    base = result.base_year
    first, last = result.years[0], result.years[-1]
    return [
        Column("actual", _("%(year)s年实际") % {"year": base}, "int"),
        *(Column(f"y{y}", str(y), "int") for y in result.years),
        Column("width_first", _("区间±（%(year)s）") % {"year": first}, "percent", 1),
        Column("width_last", _("区间±（%(year)s）") % {"year": last}, "percent", 1),
    ]


def _year_cells(result: CountyForecast, band: Band, scenario: Scenario) -> dict[str, Any]:
    values = band.scenario(scenario)
    cells: dict[str, Any] = {"actual": band.history.get(result.base_year), "mape": band.mape}
    cells |= {f"y{y}": values.get(y) for y in result.years}
    cells["width_first"] = _width(band, result.years[0])
    cells["width_last"] = _width(band, result.years[-1])
    return cells


def _note(result: CountyForecast) -> str:
    if not result.backtest_years:
        return _("历史数据不足 3 年，无法回测：误差一栏为空，区间取默认误差（较宽）。")
    years = "、".join(str(y) for y in result.backtest_years)
    return _(
        "回测误差（MAPE）：用 %(first)s 年以前的数据预测 %(years)s 年，与实际相比的平均绝对百分比误差；"
        "区间按回测误差的 80%% 分位数（波动大的学校按其自身误差）计算，随预测年数的平方根扩大。"
    ) % {"first": result.backtest_years[0], "years": years}


def areas_table(result: CountyForecast, scenario: Scenario) -> Table:
    """The county and each town, per level: schools, back-test error, the forecast per year, interval."""
    cols = [
        Column("area", _("区域")),
        Column("level", _("学段")),
        Column("schools", _("学校数"), "int"),
        Column("mape", _("回测误差"), "percent", 1),
        *_year_columns(result),
    ]
    rows = []
    towns = sorted(result.towns, key=lambda a: (a.town, a.level != "primary"))  # a town's levels together
    for area in [*result.county, *towns]:
        row = {"area": town_label(area.town), "level": level_label(area.level), "schools": area.schools}
        row |= _year_cells(result, area, scenario)
        if area.town == "*":
            row["_row_class"] = "county-row"
        rows.append(row)
    title = _("全县和各乡镇在校生预测（%(scenario)s）") % {"scenario": SCENARIO_LABELS[scenario]}
    return Table("forecast-areas", title, cols, rows, note=_note(result))


def schools_table(result: CountyForecast, scenario: Scenario, lang: str = "zh") -> Table:
    """Each school's level: town, method, back-test error, the forecast per year, interval."""
    cols = [
        Column("school", _("学校")),
        Column("code", _("学校标识码")),
        Column("town", _("乡镇")),
        Column("level", _("学段")),
        Column("method", _("预测方法")),
        Column("mape", _("回测误差"), "percent", 1),
        *_year_columns(result),
    ]
    rows = []
    for unit in result.schools:
        row = {
            "school": unit.school_name,
            "code": unit.school_code,
            "town": town_label(unit.town),
            "level": level_label(unit.level),
            "method": method_label(unit.method, lang),
        }
        rows.append(row | _year_cells(result, unit, scenario))
    title = _("各校在校生预测（%(scenario)s）") % {"scenario": SCENARIO_LABELS[scenario]}
    return Table("forecast-schools", title, cols, rows, note=_note(result), key="school")


def methods_table(result: CountyForecast, lang: str = "zh") -> Table:
    """Each school's level: every method's back-test error, the one chosen marked."""
    tested = sorted({m for u in result.schools if u.backtest for m in u.backtest.mape}, key=list(METHOD_NAMES).index)
    cols = [
        Column("school", _("学校")),
        Column("level", _("学段")),
        *(Column(m, method_label(m, lang), "percent", 1) for m in tested),
        Column("chosen", _("采用")),
    ]
    rows = []
    for unit in result.schools:
        row: dict[str, Any] = {"school": unit.school_name, "level": level_label(unit.level)}
        row |= unit.backtest.mape if unit.backtest else {}
        row["chosen"] = method_label(unit.method, lang)
        row["_class"] = {unit.method: "ok"}
        rows.append(row)
    return Table("forecast-methods", _("各方法回测误差（MAPE）"), cols, rows, note=_note(result), key="school")


# -- charts ----------------------------------------------------------------------------------------


def _series(band: Band, scenario: Scenario, years: list[int]) -> dict[str, list[float | None]]:
    def at(values: dict[int, float], year: int) -> float | None:
        value = values.get(year)
        return None if value is None or not math.isfinite(value) else round(value, 1)

    values = band.scenario(scenario)
    last = max(band.history)
    # the forecast lines start at the last actual year, so the chart joins history and forecast
    joined = {**values, last: band.history[last]}
    return {
        "actual": [at(band.history, y) for y in years],
        "forecast": [at(joined, y) if y >= last else None for y in years],
        "low": [at({**band.low, last: band.history[last]}, y) if y >= last else None for y in years],
        "high": [at({**band.high, last: band.history[last]}, y) if y >= last else None for y in years],
    }


@dataclass
class Chart:
    id: str
    title: str
    levels: list[dict[str, Any]] = field(default_factory=list)  # {label, actual, forecast, low, high}


def charts(result: CountyForecast, scenario: Scenario) -> tuple[list[int], list[Chart]]:
    """The years of the x axis and a chart per area: the county first, then each town (both levels)."""
    years = sorted({y for a in result.county for y in a.history} | set(result.years))
    by_town: dict[str, list[AreaForecast]] = {}
    for area in [*result.county, *result.towns]:
        by_town.setdefault(area.town, []).append(area)
    out = []
    for i, (town, areas) in enumerate(by_town.items()):
        chart = Chart(f"chart-area-{i}", town_label(town))
        for area in areas:
            chart.levels.append({"label": level_label(area.level), **_series(area, scenario, years)})
        out.append(chart)
    return years, out


def chart_data(result: CountyForecast, scenario: Scenario) -> dict[str, Any]:
    """The JSON the page's script draws (dudao/static/planning/forecast.js)."""
    years, found = charts(result, scenario)
    return {
        "years": years,
        "base_year": result.base_year,
        "labels": {"actual": _("实际"), "forecast": _("预测"), "band": _("区间")},
        "charts": {c.id: {"title": c.title, "levels": c.levels} for c in found},
    }
