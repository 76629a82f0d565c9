"""The cheapest path to compliance: what to add where so that a county passes on resources (issue #14 §4).

Pure (numpy/pandas/pyscipopt, no Django). The input is one county's school table (the frame
``dudao evaluate`` reads), the standard, and the cost of one unit of each column that may change
(``{"sports_area_m2": 3000, "backbone_teachers": 150000}``, 元 per unit; a column without a cost is
not changed). Every figure of the rule comes from the standard through the engine itself:

* Each indicator value of each evaluated level part is linear in the additions to the file's columns.
  The coefficients are measured with the engine: the table is evaluated once as it is and once per
  costed column with that column raised by one unit in every row (``prepare`` splits a one-through
  school's facilities by weighted enrolment and reads its teachers per level — the measurement
  carries both). An addition to a teacher column of a whole-school one-through row goes to its
  per-level column (``backbone_teachers_primary``).
* Per-school rule (e.g. 6 of 7 met, the rest ≥ 85 %): a binary per part and unmet indicator,
  ``x ≥ t·m`` and ``x ≥ 0.85·t``, ``Σ m ≥ 6`` — no big-M (values only rise).
* CV ≤ c for each indicator and level: with wᵢ = Pᵢ/P, x̄ = Σ wᵢxᵢ (linear in the additions),
  ``‖(√wᵢ (xᵢ − x̄))ᵢ‖₂ ≤ c·x̄`` — a second-order cone, solved by SCIP (pyscipopt) with integers for
  whole things (teachers, rooms) and continuous m² and 元.
* Optional budget (Σ cost ≤ B), per-school caps ({school_code: {column: max addition}}), and
  teacher moves (交流轮岗) within a level at a cost per move: a donor never falls below a threshold
  it met.

The plan is evaluated by the engine before it is returned; a plan that does not pass is a bug
(:class:`PlanError`). When no plan fits, the relaxations without the budget, without the caps and
without one column's caps name the constraint that binds. :func:`greedy_plan` is the baseline of
the benchmark (the cheapest shortfall first).

>>> plan = optimise(frame, load("national-2017"), {"sports_area_m2": 3000, "backbone_teachers": 150000})
>>> plan.to_json()   # docs/plan-json.md
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from dudao.engine.evaluate import Evaluation, evaluate_table
from dudao.engine.fields import FIELD_BY_KEY, TEACHER_FIELDS
from dudao.engine.prepare import EVALUATED_LEVELS, code_text
from dudao.engine.problems import InputError, Problem
from dudao.engine.rules import TOLERANCE, compare, cv_rule
from dudao.standards import Standard

__all__ = [
    "Binding",
    "Move",
    "Plan",
    "PlanError",
    "PlanSchool",
    "apply_plan",
    "greedy_plan",
    "optimise",
    "plan_passes",
]

# The CV limit is met with a little to spare (relative), so that the solver's tolerances and the
# rounding of continuous amounts never tip a CV over it. Thresholds are met exactly: continuous
# amounts are rounded to hundredths and a part the solver's tolerance left a hair short is topped
# up (``_top_up``) — an integer count meets a bound exactly.
THRESHOLD_MARGIN = 1e-9
CV_MARGIN = 2e-5
ROUND_PLACES = 2  # continuous amounts (m², 元) are rounded up to hundredths


class PlanError(RuntimeError):
    """A plan the engine does not pass (a bug of the optimiser, never the user's input)."""


@dataclass(frozen=True)
class Binding:
    """A constraint that binds: when no plan fits, the one whose removal makes a plan possible; when a
    plan is found, the budget spent to its end or a cap reached."""

    kind: str  # "budget" | "caps" | "cap" | "uncosted"
    message_zh: str
    message_en: str
    column: str | None = None
    school_code: str | None = None
    indicator: str | None = None
    level: str | None = None
    value: float | None = None  # the cap, the budget, or the least cost without the budget

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "column": self.column,
            "school_code": self.school_code,
            "indicator": self.indicator,
            "level": self.level,
            "value": self.value,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class PlanSchool:
    school_code: str
    school_name: str
    add: dict[str, float]  # file column key -> amount added
    cost: float

    def as_dict(self) -> dict[str, Any]:
        return {"school_code": self.school_code, "add": dict(self.add), "cost": self.cost}


@dataclass(frozen=True)
class Move:
    """``teachers`` teachers of ``column`` move from one school to another (交流轮岗)."""

    column: str
    from_school: str
    to_school: str
    teachers: int
    cost: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "from": self.from_school,
            "to": self.to_school,
            "teachers": self.teachers,
            "cost": self.cost,
        }


