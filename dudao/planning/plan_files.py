"""The files of a plan (pure: no Django): unit costs (YAML), per-school caps (.xlsx/.csv) and the
plan as a workbook. Shared by ``dudao plan`` and the plan page.

* **Costs**: a YAML (or JSON) mapping of the template's English column keys to the cost of one unit
  in 元: ``sports_area_m2: 3000``. At most :data:`MAX_COSTS_BYTES`; anything else is a problem in
  Chinese and English.
* **Caps**: a sheet with 学校标识码 and, per resource column (its Chinese header or English key), the
  most that may be added to that school; an empty cell is no cap.
* **The workbook**: 方案汇总 (summary: feasibility, total, gap, binding constraints) and 各校增配
  (per school: additions by column and cost), plus 教师交流 when the plan moves teachers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font
from pydantic import ValidationError

from dudao.engine.fields import FIELD_BY_KEY, FIELDS
from dudao.engine.forecast import CountyForecast
from dudao.engine.optimise import Plan
from dudao.engine.problems import InputError, Problem
from dudao.sheets.table import ColumnSpec, read_table

MAX_COSTS_BYTES = 64 * 1024
RESOURCE_FIELDS = [f for f in FIELDS if f.group in ("teacher", "facility") and f.key != "equipment_value_wan"]


def parse_costs(text: str, name: str = "costs.yaml") -> dict[str, float]:
    """The unit costs of a YAML/JSON text; raises :class:`InputError` listing every problem."""
    try:
        data = json.loads(text) if name.lower().endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(
            [
                Problem(
                    "unreadable_costs",
                    f"无法读取单价文件“{name}”：{exc}",
                    f"cannot read the costs file {name!r}: {exc}",
                )
            ]
        ) from exc
    if not isinstance(data, dict) or not data:
        raise InputError(
            [Problem("costs_not_mapping", f"单价文件“{name}”应为“列名: 单价（元）”的映射",
                     f"the costs file {name!r} must map column keys to yuan per unit")]
        )  # fmt: skip
    problems, costs = [], {}
    for key, value in data.items():
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None or not math.isfinite(number) or number < 0:
            problems.append(
                Problem("bad_cost", f"“{key}”的单价应为不小于 0 的数（元）", f"the unit cost of {key} must be yuan ≥ 0",
                        column=str(key), value=str(value))
            )  # fmt: skip
            continue
        costs[str(key)] = float(number)
    if problems:
        raise InputError(problems)
    return costs


def _read_text(path: Path, most: int, what: tuple[str, str], rule: str) -> str:
    """A small UTF-8 text file read within ``most`` bytes (``what``: its name in zh and en)."""
    zh, en = what
    try:
        with path.open("rb") as f:
            raw = f.read(most + 1)
    except OSError as exc:
        raise InputError(
            [Problem(f"unreadable_{rule}", f"无法打开{zh}“{path.name}”：{exc.strerror}",
                     f"cannot open the {en} {path.name!r}: {exc.strerror}")]
        ) from exc  # fmt: skip
    if len(raw) > most:
        raise InputError(
            [Problem(f"{rule}_too_large", f"{zh}“{path.name}”超过 {most // 1024} KB",
                     f"the {en} {path.name!r} is over {most // 1024} KB")]
        )  # fmt: skip
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem(f"{rule}_not_utf8", f"{zh}“{path.name}”应为 UTF-8 文本", f"the {en} {path.name!r} is not UTF-8")]
        ) from exc


def read_costs(path: Path) -> dict[str, float]:
    """The unit costs of a file, read within :data:`MAX_COSTS_BYTES`."""
    return parse_costs(_read_text(path, MAX_COSTS_BYTES, ("单价文件", "costs file"), "costs"), path.name)


DEFAULTS = Path(__file__).parent / "data" / "unit_costs.yaml"


@dataclass(frozen=True)
class DefaultCost:
    key: str
    value: float
    unit: str
    owner: str  # finance | staffing | education: the department that owns the resource
    confirmation: str
    note: str


def default_costs() -> tuple[dict[str, DefaultCost], DefaultCost]:
    """The documented default unit costs (data/unit_costs.yaml, all unconfirmed) and the cost of a move."""
    data = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))
    costs = {key: DefaultCost(key=key, **{k: v for k, v in entry.items()}) for key, entry in data["costs"].items()}
    return costs, DefaultCost(key="moves", **data["moves"])


MAX_PROJECTED_BYTES = 8 * 1024 * 1024


def read_projected(path: Path, year: int) -> dict[str, dict[int, dict[str, float]]]:
    """A projection file — the JSON of ``dudao forecast --format json`` (its scenario's figures), or
    ``{school_code: {year: {level: pupils}}}`` (the shape of the forecast's ``projected_students()``) — with
    the schools that have ``year`` (refused when none has it)."""
    text = _read_text(path, MAX_PROJECTED_BYTES, ("预测文件", "projection file"), "projected")
    try:
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("schools"), list) and "base_year" in data:
            forecast = CountyForecast.from_json(text)
            data = {code: {str(y): figures for y, figures in years.items()}
                    for code, years in forecast.projected_students().items()}  # fmt: skip
        out = {
            str(code): {year: {str(lvl): float(n) for lvl, n in years[str(year)].items()}}
            for code, years in data.items()
            if str(year) in years
        }
    except (ValueError, TypeError, AttributeError, ValidationError) as exc:
        raise InputError(
            [Problem("bad_projected", f"预测文件“{path.name}”应为 {{学校标识码: {{年份: {{学段: 人数}}}}}} 的 JSON",
                     f"the projection file {path.name!r} must be JSON {{school_code: {{year: {{level: pupils}}}}}}")]
        ) from exc  # fmt: skip
    if not out:
        raise InputError(
            [Problem("no_projection_for_year", f"预测文件“{path.name}”中没有 {year} 年的数据",
                     f"the projection file {path.name!r} has nothing for {year}", value=str(year))]
        )  # fmt: skip
    return out


CAP_COLUMNS = [
    ColumnSpec("school_code", "学校标识码", "text", aliases=("学校代码", "学校编码"), required=True),
    ColumnSpec("school_name", "学校名称", "text", aliases=("校名",)),
    *[ColumnSpec(f.key, f.zh, "number", aliases=f.aliases) for f in RESOURCE_FIELDS],
]


def read_caps(source: Path | bytes, name: str | None = None) -> dict[str, dict[str, float]]:
    """Per-school caps: {school_code: {column key: most that may be added}} (empty cells: no cap)."""
    table = read_table(source, CAP_COLUMNS, name=name)
    caps: dict[str, dict[str, float]] = {}
    seen: dict[str, int] = {}
    problems = []
    for row in table.rows:
        code = row["school_code"]
        if code in seen:
            problems.append(
                Problem("duplicate_school", f"学校标识码“{code}”重复（首次出现在第{seen[code]}行）",
                        f"school code {code!r} appears twice (first at row {seen[code]})",
                        sheet=table.sheet, row=row.row, column=table.headers["school_code"], value=code)
            )  # fmt: skip
            continue
        seen[code] = row.row
        limits = {f.key: float(row[f.key]) for f in RESOURCE_FIELDS if row[f.key] is not None}
        if limits:
            caps[code] = limits
    if problems:
        raise InputError(problems)
    return caps


# ---------------------------------------------------------------------------------------------------
# The plan as a workbook.

_SUMMARY = {
    "zh": ("方案汇总", "项目", "值", "是否可行", "总费用（元）", "最优性差距", "求解状态", "约束", "学校数"),
    "en": ("Summary", "Item", "Value", "Feasible", "Total cost (yuan)", "Optimality gap", "Solver status",
           "Binding", "Schools"),
}  # fmt: skip


def _header(key: str, lang: str) -> str:
    base, _, level = key.partition("@")
    f = FIELD_BY_KEY.get(base)
    name = f.zh if f is not None and lang == "zh" else base
    if f is None and base.endswith(("_primary", "_junior")):
        stem, lvl = base.rsplit("_", 1)
        g = FIELD_BY_KEY.get(stem)
        if g is not None and lang == "zh":
            name = f"{g.zh}（{'小学部' if lvl == 'primary' else '初中部'}）"
    if level:
        name += f"（{'小学' if level == 'primary' else '初中'}）" if lang == "zh" else f" ({level})"
    return name


def plan_workbook(plan: Plan, lang: str = "zh", meta: Mapping[str, Any] | None = None) -> Workbook:
    """The plan as a workbook (save it with :func:`dudao.sheets.writer.save_workbook`)."""
    zh = lang == "zh"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    title, item, value, feasible, total, gap, status, binding, n_schools = _SUMMARY["zh" if zh else "en"]
    ws.title = title
    ws.append([item, value])
    yes, no = ("是", "否") if zh else ("yes", "no")
    rows: list[list[Any]] = [
        [feasible, yes if plan.feasible else no],
        [total, plan.total_cost],
        [gap, plan.optimality_gap],
        [status, plan.status],
        [n_schools, len(plan.schools)],
    ]
    rows += [[str(k), str(v)] for k, v in (meta or {}).items()]
    rows += [[binding, b.message_zh if zh else b.message_en] for b in plan.binding]
    for r in rows:
        ws.append(r)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 70
    _schools_sheet(wb, plan, zh, lang)
    if plan.moves:
        mv = wb.create_sheet("教师交流" if zh else "Moves")
        mv.append(
            ["列", "调出学校", "调入学校", "人数", "费用（元）"] if zh else ["Column", "From", "To", "Teachers", "Cost"]
        )
        for m in plan.moves:
            mv.append([_header(m.column, lang), m.from_school, m.to_school, m.teachers, m.cost])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    return wb


def _schools_sheet(wb: Workbook, plan: Plan, zh: bool, lang: str) -> None:
    ws = wb.create_sheet("各校增配" if zh else "Schools")
    keys = sorted({k for s in plan.schools for k in s.add})
    ws.append(
        [*(["学校标识码", "学校名称"] if zh else ["School code", "School name"]), *[_header(k, lang) for k in keys],
         "费用（元）" if zh else "Cost (yuan)"]
    )  # fmt: skip
    for s in plan.schools:
        ws.append([s.school_code, s.school_name, *[s.add.get(k) for k in keys], s.cost])
    ws.append(["合计" if zh else "Total", "", *[sum(s.add.get(k, 0) for s in plan.schools) for k in keys],
               plan.total_cost])  # fmt: skip
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 24
    ws.freeze_panes = "C2"
