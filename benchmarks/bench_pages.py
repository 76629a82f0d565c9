"""Benchmark of the web pages' server time: the county cockpit of a 300-school county and the city view
of 20 counties, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/bench_pages.py [--runs 30] [--changes 10] [--no-sqlite] [--no-pg]
        [--pg postgres://postgres@127.0.0.1:5432] [--profile cockpit|cockpit-changed|city|...]

**How it is timed.** In-process, with Django's test ``Client`` (the whole request through the
middleware, URL resolution, the view, the database and the template; no network, no WSGI server, no
browser): ``time.perf_counter`` around ``client.get(url)``. DEBUG is off (cached templates), the
session and user are read from the database as in production. Two warm-up requests, then ``--runs``
timed ones; median, 90th percentile and best are reported, with the number of queries of one request
(``CaptureQueriesContext``, in a request of its own, not a timed one) and the size of the page.

**Data** (``dudao.demo.synthetic_schools``, seed 2026, province 13, 20 counties × 300 schools; about 8 %
one-through schools given as whole-school rows, special schools given the level ``primary`` as the
import requires): the 20 counties are put under one city (河北省 › 第01市), imported with
``import_census`` for 2025 and, with the figures drawn again 2 % lower, for 2024 (so the cockpit has
a year to compare with), and every county × year evaluated and stored (``evaluate_county``) before the
clock starts. Users: a county supervisor of the first county, a city inspector of the city, a province inspector.

**Cases.**

- *cockpit* (``overview:county``): the county supervisor's cockpit with a fresh stored run (the view
  checks the run's data version and reads it);
- *cockpit after a change*: one census record of the county changed (``sports_area_m2`` + 1, through
  ``census.actions.save_record``), then the first view, which finds the run stale and evaluates the
  county again (``current_run``), stores the run and renders; ``--changes`` times, each a new change;
- *city* (``overview:region`` of the city): the city inspector's view of the 20 counties, all runs
  fresh;
- for reference, when their pages are there: the school list (``overview:schools``, 300 schools),
  a school page (``overview:school``, the county's smallest school), the province view (the same 20
  counties one level up) and the balance page.

Each database is used by a child process of this script (``DATABASE_URL`` is read when Django starts):
a new SQLite file, or the PostgreSQL database ``bench_he`` created before and dropped after the run.
The figures go to ``docs/benchmarks.md`` ("Pages").
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_import import _machine, _pg  # noqa: E402  (one place for the machine line and PG set-up)

SEED = 2026
YEAR = 2025
COUNTIES = 20
SCHOOLS = 300
STANDARD = "national-2017"
BENCH_DB = "bench_he"
PASSWORD = "bench-pages"
TARGETS_MS = {"cockpit": 150.0, "city": 300.0}
# Where a cockpit request's time goes: functions timed inside the request (module, name, label). They
# nest: evaluate_county runs inside current_run, the engine and census_table inside evaluate_county.
STAGES = [
    ("dudao.overview.cockpit", "current_run", "current_run (this year and last; re-evaluates when stale)"),
    ("dudao.evaluation.actions", "evaluate_county", "→ of which evaluate_county"),
    ("dudao.evaluation.actions", "census_table", "→ → of which census_table (read the records)"),
    ("dudao.evaluation.actions", "evaluate_table", "→ → of which engine evaluate_table"),
    ("dudao.evaluation.actions", "county_result", "→ → of which engine county_result"),
    ("dudao.evaluation.actions", "_inputs", "→ → of which the engine's inputs as JSON for the run (_inputs)"),
    ("dudao.evaluation.actions", "result_summary", "→ → of which result_summary"),
    ("dudao.evaluation.models", "data_versions", "data version hashes (staleness checks)"),
    ("dudao.evaluation.actions", "load", "standards load"),
    ("dudao.overview.cockpit", "load", "standards load"),
    ("dudao.overview.cockpit", "census_status", "census completeness"),
    ("dudao.overview.views.county", "render", "template render"),
]


# --------------------------------------------------------------------------------------------
# The child: data, then the timed requests


def _data(folder: Path) -> dict[str, Any]:
    """Regions, two years of census for 20 × 300 schools, stored runs, two users; returns codes and timings."""
    import numpy as np
    from django.contrib.auth.models import User

    from dudao.actors import system
    from dudao.census.importing import import_census
    from dudao.demo import synthetic_schools
    from dudao.evaluation.actions import evaluate_county
    from dudao.orgs.models import Membership, Region, Role

    times: dict[str, float] = {}
    t = time.perf_counter()
    frame = synthetic_schools(COUNTIES, SCHOOLS, seed=SEED, province="13")
    frame.loc[frame["school_type"] == "special", "level"] = "primary"
    before = frame.copy()
    numeric = [c for c in before.columns if before[c].dtype.kind == "f" and c not in ("students",)]
    before[numeric] = (before[numeric] * 0.98).round(1)
    files = {YEAR: folder / f"{YEAR}.csv", YEAR - 1: folder / f"{YEAR - 1}.csv"}
    frame.to_csv(files[YEAR], index=False)
    before.to_csv(files[YEAR - 1], index=False)
    times["generate_s"] = time.perf_counter() - t

    t = time.perf_counter()
    province = Region.objects.create(code="13", name="河北省", level="province")
    city = Region.objects.create(code="1301", name="河北省第01市", level="city", parent=province)
    counties = frame[["county_code", "county_name"]].astype(str).drop_duplicates().itertuples(index=False)
    for code, name in counties:
        Region.objects.create(code=code, name=name, level="county", parent=city)
    for year, path in files.items():
        import_census(path, year, county=None, user=system("benchmark"))
    times["import_s"] = time.perf_counter() - t

    t = time.perf_counter()
    regions = list(Region.objects.filter(level="county").order_by("code"))
    for county in regions:
        for year in files:
            evaluate_county(system("benchmark"), county, year, STANDARD)
    times["evaluate_s"] = time.perf_counter() - t

    county = regions[0]
    supervisor = User.objects.create_user("bench-county", password=PASSWORD)
    Membership.objects.create(user=supervisor, role=Role.COUNTY_SUPERVISOR, region=county)
    inspector = User.objects.create_user("bench-city", password=PASSWORD)
    Membership.objects.create(user=inspector, role=Role.CITY_INSPECTOR, region=city)
    provincial = User.objects.create_user("bench-province", password=PASSWORD)
    Membership.objects.create(user=provincial, role=Role.PROVINCE_INSPECTOR, region=province)
    rows = frame[frame["county_code"].astype(str) == county.code]
    return {
        "times": times,
        "county": county.code,
        "city": city.code,
        "province": province.code,
        "county_schools": len(rows),
        "schools": len(frame),
        "school": str(rows["school_code"].iloc[int(np.argmin(rows["students"].to_numpy()))]),
    }


def _url(name: str, code: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=[code, YEAR, STANDARD])
    except NoReverseMatch:
        return None  # that page is not built yet


def _time(client: Any, url: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        _ok(client.get(url), url)
    with CaptureQueriesContext(connection) as captured:
        response = _ok(client.get(url), url)
    queries = len(captured)  # now: the next request's start clears the connection's query log
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _ok(client.get(url), url)
        times.append(time.perf_counter() - start)
    return _stats(times) | {"queries": queries, "kib": len(response.content) / 1024}


def _ok(response: Any, url: str) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return response


def _stats(times: list[float]) -> dict[str, Any]:
    ms = sorted(t * 1000 for t in times)
    return {
        "runs": len(ms),
        "median_ms": statistics.median(ms),
        "p90_ms": ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))],
        "best_ms": ms[0],
        "all_ms": [round(t, 1) for t in ms],
    }


def _change(county_code: str, i: int) -> None:
    """One value of one census record of the county changed, as a person's save would."""
    from dudao.actors import system
    from dudao.census.actions import save_record
    from dudao.census.models import CensusRecord

    records = CensusRecord.objects.filter(school__county__code=county_code, year=YEAR).order_by("pk")
    record = records.select_related("school")[i % records.count()]
    figure = float(record.sports_area_m2 or 0) + 1
    save_record(
        system("benchmark"),
        record.school,
        YEAR,
        record.level,
        {"sports_area_m2": figure},
        expected_version=record.version,
    )