@dataclass(frozen=True)
class Plan:
    feasible: bool
    total_cost: float | None
    optimality_gap: float | None  # (found − bound)/found; 0 at a proven optimum; None for greedy/infeasible
    binding: list[Binding]
    schools: list[PlanSchool]
    moves: list[Move] = field(default_factory=list)
    status: str = ""  # SCIP's status ("optimal", "timelimit", "infeasible") or "greedy"
    method: str = "optimum"  # "optimum" | "greedy"
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The JSON of docs/plan-json.md (``moves`` only when moves were allowed)."""
        out: dict[str, Any] = {
            "feasible": self.feasible,
            "total_cost": self.total_cost,
            "optimality_gap": self.optimality_gap,
            "binding": [b.as_dict() for b in self.binding],
            "schools": [s.as_dict() for s in self.schools],
        }
        if self.moves:
            out["moves"] = [m.as_dict() for m in self.moves]
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------------
# The instance: the county's parts, their indicator values and how each costed column moves them.


@dataclass
class _Instance:
    frame: pd.DataFrame  # the county's rows, with source_row
    standard: Standard
    present: frozenset[str] | None
    codes: list[str]  # indicator codes with thresholds
    thresholds: np.ndarray  # (parts, indicators)
    x0: np.ndarray  # (parts, indicators) values as they are
    level: np.ndarray  # (parts,) "primary" | "junior"
    students: np.ndarray  # (parts,)
    part_row: np.ndarray  # (parts,) index of the frame row the part comes from
    columns: list[str]  # file columns that may change
    base: dict[str, str]  # file column -> the costed key it belongs to
    unit_cost: dict[str, float]  # file column -> 元 per unit
    integer: dict[str, bool]
    gain: dict[str, np.ndarray]  # file column -> (parts, indicators) change per unit added to the part's row
    min_met: int
    min_ratio: float
    cv_limit: dict[str, float]
    school_code: list[str]  # per frame row
    school_name: list[str]

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    def values(self, add: Mapping[str, np.ndarray]) -> np.ndarray:
        x = self.x0.copy()
        for col, amounts in add.items():
            x += self.gain[col] * amounts[self.part_row][:, None]
        return x


def _problem(rule: str, zh: str, en: str, **where: Any) -> Problem:
    return Problem(rule, zh, en, **where)


def _check_costs(frame: pd.DataFrame, costs: Mapping[str, float]) -> list[Problem]:
    problems = []
    for key, cost in costs.items():
        f = FIELD_BY_KEY.get(key)
        if f is None or f.group not in ("teacher", "facility"):
            problems.append(
                _problem(
                    "unknown_cost_column", f"“{key}”不是可增配的资源列（教师或办学条件列）",
                    f"{key!r} is not a resource column (a teacher or facility column)", column=key,
                )
            )  # fmt: skip
            continue
        if not isinstance(cost, int | float) or isinstance(cost, bool) or not math.isfinite(cost) or cost < 0:
            problems.append(
                _problem("bad_cost", f"“{key}”的单价应为不小于 0 的数", f"the unit cost of {key} must be a number ≥ 0",
                         column=key, value=str(cost))
            )  # fmt: skip
            continue
        variants = _file_columns(frame, key)
        if not variants:
            problems.append(
                _problem(
                    "cost_column_absent", f"数据表中没有“{f.zh}”（{key}）列，无法增配",
                    f"the table has no column {key} ({f.zh}) to add to", column=key,
                )
            )  # fmt: skip
    return problems


def _file_columns(frame: pd.DataFrame, key: str) -> list[str]:
    """The file's columns an addition of ``key`` goes to: the column itself and, for a teacher column,
    its per-level columns of whole-school one-through rows."""
    out = [key] if key in frame else []
    if key in TEACHER_FIELDS:
        out += [f"{key}_{lvl}" for lvl in EVALUATED_LEVELS if f"{key}_{lvl}" in frame]
    if key == "equipment_value_yuan" and not out and "equipment_value_wan" in frame:
        out = ["equipment_value_wan"]
    return out


def _evaluate(frame: pd.DataFrame, standard: Standard, present: frozenset[str] | None) -> Evaluation:
    return evaluate_table(frame, standard, present)


def _parts_key(ev: Evaluation) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([ev.schools["source_row"].to_numpy(), ev.schools["level"].astype(str).to_numpy()])


def _build(
    frame: pd.DataFrame, standard: Standard, costs: Mapping[str, float], present: frozenset[str] | None
) -> _Instance:
    """Measure the county's parts and the gains of each costed column with the engine."""
    frame = frame.reset_index(drop=True).copy()
    if "source_row" not in frame:
        frame["source_row"] = np.arange(2, len(frame) + 2)
    _refuse_input(frame, standard, costs)
    rule = cv_rule(standard)
    ev = _evaluate(frame, standard, present)
    _refuse_no_data(ev, standard)
    codes = [ind.code for ind in standard.indicators if ind.thresholds]
    x0 = np.column_stack([ev.schools[f"{c}_value"].to_numpy(dtype=float) for c in codes])
    thresholds = np.column_stack([ev.schools[f"{c}_threshold"].to_numpy(dtype=float) for c in codes])
    row_of = {int(r): i for i, r in enumerate(frame["source_row"].to_numpy())}
    part_row = np.array([row_of[int(r)] for r in ev.schools["source_row"]], dtype=np.int64)
    key0 = _parts_key(ev)
    columns, base, unit_cost, integer, gain = [], {}, {}, {}, {}
    for key, cost in costs.items():
        for col in _file_columns(frame, key):
            g = _gain(frame, standard, present, col, codes, x0, key0)
            if g.any():
                columns.append(col)
                base[col] = key
                unit_cost[col] = float(cost) * (10_000 if col == "equipment_value_wan" and key != col else 1)
                integer[col] = FIELD_BY_KEY[key].kind == "int"
                gain[col] = g
    school_rule = standard.school_rule
    assert school_rule is not None  # _refuse_input
    return _Instance(
        frame=frame,
        standard=standard,
        present=present,
        codes=codes,
        thresholds=thresholds,
        x0=x0,
        level=ev.schools["level"].astype(str).to_numpy(),
        students=ev.schools["students"].to_numpy(dtype=float),
        part_row=part_row,
        columns=columns,
        base=base,
        unit_cost=unit_cost,
        integer=integer,
        gain=gain,
        min_met=int(school_rule.min_met.value),
        min_ratio=float(school_rule.min_ratio_unmet.value),
        cv_limit={lvl: float(t.value) for lvl, t in rule.limits.items()},
        school_code=[code_text(c) for c in frame["school_code"]],
        school_name=[str(n) if n is not None else "" for n in frame.get("school_name", [""] * len(frame))],
    )


