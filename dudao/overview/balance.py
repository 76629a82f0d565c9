"""What the balance page (均衡分析) shows of one county result: the engine's balance analysis
(:func:`dudao.engine.balance.balance`) as tables and as the data of its charts.

Every figure comes from the engine; the charts and the tables beside them read the same rows, and a
chart's tooltip shows a figure as its table prints it (``Column.text``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.engine.balance import DIMENSIONS, balance
from dudao.engine.messages import fmt_number
from dudao.engine.result import CountyResult, LevelIndicator, School
from dudao.evaluation.render import level_label
from dudao.overview.cockpit import gap_text, location_label, ownership_label, pick
from dudao.tables import Column, Table

DIMENSION_LABELS = {"location": gettext_lazy("城乡"), "ownership": gettext_lazy("办学性质")}
# The groupings of the inequality decomposition (dudao.engine.decomposition.GROUPINGS), as the page names them.
GROUPING_LABELS = {
    "location": gettext_lazy("城乡（城区/镇区/乡村）"),
    "ownership": gettext_lazy("办学性质（公办/民办）"),
    "town": gettext_lazy("乡镇"),
    "town_groups": gettext_lazy("乡镇分组（自定义）"),
}
SPLIT = Column("split", "", "number", 4)
# How a figure prints in the tables, reused for the charts' labels and the summaries.
VALUE = Column("value", "", "number", 2)
CV = Column("cv", "", "number", 3)
LIMIT = Column("limit", "", "number", 2)
PERCENT = Column("percent", "", "percent", 1)
TOP_SHOWN = 5  # contributors listed per indicator (all schools are in the distribution table)


def group_label(dimension: str, key: str | None) -> str:
    if key is None:
        return _("未注明")
    return location_label(key) if dimension == "location" else ownership_label(key)


@dataclass
class IndicatorView:
    """One indicator of the level: its heading, chart element id and its two tables."""

    code: str
    title: str
    unit: str
    summary: str
    contributors: Table
    distribution: Table
    decomposition: Table


@dataclass
class BalanceView:
    level: str
    levels: list[tuple[str, str]]  # (level, label) of every level with schools
    groups: list[tuple[str, str, Table]]  # (dimension, title, table)
    indicators: list[IndicatorView]
    chart: dict[str, Any]
    tables: list[Table] = field(default_factory=list)


def levels_of(result: CountyResult) -> list[str]:
    """The levels of the result that have indicators (schools), in the standard's order."""
    return [lvl for lvl, lv in result.levels.items() if lv.has_schools]


def group_table(level: str, dimension: str, indicators: dict[str, Any]) -> Table:
    """Indicator × group: schools, pupils, enrolment-weighted mean, CV within the group, schools meeting
    the threshold and their share; the county first for each indicator."""
    cols = [
        Column("indicator", _("指标")),
        Column("group", str(DIMENSION_LABELS[dimension])),
        Column("schools", _("学校数"), "int"),
        Column("students", _("在校生数"), "int"),
        Column("mean", _("加权均值"), "number", 2),
        Column("cv", _("组内差异系数"), "number", 3),
        Column("met", _("达标学校数"), "int"),
        Column("share_met", _("达标学校比例"), "percent", 1),
    ]
    rows = []
    for code, ind in indicators.items():
        name = f"{code} {pick(ind, 'name')}"
        for key, g in [("all", ind["county"]), *((g["group"], g) for g in ind["groups"][dimension])]:
            rows.append(
                {
                    "indicator": name,
                    "group": _("全县") if key == "all" else group_label(dimension, key),
                    "schools": g["schools"],
                    "students": g["students"],
                    "mean": g["mean"],
                    "cv": g["cv"],
                    "met": g["schools_met"],
                    "share_met": g["share_met"],
                    "_row_class": "county-row" if key == "all" else "",
                }
            )
    title = _("%(level)s各指标按%(dimension)s比较") % {
        "level": level_label(level),
        "dimension": DIMENSION_LABELS[dimension],
    }
    return Table(
        f"groups-{dimension}-{level}",
        title,
        cols,
        rows,
        note=_(
            "均值按在校生数加权；组内差异系数为组内各校的加权差异系数；"
            "达标学校比例 = 达到该项标准的学校数 ÷ 有数据的学校数。"
        ),
    )


