"""Benchmark: what webhooks cost a publish, how fast one worker delivers, and whether an outage
of the receiver loses, duplicates or reorders anything.

Creates its own PostgreSQL database (dropped at the end), migrates it and loads the demo site,
with the django-tasks-db backend (the default set-up). A receiver (http.server, threads) on a
free 127.0.0.1 port records each delivery's endpoint, webhook-id and page sequence.

1. Publish latency: ``page.save_revision().publish()`` in this process (the work a publish
   request does, including the on-commit queueing) with 0 and with 3 endpoints enabled,
   alternating publish by publish so drifting machine load hits both alike; p50/p95 of each
   and the difference.
   No worker runs: the sending is not part of a publish.
2. Throughput: N publishes queued for one endpoint, then one ``manage.py db_worker`` delivers
   them; events/s from the first to the last recorded success (the worker's start-up is not
   counted; the other tasks the publishes queued, cache purges, are dropped first).
   Baseline in the same run: the same bodies signed (standardwebhooks) and POSTed by
   one plain ``requests.Session`` loop, no queue and no database.
3. Outage: the receiver is down (nothing listens on its port) while N publishes are made with 3
   endpoints and the worker running (retries 1 s, 2 s, 4 s … 60 s apart); it comes up
   ``--down`` seconds after the first publish, publishing finished or not. Every event must
   arrive exactly once per endpoint (the receiver was never
   reached before, so no retry could duplicate one), in page-sequence order per page.

    .venv/bin/python benchmarks/webhooks.py                       # 1000 publishes, down 60 s
    .venv/bin/python benchmarks/webhooks.py --publishes 300 --down 20 --latency-pairs 100
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The repository first: this file's own folder comes first otherwise, and its name would hide
# the webhooks app from Django.
sys.path.insert(0, str(REPO))

from support import free_port, migrated_database  # noqa: E402

PYTHON = sys.executable
DB_NAME = "clinic_bench_webhooks"
SETTINGS_MODULE = """\
import json
import os

from cms.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WEBHOOKS = json.loads(os.environ.get("BENCH_WEBHOOKS", "{}"))
"""
# Long enough in total (over 15 minutes) that no delivery runs out of retries during --down
# (20 waits: the most WEBHOOKS["RETRY_SCHEDULE"] allows).
OUTAGE_RETRIES = [1, 2, 4, 8, 15] + [60] * 15


class Receiver:
    """Answers 200 to every POST and records (path, webhook-id, type, page id, page sequence)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.records: list[tuple[str, str, str, int | None, int | None]] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would
            # The head and the body are written separately: without this, Nagle's algorithm
            # and the client's delayed ACK hold every answer back by tens of milliseconds.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                payload = json.loads(body)
                data = payload["data"]
                with receiver.lock:
                    receiver.records.append(
                        (
                            self.path,
                            self.headers["webhook-id"],
                            payload["type"],
                            data.get("page_id"),
                            data.get("sequence"),
                        )
                    )
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def reset_deliveries() -> None:
    from django_tasks_db.models import DBTaskResult

    from webhooks.models import Delivery, Endpoint, Event

    Delivery.objects.all().delete()
    Event.objects.all().delete()
    Endpoint.objects.all().delete()
    DBTaskResult.objects.all().delete()


def content_pages() -> list:
    from pages.models import ArticlePage, ServicePage

    return [*ServicePage.objects.live(), *ArticlePage.objects.live()]


def publish_latency(receiver: Receiver, pairs: int) -> dict[int, list[float]]:
    """Publish times with 0 and with 3 endpoints, alternating publish by publish (the order
    within each pair alternating too), so drifting machine load hits both alike."""
    from webhooks.models import Endpoint

    reset_deliveries()
    endpoints = [Endpoint.objects.create(url=receiver.url(f"/e{n}")) for n in range(3)]
    ids = [endpoint.pk for endpoint in endpoints]
    pages = content_pages()
    timings: dict[int, list[float]] = {0: [], 3: []}
    for index in range(pairs):
        for count in (0, 3) if index % 2 == 0 else (3, 0):
            Endpoint.objects.filter(pk__in=ids).update(enabled=count == 3)  # not timed
            page = pages[index % len(pages)]
            started = time.perf_counter()
            page.save_revision().publish()
            timings[count].append(time.perf_counter() - started)
    reset_deliveries()
    return timings