def _gain(
    frame: pd.DataFrame,
    standard: Standard,
    present: frozenset[str] | None,
    col: str,
    codes: list[str],
    x0: np.ndarray,
    key0: pd.MultiIndex,
) -> np.ndarray:
    """(parts, indicators): how each part's values change when its row's ``col`` rises by one unit."""
    bumped = frame.copy()
    bumped[col] = pd.to_numeric(bumped[col], errors="coerce") + 1.0
    ev1 = _evaluate(bumped, standard, present)
    order = _parts_key(ev1).get_indexer(key0)
    x1 = np.column_stack([ev1.schools[f"{c}_value"].to_numpy(dtype=float)[order] for c in codes])
    g: np.ndarray = np.nan_to_num(x1 - x0, nan=0.0)
    g[np.abs(g) < 1e-12 * np.maximum(np.abs(x0), 1.0)] = 0.0
    return g


def _refuse_input(frame: pd.DataFrame, standard: Standard, costs: Mapping[str, float]) -> None:
    """Costs, counties and a standard that cannot be planned for: every problem at once."""
    problems = _check_costs(frame, costs)
    counties = {code_text(c) for c in frame["county_code"]} - {""} if "county_code" in frame else set()
    if len(counties) > 1:
        problems.append(
            _problem("several_counties", f"一次只能为一个县测算方案，数据中有 {len(counties)} 个县",
                     f"a plan is for one county; the table holds {len(counties)}")
        )  # fmt: skip
    rule = cv_rule(standard)
    if rule.mode != "each" or standard.school_rule is None:
        problems.append(
            _problem("unsupported_standard", f"标准 {standard.id} 不是逐项差异系数加每校规则，无法测算方案",
                     f"standard {standard.id} has no per-indicator CV limits and per-school rule to plan for")
        )  # fmt: skip
    problems += [
        _problem("unsupported_standard", f"指标 {ind.code} 的标准不是“不低于”，无法测算方案",
                 f"indicator {ind.code} is not a lower bound; it cannot be planned for")
        for ind in standard.indicators
        if ind.thresholds and any(t.op not in (">=", ">") for t in ind.thresholds.values())
    ]  # fmt: skip
    if problems:
        raise InputError(problems)


def _refuse_no_data(ev: Evaluation, standard: Standard) -> None:
    if ev.no_data:
        raise InputError(
            [
                _problem(
                    "no_data", f"指标 {code} 无数据：缺少的列无法测算方案",
                    f"indicator {code} has no data: cannot plan", column=code,
                )
                for code in ev.no_data
            ]
        )  # fmt: skip
    if ev.schools.empty:
        raise InputError([_problem("no_schools", "没有参评学校", "no school is evaluated")])


# ---------------------------------------------------------------------------------------------------
# A target year: the projected enrolment with today's resources.


# ---------------------------------------------------------------------------------------------------
# Checking a plan with the engine.


def apply_plan(frame: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The table with the plan's additions (and moves) applied to its columns."""
    out = frame.reset_index(drop=True).copy()
    codes = [code_text(c) for c in out["school_code"]]
    rows_of: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        rows_of.setdefault(code, []).append(i)
    for school in plan.schools:
        for col, amount in school.add.items():
            _add_to_school(out, rows_of, school.school_code, col, amount)
    for move in plan.moves:
        _add_to_school(out, rows_of, move.from_school, move.column, -move.teachers)
        _add_to_school(out, rows_of, move.to_school, move.column, move.teachers)
    return out


def _add_to_school(frame: pd.DataFrame, rows_of: dict[str, list[int]], code: str, col: str, amount: float) -> None:
    """Add to the school's one row holding the column (a level row of a split school: its level's)."""
    level = col.rsplit("@", 1)[1] if "@" in col else None
    col = col.rsplit("@", 1)[0]
    if col not in frame:
        raise PlanError(f"the table has no column {col}")
    values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, copy=True)
    rows = [r for r in rows_of.get(code, []) if not np.isnan(values[r])]
    if level is not None:
        rows = [r for r in rows if str(frame.at[r, "level"]) in (level, _level_zh(level))]
    if not rows:
        raise PlanError(f"school {code} has no row with column {col}")
    values[rows[0]] += amount
    frame[col] = values


def _level_zh(level: str) -> str:
    return {"primary": "小学", "junior": "初中"}.get(level, level)


def plan_passes(frame: pd.DataFrame, standard: Standard, present: frozenset[str] | None = None) -> bool:
    """Whether the engine passes the county on resources: every CV within its limit, every school
    meeting the per-school rule."""
    ev = evaluate_table(frame, standard, present)
    levels = ev.levels
    return bool(levels["cvs_passed"].eq(True).all() and levels["schools_rule_passed"].eq(True).all())


def _verify(inst: _Instance, plan: Plan) -> Plan:
    if plan.feasible and not plan_passes(apply_plan(inst.frame, plan), inst.standard, inst.present):
        raise PlanError("the plan does not pass the engine's evaluation (a bug of the optimiser)")
    return plan


# ---------------------------------------------------------------------------------------------------
# Turning amounts per (row, column) into the plan.


def _row_col_key(inst: _Instance, row: int, col: str) -> str:
    """The key an addition is reported under: the column; a level row of a school with several rows
    gets ``column@level`` so that it lands on its level's row."""
    code = inst.school_code[row]
    same = [r for r, c in enumerate(inst.school_code) if c == code]
    if len(same) > 1:
        lvl = str(inst.frame.at[row, "level"]) if "level" in inst.frame else ""
        for level in EVALUATED_LEVELS:
            if lvl in (level, _level_zh(level)):
                return f"{col}@{level}"
    return col


