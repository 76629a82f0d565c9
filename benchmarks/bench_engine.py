"""Benchmark of the evaluation engine against a plain per-school Python loop, with a cross-check.

    .venv/bin/python benchmarks/bench_engine.py [--runs 5] [--baseline auto|national|province|none]

Two synthetic data sets (``dudao.demo.synthetic_schools``): a province (20 000 schools in 100
counties) and the nation (about 190 000 school rows in 2 900 counties). For each, the time of
``dudao.engine.evaluate_table`` (validation, one-through split, scope, indicators, per-school
verdicts and enrolment-weighted CVs of every county) is measured after one warm-up run: best and
median of ``--runs`` runs. Data generation is timed separately and not counted.

The baseline below computes the same figures the straightforward way, county by county and school
by school, with dicts and floats only (no numpy/pandas). Its input rows are the frame's records
(``DataFrame.to_dict("records")``); that conversion is timed separately and not counted for it.
Its CVs must equal the engine's to 1e-9 and its per-county pass counts, met counts and CV verdicts
must be identical, or the script exits with status 1.

Peak memory: the traced Python/numpy allocation peak of one extra ``evaluate_table`` run
(``tracemalloc``, untimed) and the process's maximum resident set size (``getrusage``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import math
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from dudao.demo import synthetic_schools
from dudao.engine import evaluate_prepared, evaluate_table, prepare
from dudao.engine.evaluate import Evaluation
from dudao.engine.rules import TOLERANCE
from dudao.standards import Standard, load

CV_TOLERANCE = 1e-9
CATEGORY_COLUMNS = ("county_code", "county_name", "school_type", "level", "location", "ownership")
# Above this estimated time the baseline is not run on the national set (``--baseline auto``).
BASELINE_BUDGET_S = 240.0


# --------------------------------------------------------------------------------------------
# Baseline: per county, per school, pure Python.
# --------------------------------------------------------------------------------------------

ONE_THROUGH_PARTS = {
    "nine_year": ("primary", "junior"),
    "twelve_year": ("primary", "junior", "senior"),
    "complete_middle": ("junior", "senior"),
}
TYPE_LEVEL = {"primary": "primary", "teaching_point": "primary", "junior": "junior"}
TEACHER_FIELDS = (
    "teachers",
    "teachers_above_qualification",
    "backbone_teachers",
    "pe_art_teachers",
    "senior_title_teachers",
)
EVALUATED = ("primary", "junior")
TOL = TOLERANCE  # the engine's relative comparison slack, so verdicts at a bound agree


def _plain_rules(standard: Standard) -> dict[str, Any]:
    """The standard's numbers as plain Python values."""
    assert standard.split is not None and standard.school_scope is not None
    assert standard.school_rule is not None and standard.cv_rule is not None
    return {
        "indicators": [
            (
                ind.code,
                ind.terms(),
                float(ind.per_students),
                {lvl: (float(t.value), t.op) for lvl, t in ind.thresholds.items()},
            )
            for ind in standard.indicators
        ],
        "weights": {k: float(v) for k, v in standard.split.weights.value.items()},
        "cm_weights": {k: float(v) for k, v in standard.split.complete_middle_weights.value.items()},
        "facility": list(standard.split.facility_fields),
        "exclude_types": set(standard.school_scope.exclude_types.value or []),
        "small_tp": standard.school_scope.exclude_teaching_points_below.value,
        "include_private": bool(standard.school_scope.include_private.value),
        "min_met": int(standard.school_rule.min_met.value),
        "min_ratio": float(standard.school_rule.min_ratio_unmet.value),
        "cv_limits": {lvl: (float(t.value), t.op) for lvl, t in standard.cv_rule.limits.items()},
    }