def start_worker(env: dict) -> subprocess.Popen:
    log = tempfile.TemporaryFile()  # noqa: SIM115 (read back if the worker dies)
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--interval", "0.05", "--no-startup-delay"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker.log = log  # type: ignore[attr-defined]
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()


def wait_succeeded(expected: int, timeout: float, worker: subprocess.Popen) -> bool:
    from webhooks.models import Delivery

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Delivery.objects.filter(state=Delivery.State.SUCCEEDED).count() >= expected:
            return True
        if worker.poll() is not None:
            worker.log.seek(0)
            raise SystemExit(f"the worker ended:\n{worker.log.read().decode()[-2000:]}")
        time.sleep(0.2)
    return False


def publish_many(count: int) -> None:
    pages = content_pages()
    for number in range(count):
        pages[number % len(pages)].save_revision().publish()


def worker_throughput(receiver: Receiver, env: dict, count: int) -> tuple[float, float]:
    """(events/s by one db_worker, events/s by the plain signed-POST baseline)."""
    import requests
    from django_tasks_db.models import DBTaskResult
    from standardwebhooks.webhooks import Webhook

    from webhooks.models import Delivery, Endpoint, Event

    reset_deliveries()
    endpoint = Endpoint.objects.create(url=receiver.url("/throughput"))
    publish_many(count)
    # Each publish also queues other apps' tasks (cache purges); the worker would run those
    # too. Only the deliveries are measured here.
    DBTaskResult.objects.exclude(task_path="webhooks.tasks.deliver").delete()
    worker = start_worker(env)
    try:
        if not wait_succeeded(count, 600, worker):
            raise SystemExit("throughput: not every delivery succeeded within 600 s")
    finally:
        stop_worker(worker)
    finished = sorted(
        Delivery.objects.values_list("finished_at", flat=True).exclude(finished_at=None)
    )
    worker_rate = (len(finished) - 1) / (finished[-1] - finished[0]).total_seconds()

    bodies = list(Event.objects.order_by("pk").values_list("pk", "body"))
    session = requests.Session()
    signer = Webhook(endpoint.secret)
    started = time.perf_counter()
    for pk, body in bodies:
        now = datetime.now(UTC)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": f"evt_{pk}",
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signer.sign(msg_id=f"evt_{pk}", timestamp=now, data=body),
        }
        session.post(receiver.url("/baseline"), data=body.encode(), headers=headers, timeout=10)
    baseline_rate = len(bodies) / (time.perf_counter() - started)
    return worker_rate, baseline_rate


