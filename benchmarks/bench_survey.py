"""Load benchmark of the public survey form: a real server (gunicorn, sync workers) on PostgreSQL over
loopback, driven by a plain asyncio client at a fixed arrival rate.

    .venv/bin/python benchmarks/bench_survey.py [--rate 300] [--seconds 20] [--workers 4] [--threads 0]
        [--duplicates 0.1] [--pg postgres://postgres@127.0.0.1:5432]

**What happens.** A new PostgreSQL database ``bench_hs`` is migrated and given one county, an open
survey (quotas large enough not to fill) and ``rate × seconds`` one-use tokens of the parents' group.
gunicorn serves ``dudao.wsgi`` on 127.0.0.1 (DEBUG off). The client fetches the form once (for the
signed start stamp), then submits complete answer sheets at ``--rate`` per second for ``--seconds``
(open loop: request i is due at t0 + i / rate whatever the server's speed), each with its own token
over a new connection (sync workers close after each response). A share ``--duplicates`` of the
tokens is sent a second time at the same instant (a concurrent double submit). Latency is measured
from the moment a request was due (so a queue in front of the server counts), to the last byte.

The client keeps at most ``--in-flight`` connections open (its file limit); a request waiting for one
still has its clock running from the moment it was due.

**Checked afterwards** (in the database): the number of stored responses equals the number of
answers the server accepted (HTTP 200), each stored response has its own token, every duplicate got
409 (or was the one accepted), nothing else failed. The database is dropped at the end.

**CPU per request**: the CPU time (user + system, from /proc) the gunicorn workers, the PostgreSQL
backends connected to the benchmark's database and the client used during the run, over the requests
sent. On a shared machine it depends less on the other load than the latencies do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_import import _machine, _pg  # noqa: E402

DB = "bench_hs"
PORT = 8765


def child_setup(tokens: int) -> None:
    """In a child process with DATABASE_URL set: the county, the survey and its tokens; prints JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.contrib.auth.models import User

    from dudao.orgs.models import Membership, Region, Role
    from dudao.surveys import actions
    from dudao.surveys.models import Token

    province = Region.objects.create(code="13", name="河北省", level="province")
    city = Region.objects.create(code="1301", name="示范市", level="city", parent=province)
    county = Region.objects.create(code="130135", name="示范县", level="county", parent=city,
                                   resident_population=20_000_000)  # fmt: skip
    user = User.objects.create_user("county", password="bench-password")
    Membership.objects.create(user=user, role=Role.COUNTY_SUPERVISOR, region=county)
    survey = actions.create_survey(user, county, 2025, "压力测试")
    # Every request comes from 127.0.0.1: the per-address limits (one-use codes: 60 in 10 minutes) would
    # refuse all but the first answers with 429. They are raised to their maximum; the counter of the one
    # address is still updated by every submission (a hot row that real traffic, from many addresses, spreads).
    limits = {"token_address_limit": 100_000, "burst_per_window": 100_000, "address_limit": 100_000}
    actions.update_config(user, survey, limits, None, "benchmark: every answer from 127.0.0.1")
    actions.set_status(user, survey, "open")
    Token.objects.bulk_create(Token(survey=survey, group="parent") for _ in range(tokens))
    codes = list(Token.objects.filter(survey=survey).values_list("code", flat=True))
    print(json.dumps({"key": survey.key, "quota": actions.quotas(survey)["parent"], "tokens": codes}))