def contributors_table(level: str, code: str, ind: dict[str, Any], by_code: dict[str, School]) -> Table:
    cols = [
        Column("rank", _("序号"), "int"),
        Column("school", _("学校")),
        Column("location", _("城乡")),
        Column("students", _("在校生数"), "int"),
        Column("value", _("指标值"), "number", 2),
        Column("direction", _("与县均值相比")),
        Column("share", _("占加权方差比例"), "percent", 1),
    ]
    rows = [
        {
            "rank": i,
            "school": c["school_name"],
            "location": location_label(by_code[c["school_code"]].location),
            "students": c["students"],
            "value": c["value"],
            "direction": _("高于") if c["direction"] == "above" else _("低于"),
            "share": c["share_of_variance"],
        }
        for i, c in enumerate(ind["contributors"][:TOP_SHOWN], start=1)
    ]
    return Table(
        f"contributors-{level}-{code}",
        _("%(code)s 拉大差异最多的学校") % {"code": code},
        cols,
        rows,
        note=_("占加权方差比例 = 在校生数 ×（本校值 − 县均值）² ÷ 全县各校之和；比例越大，该校对差异系数的影响越大。"),
    )


def distribution_table(
    level: str, code: str, ind: dict[str, Any], entry: LevelIndicator, by_code: dict[str, School]
) -> Table:
    """Every school part's value (lowest first) with its verdict, gap and share of the weighted variance;
    ``entry`` is the indicator's county figures in the result, ``by_code`` the level's school parts."""
    cols = [
        Column("school", _("学校")),
        Column("code", _("学校标识码")),
        Column("location", _("城乡")),
        Column("ownership", _("办学性质")),
        Column("students", _("在校生数"), "int"),
        Column("value", _("指标值"), "number", 2),
        Column("met", _("是否达标"), "verdict"),
        Column("gap", _("差距")),
        Column("share", _("占加权方差比例"), "percent", 1),
    ]
    rows = [
        {
            "school": p["school_name"],
            "code": p["school_code"],
            "location": location_label(p["location"]),
            "ownership": ownership_label(p["ownership"]),
            "students": p["students"],
            "value": p["value"],
            "met": p["met"],
            "gap": _gap(code, entry, by_code[p["school_code"]]) or "—",
            "share": p["share_of_variance"],
            "_row_class": "unmet" if p["met"] is False else "",
        }
        for p in ind["points"]
    ]
    return Table(
        f"distribution-{level}-{code}",
        _("%(code)s 各校取值（由低到高）") % {"code": code},
        cols,
        rows,
    )


def decomposition_table(level: str, code: str, ind: dict[str, Any]) -> Table:
    """Where the indicator's inequality comes from: for each grouping, the Theil index and CV² with
    their between-group and within-group parts and the between-group share."""
    cols = [Column("grouping", _("分组方式"))]
    for measure, label in (("theil", _("泰尔指数")), ("cv2", _("差异系数平方"))):
        cols += [
            Column(f"{measure}_total", label, "number", 4),
            Column(f"{measure}_between", _("%(measure)s·组间") % {"measure": label}, "number", 4),
            Column(f"{measure}_within", _("%(measure)s·组内") % {"measure": label}, "number", 4),
            Column(f"{measure}_share", _("%(measure)s·组间占比") % {"measure": label}, "percent", 1),
        ]
    rows = []
    for key, split in ind["decomposition"].items():
        row: dict[str, Any] = {"grouping": str(GROUPING_LABELS[key])}
        for measure in ("theil", "cv2"):
            m = split[measure]
            row |= {
                f"{measure}_total": m["total"],
                f"{measure}_between": m["between"],
                f"{measure}_within": m["within"],
                f"{measure}_share": m["between_share"],
            }
        rows.append(row)
    return Table(
        f"decomposition-{level}-{code}",
        _("%(code)s 差异来源：组间与组内") % {"code": code},
        cols,
        rows,
        note=_(
            "泰尔指数与差异系数平方均按在校生数加权，组间 + 组内 = 合计；"
            "组间占比 = 组间 ÷ 合计。差异系数平方即差异系数的平方。"
        ),
    )


def decomposition_chart(indicators: dict[str, Any]) -> dict[str, Any]:
    """The chart of the decomposition: for each indicator, the share of its Theil index that lies
    between the groups, one bar per grouping."""
    keys = [k for k in GROUPING_LABELS if any(k in ind["decomposition"] for ind in indicators.values())]
    series = []
    for key in keys:
        shares = [
            ind["decomposition"].get(key, {}).get("theil", {}).get("between_share") for ind in indicators.values()
        ]
        series.append(
            {
                "label": str(GROUPING_LABELS[key]),
                "values": [None if v is None else PERCENT.value(v) * 100 for v in shares],
                "texts": [PERCENT.text(v) for v in shares],
            }
        )
    return {
        "id": "chart-decomposition",
        "title": _("泰尔指数中组间差异所占比例"),
        "label": _("组间占比（泰尔指数）"),
        "codes": list(indicators),
        "series": series,
    }


def _gap(code: str, entry: LevelIndicator, school: School) -> str:
    """The school's gap on the indicator; "L7 无数据" for any school without a value (with or without a threshold)."""
    part = school.indicators[code]
    return _("%(code)s 无数据") % {"code": code} if part.value is None else gap_text(code, entry, part)


