"""Benchmark: what does counting page views cost the public page?

Creates its own PostgreSQL database (dropped at the end), migrates it and loads the demo site,
then starts one gunicorn server (2 sync workers) per mode on free 127.0.0.1 ports from the
same code: view counting off, and on (PAGE_VIEWS = {"ENABLED": …, "DEDUP_WINDOW": 0}).
A load generator (threads, one keep-alive http.client connection each, a browser User-Agent)
sends a fixed number of GETs for the IMS page at concurrency 16 to each server in turn,
rotating the order every round
(off, on / on, off / …) so drifting machine load hits every mode alike. Only one server is
loaded at a time. `--modes off,on,on-sync` adds a server with ASYNC_COMMIT off, to show what
waiting for PostgreSQL's WAL flush on each increment costs.

Prints per round and per mode: requests/s, p50/p99 latency, the on/off throughput ratio, and
the change in the IMS page's stored total versus requests sent (must equal exactly with counting
on and be 0 with it off).

    .venv/bin/python benchmarks/views.py                   # 3000 requests x 2 rounds per mode
    .venv/bin/python benchmarks/views.py --requests 2000 --rounds 4 --modes off,on,on-sync
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from support import (
    LatencyStats,
    drop_database,
    free_port,
    recreate_database,
    run_load,
    start_gunicorn,
    wait_until_serving,
)

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
IMS_PATH = "/services/ims/"
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
BROWSER_HEADERS = {"User-Agent": BROWSER_UA, "Accept": "text/html", "Connection": "keep-alive"}
SETTINGS_MODULE = """\
import json
import os
from cms.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PAGE_VIEWS = json.loads(os.environ.get("BENCH_PAGE_VIEWS", "{}"))
"""
# Each mode is a server with these PAGE_VIEWS; de-duplication and the per-address cap off so
# every request (all from one address) counts.
MODES = {
    "off": {"ENABLED": False, "DEDUP_WINDOW": 0, "ADDRESS_CAP": 0},
    "on": {
        "ENABLED": True,
        "DEDUP_WINDOW": 0,
        "ADDRESS_CAP": 0,
    },  # the default: ASYNC_COMMIT on PostgreSQL
    "on-sync": {"ENABLED": True, "DEDUP_WINDOW": 0, "ASYNC_COMMIT": False, "ADDRESS_CAP": 0},
}


@dataclass
class RoundResult(LatencyStats):
    mode: str
    sent: int
    seconds: float
    latencies: list[float]
    delta: int
    errors: int
    server_cpu: float = 0.0  # CPU seconds used by the server's gunicorn processes

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu / self.sent * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="per round (default 3000)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per mode (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--warmup", type=int, default=300, help="requests per server first")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--db", default="clinic_bench_views", help="database to create/drop")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--modes",
        default="off,on",
        help=f"comma-separated, from {', '.join(MODES)} (default off,on); 'off' is required",
    )
    args = parser.parse_args()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if "off" not in modes or not set(modes) <= set(MODES):
        parser.error(f"--modes must include 'off' and only {', '.join(MODES)}")

    database_url = f"{args.pg}/{args.db}"
    admin_url = f"{args.pg}/postgres"
    with tempfile.TemporaryDirectory(prefix="bench-views-") as tmp:
        Path(tmp, "bench_views_settings.py").write_text(SETTINGS_MODULE)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench_views_settings",
            "PYTHONPATH": f"{tmp}{os.pathsep}{REPO}",
            "MEDIA_ROOT": str(Path(tmp, "media")),
            "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
        }
        recreate_database(admin_url, args.db)
        servers: list[subprocess.Popen] = []
        try:
            print(f"Preparing {args.db}: migrate, load demo content…", flush=True)
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "load_initial_data", "--no-admin")
            page_id = ims_page_id(database_url)
            ports, pids = {}, {}
            for mode in modes:
                port = free_port()
                servers.append(start_server(env, mode, port, args.workers, tmp))
                ports[mode], pids[mode] = port, servers[-1].pid
            for port in ports.values():
                wait_until_serving(port, IMS_PATH, headers={"User-Agent": "bench-readiness-probe"})
                load(port, args.warmup, args.concurrency)  # warm caches and connections
            print(
                f"Load: {args.requests} GETs of {IMS_PATH} per round at concurrency "
                f"{args.concurrency}, {args.rounds} round(s) per mode, gunicorn "
                f"{args.workers} sync workers per server, PostgreSQL, de-duplication off.\n",
                flush=True,
            )
            order = []  # rotate the order each round so no mode always goes first
            for index in range(args.rounds):
                order += modes[index % len(modes) :] + modes[: index % len(modes)]
            results = []
            for mode in order:
                before = stored_total(database_url, page_id)
                cpu_before = process_tree_cpu(pids[mode])
                seconds, latencies, errors = load(ports[mode], args.requests, args.concurrency)
                cpu = process_tree_cpu(pids[mode]) - cpu_before
                delta = stored_total(database_url, page_id) - before
                result = RoundResult(mode, args.requests, seconds, latencies, delta, errors, cpu)
                results.append(result)
                print_round(result)
            return print_summary(results, modes)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
            if not args.keep_db:
                drop_database(admin_url, args.db)


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True)


def ims_page_id(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT id FROM wagtailcore_page WHERE url_path LIKE %s", ["%/services/ims/"]
        ).fetchone()
    return row[0]


def stored_total(database_url: str, page_id: int) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(count), 0) FROM pageviews_pageviewcount WHERE page_id = %s",
            [page_id],
        ).fetchone()
    return int(row[0])


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn master + workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        pending.extend(int(child) for child in children)
    return total


def start_server(env: dict, mode: str, port: int, workers: int, tmp: str) -> subprocess.Popen:
    """gunicorn for one mode: its PAGE_VIEWS in the environment, its own log file."""
    server_env = {**env, "BENCH_PAGE_VIEWS": json.dumps(MODES[mode])}
    log_path = Path(tmp, f"gunicorn-{mode}.log")
    return start_gunicorn(server_env, port, workers, log_path, ["--backlog", "256"])


def load(port: int, total: int, concurrency: int) -> tuple[float, list[float], int]:
    """`total` GETs of the IMS page as a browser, over keep-alive connections."""
    return run_load(port, itertools.repeat(IMS_PATH), total, concurrency, BROWSER_HEADERS)


def print_round(result: RoundResult) -> None:
    p50, p99 = result.percentile(50), result.percentile(99)
    print(
        f"  counting {result.mode:>7}: {result.rps:7.1f} req/s   p50 {p50:6.1f} ms"
        f"   p99 {p99:6.1f} ms   server CPU {result.cpu_ms_per_request:5.1f} ms/req"
        f"   sent {result.sent}   errors {result.errors}   stored delta {result.delta}",
        flush=True,
    )


def print_summary(results: list[RoundResult], modes: list[str]) -> int:
    print("\nSummary (all rounds of a mode pooled):")
    pooled = {}
    for mode in modes:
        rounds = [r for r in results if r.mode == mode]
        sent = sum(r.sent for r in rounds)
        seconds = sum(r.seconds for r in rounds)
        latencies = [value for r in rounds for value in r.latencies]
        cpu = sum(r.server_cpu for r in rounds)
        merged = RoundResult(mode, sent, seconds, latencies, sum(r.delta for r in rounds), 0, cpu)
        pooled[mode] = merged
        print(
            f"  counting {mode:>7}: {merged.rps:7.1f} req/s   p50 {merged.percentile(50):6.1f} ms"
            f"   p99 {merged.percentile(99):6.1f} ms"
            f"   server CPU {merged.cpu_ms_per_request:5.1f} ms/req   requests sent {sent}"
            f"   stored delta {merged.delta}"
        )
    off_rounds = [r for r in results if r.mode == "off"]
    exact = pooled["off"].delta == 0
    for mode in modes:
        if mode == "off":
            continue
        ratio = pooled[mode].rps / pooled["off"].rps
        pairs = [
            on.rps / off.rps
            for off, on in zip(off_rounds, [r for r in results if r.mode == mode], strict=True)
        ]
        print(
            f"  throughput {mode}/off: {ratio:.3f} (per round: "
            f"{', '.join(f'{r:.3f}' for r in pairs)}; median {statistics.median(pairs):.3f}); "
            f"target >= 0.90: {'met' if ratio >= 0.9 else 'NOT met'}"
        )
        mode_exact = pooled[mode].delta == pooled[mode].sent
        exact = exact and mode_exact
        print(
            f"  count delta vs requests sent ({mode}): {pooled[mode].delta}/{pooled[mode].sent}"
            f" {'exact' if mode_exact else 'NOT exact'}"
        )
    errors = sum(r.errors for r in results)
    print(
        f"  count delta with counting off: {pooled['off'].delta} (expected 0); HTTP errors {errors}"
    )
    return 0 if exact and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