def _after_change(client: Any, url: str, county_code: str, changes: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dudao.evaluation.models import EvaluationRun

    _ok(client.get(url), url)
    runs_before = EvaluationRun.objects.count()
    times = []
    queries, kib = 0, 0.0
    for i in range(changes):
        _change(county_code, i)
        if i == 0:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = _ok(client.get(url), url)
                times.append(time.perf_counter() - start)
            queries, kib = len(captured), len(response.content) / 1024
        else:
            start = time.perf_counter()
            _ok(client.get(url), url)
            times.append(time.perf_counter() - start)
    new_runs = EvaluationRun.objects.count() - runs_before
    if new_runs != changes:
        raise SystemExit(f"expected {changes} new runs after {changes} changes, found {new_runs}")
    # The same re-evaluation outside the request, for where the time goes.
    from dudao.actors import system
    from dudao.evaluation.actions import evaluate_county
    from dudao.orgs.models import Region

    county = Region.objects.get(code=county_code)
    alone = []
    for _ in range(max(3, changes // 2)):
        start = time.perf_counter()
        evaluate_county(system("benchmark"), county, YEAR, STANDARD)
        alone.append(time.perf_counter() - start)
    return _stats(times) | {"queries": queries, "kib": kib, "evaluate_county_ms": statistics.median(alone) * 1000}


def _install_stage_timers(spent: dict[str, float]) -> None:
    """Wrap each function of ``STAGES`` where the callers look it up, adding its time to ``spent``."""
    for module_name, name, label in STAGES:
        module = importlib.import_module(module_name)
        fn = getattr(module, name, None)
        if fn is None:
            continue  # moved or renamed: that stage is not reported

        def timed(*args: Any, _fn: Any = fn, _label: str = label, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return _fn(*args, **kwargs)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)


def _stages(client: Any, url: str, n: int, county_code: str | None, spent: dict[str, float]) -> dict[str, float]:
    """Median milliseconds per request of each stage (and of the whole request), over ``n`` requests;
    with ``county_code``, each request follows a change of the county's data."""
    per_request: list[dict[str, float]] = []
    for i in range(n):
        if county_code:
            _change(county_code, 500 + i)
        spent.clear()
        start = time.perf_counter()
        _ok(client.get(url), url)
        per_request.append({**spent, "whole request": time.perf_counter() - start})
    labels = dict.fromkeys(label for row in per_request for label in row)
    return {label: statistics.median(row.get(label, 0.0) for row in per_request) * 1000 for label in labels}


def _profile(client: Any, url: str, n: int, change: str | None) -> str:
    profiler = cProfile.Profile()
    for i in range(n):
        if change:
            _change(change, 1000 + i)
        profiler.enable()
        _ok(client.get(url), url)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    return out.getvalue()


def child(runs: int, changes: int, profile: str | None) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp:
        data = _data(Path(tmp))
    county_client, city_client, province_client = Client(), Client(), Client()
    for client, username in ((county_client, "bench-county"), (city_client, "bench-city"),
                             (province_client, "bench-province")):  # fmt: skip
        assert client.login(username=username, password=PASSWORD)

    pages = {
        "cockpit": (county_client, _url("overview:county", data["county"])),
        "schools": (county_client, _url("overview:schools", data["county"])),
        "school": (county_client, _url("overview:school", data["school"])),
        "balance": (county_client, _url("overview:balance", data["county"])),
        "city": (city_client, _url("overview:region", data["city"])),
        "province": (province_client, _url("overview:region", data["province"])),
    }
    out: dict[str, Any] = {"vendor": connection.vendor, "data": data, "pages": {}}
    if profile:
        name, _, changed = profile.partition("-")
        client, url = pages[name]
        out["profile"] = _profile(client, url, max(runs, 5), data["county"] if changed else None)
        return out
    for name, (client, url) in pages.items():
        if url is not None:
            out["pages"][name] = _time(client, url, runs) | {"url": url}
    cockpit = pages["cockpit"][1]
    if cockpit is not None:
        out["pages"]["cockpit-changed"] = _after_change(county_client, cockpit, data["county"], changes)
        spent: dict[str, float] = {}
        _install_stage_timers(spent)
        out["stages"] = {
            "cockpit": _stages(county_client, cockpit, runs, None, spent),
            "cockpit-changed": _stages(county_client, cockpit, changes, data["county"], spent),
        }
    return out


# --------------------------------------------------------------------------------------------
# The parent: one child per database, then the report


def run_one(backend: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("DJANGO_DEBUG", None)
    env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    env["DUDAO_DATA_DIR"] = str(folder)
    if backend == "sqlite":
        db = folder / "bench-pages.sqlite3"
        db.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    else:
        _pg(args.pg, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        _pg(args.pg, f"CREATE DATABASE {BENCH_DB}")
        env["DATABASE_URL"] = f"{args.pg}/{BENCH_DB}"
    command = [sys.executable, __file__, "--child", "--runs", str(args.runs), "--changes", str(args.changes)]
    if args.profile:
        command += ["--profile", args.profile]
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"the run on {backend} failed")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if backend == "postgresql":
            _pg(args.pg, f"DROP DATABASE IF EXISTS {BENCH_DB}")


LABELS = {
    "cockpit": "county cockpit, stored run fresh",
    "cockpit-changed": "county cockpit, first view after a change (re-evaluates)",
    "schools": "school list (300 schools)",
    "school": "school page",
    "balance": "balance page",
    "city": "city view (20 counties)",
    "province": "province view (1 city, 20 counties)",
}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "| page | database | runs | median | p90 | best | queries | page size | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, label in LABELS.items():
        for backend, result in results.items():
            page = result["pages"].get(name)
            if page is None:
                continue
            target = TARGETS_MS.get(name.split("-")[0])
            met = target is not None and page["median_ms"] <= target
            verdict = "" if target is None else f"≤ {target:.0f} ms: {'met' if met else 'MISSED'}"
            lines.append(
                f"| {label} | {backend} | {page['runs']} | **{page['median_ms']:.1f} ms** | {page['p90_ms']:.1f} ms | "
                f"{page['best_ms']:.1f} ms | {page['queries']} | {page.get('kib', 0):.0f} KiB | {verdict} |"
            )
    notes = []
    for backend, result in results.items():
        data = result["data"]
        changed = result["pages"].get("cockpit-changed")
        t = data["times"]
        notes.append(
            f"- {backend}: {data['schools']:,} schools in {COUNTIES} counties ({data['county_schools']} in the "
            f"cockpit's county); set-up not timed: generate {t['generate_s']:.1f} s, import (2 years) "
            f"{t['import_s']:.1f} s, evaluate {2 * COUNTIES} county-years {t['evaluate_s']:.1f} s"
            + (f"; `evaluate_county` alone {changed['evaluate_county_ms']:.0f} ms (median)" if changed else "")
        )
    lines += ["", *notes]
    for backend, result in results.items():
        stages = result.get("stages")
        if not stages:
            continue
        lines += ["", f"Where a cockpit request's time goes on {backend} (median ms per request, timed inside it):", "",
                  "| stage | fresh run | after a change |", "|---|---:|---:|"]  # fmt: skip
        fresh, changed = stages["cockpit"], stages["cockpit-changed"]
        for label in dict.fromkeys([*(label for _, _, label in STAGES), "whole request"]):
            lines.append(f"| {label} | {fresh.get(label, 0):.1f} | {changed.get(label, 0):.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--changes", type=int, default=10, help="changes, each followed by a first view")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--profile", help="cProfile one page instead of timing: cockpit, cockpit-changed, city, ...")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.runs, args.changes, args.profile)))
        return 0

    backends = [b for b, off in (("sqlite", args.no_sqlite), ("postgresql", args.no_pg)) if not off]
    print(f"machine: {_machine(args.pg)}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()  # fmt: skip
    print(f"commit: {commit.stdout.strip()}{' (with uncommitted changes in the working tree)' if dirty else ''}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            start = time.perf_counter()
            results[backend] = run_one(backend, args, Path(tmp))
            print(f"{backend}: done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
            if args.profile:
                print(f"== profile of {args.profile} on {backend} ==\n{results[backend]['profile']}")
    if args.profile:
        return 0
    print(report(results, args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