def child_check(key: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.db.models import Count

    from dudao.surveys.models import Response, Survey

    survey = Survey.objects.get(key=key)
    rows = Response.objects.filter(survey=survey)
    twice = rows.values("token").annotate(n=Count("pk")).filter(n__gt=1).count()
    print(json.dumps({"stored": rows.count(), "with_token": rows.exclude(token=None).count(),
                      "distinct_tokens": rows.values("token").distinct().count(), "token_twice": twice}))  # fmt: skip


async def request(method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")  # fmt: skip
    writer.write(head.encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


async def drive(key: str, codes: list[str], rate: float, seconds: float, duplicates: float, in_flight: int) -> dict:
    status, page = await request("GET", f"/s/{key}/parent/")
    assert status == 200, status
    text = page.decode()
    stamp = text.split('name="s" value="', 1)[1].split('"', 1)[0]
    version = text.split('name="v" value="', 1)[1].split('"', 1)[0]
    likert = ["满意", "比较满意", "一般", "满意", "比较满意", "满意", "满意", "比较满意"]
    sheet = {"s": stamp, "v": version, "stage": "小学", "overall": "满意",
             **{f"q{n}": likert[n - 1] for n in range(1, 9)}}  # fmt: skip
    total = int(rate * seconds)
    every = max(1, round(1 / duplicates)) if duplicates > 0 else 0
    results: list[tuple[int, float, bool]] = []
    errors: dict[str, int] = {}
    refusals: Counter[str] = Counter()  # the 409s by their message
    gate = asyncio.Semaphore(in_flight)  # the client's own socket limit; a wait here counts as latency
    t0 = time.perf_counter() + 0.2

    async def one(i: int, code: str, duplicate: bool) -> None:
        due = t0 + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        body = urllib.parse.urlencode({**sheet, "t": code}).encode()
        async with gate:
            try:
                status, page = await request("POST", f"/s/{key}/parent/", body)
                if status == 409:
                    refusals[page.split(b'class="msg">', 1)[-1].split(b"<", 1)[0].decode()] += 1
            except OSError as exc:
                status = -1
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        results.append((status, time.perf_counter() - due, duplicate, due - t0))

    tasks = []
    for i in range(total):
        tasks.append(one(i, codes[i], False))
        if every and i % every == 0:
            tasks.append(one(i, codes[i], True))
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    return {"results": results, "wall": wall, "total": total, "errors": errors, "refusals": dict(refusals)}


def cpu_times(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each of these processes has used so far (from /proc)."""
    tick, seconds = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


def server_pids(server: int, pg: str) -> tuple[list[int], list[int]]:
    """The gunicorn workers of ``server`` and the PostgreSQL backends connected to the benchmark's database."""
    import psycopg

    children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB]).fetchall()
    return [int(pid) for pid in children], [row[0] for row in rows]


def used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    global DB, PORT
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0, help="gthread workers with this many threads (0: sync)")
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--in-flight", type=int, default=256, help="the client's open connections at most")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default=DB, help="PostgreSQL database to create, use and drop")
    parser.add_argument("--port", type=int, default=PORT, help="the server's port on 127.0.0.1")
    parser.add_argument("--child-setup", type=int)
    parser.add_argument("--child-check")  # given as --child-check=KEY: a survey key may begin with "-"
    args = parser.parse_args()
    if args.child_setup is not None:
        return child_setup(args.child_setup)
    if args.child_check is not None:
        return child_check(args.child_check)
    DB, PORT = args.db, args.port
    if not DB.isidentifier():
        parser.error(f"--db: not a plain database name: {DB!r}")
    env = {**os.environ, "DATABASE_URL": f"{args.pg}/{DB}", "DJANGO_DEBUG": "false",
           "DJANGO_SECRET_KEY": "bench-secret-key", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
    _pg(args.pg, f"DROP DATABASE IF EXISTS {DB}")
    _pg(args.pg, f"CREATE DATABASE {DB}")
    server = None
    try:
        subprocess.run([sys.executable, "-m", "dudao.cli", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        total = int(args.rate * args.seconds)
        out = subprocess.run([sys.executable, __file__, f"--child-setup={total}"], env=env, check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout  # fmt: skip
        setup = json.loads(out.strip().splitlines()[-1])
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "dudao.wsgi:application", "-w", str(args.workers),
             "-b", f"127.0.0.1:{PORT}", "--backlog", "2048", "--log-level", "warning",
             *(["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads else [])],
            env=env, cwd=ROOT,
        )  # fmt: skip
        for _ in range(100):
            try:
                asyncio.run(request("GET", "/accounts/login/"))
                break
            except OSError:
                time.sleep(0.1)
        machine = _machine(args.pg)
        before_load = os.getloadavg()[0]
        workers, backends = server_pids(server.pid, args.pg)
        cpu_before = cpu_times(workers), cpu_times(backends), time.process_time()
        run = asyncio.run(
            drive(setup["key"], setup["tokens"], args.rate, args.seconds, args.duplicates, args.in_flight)
        )
        after_load = os.getloadavg()[0]
        workers, backends = server_pids(server.pid, args.pg)
        cpu = (used(cpu_before[0], cpu_times(workers)), used(cpu_before[1], cpu_times(backends)),
               time.process_time() - cpu_before[2])  # fmt: skip
        checked = subprocess.run([sys.executable, __file__, f"--child-check={setup['key']}"], env=env, check=True,
                                 capture_output=True, text=True, cwd=ROOT)  # fmt: skip
        check = json.loads(checked.stdout.strip().splitlines()[-1])
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        _pg(args.pg, f"DROP DATABASE IF EXISTS {DB}")
    results = run["results"]
    latencies = [lat * 1000 for _s, lat, _d, _t in results]
    statuses: dict[int, int] = {}
    for s, _lat, _d, _t in results:
        statuses[s] = statuses.get(s, 0) + 1
    accepted = statuses.get(200, 0)
    firsts = [s for s, _l, d, _t in results if not d]
    print(f"machine: {machine}; load average (1 min) before the run {before_load:.1f}, after {after_load:.1f}")
    dups = len(results) - run["total"]
    kind = f"gthread workers ({args.threads} threads each)" if args.threads else "sync workers"
    print(f"gunicorn {kind}: {args.workers}; offered {args.rate:.0f} submissions/s for {args.seconds:.0f} s "
          f"({run['total']} tokens, {dups} concurrent duplicates); wall {run['wall']:.2f} s")  # fmt: skip
    print(f"statuses: {dict(sorted(statuses.items()))}; connection errors: {run['errors']}")
    print(f"409 messages: {run['refusals']}")
    print(f"accepted per second (wall): {accepted / run['wall']:.1f}")
    per = [f"{seconds / len(results) * 1000:.2f}" for seconds in cpu]
    print(f"CPU ms per request ({len(results)} requests): gunicorn workers {per[0]}, PostgreSQL backends {per[1]}, "
          f"client {per[2]}")  # fmt: skip
    print(f"latency ms (from due time): p50 {statistics.median(latencies):.1f}, p90 {pct(latencies, 0.9):.1f}, "
          f"p99 {pct(latencies, 0.99):.1f}, max {max(latencies):.1f}")  # fmt: skip
    buckets: dict[int, list[float]] = {}
    for _s, lat, _d, due in results:
        buckets.setdefault(int(due // 2), []).append(lat * 1000)
    print("p99 ms per 2 s of the run:", " ".join(f"{pct(v, 0.99):.0f}" for _k, v in sorted(buckets.items())))
    print(f"database: {check}; first submissions accepted {firsts.count(200)}/{len(firsts)}")
    ok = (check["stored"] == accepted and check["token_twice"] == 0 and check["distinct_tokens"] == check["with_token"]
          and set(statuses) <= {200, 409})  # fmt: skip
    print("integrity:", "OK (stored == accepted, no token twice)" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