def _schools(inst: _Instance, add: Mapping[str, np.ndarray]) -> tuple[list[PlanSchool], float]:
    by_school: dict[str, dict[str, float]] = {}
    names: dict[str, str] = {}
    costs: dict[str, float] = {}
    for col, amounts in add.items():
        for row in np.flatnonzero(amounts > 0):
            code = inst.school_code[row]
            amount = float(amounts[row])
            key = _row_col_key(inst, int(row), col)
            by_school.setdefault(code, {})[key] = by_school.get(code, {}).get(key, 0.0) + amount
            names[code] = inst.school_name[row]
            costs[code] = costs.get(code, 0.0) + amount * inst.unit_cost[col]
    schools = [
        PlanSchool(code, names[code], {k: _clean(v) for k, v in sorted(adds.items())}, round(costs[code], 2))
        for code, adds in sorted(by_school.items())
    ]
    return schools, round(sum(costs.values()), 2)


def _clean(v: float) -> float:
    return round(v) if abs(v - round(v)) < 1e-9 else round(v, ROUND_PLACES)  # whole amounts as integers


def _round_amount(v: float, integer: bool, ub: float) -> float:
    if v < 1e-7:
        return 0.0
    if integer:
        return float(round(v))
    step = float(10**ROUND_PLACES)
    nearest = round(v * step) / step
    return nearest if abs(v - nearest) < 1e-6 else math.ceil(v * step) / step


# ---------------------------------------------------------------------------------------------------
# Caps.


def _caps_by_row(
    inst: _Instance, caps: Mapping[str, Mapping[str, float]] | None
) -> dict[tuple[str, str], tuple[list[tuple[int, str]], float]]:
    """(school_code, costed key) -> (its (row, file column) variables, cap)."""
    out: dict[tuple[str, str], tuple[list[tuple[int, str]], float]] = {}
    for code, limits in (caps or {}).items():
        rows = [r for r, c in enumerate(inst.school_code) if c == str(code)]
        for key, cap in limits.items():
            cells = [(r, col) for col in inst.columns if inst.base[col] == key for r in rows]
            out[(str(code), key)] = (cells, float(cap))
    return out


def _check_caps(inst: _Instance, caps: Mapping[str, Mapping[str, float]] | None) -> None:
    problems = []
    known = set(inst.school_code)
    for code, limits in (caps or {}).items():
        if str(code) not in known:
            problems.append(
                _problem("unknown_school", f"上限表中的学校“{code}”不在数据表中",
                         f"school {code} of the caps is not in the table", value=str(code))
            )  # fmt: skip
        for key, cap in limits.items():
            if key not in FIELD_BY_KEY:
                problems.append(
                    _problem("unknown_cap_column", f"上限表中的“{key}”不是数据表的列",
                             f"{key!r} of the caps is not a column of the table", column=key)
                )  # fmt: skip
            if not isinstance(cap, int | float) or not math.isfinite(cap) or cap < 0:
                problems.append(
                    _problem("bad_cap", f"学校“{code}”的“{key}”上限应为不小于 0 的数",
                             f"the cap of {key} for school {code} must be a number ≥ 0", column=key, value=str(cap))
                )  # fmt: skip
    if problems:
        raise InputError(problems)


# ---------------------------------------------------------------------------------------------------
# The optimum (SCIP).


@dataclass
class _Options:
    caps: Mapping[str, Mapping[str, float]] | None
    budget: float | None
    move_cost: float | None
    time_limit: float
    skip_caps: frozenset[str] = frozenset()  # costed keys whose caps are dropped (relaxations)
    all_caps: bool = True


@dataclass
class _Solved:
    status: str
    add: dict[str, np.ndarray]
    inflow: dict[str, np.ndarray]
    outflow: dict[str, np.ndarray]
    gap: float | None
    objective: float | None


def _move_columns(inst: _Instance, opts: _Options) -> list[str]:
    if opts.move_cost is None:
        return []
    return [c for c in inst.columns if inst.base[c] in TEACHER_FIELDS]


def _row_level(inst: _Instance, row: int, col: str) -> str | None:
    """The level whose teachers a (row, teacher column) counts."""
    for lvl in EVALUATED_LEVELS:
        if col.endswith(f"_{lvl}"):
            return lvl
    levels = set(inst.level[inst.part_row == row])
    return levels.pop() if len(levels) == 1 else None


