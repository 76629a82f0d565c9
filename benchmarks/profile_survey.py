"""Where one public survey submission spends its CPU: the whole Django stack in-process (the WSGI
handler, every middleware, the view, the response), on PostgreSQL, with the benchmark's survey.

    .venv/bin/python benchmarks/profile_survey.py [--n 500] [--pg postgres://postgres@127.0.0.1:5432]
        [--db bench_prof] [--top 40] [--sort cumulative]

A new database ``--db`` is migrated and given bench_survey.py's county, open survey (its three
per-address limits raised, every answer from one address) and ``2 × n`` one-use codes; it is dropped
at the end. ``n`` submissions are timed (CPU and wall, with no profiler), the queries of one
submission are listed, then ``n`` more are run under cProfile and the functions with the most
cumulative CPU time printed (``--sort tottime``: their own). The profiler's clock is the process's
CPU time, so waiting for PostgreSQL does not count. Every submission goes through
``django.test.Client`` (the WSGI request handler with the full middleware stack, DEBUG off) and is
answered 200.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_import import _pg  # noqa: E402


def sheet_of(page: str) -> dict[str, str]:
    """The complete answer sheet bench_survey.py sends, with the form's signed start and version."""
    stamp = page.split('name="s" value="', 1)[1].split('"', 1)[0]
    version = page.split('name="v" value="', 1)[1].split('"', 1)[0]
    likert = ["满意", "比较满意", "一般", "满意", "比较满意", "满意", "满意", "比较满意"]
    return {"s": stamp, "v": version, "stage": "小学", "overall": "满意",
            **{f"q{n}": likert[n - 1] for n in range(1, 9)}}  # fmt: skip


def run(n: int, top: int, sort: str) -> None:
    import django

    django.setup()
    import json

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_survey.py"), f"--child-setup={2 * n + 1}"],
                         env=os.environ, check=True, capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    codes = iter(setup["tokens"])
    client = Client(REMOTE_ADDR="127.0.0.1")
    path = f"/s/{setup['key']}/parent/"
    sheet = sheet_of(client.get(path).content.decode())

    def post() -> None:
        body = urllib.parse.urlencode({**sheet, "t": next(codes)})
        response = client.generic("POST", path, body, "application/x-www-form-urlencoded")
        assert response.status_code == 200, (response.status_code, response.content[:300])

    post()  # warm
    with CaptureQueriesContext(connection) as queries:
        post()
    print(f"queries of one submission: {len(queries.captured_queries)}")
    for q in queries.captured_queries:
        print(f"  {q['sql'][:160]}")
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n - 1):
        post()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{n - 1} submissions: {cpu / (n - 1) * 1000:.2f} ms CPU, {wall / (n - 1) * 1000:.2f} ms wall each "
          "(this process only; PostgreSQL's own CPU not counted)")  # fmt: skip
    profile = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL do not count
    profile.enable()
    for _ in range(n - 1):
        post()
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats(sort).print_stats(top)
    print(text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, ...")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="bench_prof")
    args = parser.parse_args()
    if not args.db.isidentifier():
        parser.error(f"--db: not a plain database name: {args.db!r}")
    os.environ.update({"DATABASE_URL": f"{args.pg}/{args.db}", "DJANGO_DEBUG": "false",
                       "DJANGO_SECRET_KEY": "bench-secret-key", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
                       "DJANGO_SETTINGS_MODULE": "dudao.settings"})  # fmt: skip
    _pg(args.pg, f"DROP DATABASE IF EXISTS {args.db}")
    _pg(args.pg, f"CREATE DATABASE {args.db}")
    try:
        subprocess.run([sys.executable, "-m", "dudao.cli", "migrate", "-v", "0"], check=True, cwd=ROOT)
        run(args.n, args.top, args.sort)
    finally:
        from django.db import connections

        connections.close_all()
        _pg(args.pg, f"DROP DATABASE IF EXISTS {args.db}")


if __name__ == "__main__":
    main()
