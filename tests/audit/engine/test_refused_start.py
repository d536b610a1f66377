"""Issue 24 case 8: a start URL whose redirect is refused is a failed run, not "0 errors,
crawl complete". Real servers on 127.0.0.1, the real command line in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_server import HostileServer

from audit.engine import EngineConfig, audit_site
from audit.engine.errors import FetchError

ROOT = Path(__file__).resolve().parents[3]
QUICK = EngineConfig(timeout=2.0, retries=0, parse_workers=0)

# Every kind of redirect the fetcher refuses to follow from the start URL.
REFUSED = [
    ("file:///etc/passwd", FetchError.REDIRECT_INVALID),
    ("ftp://files.example/report.pdf", FetchError.REDIRECT_INVALID),
    ("javascript:alert(1)", FetchError.REDIRECT_INVALID),
    ("/redirect", FetchError.REDIRECT_LOOP),  # to itself
]


@pytest.mark.parametrize(("location", "error"), REFUSED)
def test_a_refused_start_redirect_fails_the_run(location: str, error: FetchError) -> None:
    with HostileServer(lifetime=30, redirect_to=location) as server:
        result = audit_site(server.url("/redirect"), QUICK)
    assert result.start_error is error
    assert result.start_redirect() is not None


def test_a_start_redirect_to_a_private_address_fails_an_admin_run() -> None:
    inside = HostileServer(lifetime=30)
    with inside, HostileServer(lifetime=30, redirect_to=inside.url("/plain")) as trusted:
        host = f"127.0.0.1:{trusted.port}"
        config = QUICK.replace(allow_private=False, trusted_hosts=(host,))
        result = audit_site(trusted.url("/redirect"), config)
    assert result.start_error == "redirect-not-followed: out-of-scope"
    assert result.start_redirect() == inside.url("/plain")
    assert inside.requests == []


def test_the_command_line_exits_non_zero_and_names_the_refused_redirect(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    with HostileServer(lifetime=30, redirect_to="file:///etc/passwd") as server:
        start = server.url("/redirect")
        command = [sys.executable, "-m", "audit", start, "-o", str(out), "--quiet"]
        command += ["--timeout", "2", "--workers", "0"]
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if "could not fetch" in line]
    assert start in line and "refused redirect to file:///etc/passwd" in line
    assert "not an http(s) URL" in line
    stats = json.loads(out.read_text())["stats"]
    assert stats["start_error"] == "redirect-invalid"