class _Model:
    """The SCIP model of one instance, built step by step (see the module's docstring)."""

    def __init__(self, inst: _Instance, opts: _Options) -> None:
        from pyscipopt import Model  # the solver is loaded only when a plan is asked for

        self.inst, self.opts = inst, opts
        self.model = Model("dudao-plan")
        self.model.hideOutput()
        self.model.setParam("limits/time", max(opts.time_limit, 0.1))
        self.add_vars: dict[tuple[int, str], Any] = {}
        self.inflow: dict[tuple[int, str], Any] = {}
        self.outflow: dict[tuple[int, str], Any] = {}
        self.moves = _move_columns(inst, opts)
        for col in inst.columns:
            vtype = "I" if inst.integer[col] else "C"
            for r in np.unique(inst.part_row[np.flatnonzero(inst.gain[col].any(axis=1))]):
                self.add_vars[(int(r), col)] = self.model.addVar(lb=0.0, vtype=vtype)
        for col in self.moves:
            self._moves(col)
        self.values = self._values()

    def _moves(self, col: str) -> None:
        from pyscipopt import quicksum

        have = pd.to_numeric(self.inst.frame[col], errors="coerce").to_numpy(dtype=float)
        by_level: dict[str | None, list[int]] = {}
        for r in sorted({k[0] for k in self.add_vars if k[1] == col}):
            self.inflow[(r, col)] = self.model.addVar(lb=0.0, vtype="I")
            self.outflow[(r, col)] = self.model.addVar(lb=0.0, ub=max(float(np.nan_to_num(have[r])), 0.0), vtype="I")
            by_level.setdefault(_row_level(self.inst, r, col), []).append(r)
        for lvl, rows in by_level.items():
            if lvl is None:  # a row of several levels cannot tell whose teachers move
                for r in rows:
                    self.model.addCons(self.inflow[(r, col)] + self.outflow[(r, col)] == 0)
                continue
            self.model.addCons(
                quicksum(self.inflow[(r, col)] for r in rows) == quicksum(self.outflow[(r, col)] for r in rows)
            )

    def _change(self, r: int, col: str) -> Any:
        expr = self.add_vars[(r, col)]
        if (r, col) in self.inflow:
            expr = expr + self.inflow[(r, col)] - self.outflow[(r, col)]
        return expr

    def _values(self) -> list[list[Any]]:
        """Each part's indicator values: floats where nothing changes them, expressions elsewhere."""
        inst = self.inst
        n_parts, n_ind = inst.x0.shape
        values: list[list[Any]] = [[float(inst.x0[p, k]) for k in range(n_ind)] for p in range(n_parts)]
        for col in inst.columns:
            g = inst.gain[col]
            for pi in np.flatnonzero(g.any(axis=1)):
                r = int(inst.part_row[pi])
                for ki in np.flatnonzero(g[pi]):
                    values[pi][ki] = values[pi][ki] + float(g[pi, ki]) * self._change(r, col)
        return values

    def school_rule(self) -> None:
        """Per part: a binary per unmet indicator, ``x ≥ t·m``, ``x ≥ share·t``, enough met."""
        from pyscipopt import quicksum

        inst = self.inst
        met0 = compare(inst.x0, ">=", inst.thresholds)
        for p, row in enumerate(self.values):
            met_terms: list[Any] = []
            for k, v in enumerate(row):
                t = float(inst.thresholds[p, k])
                if met0[p, k]:
                    if self.moves and not isinstance(v, float):
                        self.model.addCons(v >= t)  # a donor keeps what it met
                    met_terms.append(1)
                elif not isinstance(v, float):  # a fixed one below 85 %: _fixed_failures tells
                    m = self.model.addVar(vtype="B")
                    self.model.addCons(v >= t * m)
                    self.model.addCons(v >= inst.min_ratio * t)
                    met_terms.append(m)
            self.model.addCons(quicksum(met_terms) >= inst.min_met)

    def cones(self) -> None:
        """Per level and indicator: ‖(√wᵢ (xᵢ − x̄))‖₂ ≤ c·x̄, scaled to figures near 1."""
        from pyscipopt import quicksum, sqrt

        inst = self.inst
        for lvl in EVALUATED_LEVELS:
            parts = np.flatnonzero(inst.level == lvl)
            if not len(parts) or lvl not in inst.cv_limit:
                continue
            w = inst.students[parts] / inst.students[parts].sum()
            limit = inst.cv_limit[lvl] * (1 - CV_MARGIN)
            for k in range(len(inst.codes)):
                column = [self.values[int(pi)][k] for pi in parts]
                if all(isinstance(v, float) for v in column):
                    continue  # unchanged: _fixed_failures tells if it is over the limit
                scale = max(float(np.dot(w, inst.x0[parts, k])), float(np.max(inst.thresholds[parts, k])), 1e-9)
                mean = self.model.addVar(lb=0.0)
                self.model.addCons(mean == quicksum(float(wi) / scale * v for wi, v in zip(w, column, strict=True)))
                devs = []
                for wi, v in zip(w, column, strict=True):
                    d = self.model.addVar(lb=None)
                    self.model.addCons(d == math.sqrt(wi) * (v / scale - mean))
                    devs.append(d)
                self.model.addCons(sqrt(quicksum(d * d for d in devs)) <= limit * mean)

    def limits(self) -> Any:
        """Caps and budget; the cost expression."""
        from pyscipopt import quicksum

        opts = self.opts
        cap_cells = _caps_by_row(self.inst, opts.caps) if opts.all_caps else {}
        for (_, key), (cells, cap) in cap_cells.items():
            terms = [self.add_vars[c] for c in cells if c in self.add_vars]
            if terms and key not in opts.skip_caps:
                self.model.addCons(quicksum(terms) <= cap)
        cost = quicksum(self.inst.unit_cost[col] * v for (_, col), v in self.add_vars.items())
        if self.inflow:
            cost = cost + quicksum(float(opts.move_cost or 0.0) * v for v in self.inflow.values())
        if opts.budget is not None:
            self.model.addCons(cost <= opts.budget)
        return cost

    def start(self, add: Mapping[str, np.ndarray]) -> None:
        """A known plan (the greedy one) as a partial start: SCIP completes and tries it."""
        sol = self.model.createPartialSol()
        for (r, col), v in self.add_vars.items():
            self.model.setSolVal(sol, v, float(add[col][r]) if col in add else 0.0)
        for v in [*self.inflow.values(), *self.outflow.values()]:
            self.model.setSolVal(sol, v, 0.0)
        self.model.addSol(sol)

    def solve(self, start: Mapping[str, np.ndarray] | None) -> _Solved:
        self.school_rule()
        self.cones()
        self.model.setObjective(self.limits(), "minimize")
        if start is not None:
            self.start(start)
        self.model.optimize()
        status = self.model.getStatus()
        if self.model.getNSols() == 0:
            return _Solved(status, {}, {}, {}, None, None)
        return self._solution(status)

    def _solution(self, status: str) -> _Solved:
        inst, model = self.inst, self.model
        sol = model.getBestSol()
        add = {col: np.zeros(inst.n_rows) for col in inst.columns}
        for (r, col), v in self.add_vars.items():
            add[col][r] = _round_amount(model.getSolVal(sol, v), inst.integer[col], math.inf)
        inn = {col: np.zeros(inst.n_rows) for col in self.moves}
        out = {col: np.zeros(inst.n_rows) for col in self.moves}
        for (r, col), v in self.inflow.items():
            inn[col][r] = round(model.getSolVal(sol, v))
            out[col][r] = round(model.getSolVal(sol, self.outflow[(r, col)]))
        _top_up(inst, add)
        gap = float(model.getGap()) if status != "optimal" else 0.0
        return _Solved(status, add, inn, out, gap if math.isfinite(gap) else None, float(model.getSolObjVal(sol)))


