"""Scale benchmark (issue 18 §3): a province of 200 counties × 300 schools and the nation (2,895
counties, about 190,000 schools) in PostgreSQL, every county evaluated and stored; the pages' server
time on them, the evaluation of every county through the task queue, and mixed traffic.

    .venv/bin/python benchmarks/bench_scale.py build --set province --db scale_province
    .venv/bin/python benchmarks/bench_scale.py build --set nation --db scale_nation
    .venv/bin/python benchmarks/bench_scale.py pages --db scale_province [--runs 30] [--profile province]
        [--only province,city,cockpit,nation]
    .venv/bin/python benchmarks/bench_scale.py queue --db scale_nation --workers 2 [--redis redis://127.0.0.1:6379/7]
    .venv/bin/python benchmarks/bench_scale.py load --db scale_province --users 200 --seconds 60
    .venv/bin/python benchmarks/bench_scale.py drop --db scale_province

**build** (the database is dropped and created again): the regions of the synthetic county codes
(``benchmarks.bench_import._regions``), the census of ``YEAR`` written as a CSV and imported with
``import_census`` (the ``COPY`` fast path, ADR 0027), every county evaluated and stored in this process
(``evaluate_county``, timed), and users: a county supervisor of each of the first 200 counties of the
largest province (``county-000`` ...), a city inspector of its first city and a province inspector
(password ``bench-scale``). The data stay for the other commands; ``drop`` removes them.

**pages**: in-process, Django's test ``Client`` through the whole stack, DEBUG off; two warm-ups and
``--runs`` timed requests a page (``benchmarks.bench_pages._time``): the province view of the largest
province, its first city, the cockpit of its first county with a fresh run, and the cockpit's first
view after a change of one census record (``save_record``): with no broker the change is evaluated by
the job the save queues, after its commit and before the view (as a worker would); with ``--redis``
the job is queued on Redis and nobody runs it, so the view shows the stored run marked stale.

**queue**: every stored result made stale (the census records' ``version`` + 1 in one ``UPDATE``), one
``refresh_county`` job per county sent to Redis, ``--workers`` Celery worker processes
(``celery -A dudao worker --concurrency 1`` each) started, and the time until every county has a new
run; the throughput is counties per second.

**load**: gunicorn (``--gunicorn-workers``) on 127.0.0.1, ``--users`` simulated users (one thread each,
closed loop, 0.5–1.5 s think time) arriving over ``--ramp`` seconds, who log in and then browse for
``--seconds``: one in ten as the city's inspector (city view, its county table as .xlsx), the others as
county supervisors (their cockpit, school list, a school page, the school list as .xlsx). Latency of
every request, p50, p95, p99 and errors (a status other than 200/302, or no answer within 60 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_import import _machine, _pg  # noqa: E402

SEED = 2026
YEAR = 2025
STANDARD = "national-2017"
PASSWORD = "bench-scale"
PG = "postgres://postgres@127.0.0.1:5432"
PORT = 8771
SETS = {"province": (200, 300, "13"), "nation": (2895, (40, 91), None), "small": (5, 50, "13")}  # small: a smoke test


def _django(db: str, broker: str = "") -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{db}"
    os.environ["DUDAO_BROKER_URL"] = broker
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django

    django.setup()


def _head() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"commit {commit.stdout.strip()}{' (+ working tree)' if dirty else ''}; load average {load}"


# --------------------------------------------------------------------------------------------
# build


def build(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.bench_import import _regions
    from dudao.demo import synthetic_schools

    _pg(PG, f"DROP DATABASE IF EXISTS {args.db}")
    _pg(PG, f"CREATE DATABASE {args.db}")
    _django(args.db)
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from dudao.actors import system
    from dudao.census.importing import import_census
    from dudao.evaluation.actions import evaluate_county
    from dudao.orgs.models import Membership, Region, Role

    times: dict[str, float] = {}
    call_command("migrate", verbosity=0)
    counties, schools, province = SETS[args.set]
    t = time.perf_counter()
    frame = synthetic_schools(counties, schools, seed=SEED, province=province)
    frame.loc[frame["school_type"] == "special", "level"] = "primary"
    times["generate_s"] = time.perf_counter() - t
    settings.DUDAO_UPLOAD_MAX_BYTES = max(settings.DUDAO_UPLOAD_MAX_BYTES, 64 * 2**20)
    with tempfile.TemporaryDirectory(prefix="dudao-scale-") as tmp:
        path = Path(tmp) / "census.csv"
        frame.to_csv(path, index=False)
        _regions(str(path))
        t = time.perf_counter()
        import_census(path, YEAR, county=None, user=system("benchmark"))
        times["import_s"] = time.perf_counter() - t
    t = time.perf_counter()
    regions = list(Region.objects.filter(level="county").order_by("path"))
    for i, county in enumerate([] if args.no_evaluate else regions):
        evaluate_county(system("benchmark"), county, YEAR, STANDARD)
        if i % 200 == 199:
            print(f"evaluated {i + 1} of {len(regions)} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    times["evaluate_s"] = time.perf_counter() - t
    with connection.cursor() as cursor:  # planner statistics after the COPY, as autovacuum would soon
        cursor.execute("ANALYZE")
    top = Region.objects.filter(level="county").values("parent__parent").annotate(n=Count("pk")).order_by("-n").first()
    assert top is not None
    big = Region.objects.get(pk=top["parent__parent"])
    city = Region.objects.filter(parent=big).order_by("path").first()
    hashed = make_password(PASSWORD)
    mine = list(Region.objects.filter(level="county", path__startswith=big.path).order_by("path")[:200])
    users = User.objects.bulk_create(User(username=f"county-{i:03d}", password=hashed) for i in range(len(mine)))
    Membership.objects.bulk_create(
        Membership(user=u, role=Role.COUNTY_SUPERVISOR, region=c) for u, c in zip(users, mine, strict=True)
    )
    for name, role, region in (("city", Role.CITY_INSPECTOR, city), ("province", Role.PROVINCE_INSPECTOR, big)):
        Membership.objects.create(user=User.objects.create(username=name, password=hashed), role=role, region=region)
    return {
        "set": args.set,
        "schools": len(frame),
        "counties": len(regions),
        "province": big.code,
        "province_counties": top["n"],
        "times": times,
    }


# --------------------------------------------------------------------------------------------
# pages


def _places() -> dict[str, Any]:
    from django.contrib.auth.models import User

    from dudao.orgs.models import Membership

    def region(username: str) -> Any:
        return Membership.objects.select_related("region").get(user=User.objects.get(username=username)).region

    county = region("county-000")
    return {"county": county, "city": region("city"), "province": region("province")}


def pages(args: argparse.Namespace) -> dict[str, Any]:
    _django(args.db)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from benchmarks.bench_pages import _after_change, _change, _profile, _time
    from dudao.census.models import CensusRecord
    from dudao.evaluation.models import EvaluationRun

    places = _places()
    if not User.objects.filter(username="nation").exists():  # the national view: a superuser sees every province
        User.objects.create_superuser("nation", password=PASSWORD)
    clients = {}
    for who in ("county-000", "city", "province", "nation"):
        clients[who] = Client()
        assert clients[who].login(username=who, password=PASSWORD)
    url = {
        "province": ("province", _url("overview:region", places["province"].code)),
        "city": ("city", _url("overview:region", places["city"].code)),
        "cockpit": ("county-000", _url("overview:county", places["county"].code)),
        "schools": ("county-000", _url("overview:schools", places["county"].code)),
    }
    try:
        url["nation"] = ("nation", reverse("overview:nation", args=[YEAR, STANDARD]))
    except NoReverseMatch:  # before the national view existed
        pass
    if args.profile:
        who, link = url[args.profile]
        print(_profile(clients[who], link, args.runs, None))
        return {}
    out: dict[str, Any] = {"cities_in_province": len(places["province"].children.all()), "pages": {}}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        out["database_mib"] = round(cursor.fetchone()[0] / 2**20)
    out["runs_stored"] = EvaluationRun.objects.count()
    out["records"] = CensusRecord.objects.count()
    for name, (who, link) in url.items():
        if args.only and name not in args.only.split(","):
            continue
        out["pages"][name] = _time(clients[who], link, args.runs) | {"url": link}
        print(name, round(out["pages"][name]["median_ms"], 1), file=sys.stderr)
    code = places["county"].code
    cockpit = url["cockpit"][1]
    if args.only and "cockpit-changed" not in args.only.split(","):
        return out
    # The first view after a change: without a broker the save's job evaluates after the commit.
    out["pages"]["cockpit-changed"] = _after_change(clients["county-000"], cockpit, code, args.changes)
    out["pages"]["cockpit-changed"].pop("evaluate_county_ms", None)
    save = []
    for i in range(args.changes):
        start = time.perf_counter()
        _change(code, 100 + i)
        save.append(time.perf_counter() - start)
    out["save_and_evaluate_ms"] = statistics.median(save) * 1000
    if args.redis:
        out["pages"]["cockpit-stale"] = _stale(clients["county-000"], cockpit, code, args)
    return out


def _stale(client: Any, url: str, code: str, args: argparse.Namespace) -> dict[str, Any]:
    """The first view after a change whose job waits on Redis (no worker): the stored run, marked stale."""
    from benchmarks.bench_pages import _change, _ok, _stats
    from dudao.celery import app

    app.conf.broker_url = args.redis
    app.conf.task_always_eager = False
    times = []
    try:
        for i in range(args.changes):
            _change(code, 200 + i)
            start = time.perf_counter()
            _ok(client.get(url), url)
            times.append(time.perf_counter() - start)
    finally:
        app.control.purge()
    return _stats(times)


def _url(name: str, code: str) -> str:
    from django.urls import reverse

    return reverse(name, args=[code, YEAR, STANDARD])


# --------------------------------------------------------------------------------------------
# queue


def queue(args: argparse.Namespace) -> dict[str, Any]:
    _django(args.db, args.redis)
    from django.db import connection

    from dudao.celery import app
    from dudao.evaluation.jobs import refresh_county
    from dudao.evaluation.models import EvaluationRun
    from dudao.orgs.models import Region

    app.control.purge()
    ids = list(Region.objects.filter(level="county").order_by("path").values_list("pk", flat=True))
    if args.counties:
        ids = ids[: args.counties]
    before = EvaluationRun.objects.count()
    if args.first:  # counties without a stored result: the benchmark's task evaluates them
        for pk in ids:
            app.send_task("bench_scale.evaluate", args=[pk, YEAR, STANDARD])
    else:
        with connection.cursor() as cursor:  # every stored result out of date
            cursor.execute(
                "UPDATE census_censusrecord SET version = version + 1 WHERE year = %s AND school_id IN "
                "(SELECT id FROM orgs_school WHERE county_id = ANY(%s))",
                [YEAR, ids],
            )
        for pk in ids:
            refresh_county.delay(pk, YEAR)
    env = {**os.environ, "DUDAO_BROKER_URL": args.redis}
    celery = str(Path(sys.executable).with_name("celery"))
    workers = [
        subprocess.Popen(
            [
                celery,
                "-A",
                "dudao",
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "-n",
                f"scale{i}@%h",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "-I",
                "benchmarks.scale_tasks",
                "--without-mingle",
            ],
            env=env,
            cwd=ROOT,
            stdout=sys.stderr,  # the banner; stdout is this script's JSON
        )
        for i in range(args.workers)
    ]
    try:
        start = time.perf_counter()
        done, first = 0, None
        deadline = start + args.timeout
        while done < len(ids) and time.perf_counter() < deadline:
            time.sleep(1)
            done = EvaluationRun.objects.count() - before
            if done and first is None:
                first = time.perf_counter() - start
        wall = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        app.control.purge()
    steady = (done - 1) / (wall - first) if first and done > 1 else 0.0
    return {
        "workers": args.workers,
        "counties": len(ids),
        "evaluated": done,
        "wall_s": round(wall, 1),
        "first_s": round(first or 0, 1),
        "per_s": round(done / wall, 2),
        "steady_per_s": round(steady, 2),
    }


# --------------------------------------------------------------------------------------------
# load


def load(args: argparse.Namespace) -> dict[str, Any]:
    _django(args.db)
    import requests

    from dudao.orgs.models import Region, School

    places = _places()
    counties = list(Region.objects.filter(level="county", path__startswith=places["province"].path).order_by("path"))
    school_of = {}
    for county in counties[: args.users]:
        school_of[county.code] = (
            School.objects.filter(county=county).order_by("code").values_list("code", flat=True)[:5]
        )
    school_of = {k: list(v) for k, v in school_of.items()}
    env = {
        **os.environ,
        "DUDAO_BROKER_URL": "",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-scale-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "dudao.wsgi:application",
            "-w",
            str(args.gunicorn_workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{PORT}"
    for _ in range(200):
        try:
            requests.get(f"{base}/accounts/login/", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.2)
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop = time.perf_counter() + args.ramp + args.seconds
    city = places["city"].code

    def hit(session: Any, kind: str, method: str, path: str, **kw: Any) -> Any:
        start = time.perf_counter()
        try:
            response = session.request(method, base + path, timeout=60, allow_redirects=False, **kw)
            status = response.status_code
        except requests.RequestException:
            response, status = None, -1
        with lock:
            results.append((kind, status, time.perf_counter() - start))
        return response

    def user(i: int) -> None:
        rng = random.Random(i)
        county = counties[i % len(counties)]
        inspector = i % 10 == 0  # one user in ten is the city's inspector, the others county supervisors
        session = requests.Session()
        time.sleep(rng.uniform(0, args.ramp))  # arrivals spread over the ramp
        page = hit(session, "login page", "GET", "/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text) if page is not None else None
        username = "city" if inspector else f"county-{i % len(counties):03d}"
        hit(session, "login", "POST", "/accounts/login/", headers={"Referer": base + "/accounts/login/"},
            data={"csrfmiddlewaretoken": match.group(1) if match else "", "username": username,
                  "password": PASSWORD})  # fmt: skip
        mine = f"/overview/county/{county.code}/{YEAR}/{STANDARD}/"
        region = f"/overview/region/{city}/{YEAR}/{STANDARD}/"
        pages = (
            [("city view", region, 0.6), ("download", f"{region}?download=counties-{city}-{YEAR}&format=xlsx", 1)]
            if inspector
            else [("cockpit", mine, 0.35), ("school list", f"{mine}schools/", 0.55), ("school page", "", 0.9),
                  ("download", f"{mine}schools/?download=schools&format=xlsx", 1)]
        )  # fmt: skip
        while time.perf_counter() < stop:
            roll = rng.random()
            kind, path = next((k, p) for k, p, upto in pages if roll < upto)
            if kind == "school page":
                path = f"/overview/school/{rng.choice(school_of[county.code])}/{YEAR}/{STANDARD}/"
            hit(session, kind, "GET", path)
            time.sleep(rng.uniform(0.5, 1.5))

    load_before = os.getloadavg()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.ramp + args.seconds + 120)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    wall = time.perf_counter() - started
    return _load_report(results, wall, load_before)


def _load_report(results: list[tuple[str, int, float]], wall: float, load_before: tuple[float, ...]) -> dict:
    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000, 1)

    kinds: dict[str, list[tuple[int, float]]] = {}
    for kind, status, seconds in results:
        kinds.setdefault(kind, []).append((status, seconds))
    rows = {}
    for kind, values in [("all", [(s, t) for _k, s, t in results]), *kinds.items()]:
        times = [t for _s, t in values]
        errors = sum(1 for s, _t in values if s not in (200, 302))
        statuses: dict[int, int] = {}
        for s, _t in values:
            statuses[s] = statuses.get(s, 0) + 1
        rows[kind] = {
            "n": len(values),
            "p50_ms": pct(times, 0.5),
            "p95_ms": pct(times, 0.95),
            "p99_ms": pct(times, 0.99),
            "max_ms": pct(times, 1.0),
            "errors": errors,
            "statuses": statuses,
        }
    return {
        "wall_s": round(wall, 1),
        "requests_per_s": round(len(results) / wall, 1),
        "by_kind": rows,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build", "pages", "queue", "load", "drop"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--set", choices=list(SETS), default="province")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--only", default="", help="pages: these cases only (province,city,cockpit,schools,...)")
    parser.add_argument("--profile", choices=["province", "city", "cockpit", "schools", "nation"])
    parser.add_argument("--redis", default="", help="broker, e.g. redis://127.0.0.1:6379/7")
    parser.add_argument("--workers", type=int, default=1, help="queue: Celery worker processes")
    parser.add_argument("--counties", type=int, default=0, help="queue: only the first N counties")
    parser.add_argument("--first", action="store_true", help="queue: first evaluations (no stored result yet)")
    parser.add_argument("--no-evaluate", action="store_true", help="build: leave the evaluation to queue --first")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ramp", type=float, default=30, help="load: users arrive over this many seconds")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    args = parser.parse_args(argv)
    if not args.db.startswith(("scale_", "scale2_")) or not args.db.isidentifier():
        parser.error("--db: a plain name beginning with scale_ (or scale2_)")
    if args.command == "queue" and not args.redis:
        parser.error("queue needs --redis")
    print(f"machine: {_machine(PG)}; {_head()}", file=sys.stderr)
    if args.command == "drop":
        _pg(PG, f"DROP DATABASE IF EXISTS {args.db}")
        return 0
    result = {"build": build, "pages": pages, "queue": queue, "load": load}[args.command](args)
    result["after"] = _head()
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
