"""Benchmark of the cheapest plan (``dudao.engine.optimise``): the optimum against the greedy baseline.

    .venv/bin/python benchmarks/bench_plan.py [--sizes 60 300 1000] [--time-limit 10] [--seed 3]

Synthetic counties (``dudao.demo.synthetic_schools``, one county each, about 8 % one-through schools
as whole-school rows) of 60, 300 and 1 000 schools, the 2017 national standard, and the unit costs of
docs/plan-json.md for every indicator's column. For each county: the greedy baseline (the cheapest
shortfall first), then the optimum (SCIP, stopped at ``--time-limit`` seconds with its gap), both
checked by the engine (a plan that does not pass raises). Printed: cost of each, what the optimum
saves, the solve times, status and gap. The times include measuring the county with the engine
(one evaluation per costed column) and the final check.
"""

from __future__ import annotations

import argparse
import subprocess
import time

from dudao.demo.synthetic import synthetic_schools
from dudao.engine.optimise import greedy_plan, optimise
from dudao.standards import load

COSTS = {
    "teachers_above_qualification": 120_000,
    "backbone_teachers": 150_000,
    "pe_art_teachers": 120_000,
    "teaching_aux_area_m2": 3_000,
    "sports_area_m2": 800,
    "equipment_value_yuan": 1,
    "multimedia_classrooms": 60_000,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 300, 1000])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    standard = load("national-2017")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}; time limit {args.time_limit:g} s; seed {args.seed}")
    print("| schools | rows | greedy cost (元) | optimum cost (元) | saved | greedy s | optimum s | status | gap |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for size in args.sizes:
        frame = synthetic_schools(1, size, seed=args.seed)
        started = time.monotonic()
        greedy = greedy_plan(frame, standard, COSTS)
        greedy_s = time.monotonic() - started
        started = time.monotonic()
        best = optimise(frame, standard, COSTS, time_limit=args.time_limit)
        best_s = time.monotonic() - started
        g, b = greedy.total_cost or 0.0, best.total_cost or 0.0
        saved = f"{(g - b) / g:.1%}" if g else "—"
        gap = "—" if best.optimality_gap is None else f"{best.optimality_gap:.3%}"
        print(f"| {size} | {len(frame)} | {g:,.0f} | {b:,.0f} | {saved} | {greedy_s:.1f} | {best_s:.1f} | "
              f"{best.status} | {gap} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
