"""Benchmark of the self-evaluation report: the .docx (with its 4 charts) and the annex .xlsx of a
300-school county, generated from a stored run, as ``dudao report`` and the download views do.

    .venv/bin/python benchmarks/bench_report.py [--runs 10] [--schools 300]

**Data**: one county of ``dudao.demo.synthetic_schools`` (seed 2026, province 13, ``--schools``
rows, about 8 % one-through schools), evaluated by the engine against national-2017 and stored as an
``EvaluationRun`` (result and inputs, as ``evaluate_county`` stores them) in a fresh SQLite file,
with 40 rectification items and their tasks so the measures table is filled. Not counted: set-up.

**Timed** (``time.perf_counter``, one warm-up, then ``--runs``): ``report_data(run)`` (reads the run
and the county's items and evidence), ``report_docx`` (the template, tables and the matplotlib
charts), ``annex_xlsx``, and the three together — the ≤ 5 s target is for the three together.
The figures go to docs/benchmarks.md ("Report").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--schools", type=int, default=300)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-report-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django

    django.setup()

    from django.core.management import call_command

    from dudao.demo import synthetic_schools
    from dudao.engine import county_result, evaluate_table, result_summary
    from dudao.evaluation.actions import _inputs
    from dudao.evaluation.models import EvaluationRun
    from dudao.orgs.models import Department, Region
    from dudao.rectification import actions
    from dudao.reports.annex import annex_xlsx
    from dudao.reports.content import report_data
    from dudao.reports.document import report_docx
    from dudao.standards import load

    call_command("migrate", verbosity=0)
    frame = synthetic_schools(1, args.schools, seed=2026, province="13")
    code = str(frame["county_code"].iloc[0])
    province = Region.objects.create(code="13", name="河北省", level=Region.Level.PROVINCE)
    city = Region.objects.create(code=code[:4], name="第01市", level=Region.Level.CITY, parent=province)
    county = Region.objects.create(code=code, name="基准县", level=Region.Level.COUNTY, parent=city)
    standard = load("national-2017")
    evaluation = evaluate_table(frame, standard)
    typed = county_result(evaluation, code, {})
    result = typed.to_dict()
    run = EvaluationRun.objects.create(
        county=county, year=2025, standard_id="national-2017", standard_version=standard.version, data_version="x",
        result=result, summary=result_summary(typed).to_dict(), inputs=_inputs(frame, frozenset(frame.columns), {}),
    )  # fmt: skip
    bureau = Department.objects.create(county=county, name="基准县教育局", kind="education")
    for i in range(40):
        actions.add_item(None, county, "manual", f"整改事项{i}", bureau, actions.today() + dt.timedelta(days=90),
                         year=2025, indicators=["L3"])  # fmt: skip
    print(f"{args.schools} rows → {len(result['schools'])} schools evaluated; {args.runs} runs", flush=True)

    def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
        fn()
        out = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
        return out

    data = report_data(run)
    cases = {
        "report_data": lambda: report_data(run),
        "report .docx (incl. charts)": lambda: report_docx(data),
        "annex .xlsx": lambda: annex_xlsx(data),
        "all three": lambda: (annex_xlsx(d := report_data(run)), report_docx(d)),
    }
    sizes = {"report .docx (incl. charts)": len(report_docx(data)), "annex .xlsx": len(annex_xlsx(data))}
    print("| step | median | p90 | best | size |\n|---|---:|---:|---:|---:|")
    for name, fn in cases.items():
        times = sorted(timed(fn))
        p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
        size = f"{sizes[name] / 1024:.0f} KiB" if name in sizes else ""
        print(f"| {name} | {statistics.median(times):.2f} s | {p90:.2f} s | {times[0]:.2f} s | {size} |")


if __name__ == "__main__":
    main()
