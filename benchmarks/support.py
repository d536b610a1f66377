"""Helpers shared by the benchmark scripts in this folder.

The scripts are run as ``python benchmarks/X.py``, so this folder is ``sys.path[0]`` and they
import it as ``from support import …``. ``psycopg`` and ``http.client`` are imported inside the
functions that need them: crawl.py measures the CPU time and memory of its own child processes,
which import this module for ``free_port`` only.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


# -- PostgreSQL --------------------------------------------------------------------------------


def recreate_database(admin_url: str, name: str) -> None:
    """Drop database `name` (closing its connections) if it exists, then create it empty."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name` if it exists, closing its connections."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_database(
    server: str, name: str, settings: str = "cms.settings.test"
) -> Iterator[None]:
    """Recreate database `name` on `server`, set Django up on it and migrate; drop it after.

    `server` is a URL without a database (postgres://user@host:port). Sets DATABASE_URL and
    DJANGO_SETTINGS_MODULE in this process's environment.
    """
    admin_url = f"{server}/postgres"
    recreate_database(admin_url, name)
    try:
        os.environ["DATABASE_URL"] = f"{server}/{name}"
        os.environ["DJANGO_SETTINGS_MODULE"] = settings
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        drop_database(admin_url, name)


def parse_run_size_args(description: str) -> argparse.Namespace:
    """The options of store.py and admin_report.py: --pages, --findings-per-page, --postgres."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--findings-per-page", type=int, default=5)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if args.pages < 1 or args.findings_per_page < 0:
        parser.error("--pages must be >= 1 and --findings-per-page >= 0")
    return args


# -- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: Mapping[str, str],
    port: int,
    workers: int,
    log_path: Path,
    extra_args: Sequence[str] = (),
) -> subprocess.Popen:
    """Start gunicorn serving cms.wsgi on 127.0.0.1:`port` from the repository root."""
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [
            GUNICORN,
            "cms.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            *extra_args,
        ],
        cwd=REPO,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_serving(
    port: int,
    path: str = "/",
    timeout: float = 60,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Poll GET `path` on 127.0.0.1:`port` until it answers 200; exit after `timeout` seconds."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers=dict(headers or {}))
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn on port {port} did not serve {path} within {timeout}s")


# -- load and latency --------------------------------------------------------------------------


def run_load(
    port: int,
    paths: Iterator[str],
    total: int,
    concurrency: int,
    headers: Mapping[str, str] | None = None,
    expect: int = 200,
) -> tuple[float, list[float], int]:
    """Send exactly `total` GETs over `concurrency` keep-alive connections; time each request.

    Each thread owns one http.client connection and takes its next path from the shared
    iterator `paths`. Returns (wall seconds, per-request latencies in seconds, error count),
    where an error is an exception or a status other than `expect`.
    """
    import http.client

    shares = [
        total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)
    ]
    lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    barrier = threading.Barrier(concurrency + 1)
    request_headers = dict(headers or {})

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for _ in range(shares[index]):
            with lock:
                path = next(paths)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=request_headers)
                response = conn.getresponse()
                response.read()
                if response.status != expect:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
            latencies[index].append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return seconds, [value for chunk in latencies for value in chunk], sum(errors)


class LatencyStats:
    """rps and percentile for a result with `sent`, `seconds` and `latencies` (seconds)."""

    sent: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.sent / self.seconds

    def percentile(self, p: float) -> float:
        """The `p`th percentile latency in milliseconds."""
        return percentile_ms(self.latencies, p)


def percentile_ms(latencies: Sequence[float], p: float) -> float:
    """The `p`th percentile (nearest rank, 0-100) of latencies in seconds, in milliseconds."""
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000
