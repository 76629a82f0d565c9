"""Benchmark of the typed result (docs/adr/0022-typed-result.md): building, writing and reading it.

    .venv/bin/python benchmarks/bench_result.py [--runs 15] [--counties 1]

The demo county's school table (``dudao.demo.synthetic.demo_county``, 60 schools) and, with
``--counties N``, N synthetic counties of 300 schools each (``synthetic_schools``) are evaluated once;
then, best and median of ``--runs`` runs each:

* ``county_result``: the typed result of one county from the engine's tables;
* ``to_dict``: its JSON as plain objects (what ``EvaluationRun.result`` stores);
* ``from_json``: a stored result read back (what ``EvaluationRun.result_obj`` does once per run);
* ``json.loads``: the same text parsed as a dict only (what reading the result cost before it was typed).

The JSON written must read back to the same objects and text, or the script exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dudao.demo import synthetic_schools
from dudao.demo.synthetic import demo_county
from dudao.engine import CountyResult, county_result, evaluate_table
from dudao.standards import load


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--counties", type=int, default=1, help="synthetic counties of 300 schools (0: none)")
    args = parser.parse_args()
    sets = [("demo county", demo_county())]  # 示范县, the seed of var/demo/demo-county.xlsx
    if args.counties:
        sets.append((f"synthetic, 300 schools × {args.counties}", synthetic_schools(args.counties, 300, seed=2026)))
    print(f"{'data':<34} {'standard':<14} {'step':<14} {'best ms':>8} {'median ms':>10}")
    failed = False
    for label, frame in sets:
        for standard_id in ("national-2017", "basic-2012"):
            evaluation = evaluate_table(frame, load(standard_id))
            code = evaluation.counties()[0]
            result = county_result(evaluation, code)
            text = result.to_json(indent=None)
            failed |= (
                CountyResult.from_json(text) != result or CountyResult.from_json(text).to_json(indent=None) != text
            )
            steps = {
                "county_result": lambda e=evaluation, c=code: county_result(e, c),
                "to_dict": result.to_dict,
                "from_json": lambda t=text: CountyResult.from_json(t),
                "json.loads": lambda t=text: json.loads(t),
            }
            for step, fn in steps.items():
                best, median = timed(fn, args.runs)
                print(f"{label:<34} {standard_id:<14} {step:<14} {best:8.1f} {median:10.1f}")
            print(f"{'':<34} {'':<14} {'(JSON bytes)':<14} {len(text.encode()):8d}")
    if failed:
        print("FAILED: a result did not read back to the same objects and text")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