def outage(receiver: Receiver, env: dict, count: int, down: float) -> int:
    """Publishes while the receiver is down, then checks exactly-once and per-page order.
    Returns the number of problems found (0 is a pass)."""
    from webhooks.models import Delivery, Endpoint, Event

    reset_deliveries()
    receiver.stop()
    receiver.records.clear()
    endpoints = [Endpoint.objects.create(url=receiver.url(f"/outage{n}")) for n in range(3)]
    worker = start_worker({**env, "BENCH_WEBHOOKS": json.dumps({"RETRY_SCHEDULE": OUTAGE_RETRIES})})
    try:
        went_down = time.monotonic()
        # Back after --down seconds, whether or not the publishing has finished by then.
        coming_up = threading.Timer(down, receiver.start)
        coming_up.start()
        publish_many(count)
        published_in = time.monotonic() - went_down
        coming_up.join()
        came_up = went_down + down
        expected = count * len(endpoints)
        if not wait_succeeded(expected, 900, worker):
            print("  not every delivery succeeded within 900 s")
        drained_in = time.monotonic() - max(came_up, went_down + published_in)
        failed_attempts = sum(Delivery.objects.values_list("attempts", flat=True)) - expected
    finally:
        stop_worker(worker)
    print(
        f"  {count} publishes x 3 endpoints in {published_in:.1f} s; the receiver down for the "
        f"first {down:g} s ({failed_attempts} refused attempts); all delivered "
        f"{drained_in:.1f} s after both the publishing and the outage were over"
    )
    problems = 0
    event_ids = {f"evt_{pk}" for pk in Event.objects.values_list("pk", flat=True)}
    by_endpoint: dict[str, list[tuple]] = defaultdict(list)
    for record in receiver.records:
        by_endpoint[record[0]].append(record)
    for number in range(len(endpoints)):
        records = by_endpoint[f"/outage{number}"]
        ids = [record[1] for record in records]
        duplicates = len(ids) - len(set(ids))
        missing = len(event_ids - set(ids))
        sequences: dict[int, list[int]] = defaultdict(list)
        for _path, _id, _type, page_id, sequence in records:
            sequences[page_id].append(sequence)
        out_of_order = sum(1 for seqs in sequences.values() if seqs != sorted(seqs))
        print(
            f"  endpoint {number}: {len(ids)} received, {len(set(ids))} distinct, "
            f"{missing} missing, {duplicates} duplicates, {out_of_order} pages out of order "
            f"({len(sequences)} pages)"
        )
        problems += duplicates + missing + out_of_order
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publishes", type=int, default=1000, help="for throughput and outage")
    parser.add_argument("--down", type=float, default=60.0, help="receiver outage, seconds")
    parser.add_argument("--latency-pairs", type=int, default=200, help="publishes per mode")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument(
        "--only", choices=["latency", "throughput", "outage"], help="one part (default: all)"
    )
    args = parser.parse_args()
    if args.publishes < 2 or args.down < 0 or args.latency_pairs < 1:
        parser.error("--publishes must be >= 2, --down >= 0 and --latency-pairs >= 1")

    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        Path(tmp, "bench_webhooks_settings.py").write_text(SETTINGS_MODULE)
        sys.path.insert(0, tmp)
        os.environ["BENCH_WEBHOOKS"] = "{}"
        with migrated_database(args.pg, DB_NAME, settings="bench_webhooks_settings"):
            from django.core.management import call_command

            call_command("load_initial_data", "--no-admin", verbosity=0)
            env = {
                **os.environ,
                "PYTHONPATH": f"{tmp}{os.pathsep}{REPO}",
            }
            receiver = Receiver(free_port())
            print(f"PostgreSQL, django-tasks-db; {load_line()}\n", flush=True)

            if args.only in (None, "latency"):
                report_latency(publish_latency(receiver, args.latency_pairs))
            receiver.start()
            if args.only in (None, "throughput"):
                report_throughput(*worker_throughput(receiver, env, args.publishes), args.publishes)
            if args.only not in (None, "outage"):
                return 0
            print("3. Outage:", flush=True)
            problems = outage(receiver, env, args.publishes, args.down)
            receiver.stop()
            print(f"  {'PASS' if problems == 0 else 'FAIL'}; {load_line()}")
            return 0 if problems == 0 else 1


def report_latency(timings: dict[int, list[float]]) -> None:
    print(f"1. Publish latency ({len(timings[0])} publishes each, no worker):")
    for endpoints, values in timings.items():
        print(
            f"  {endpoints} endpoints: p50 {percentile(values, 0.5) * 1000:.2f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.2f} ms, "
            f"mean {statistics.fmean(values) * 1000:.2f} ms"
        )
    added_p50 = percentile(timings[3], 0.5) - percentile(timings[0], 0.5)
    added_p95 = percentile(timings[3], 0.95) - percentile(timings[0], 0.95)
    print(
        f"  added by 3 endpoints: p50 {added_p50 * 1000:+.2f} ms, "
        f"p95 {added_p95 * 1000:+.2f} ms; {load_line()}\n",
        flush=True,
    )


def report_throughput(worker_rate: float, baseline_rate: float, count: int) -> None:
    print(f"2. Throughput ({count} events, one endpoint):")
    print(f"  one db_worker: {worker_rate:.0f} events/s")
    print(f"  baseline (sign + POST in one loop, no queue): {baseline_rate:.0f} events/s")
    print(f"  worker / baseline: {worker_rate / baseline_rate:.2f}; {load_line()}\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