def _compare(value: float, op: str, bound: float) -> bool:
    slack = TOL * abs(bound)
    if op == ">=":
        return value >= bound - slack
    if op == "<=":
        return value <= bound + slack
    if op == "<":
        return value < bound - slack
    if op == ">":
        return value > bound + slack
    return abs(value - bound) <= slack


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _parts(row: dict[str, Any], rules: dict[str, Any], fields: set[str]) -> list[dict[str, Any]]:
    """The level parts of one input row (a one-through whole-school row is split)."""
    stype = row["school_type"]
    level = row.get("level")
    if level == "":
        level = None
    if stype in ONE_THROUGH_PARTS and (level is None or level == "all"):
        levels = ONE_THROUGH_PARTS[stype]
        students = {lvl: float(row[f"students_{lvl}"]) for lvl in levels}
        w = rules["cm_weights"] if stype == "complete_middle" else rules["weights"]
        weighted = {lvl: w[lvl] * students[lvl] for lvl in levels}
        denominator = sum(weighted.values())
        out = []
        for lvl in levels:
            if lvl not in EVALUATED:
                continue
            share = weighted[lvl] / denominator if denominator > 0 else 0.0
            part = {
                "school_code": row["school_code"],
                "school_type": stype,
                "ownership": row.get("ownership"),
                "level": lvl,
                "students": students[lvl],
            }
            for f in TEACHER_FIELDS:
                if f in fields:
                    part[f] = float(row[f"{f}_{lvl}"])
            for f in rules["facility"]:
                if f in fields:
                    part[f] = float(row[f]) * share
            out.append(part)
        return out
    part = dict(row)
    part["level"] = level if level is not None else TYPE_LEVEL.get(stype)
    return [part]


def _in_scope(part: dict[str, Any], rules: dict[str, Any]) -> bool:
    if part["school_type"] in rules["exclude_types"]:
        return False
    students = part["students"]
    students = float("nan") if _missing(students) else float(students)
    small = rules["small_tp"]
    if small is not None and part["school_type"] == "teaching_point" and students < float(small):
        return False
    if not rules["include_private"] and part.get("ownership") == "private":
        return False
    if part["level"] == "senior":
        return False
    return students > 0


def _school(part: dict[str, Any], rules: dict[str, Any]) -> dict[str, Any]:
    """Indicator values, met flags, ratios and the per-school verdict of one level part."""
    students = float(part["students"])
    level = part["level"]
    values: dict[str, float | None] = {}
    met_count = unknown = below_share = 0
    for code, terms, per, thresholds in rules["indicators"]:
        numerator = 0.0
        value: float | None
        for sign, name in terms:
            v = part.get(name)
            if _missing(v):
                numerator = float("nan")
                break
            numerator = numerator + sign * float(v)
        value = None if math.isnan(numerator) else numerator / students * per
        values[code] = value
        if level not in thresholds:
            continue
        bound, op = thresholds[level]
        if value is None:
            unknown += 1
        elif _compare(value, op, bound):
            met_count += 1
            values[code + "_met"] = 1.0
        else:
            values[code + "_met"] = 0.0
            if not _compare(value / bound, ">=", rules["min_ratio"]):
                below_share += 1
    fails = below_share > 0 or met_count + unknown < rules["min_met"]
    passed = False if fails else (True if met_count >= rules["min_met"] and unknown == 0 else None)
    return {"values": values, "met": met_count, "passed": passed, "students": students}


def baseline(rows: list[dict[str, Any]], standard: Standard) -> dict[tuple[str, str], dict[str, Any]]:
    """Per county and level: school counts, pass counts, and per indicator the mean, CV and verdict."""
    rules = _plain_rules(standard)
    fields = set(rows[0]) if rows else set()
    by_county: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        code = row.get("county_code")
        by_county.setdefault("" if code is None else str(code), []).append(row)

    out: dict[tuple[str, str], dict[str, Any]] = {}
    for county, county_rows in by_county.items():
        schools: dict[str, list[dict[str, Any]]] = {"primary": [], "junior": []}
        for row in county_rows:
            for part in _parts(row, rules, fields):
                if _in_scope(part, rules):
                    schools[part["level"]].append(_school(part, rules))
        for level, results in schools.items():
            if not results:
                continue
            total = 0.0
            for s in results:
                total += s["students"]
            indicators = {}
            for code, _, _, _ in rules["indicators"]:
                if any(s["values"][code] is None for s in results):
                    mean = cv = None
                else:
                    weighted_sum = 0.0
                    for s in results:
                        weighted_sum += s["students"] * s["values"][code]
                    mean = weighted_sum / total
                    spread = 0.0
                    for s in results:
                        d = s["values"][code] - mean
                        spread += s["students"] * d * d
                    variance = spread / total
                    cv = math.sqrt(variance) / mean if mean > 0 else None
                limit, op = rules["cv_limits"][level]
                met = 0
                for s in results:
                    if s["values"].get(code + "_met") == 1.0:
                        met += 1
                indicators[code] = {
                    "mean": mean,
                    "cv": cv,
                    "cv_passed": None if cv is None else _compare(cv, op, limit),
                    "schools_met": met,
                }
            out[(county, level)] = {
                "schools": len(results),
                "students": total,
                "passed": sum(1 for s in results if s["passed"] is True),
                "failed": sum(1 for s in results if s["passed"] is False),
                "indicators": indicators,
            }
    return out


