"""Benchmark of the census import (``dudao.census.importing.import_census``).

    .venv/bin/python benchmarks/bench_import.py [--runs 5] [--nation-runs 3] [--no-nation] [--previous-year]
        [--pg postgres://postgres@127.0.0.1:5432] [--db dudao_bench]

Two synthetic data sets (``dudao.demo.synthetic_schools``, seed 2026; generation and file writing
timed apart and not counted):

- **county**: one county of 300 schools written as a filled template workbook (``write_rows``),
  imported into a fresh SQLite database and into a fresh PostgreSQL database;
- **nation**: 2,900 counties of 40–91 schools (about 190,000 rows) written with pandas as one CSV
  whose headers are the template's English keys, imported into a fresh PostgreSQL database.

Each run works on a database of its own (a new SQLite file, or the PostgreSQL database
``dudao_bench`` — or the one named by ``--db`` — created and dropped with psycopg around the run),
migrated and given the regions (province > city > county) the synthetic county codes need before the
clock starts; the run is a child process of this script, so each starts cold. Timed, each a call of
``import_census`` as the system (``system("benchmark")``): the **first** import (every school, school year and record
created), the same file **again** (nothing changes), and an **update** (the same file with ``books``
+ 1 on a random 10 % of the rows). Times include reading the file, validation, planning, writing and the commit, and
the re-evaluation jobs queued after the commit, which run in this process without a broker (timed apart as
"queued jobs": on a deployment a worker runs them, and the import's own rate is given without them); the
reader's share (``read_school_table``) and the write phase are measured inside the same calls.

Two adjustments to the synthetic data, both stated in the output: special schools get the level
``primary`` (the census stores special schools by the level they teach; a row without one is
refused with ``level_required``), and the national CSV (about 28 MB) is over the reader's 20 MB
limit, which this script raises for the national runs (``settings.DUDAO_UPLOAD_MAX_BYTES``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 2026
YEAR = 2025
BENCH_DB = "dudao_bench"
COUNTY_TARGET_S = 3.0
NATION_TARGET_ROWS_S = 10_000


# --------------------------------------------------------------------------------------------
# Data


def _frames() -> tuple[Any, Any, dict[str, float]]:
    from dudao.demo import synthetic_schools

    times = {}
    t = time.perf_counter()
    county = synthetic_schools(1, 300, seed=SEED)
    times["county"] = time.perf_counter() - t
    t = time.perf_counter()
    nation = synthetic_schools(2900, (40, 91), seed=SEED)
    times["nation"] = time.perf_counter() - t
    for frame in (county, nation):
        frame.loc[frame["school_type"] == "special", "level"] = "primary"
    return county, nation, times


def _updated(frame: Any) -> Any:
    import numpy as np

    changed = frame.copy()
    rows = np.random.default_rng(SEED).choice(len(changed), len(changed) // 10, replace=False)
    changed.loc[changed.index[rows], "books"] = changed["books"].iloc[rows] + 1
    return changed


def write_files(folder: Path) -> tuple[dict[str, Path], dict[str, Any]]:
    from dudao.sheets.template import write_rows

    county, nation, gen = _frames()
    files = {
        "county": folder / "county.xlsx",
        "county-update": folder / "county-update.xlsx",
        "nation": folder / "nation.csv",
        "nation-update": folder / "nation-update.csv",
    }
    t = time.perf_counter()
    write_rows(files["county"], county)
    write_rows(files["county-update"], _updated(county))
    nation.to_csv(files["nation"], index=False)  # headers: the template's English keys
    _updated(nation).to_csv(files["nation-update"], index=False)
    info = {
        "generation_s": gen,
        "write_s": time.perf_counter() - t,
        "county_rows": len(county),
        "nation_rows": len(nation),
        "nation_counties": int(nation["county_code"].nunique()),
        "sizes_kib": {k: p.stat().st_size / 2**10 for k, p in files.items()},
        "special_schools": {"county": int((county["school_type"] == "special").sum()),
                            "nation": int((nation["school_type"] == "special").sum())},
    }  # fmt: skip
    return files, info


# --------------------------------------------------------------------------------------------
# One run, in a child process (DATABASE_URL is read when Django starts)


def child(case: str, files: dict[str, str]) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from dudao.actors import system
    from dudao.census import importing
    from dudao.census.models import CensusRecord
    from dudao.sheets import checks

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    setup = {"migrate_s": time.perf_counter() - t}
    settings.DUDAO_UPLOAD_MAX_BYTES = max(settings.DUDAO_UPLOAD_MAX_BYTES, 64 * 2**20)  # the national CSV is ~28 MB
    t = time.perf_counter()
    county = _regions(files[case])
    setup["regions_s"] = time.perf_counter() - t

    stages: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - start

        return run

    checks.read_school_table = timed("read", checks.read_school_table)  # type: ignore[assignment]
    importing._Import._write = timed("write", importing._Import._write)  # type: ignore[method-assign]
    importing._Import._plan = timed("plan", importing._Import._plan)  # type: ignore[method-assign]
    importing._Import.run = timed("run", importing._Import.run)  # type: ignore[method-assign]
    # the census rule table on the planned records (last year's figures included): part of "check"
    importing._Import._check_plausibility = timed("rules", importing._Import._check_plausibility)  # type: ignore[method-assign]
    # the re-evaluation of the import's counties, queued after the commit (ADR 0031): without a broker each
    # job runs at once, in this process — on a deployment a worker does it; timed apart ("queue")
    from dudao.evaluation import jobs

    jobs.refresh_county.delay = timed("queue", jobs.refresh_county.delay)  # type: ignore[method-assign]
    try:  # the set-wise check of the new rows' foreign keys (ADR 0034), part of "write"
        from dudao.census import setwise

        setwise.NewRows.check = timed("keys", setwise.NewRows.check)  # type: ignore[method-assign]
    except ImportError:  # a tree before it
        pass

    if os.environ.get("DUDAO_BENCH_PREVIOUS_YEAR"):  # last year's records: the year-on-year rule reads them all
        t = time.perf_counter()
        importing.import_census(files[case], YEAR - 1, county=county, user=system("benchmark"))
        setup["previous_year_s"] = time.perf_counter() - t

    out: dict[str, Any] = {"case": case, "vendor": connection.vendor, "setup": setup, "imports": {}}
    for label, key in (("first", case), ("again", case), ("update", f"{case}-update")):
        stages.clear()
        start = time.perf_counter()
        result = importing.import_census(files[key], YEAR, county=county, user=system("benchmark"))
        total = time.perf_counter() - start
        run = stages["run"]
        out["imports"][label] = {
            "total_s": total,
            "read_s": stages["read"],
            # checks of the whole file and loading what is stored (everything in run() but these two)
            "check_s": run - stages["plan"] - stages.get("write", 0.0),
            "plan_s": stages["plan"],
            "rules_s": stages.get("rules", 0.0),
            "write_s": stages.get("write", 0.0),
            # and the rest of import_census (a few ms); not the jobs queued after the commit
            "commit_s": total - stages["read"] - run - stages.get("queue", 0.0),
            "queue_s": stages.get("queue", 0.0),
            "keys_s": stages.get("keys", 0.0),
            "peak_rss_mib": _peak_rss_mib(),
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "values_changed": result.values_changed,
            "schools_created": result.schools_created,
            "warnings": len(result.warnings),
            "not_submitted": len(result.not_submitted),
        }
    out["records"] = CensusRecord.objects.count()
    out["max_rss_mib"] = _peak_rss_mib()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            out["database_mib"] = cursor.fetchone()[0] / 2**20
    return out


def _peak_rss_mib() -> float:
    """The peak resident set of this process since it started (VmHWM; getrusage's ru_maxrss would
    count the parent's memory from before the exec)."""
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def _regions(path: str) -> Any:
    """The province > city > county regions of the file's county codes; the county when there is one."""
    import pandas as pd

    from dudao.demo.synthetic import PROVINCES
    from dudao.orgs.models import Region
    from dudao.sheets.reader import read_school_table

    if path.endswith(".csv"):
        counties = pd.read_csv(path, usecols=["county_code", "county_name"], dtype=str).drop_duplicates()
    else:
        counties = read_school_table(path).frame[["county_code", "county_name"]].astype(str).drop_duplicates()
    provinces, cities = {}, {}
    for code in sorted(counties["county_code"]):
        p, c = code[:2], code[:4]
        provinces.setdefault(p, Region(code=p, name=PROVINCES[p][0], level="province", path=f"/{p}/"))
        cities.setdefault(c, Region(code=c, name=f"{PROVINCES[p][0]}第{c[2:]}市", level="city", path=f"/{p}/{c}/"))
    Region.objects.bulk_create(provinces.values())
    ids = dict(Region.objects.filter(level="province").values_list("code", "pk"))
    for city in cities.values():
        city.parent_id = ids[city.code[:2]]
    Region.objects.bulk_create(cities.values())
    ids = dict(Region.objects.filter(level="city").values_list("code", "pk"))
    Region.objects.bulk_create(
        Region(code=code, name=name, level="county", parent_id=ids[code[:4]], path=f"/{code[:2]}/{code[:4]}/{code}/")
        for code, name in counties.itertuples(index=False)
    )
    return Region.objects.get(code=counties["county_code"].iloc[0]) if len(counties) == 1 else None


# --------------------------------------------------------------------------------------------
# The parent: databases, runs, report


def _pg(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run_one(
    case: str, backend: str, files: dict[str, Path], folder: Path, pg_base: str, db: str = BENCH_DB
) -> dict[str, Any]:
    env = dict(os.environ)
    if backend == "sqlite":
        db = folder / f"bench-{case}.sqlite3"
        db.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    else:
        _pg(pg_base, f"DROP DATABASE IF EXISTS {db}")
        _pg(pg_base, f"CREATE DATABASE {db}")
        env["DATABASE_URL"] = f"{pg_base}/{db}"
    env["DUDAO_DATA_DIR"] = str(folder)
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", case, json.dumps({k: str(v) for k, v in files.items()})],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"the {case} run on {backend} failed")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if backend == "sqlite":
            (folder / f"bench-{case}.sqlite3").unlink(missing_ok=True)
        else:
            _pg(pg_base, f"DROP DATABASE IF EXISTS {db}")


def _machine(pg_base: str) -> str:
    import django
    import pandas as pd
    import psycopg

    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    with psycopg.connect(f"{pg_base}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    import sqlite3

    return (
        f"{cpu}, {len(os.sched_getaffinity(0))} CPU(s), {mem / 2**20:.0f} GiB RAM; Python {platform.python_version()}, "
        f"Django {django.get_version()}, pandas {pd.__version__}, psycopg {psycopg.__version__}, "
        f"PostgreSQL {pg}, SQLite {sqlite3.sqlite_version}; load average {os.getloadavg()[0]:.1f}"
    )


def _row(label: str, runs: list[dict[str, Any]], which: str) -> str:
    def median(key: str) -> float:
        return statistics.median(r["imports"][which][key] for r in runs)

    first = runs[0]["imports"][which]
    totals = [r["imports"][which]["total_s"] for r in runs]
    total = statistics.median(totals)
    rest = statistics.median(r["imports"][which]["total_s"] - r["imports"][which]["read_s"] for r in runs)
    own = statistics.median(r["imports"][which]["total_s"] - r["imports"][which].get("queue_s", 0.0) for r in runs)
    counts = f"{first['created']:,} / {first['updated']:,} / {first['unchanged']:,}"
    stages = " | ".join(f"{median(k):.2f}" for k in ("read_s", "check_s", "plan_s", "write_s", "commit_s", "queue_s"))
    return (
        f"| {label} | {which} | {first['rows']:,} | {counts} | {min(totals):.2f} s | **{total:.2f} s** | {stages} | "
        f"{first['rows'] / total:,.0f} | {first['rows'] / rest:,.0f} | {first['rows'] / own:,.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of the county case per database")
    parser.add_argument("--nation-runs", type=int, default=3)
    parser.add_argument("--no-nation", action="store_true")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--db", default=BENCH_DB, help="PostgreSQL database to create, use and drop for each run")
    parser.add_argument("--previous-year", action="store_true",
                        help="import each file for the year before first (not timed): every record then has last "
                        "year's to be compared with")  # fmt: skip
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.db.isidentifier():
        parser.error(f"--db: not a plain database name: {args.db!r}")
    if args.child:
        print(json.dumps(child(args.child[0], json.loads(args.child[1]))))
        return 0

    if args.previous_year:
        os.environ["DUDAO_BENCH_PREVIOUS_YEAR"] = "1"  # read by the child runs
    print(f"Machine: {_machine(args.pg)}")
    with tempfile.TemporaryDirectory(prefix="dudao-bench-") as tmp:
        folder = Path(tmp)
        files, info = write_files(folder)
        print(
            f"Data: county {info['county_rows']} rows ({info['sizes_kib']['county']:.0f} KiB .xlsx), nation "
            f"{info['nation_rows']:,} rows in {info['nation_counties']:,} counties "
            f"({info['sizes_kib']['nation'] / 1024:.1f} MiB .csv); generation "
            f"{info['generation_s']['county']:.2f} s + {info['generation_s']['nation']:.1f} s, "
            f"writing {info['write_s']:.1f} s (not counted); special schools given level primary: "
            f"{info['special_schools']['county']} + {info['special_schools']['nation']:,}"
        )
        results: dict[str, list[dict[str, Any]]] = {}
        plan = [("county", "sqlite", args.runs), ("county", "postgresql", args.runs)]
        if not args.no_nation:
            plan.append(("nation", "postgresql", args.nation_runs))
        for case, backend, n in plan:
            for i in range(n):
                run = run_one(case, backend, files, folder, args.pg, args.db)
                results.setdefault(f"{case} {backend}", []).append(run)
                first = run["imports"]["first"]
                print(f"  {case} {backend} run {i + 1}: first {first['total_s']:.2f} s (read {first['read_s']:.2f} s, "
                      f"check {first['check_s']:.2f} s of which rules {first['rules_s']:.2f} s, "
                      f"plan {first['plan_s']:.2f} s, write {first['write_s']:.2f} s, "
                      f"commit {first['commit_s']:.2f} s, queued jobs {first['queue_s']:.2f} s), "
                      f"again {run['imports']['again']['total_s']:.2f} s, "
                      f"update {run['imports']['update']['total_s']:.2f} s; max RSS {run['max_rss_mib']:.0f} MiB",
                      flush=True)  # fmt: skip

    print()
    print("| data, database | import | rows | created / updated / unchanged | best | median | read | check | plan | "
          "write | commit | queued jobs | rows/s | rows/s without the read | rows/s without the queued jobs |"
          )  # fmt: skip
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, runs in results.items():
        for which in ("first", "again", "update"):
            print(_row(label, runs, which))
    print()
    for label, runs in results.items():
        median = statistics.median(r["imports"]["first"]["total_s"] for r in runs)
        rows = runs[0]["imports"]["first"]["rows"]
        if label.startswith("county"):
            met = median <= COUNTY_TARGET_S
            print(f"Target county ≤ {COUNTY_TARGET_S:.0f} s ({label}): {'met' if met else 'MISSED'}, {median:.2f} s")
        else:
            met = rows / median >= NATION_TARGET_ROWS_S
            print(
                f"Target nation ≥ {NATION_TARGET_ROWS_S:,} rows/s ({label}): {'met' if met else 'MISSED'}, "
                f"{rows / median:,.0f} rows/s"
            )
            peak = max(r["imports"]["first"]["peak_rss_mib"] for r in runs)
            print(f"  peak RSS during the first import {peak:.0f} MiB, over the three imports "
                  f"{max(r['max_rss_mib'] for r in runs):.0f} MiB; database after them "
                  f"{runs[0].get('database_mib', 0):.0f} MiB")  # fmt: skip
    print(f"(stage columns: medians in seconds; load average at the end {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