def _rows(schools: list[dict[str, Any]]) -> list[str | None]:
    """The strip chart's rows: every location, then "not given" when a school has none."""
    keys: list[str | None] = list(DIMENSIONS["location"])
    if any(p.get("location") not in keys for p in schools):
        keys.append(None)
    return keys


def chart_data(level: str, indicators: dict[str, Any]) -> dict[str, Any]:
    """What balance.js draws (embedded with ``json_script``): per indicator the schools' values by
    location with the threshold and the county mean; per dimension the share of schools meeting each
    indicator's threshold by group. Texts are the tables' texts."""
    points = next(iter(indicators.values()))["points"] if indicators else []
    rows = _rows(points)
    out_indicators = []
    for code, ind in indicators.items():
        out_indicators.append(
            {
                "code": code,
                "title": f"{code} {pick(ind, 'name')}",
                "unit": pick(ind, "unit"),
                "threshold": ind["threshold"],
                "threshold_text": fmt_number(ind["threshold"]),
                "mean": ind["mean"],
                "mean_text": fmt_number(ind["mean"]),
                "points": [
                    {
                        "name": p["school_name"],
                        "value": p["value"],
                        "text": VALUE.text(p["value"]),
                        "students": p["students"],
                        "met": p["met"],
                        "row": rows.index(p["location"] if p["location"] in rows else None),
                    }
                    for p in ind["points"]
                    if p["value"] is not None
                ],
            }
        )
    groups = []
    for dimension in DIMENSIONS:
        keys = [g["group"] for g in next(iter(indicators.values()))["groups"][dimension]] if indicators else []
        series = []
        for i, key in enumerate(keys):
            shares = [ind["groups"][dimension][i]["share_met"] for ind in indicators.values()]
            series.append(
                {
                    "label": group_label(dimension, key),
                    "values": [None if s is None else PERCENT.value(s) * 100 for s in shares],
                    "texts": [PERCENT.text(s) for s in shares],
                }
            )
        groups.append(
            {
                "id": f"chart-groups-{dimension}",
                "title": _("各指标达标学校比例（按%(dimension)s）") % {"dimension": DIMENSION_LABELS[dimension]},
                "codes": list(indicators),
                "series": series,
            }
        )
    return {
        "level": level,
        "rows": [group_label("location", k) for k in rows],
        "indicators": out_indicators,
        "groups": [*groups, decomposition_chart(indicators)],
        "labels": {
            "threshold": _("标准"),
            "mean": _("县均值"),
            "students": _("在校生数"),
            "met": _("达标"),
            "unmet": _("未达标"),
            "undetermined": _("未判定"),
            "share_met": _("达标学校比例"),
        },
    }


def balance_view(
    result: CountyResult, level: str, town_groups: Mapping[str, Sequence[str]] | None = None
) -> BalanceView:
    """The page for one level of a county result (``level`` must be one of :func:`levels_of`);
    ``town_groups``: the county's groups of towns (group name → towns by name or code)."""
    analysis = balance(result, town_groups)["levels"][level]
    indicators = analysis["indicators"]
    by_code = {s.school_code: s for s in result.school_parts(level)}
    groups = [
        (dim, _("按%(dimension)s比较") % {"dimension": DIMENSION_LABELS[dim]}, group_table(level, dim, indicators))
        for dim in DIMENSIONS
    ]
    views = []
    for code, ind in indicators.items():
        summary = _("标准 %(threshold)s，县均值 %(mean)s，差异系数 %(cv)s（限值 %(limit)s），达标学校 %(met)s/%(n)s 所")
        summary %= {
            "threshold": fmt_number(ind["threshold"]),
            "mean": VALUE.text(ind["mean"]),
            "cv": CV.text(ind["cv_3dp"]),
            "limit": LIMIT.text(ind["cv_limit"]),
            "met": "—" if ind["schools_met"] is None else ind["schools_met"],
            "n": ind["schools"],
        }
        views.append(
            IndicatorView(
                code=code,
                title=f"{code} {pick(ind, 'name')}",
                unit=pick(ind, "unit"),
                summary=summary,
                contributors=contributors_table(level, code, ind, by_code),
                distribution=distribution_table(level, code, ind, result.levels[level].indicators[code], by_code),
                decomposition=decomposition_table(level, code, ind),
            )
        )
    tables = [t for _d, _t, t in groups] + [t for v in views for t in (v.decomposition, v.contributors, v.distribution)]
    return BalanceView(
        level=level,
        levels=[(lvl, level_label(lvl)) for lvl in levels_of(result)],
        groups=groups,
        indicators=views,
        chart=chart_data(level, indicators),
        tables=tables,
    )