def straightforward(frame: pd.DataFrame, standard: Standard) -> dict[tuple[str, str], dict[str, Any]]:
    """The loop as it is usually written over a table: per county (``groupby``), per school
    (``itertuples``, the fastest row iteration pandas offers), then the same arithmetic as ``baseline``."""
    rows: list[dict[str, Any]] = []
    for _county, group in frame.groupby("county_code", sort=False):
        for school in group.itertuples(index=False):
            rows.append(school._asdict())
    return baseline(rows, standard)


# --------------------------------------------------------------------------------------------
# Cross-check.
# --------------------------------------------------------------------------------------------


def cross_check(ev: Evaluation, base: dict[tuple[str, str], dict[str, Any]]) -> tuple[list[str], float, int]:
    """Differences between engine and baseline; also the max |ΔCV| and the number of CVs compared."""
    problems: list[str] = []
    levels = ev.levels.set_index(["county_code", "level"])
    if set(levels.index) != set(base):
        problems.append(f"county×level groups differ: engine {len(levels)}, baseline {len(base)}")
    for key in set(levels.index) & set(base):
        lv, b = levels.loc[key], base[key]
        for name, engine_value, base_value in (
            ("schools", int(lv["schools_total"]), b["schools"]),
            ("passed", int(lv["schools_passed"]), b["passed"]),
            ("failed", int(lv["schools_failed"]), b["failed"]),
        ):
            if engine_value != base_value:
                problems.append(f"{key} {name}: engine {engine_value}, baseline {base_value}")
    max_diff = 0.0
    compared = 0
    for row in ev.indicators.itertuples(index=False):
        b = base.get((row.county_code, row.level))
        if b is None:
            continue
        bi = b["indicators"][row.code]
        engine_cv = None if pd.isna(row.cv) else float(row.cv)
        if (engine_cv is None) != (bi["cv"] is None):
            problems.append(f"{row.county_code} {row.level} {row.code}: CV {engine_cv} vs {bi['cv']}")
            continue
        if engine_cv is not None:
            compared += 1
            diff = abs(engine_cv - bi["cv"])
            max_diff = max(max_diff, diff)
            if not diff < CV_TOLERANCE:
                problems.append(f"{row.county_code} {row.level} {row.code}: CV {engine_cv!r} vs {bi['cv']!r}")
        engine_passed = None if pd.isna(row.cv_passed) else bool(row.cv_passed)
        if engine_passed != bi["cv_passed"]:
            problems.append(
                f"{row.county_code} {row.level} {row.code}: CV verdict {engine_passed} vs {bi['cv_passed']}"
            )
        if int(row.schools_met) != bi["schools_met"]:
            problems.append(f"{row.county_code} {row.level} {row.code}: met {row.schools_met} vs {bi['schools_met']}")
    return problems, max_diff, compared


# --------------------------------------------------------------------------------------------
# Timing.
# --------------------------------------------------------------------------------------------


@dataclass
class Timing:
    best: float
    median: float
    runs: list[float]


def time_runs(fn: Callable[[], object], runs: int) -> Timing:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(min(times), statistics.median(times), times)


