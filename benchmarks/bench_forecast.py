"""Benchmark of the enrolment forecast (docs/adr/0036-enrolment-forecast.md): the pure engine on synthetic
counties, best and median of ``--runs`` runs.

    .venv/bin/python benchmarks/bench_forecast.py [--runs 9] [--schools 60 300 1000] [--years 6]

Each county has ``schools`` schools in 12 towns (two thirds primary, one third junior), ``--years`` years of
enrolment by grade with a drifting intake, births per town, one known change; the forecast is the default
(horizon 6, back-test on the last two years, every method per unit).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dudao.engine.forecast import CHANGES_COLUMNS, ENROLMENT_COLUMNS, ForecastInputs, forecast

BASE = 2025


def county(schools: int, years: int, seed: int = 1) -> ForecastInputs:
    rng = random.Random(seed)
    births = {(t, y): rng.randint(300, 1500) for t in range(12) for y in range(BASE - years - 12, BASE)}
    rows = []
    for s in range(schools):
        town, junior = s % 12, s % 3 == 2
        grades = range(7, 10) if junior else range(1, 7)
        size = rng.uniform(20, 200)
        for y in range(BASE - years + 1, BASE + 1):
            for g in grades:
                n = size * (1 + 0.02 * (y - BASE)) * rng.uniform(0.9, 1.1)
                rows.append((f"S{s:04d}", f"学校{s}", f"镇{town}", y, "junior" if junior else "primary", g, round(n)))
    enrolment = pd.DataFrame(rows, columns=list(ENROLMENT_COLUMNS))
    births_df = pd.DataFrame([(f"镇{t}", y, n) for (t, y), n in births.items()], columns=["town", "year", "births"])
    changes = pd.DataFrame([("新城", "镇0", "", "primary", BASE + 2, 60)], columns=list(CHANGES_COLUMNS))
    return ForecastInputs(enrolment, births_df, changes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--schools", type=int, nargs="+", default=[60, 300, 1000])
    parser.add_argument("--years", type=int, default=6)
    args = parser.parse_args()
    print("| schools | units | years | best | median |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.schools:
        inputs = county(n, args.years)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = forecast(inputs, BASE)
            times.append(time.perf_counter() - start)
        print(f"| {n} | {len(result.schools)} | {args.years} | {min(times) * 1000:.0f} ms | "
              f"{statistics.median(times) * 1000:.0f} ms |")  # fmt: skip


if __name__ == "__main__":
    main()
