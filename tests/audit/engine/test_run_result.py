"""How a fetch failed and how a run ended travel as enums, not strings to parse."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from hostile_server import HostileServer

from audit.engine import AuditResult, EngineConfig, PageReport, audit_site
from audit.engine.errors import FetchError
from audit.engine.fetch import Fetcher
from audit.engine.report import render
from audit.engine.results import StopReason

QUICK = EngineConfig(timeout=2.0, retries=0, parse_workers=0)


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer(lifetime=30) as hostile:
        yield hostile


def test_redirect_failures_are_typed_with_their_detail(server: HostileServer) -> None:
    server.redirect_to = server.url("/redirect")  # to itself: a loop
    fetcher = Fetcher(QUICK)
    refusing = Fetcher(QUICK, may_request=lambda url: "robots")
    try:
        loop = fetcher.fetch(server.url("/redirect"))
        server.redirect_to = server.url("/plain")
        refused = refusing.fetch(server.url("/redirect"))
    finally:
        fetcher.close()
        refusing.close()
    assert loop.error is FetchError.REDIRECT_LOOP and loop.error_text == "redirect-loop"
    assert refused.error is FetchError.REDIRECT_NOT_FOLLOWED and refused.error_detail == "robots"
    assert refused.error_text == "redirect-not-followed: robots"


def test_network_failures_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(host: str, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    fetcher = Fetcher(QUICK)
    try:
        # Port 1 on loopback: nothing listens there.
        refused = fetcher.fetch("http://127.0.0.1:1/")
        # A failed lookup, answered here: no query leaves the machine.
        monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
        unresolvable = fetcher.fetch("http://no-such-host.invalid/")
    finally:
        fetcher.close()
    assert refused.error is FetchError.CONNECTION_REFUSED
    assert unresolvable.error is FetchError.DNS


def test_how_a_run_ended_is_typed_and_mirrored_in_stats(server: HostileServer) -> None:
    finished = audit_site(server.url("/plain"), QUICK)
    assert finished.complete and finished.stop_reason is None and finished.start_error is None
    cancelled = audit_site(server.url("/plain"), QUICK, should_cancel=lambda: True)
    assert cancelled.stop_reason is StopReason.CANCELLED and not cancelled.complete
    assert cancelled.start_error is None  # stopped, not failed
    stats = json.loads(render(cancelled, "json"))["stats"]
    assert stats["stop_reason"] == "cancelled" and stats["stopped_early"] is True
    assert stats["crawl_complete"] is False and stats["start_error"] is None
    assert cancelled.stats["stop_reason"] == "cancelled"  # a StrEnum compares as before


def test_reports_read_the_typed_fields() -> None:
    result = AuditResult(
        start_url="https://clinic.example/",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:30+00:00",
        settings={},
        stats={},
        pages=[PageReport(url="https://clinic.example/", error=FetchError.TIMEOUT)],
        complete=False,
        stop_reason=StopReason.TIME_BUDGET,
        start_error=FetchError.TIMEOUT,
    )
    text = render(result, "text")
    assert "stopped early: time-budget" in text and "start URL failed: timeout" in text
    html = render(result, "html")
    assert "stopped early: time-budget" in html and "The start URL failed: timeout" in html


def test_a_result_rebuilt_from_stored_stats_reads_them() -> None:
    stats = {"crawl_complete": False, "stop_reason": "cancelled", "start_error": "timeout"}
    result = AuditResult("https://clinic.example/", "", "", {}, stats, [])
    assert result.stop_reason is StopReason.CANCELLED and not result.complete
    assert result.start_error == "timeout"