def traced_peak(fn: Callable[[], object]) -> float:
    """Peak traced allocation (MiB) during one call."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def describe(frame: pd.DataFrame, ev: Evaluation) -> str:
    parts = ev.schools
    passed = (parts["passed"] == True).sum()  # noqa: E712
    lv = ev.levels
    cv_fail = (lv["cvs_passed"] == False).sum()  # noqa: E712
    return (
        f"{len(frame):,} rows, {frame['county_code'].nunique():,} counties "
        f"({frame.memory_usage(deep=True).sum() / 2**20:.0f} MiB as a DataFrame) "
        f"-> {len(parts):,} evaluated level parts, "
        f"{len(ev.excluded):,} excluded; {passed / len(parts):.1%} of parts pass the per-school rule; "
        f"{cv_fail:,} of {len(lv):,} county×level groups fail at least one CV"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per data set after one warm-up (5)")
    parser.add_argument(
        "--baseline",
        choices=["auto", "national", "province", "none"],
        default="auto",
        help="where to run the pure-Python baseline (auto: province, then national if it fits the budget)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one national engine run")
    args = parser.parse_args(argv)

    standard = load("national-2017")
    print("# dudao engine benchmark\n")
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{platform.machine()}, {_cpu_model()}, {_nproc()} CPU(s)\n"
    )
    print(f"Code: {_code_state()}; load average at start {_load()}\n")

    sets: dict[str, pd.DataFrame] = {}
    gen_time: dict[str, float] = {}
    for name, kwargs in (
        ("province", {"n_counties": 100, "schools_per_county": 200, "province": "41"}),
        ("national", {"n_counties": 2900, "schools_per_county": (40, 91)}),
    ):
        start = time.perf_counter()
        frame = synthetic_schools(seed=args.seed, **kwargs)
        # As dudao.sheets reads a spreadsheet: counts as float64 with NaN for "not applicable", codes with
        # few distinct values (school type, level, location, ownership, county) as categoricals.
        types = {c: "float64" for c in frame.columns if str(frame[c].dtype) == "Int64"}
        types |= {c: "category" for c in CATEGORY_COLUMNS if c in frame}
        sets[name] = frame.astype(types)
        gen_time[name] = time.perf_counter() - start

    rss_data = max_rss_mib()
    engine: dict[str, Timing] = {}
    evs: dict[str, Evaluation] = {}
    for name, frame in sets.items():
        engine[name] = time_runs(lambda frame=frame: evaluate_table(frame, standard), args.runs)
        evs[name] = evaluate_table(frame, standard)
        print(f"- {name}: {describe(frame, evs[name])}")
    # The two stages of evaluate_table, timed alone (same number of runs, after a warm-up).
    stages: dict[str, tuple[Timing, Timing]] = {}
    for name, frame in sets.items():
        prepared = prepare(frame, standard)
        stages[name] = (
            time_runs(lambda frame=frame: prepare(frame, standard), args.runs),
            time_runs(lambda prepared=prepared: evaluate_prepared(prepared, standard), args.runs),
        )
        del prepared
    rss_engine = max_rss_mib()
    peaks = {name: traced_peak(lambda frame=frame: evaluate_table(frame, standard)) for name, frame in sets.items()}

    # Baseline: province first; the nation when its estimated time fits the budget.
    base_time: dict[str, float] = {}
    records_time: dict[str, float] = {}
    loop_time: dict[str, float] = {}
    checks: dict[str, tuple[list[str], float, int]] = {}
    order = {"auto": ["province", "national"], "national": ["national"], "province": ["province"], "none": []}
    for name in order[args.baseline]:
        if args.baseline == "auto" and name == "national":
            estimate = base_time["province"] * len(sets["national"]) / len(sets["province"])
            if estimate > BASELINE_BUDGET_S:
                print(f"- baseline not run on the national set: estimated {estimate:.0f} s > {BASELINE_BUDGET_S:.0f} s")
                continue
        start = time.perf_counter()
        rows = sets[name].to_dict("records")
        records_time[name] = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        result = baseline(rows, standard)
        base_time[name] = time.perf_counter() - start
        checks[name] = cross_check(evs[name], result)
        del rows, result
        gc.collect()
        start = time.perf_counter()
        result = straightforward(sets[name], standard)
        loop_time[name] = time.perf_counter() - start
        problems, _, _ = cross_check(evs[name], result)
        checks[name][0].extend(f"straightforward loop: {p}" for p in problems)
        del result
    rss_end = max_rss_mib()

    print(
        "\n| data set | rows | counties | generation (s) | engine best (s) | engine median (s) "
        "| runs | traced peak (MiB) | baseline (s) | speed-up (baseline / engine median) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, frame in sets.items():
        t = engine[name]
        if name in base_time:
            base_cell = f"{base_time[name]:.2f}"
            speed = f"{base_time[name] / t.median:.1f}×"
        else:
            base_cell, speed = "not run", "–"
        print(
            f"| {name} | {len(frame):,} | {frame['county_code'].nunique():,} | {gen_time[name]:.2f} "
            f"| {t.best:.3f} | {t.median:.3f} | {len(t.runs)} | {peaks[name]:.0f} | {base_cell} | {speed} |"
        )
    print()
    for name, t in engine.items():
        print(f"- engine {name} runs (s): " + ", ".join(f"{x:.3f}" for x in t.runs))
    for name, seconds in records_time.items():
        print(f"- baseline {name}: DataFrame.to_dict('records') took {seconds:.2f} s (not counted)")
    for name, (prep, rest) in stages.items():
        print(f"- engine {name} stages (median): prepare {prep.median:.3f} s, evaluate_prepared {rest.median:.3f} s")
    for name in base_time:
        end_to_end = base_time[name] + records_time[name]
        print(
            f"- baseline {name} including the to_dict conversion: {end_to_end:.2f} s "
            f"({end_to_end / engine[name].median:.1f}× the engine median)"
        )
    print(
        f"- max RSS (whole process): {rss_data:.0f} MiB after generating both data sets, {rss_engine:.0f} MiB "
        f"after the engine runs, {rss_end:.0f} MiB at the end (with the baseline)"
    )
    print(f"- load average at the end: {_load()}")

    failed = False
    for name, (problems, max_diff, compared) in checks.items():
        status = "OK" if not problems else f"FAILED ({len(problems)} differences)"
        print(f"- cross-check {name}: {status}; {compared:,} CVs compared, max |ΔCV| = {max_diff:.2e}")
        for p in problems[:20]:
            print(f"    {p}")
        failed |= bool(problems)
    national = engine["national"].median
    print(f"- target national ≤ 2 s: {'met' if national <= 2.0 else 'MISSED'} (median {national:.3f} s)")
    for name in base_time:
        median = engine[name].median
        straight = loop_time[name] / median
        tuned = (base_time[name] + records_time[name]) / median
        print(
            f"- {name}: straightforward loop (groupby + itertuples) {loop_time[name]:.2f} s = {straight:.1f}× the "
            f"engine; tuned loop incl. to_dict {base_time[name] + records_time[name]:.2f} s = {tuned:.1f}×; tuned "
            f"loop arithmetic alone {base_time[name]:.2f} s = {base_time[name] / median:.1f}×"
        )
        print(
            f"- target ≥ 20× the straightforward loop ({name}): "
            f"{'met' if straight >= 20 else 'MISSED'} ({straight:.1f}×)"
        )
    if args.profile:
        print_profile(lambda: evaluate_table(sets["national"], standard))
    return 1 if failed else 0


def print_profile(fn: Callable[[], object], top: int = 25) -> None:
    """cProfile of one call, the ``top`` entries by cumulative time (profiling inflates the times)."""
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print("\n## cProfile of one national evaluate_table run (cumulative)\n\n```")
    print(out.getvalue().strip())
    print("```")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _code_state() -> str:
    """Git commit, whether the engine differs from it, and a hash of the engine's source files."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted((root / "dudao" / "engine").glob("*.py")):
        digest.update(path.read_bytes())
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "dudao/engine"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head, dirty = "no git", ""
    state = "engine modified since the commit" if dirty else "engine as committed"
    return f"commit {head} ({state}), dudao/engine/*.py sha256 {digest.hexdigest()[:12]}"


def _nproc() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
