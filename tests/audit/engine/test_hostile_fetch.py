"""Every limit is a deadline: hostile responses, the time budget, cancel and Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import HostileServer

from audit.engine import EngineConfig, audit_site
from audit.engine.errors import FetchError
from audit.engine.fetch import Fetcher
from audit.engine.report import render
from audit.engine.results import StopReason
from audit.engine.version import AUDIT_HEADER

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer(lifetime=60, stream_seconds=30) as server:
        yield server


STREAMS = ("/slow-body", "/endless-chunked", "/endless-headers")


def assert_every_stream_was_cut_by_the_client(hostile: HostileServer) -> None:
    """The run stopped while the server was still sending: no stream ran to its end."""
    for path in STREAMS:
        assert len(hostile.hung_up_on(path)) == hostile.hits(path), path
    assert hostile.ran_to_end == []


def quick(**changes: object) -> EngineConfig:
    base = EngineConfig(timeout=1.0, retries=0, backoff=0.05, parse_workers=0)
    return base.replace(**changes)


@pytest.mark.parametrize("path", ["/slow-body", "/endless-chunked", "/endless-headers"])
def test_a_response_that_never_finishes_is_cut_at_its_deadline(
    hostile: HostileServer, path: str
) -> None:
    """Each read arrives within the 1.5 s timeout, so only a whole-response deadline
    (3 x timeout) ends these; before, each ran until the server gave up (30 s)."""
    fetcher = Fetcher(quick(timeout=1.5))
    try:
        fetched = fetcher.fetch(hostile.url(path))
    finally:
        fetcher.close()
    assert fetched.error is FetchError.DEADLINE
    # The client hung up while the server was still sending: its deadline, not the server's.
    assert len(hostile.hung_up_on(path)) == 1 and path not in hostile.ran_to_end


@pytest.mark.parametrize("workers", [0, 2])
def test_time_budget_holds_against_hostile_pages(hostile: HostileServer, workers: int) -> None:
    config = quick(timeout=10.0, time_budget=3.0, parse_workers=workers, max_pages=50)
    result = audit_site(hostile.url("/"), config)
    assert_every_stream_was_cut_by_the_client(hostile)
    assert result.stop_reason is StopReason.TIME_BUDGET and not result.complete
    report = json.loads(render(result, "json"))
    assert report["stats"]["stop_reason"] == "time-budget"
    assert hostile.url("/") in {page["url"] for page in report["pages"]}
    # Pages cut short by the stop are not reported as broken pages.
    assert all(page["error"] != "cancelled" for page in report["pages"])


def test_cancel_from_another_thread_cuts_requests_short(hostile: HostileServer) -> None:
    cancel = threading.Event()
    timer = threading.Timer(1.0, cancel.set)
    timer.start()
    try:
        result = audit_site(hostile.url("/"), quick(timeout=30.0), should_cancel=cancel.is_set)
    finally:
        timer.cancel()
    assert_every_stream_was_cut_by_the_client(hostile)
    assert result.stop_reason is StopReason.CANCELLED
    assert result.stats["stop_reason"] == "cancelled"


def test_ctrl_c_stops_the_cli_and_writes_a_partial_report(
    hostile: HostileServer, tmp_path: Path
) -> None:
    out = tmp_path / "partial.json"
    command = [sys.executable, "-m", "audit", hostile.url("/"), "-o", str(out), "--quiet"]
    command += ["--timeout", "30", "--workers", "2", "--max-pages", "50"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        # Interrupt once the crawl is stuck on the hostile pages.
        waited = time.monotonic() + 20
        while hostile.hits("/slow-body") == 0 and time.monotonic() < waited:
            time.sleep(0.05)
        assert hostile.hits("/slow-body"), "the crawl never reached the hostile pages"
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        # A guard, not a measurement: a process that ignored Ctrl-C would wait for the
        # server's streams (30 s) and fail here.
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert_every_stream_was_cut_by_the_client(hostile)
    assert process.returncode == 130, err
    report = json.loads(out.read_text())
    assert report["stats"]["stop_reason"] == "cancelled"
    assert hostile.url("/") in {page["url"] for page in report["pages"]}


def test_a_read_timeout_on_get_is_retried(hostile: HostileServer) -> None:
    """The first answer never comes; the retry gets the page (before: "timeout")."""
    fetcher = Fetcher(quick(timeout=1.0, retries=1))
    try:
        fetched = fetcher.fetch(hostile.url("/stall-once"))
    finally:
        fetcher.close()
    assert fetched.error is None and fetched.status == 200
    assert fetched.attempts == 2 and hostile.hits("/stall-once") == 2


def test_retries_stop_at_the_time_budget(hostile: HostileServer) -> None:
    """Back-off waits end with the run: 5 retries with a 10 s back-off stop at the budget."""
    config = quick(timeout=1.0, retries=5, backoff=10.0, time_budget=1.5, check_links=False)
    result = audit_site(hostile.url("/stall-once"), config)
    assert result.stop_reason is StopReason.TIME_BUDGET
    # The back-off wait ended with the run: the retry after it was never sent.
    assert hostile.hits("/stall-once") == 1


def test_every_request_is_marked_as_the_auditor(hostile: HostileServer) -> None:
    config = quick(user_agent="SomeBrowser/1.0", max_pages=3, use_sitemaps=True)
    audit_site(hostile.url("/plain"), config)
    with hostile.lock:
        requests = list(hostile.requests)
    assert {"/robots.txt", "/plain", "/sitemap.xml"} <= {path for _, path, _ in requests}
    assert all(headers.get(AUDIT_HEADER.lower()) == "1" for _, _, headers in requests)
    assert all(headers["user-agent"] == "SomeBrowser/1.0" for _, _, headers in requests)