def _solve(inst: _Instance, opts: _Options, start: Mapping[str, np.ndarray] | None = None) -> _Solved:
    return _Model(inst, opts).solve(start)


def _part_passes(inst: _Instance, x: np.ndarray, p: int) -> bool:
    t = inst.thresholds[p]
    met = compare(x, ">=", t)
    return bool(met.sum() >= inst.min_met and (met | compare(x / t, ">=", inst.min_ratio)).all())


def _top_up(inst: _Instance, add: dict[str, np.ndarray]) -> None:
    """Continuous amounts the solver's tolerance left a hair short of a threshold (a part that would
    fail the per-school rule by less than 1e-6) get the hundredths they lack."""
    x = inst.values(add)
    for p in range(len(x)):
        if _part_passes(inst, x[p], p):
            continue
        t = inst.thresholds[p]
        for k in range(len(t)):
            for target in (t[k], inst.min_ratio * t[k]):
                if x[p, k] < target and x[p, k] >= target * (1 - 1e-6):
                    _raise_to(inst, add, x, p, k, float(target))


def _raise_to(inst: _Instance, add: dict[str, np.ndarray], x: np.ndarray, p: int, k: int, target: float) -> None:
    row = int(inst.part_row[p])
    for col in inst.columns:
        g = inst.gain[col][p, k]
        if inst.integer[col] or g <= 0 or add[col][row] <= 0:
            continue
        step = 10**ROUND_PLACES
        extra = math.ceil((target - x[p, k]) / g * step + 1e-9) / step
        add[col][row] += extra
        x[inst.part_row == row] += inst.gain[col][inst.part_row == row] * extra
        return


def _pair_moves(inst: _Instance, solved: _Solved, move_cost: float) -> list[Move]:
    moves: list[Move] = []
    for col, inn in solved.inflow.items():
        out = solved.outflow[col].copy()
        need = inn.copy()
        for lvl in (*EVALUATED_LEVELS, None):
            rows = [r for r in range(inst.n_rows) if _row_level(inst, r, col) == lvl]
            donors = [r for r in rows if out[r] > 0]
            for r in [r for r in rows if need[r] > 0]:
                while need[r] > 0 and donors:
                    d = donors[0]
                    n = min(need[r], out[d])
                    moves.append(Move(col, inst.school_code[d], inst.school_code[r], int(n), round(n * move_cost, 2)))
                    need[r] -= n
                    out[d] -= n
                    if out[d] <= 0:
                        donors.pop(0)
    return moves


def optimise(
    frame: pd.DataFrame,
    standard: Standard,
    costs: Mapping[str, float],
    caps: Mapping[str, Mapping[str, float]] | None = None,
    budget: float | None = None,
    move_cost: float | None = None,
    present: frozenset[str] | None = None,
    time_limit: float = 60.0,
) -> Plan:
    """The least-cost plan that makes the county pass on resources (see the module's docstring).

    Raises :class:`InputError` for input that cannot be planned for (unknown or absent columns, an
    indicator without data, several counties) and :class:`PlanError` if the plan found does not pass.
    """
    started = time.monotonic()
    inst = _build(frame, standard, costs, present)
    _check_caps(inst, caps)
    if budget is not None and (not math.isfinite(budget) or budget < 0):
        raise InputError([_problem("bad_budget", "预算应为不小于 0 的数", "the budget must be a number ≥ 0")])
    opts = _Options(caps, budget, move_cost, time_limit)
    fixed = _fixed_failures(inst)
    if fixed:
        return Plan(False, None, None, fixed, [], status="infeasible", seconds=time.monotonic() - started)
    greedy = _Greedy(inst, caps)
    start = greedy.add if greedy.school_rule() and greedy.cvs(200_000) else None
    solved = _solve(inst, opts, start)
    if not solved.add:
        binding = _why_infeasible(inst, opts) if solved.status == "infeasible" else [_out_of_time(opts.time_limit)]
        return Plan(False, None, None, binding, [], status=solved.status, seconds=time.monotonic() - started)
    schools, total = _schools(inst, solved.add)
    moves = _pair_moves(inst, solved, float(move_cost or 0.0))
    total = round(total + sum(m.cost for m in moves), 2)
    plan = Plan(
        True,
        total,
        solved.gap,
        _active(inst, opts, solved, total),
        schools,
        moves,
        status=solved.status,
        seconds=time.monotonic() - started,
    )
    return _verify(inst, plan)


def _active(inst: _Instance, opts: _Options, solved: _Solved, total: float) -> list[Binding]:
    """The budget spent to its end and the caps reached by a plan."""
    out = []
    if opts.budget is not None and total >= opts.budget * (1 - 1e-6) - 0.01:
        out.append(_budget_binding(opts.budget, total))
    for (code, key), (cells, cap) in _caps_by_row(inst, opts.caps).items():
        used = sum(float(solved.add[col][r]) for r, col in cells if col in solved.add)
        if cells and used >= cap - 1e-6 and cap > 0:
            out.append(
                Binding(
                    "cap", f"学校 {code} 的“{FIELD_BY_KEY[key].zh}”已用到上限 {_fmt(cap)}",
                    f"school {code} reaches its cap of {_fmt(cap)} for {key}", column=key, school_code=code, value=cap,
                )
            )  # fmt: skip
    return out


def _out_of_time(limit: float) -> Binding:
    return Binding(
        "time_limit", f"求解时限 {_fmt(limit)} 秒内未找到方案（未证明无解）：请放宽时限再试",
        f"no plan found within the time limit of {_fmt(limit)} s (not proven infeasible): allow more time",
        value=limit,
    )  # fmt: skip


def _fmt(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _budget_binding(budget: float, least: float) -> Binding:
    return Binding(
        "budget",
        f"预算 {_fmt(budget)} 元不足：达标至少需要 {_fmt(least)} 元"
        if least > budget
        else f"预算 {_fmt(budget)} 元已用完",
        f"the budget of {_fmt(budget)} yuan is too small: compliance needs at least {_fmt(least)} yuan"
        if least > budget
        else f"the budget of {_fmt(budget)} yuan is spent",
        value=budget,
    )


def _why_infeasible(inst: _Instance, opts: _Options) -> list[Binding]:
    """Name the constraint that binds: re-solve without the budget, without the caps, without one
    column's caps; what is left is a figure no costed column can raise."""
    short = max(opts.time_limit / 4, 1.0)
    free = _solve(inst, replace(opts, budget=None, all_caps=False, time_limit=short))
    if not free.add:
        return _uncosted(inst)
    out: list[Binding] = []
    has_caps = bool(opts.caps)
    if opts.budget is not None:
        no_budget = _solve(inst, replace(opts, budget=None, time_limit=short))
        if no_budget.add:
            least = _schools(inst, no_budget.add)[1]
            return [_budget_binding(opts.budget, least)]
    if has_caps:
        keys = sorted({k for limits in (opts.caps or {}).values() for k in limits})
        for key in keys:
            relaxed = _solve(inst, replace(opts, skip_caps=frozenset({key}), time_limit=short))
            if relaxed.add:
                out.append(
                    Binding("caps", f"“{FIELD_BY_KEY[key].zh}”（{key}）的学校上限使方案无法达标",
                            f"the schools' caps on {key} leave no plan", column=key)
                )  # fmt: skip
        if not out:
            out.append(Binding("caps", "各校上限合起来使方案无法达标", "the schools' caps together leave no plan"))
    if opts.budget is not None and (not has_caps or not out):
        out.append(_budget_binding(opts.budget, _schools(inst, free.add)[1]))
    return out


def _fixed_failures(inst: _Instance) -> list[Binding]:
    """What no costed column can change and fails: a CV over its limit whose values no column
    raises, a school's indicator below the share of its threshold that nothing raises."""
    movable = np.zeros(inst.x0.shape, dtype=bool)
    for col in inst.columns:
        movable |= inst.gain[col] > 0
    out = []
    for lvl in EVALUATED_LEVELS:
        parts = inst.level == lvl
        if not parts.any() or lvl not in inst.cv_limit:
            continue
        w = inst.students[parts] / inst.students[parts].sum()
        for k, code in enumerate(inst.codes):
            x = inst.x0[parts, k]
            mean = float(w @ x)
            if movable[parts, k].any() or mean <= 0:
                continue
            cv = math.sqrt(float(w @ (x - mean) ** 2)) / mean
            if not compare(cv, "<=", inst.cv_limit[lvl]):
                out.append(_uncosted_binding(code, lvl, f"差异系数 {cv:.3f} 超过 {inst.cv_limit[lvl]}",
                                             f"CV {cv:.3f} over {inst.cv_limit[lvl]}"))  # fmt: skip
    low = ~movable & ~compare(inst.x0 / inst.thresholds, ">=", inst.min_ratio)
    for p, k in zip(*np.nonzero(low), strict=True):
        out.append(
            replace(
                _uncosted_binding(inst.codes[k], str(inst.level[p]), "学校低于标准的 85%", "a school below 85 %"),
                school_code=inst.school_code[int(inst.part_row[p])],
            )
        )
    return out


def _uncosted_binding(code: str, lvl: str, why_zh: str, why_en: str) -> Binding:
    return Binding(
        "uncosted", f"指标 {code}（{_level_zh(lvl)}）{why_zh}，但没有给出能提高它的列的单价",
        f"indicator {code} ({lvl}): {why_en}, and no column that raises it has a unit cost", indicator=code, level=lvl,
    )  # fmt: skip


def _uncosted(inst: _Instance) -> list[Binding]:
    """The indicators no costed column raises, where a school or a CV needs them raised."""
    out = []
    for k, code in enumerate(inst.codes):
        if any(inst.gain[c][:, k].any() for c in inst.columns):
            continue
        for lvl in EVALUATED_LEVELS:
            if (inst.level == lvl).any():
                out.append(
                    Binding(
                        "uncosted", f"没有给出能提高指标 {code}（{_level_zh(lvl)}）的列的单价",
                        f"no column that raises indicator {code} ({lvl}) has a unit cost", indicator=code, level=lvl,
                    )
                )  # fmt: skip
    if not out:
        out.append(
            Binding("uncosted", "现有单价的列无法使全部指标达标", "the costed columns cannot bring every figure up")
        )
    return out


# ---------------------------------------------------------------------------------------------------
# The greedy baseline: the cheapest shortfall first.


def greedy_plan(
    frame: pd.DataFrame,
    standard: Standard,
    costs: Mapping[str, float],
    caps: Mapping[str, Mapping[str, float]] | None = None,
    budget: float | None = None,
    present: frozenset[str] | None = None,
    max_steps: int = 200_000,
) -> Plan:
    """Each school's cheapest way to its rule, then raise the lowest school of the worst CV with the
    cheapest column until every CV is within its limit. No moves; no optimality claim."""
    started = time.monotonic()
    inst = _build(frame, standard, costs, present)
    _check_caps(inst, caps)
    state = _Greedy(inst, caps)
    ok = state.school_rule() and state.cvs(max_steps)
    schools, total = _schools(inst, state.add)
    seconds = time.monotonic() - started
    if not ok:
        binding = [Binding("greedy", "贪心法未找到达标方案", "the greedy baseline found no plan")]
        return Plan(False, None, None, binding, [], status="greedy", method="greedy", seconds=seconds)
    if budget is not None and total > budget:
        return Plan(False, None, None, [_budget_binding(budget, total)], [], status="greedy", method="greedy",
                    seconds=seconds)  # fmt: skip
    plan = Plan(True, total, None, [], schools, status="greedy", method="greedy", seconds=seconds)
    return _verify(inst, plan)


class _Greedy:
    def __init__(self, inst: _Instance, caps: Mapping[str, Mapping[str, float]] | None) -> None:
        self.inst = inst
        self.add = {col: np.zeros(inst.n_rows) for col in inst.columns}
        self.room: dict[tuple[int, str], float] = {}
        self.cap_of: dict[tuple[int, str], tuple[str, str]] = {}
        self.cap_left: dict[tuple[str, str], float] = {}
        for (code, key), (cells, cap) in _caps_by_row(inst, caps).items():
            self.cap_left[(code, key)] = cap
            for cell in cells:
                self.cap_of[cell] = (code, key)
        self.x = inst.values(self.add)

    def left(self, row: int, col: str) -> float:
        key = self.cap_of.get((row, col))
        return self.cap_left[key] if key is not None else math.inf

    def put(self, row: int, col: str, amount: float) -> None:
        self.add[col][row] += amount
        key = self.cap_of.get((row, col))
        if key is not None:
            self.cap_left[key] -= amount
        parts = np.flatnonzero(self.inst.part_row == row)
        self.x[parts] += self.inst.gain[col][parts] * amount

    def cheapest(self, p: int, k: int, target: float) -> tuple[str, float, float] | None:
        """The cheapest (column, amount, cost) that lifts part p's indicator k to target."""
        best: tuple[str, float, float] | None = None
        row = int(self.inst.part_row[p])
        need = target - self.x[p, k]
        if need <= TOLERANCE * abs(target):
            return ("", 0.0, 0.0)
        for col in self.inst.columns:
            g = self.inst.gain[col][p, k]
            if g <= 0:
                continue
            if self.inst.integer[col]:
                amount = float(math.ceil(need / g - 1e-9))
            else:
                amount = math.ceil((need + target * THRESHOLD_MARGIN) / g * 100 - 1e-6) / 100
            if amount > self.left(row, col) + 1e-9:
                continue
            cost = amount * self.inst.unit_cost[col]
            if best is None or cost < best[2]:
                best = (col, float(amount), cost)
        return best

    def lift(self, p: int, k: int, target: float) -> bool:
        step = self.cheapest(p, k, target)
        if step is None:
            return False
        col, amount, _ = step
        if amount > 0:
            self.put(int(self.inst.part_row[p]), col, amount)
        return True

    def school_rule(self) -> bool:
        inst = self.inst
        for p in range(len(inst.x0)):
            t = inst.thresholds[p]
            for low in np.flatnonzero(self.x[p] < inst.min_ratio * t):
                if not self.lift(p, int(low), inst.min_ratio * float(t[low])):
                    return False
            unmet = [int(k) for k in np.flatnonzero(~compare(self.x[p], ">=", inst.thresholds[p]))]
            short = len(inst.codes) - len(unmet)
            while short < inst.min_met:
                options = [(s[2], k) for k in unmet if (s := self.cheapest(p, k, float(t[k]))) is not None]
                if not options:
                    return False
                _, best = min(options)
                self.lift(p, best, float(t[best]))
                unmet.remove(best)
                short += 1
        return True

    def worst_cv(self) -> tuple[str, int, float] | None:
        inst = self.inst
        worst: tuple[str, int, float] | None = None
        for lvl in EVALUATED_LEVELS:
            parts = inst.level == lvl
            if not parts.any() or lvl not in inst.cv_limit:
                continue
            w = inst.students[parts] / inst.students[parts].sum()
            x = self.x[parts]
            mean = w @ x
            with np.errstate(divide="ignore", invalid="ignore"):
                cv = np.sqrt(w @ (x - mean) ** 2) / mean
            excess = cv / (inst.cv_limit[lvl] * (1 - CV_MARGIN))
            k = int(np.nanargmax(excess))
            if excess[k] > 1 and (worst is None or excess[k] > worst[2]):
                worst = (lvl, k, float(excess[k]))
        return worst

    def cvs(self, max_steps: int) -> bool:
        inst = self.inst
        for _ in range(max_steps):
            worst = self.worst_cv()
            if worst is None:
                return True
            lvl, k, _ = worst
            parts = np.flatnonzero(inst.level == lvl)
            w = inst.students[parts] / inst.students[parts].sum()
            mean = float(w @ self.x[parts, k])
            order = parts[np.argsort(self.x[parts, k], kind="stable")]
            lifted = False
            for i, p in enumerate(order):
                if self.x[p, k] >= mean:
                    break
                nxt = float(self.x[order[i + 1], k]) if i + 1 < len(order) else mean
                target = min(max(nxt, self.x[p, k] + 1e-9), mean)
                target = max(target, self.x[p, k] + (mean - self.x[p, k]) * 0.1)
                if self.lift(int(p), k, target):
                    lifted = True
                    break
            if not lifted:
                return False
        return False
