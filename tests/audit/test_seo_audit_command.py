"""manage.py seo_audit: the Django wrapper around the engine's command line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.fixture_server import LoopbackServer, QuietHandler

HTML = "text/html; charset=utf-8"
PAGE = (
    '<!doctype html><html lang="en"><head><title>Knee physiotherapy – Riverside Physio</title>'
    '<meta name="description" content="Knee pain treatment at Riverside Physio: assessment, '
    'exercise plans and sports rehabilitation.">'
    "</head><body><h1>Knee physiotherapy</h1><img src=/k.jpg></body></html>"
).encode()


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        found = self.path == "/"
        self.send_body(200 if found else 404, PAGE if found else b"not found", HTML)


@pytest.fixture
def server_url() -> Iterator[str]:
    with LoopbackServer(_Handler) as server:
        yield server.url("/")


def test_command_writes_report_and_fails_on_errors(server_url: str, tmp_path: Path) -> None:
    report = tmp_path / "audit.json"
    stderr = io.StringIO()
    with pytest.raises(CommandError) as exc_info:
        call_command(
            "seo_audit",
            server_url,
            "--single-page",
            "--workers",
            "0",
            "-q",
            "--output",
            str(report),
            stderr=stderr,
        )
    assert exc_info.value.returncode == 1  # img-alt-missing is an error
    data = json.loads(report.read_text(encoding="utf-8"))
    checks = {f["check"] for f in data["pages"][0]["findings"]}
    assert "img-alt-missing" in checks and "title-missing" not in checks


def test_command_passes_with_fail_on_never(server_url: str) -> None:
    stdout = io.StringIO()
    call_command(
        "seo_audit",
        server_url,
        "--single-page",
        "--workers",
        "0",
        "-q",
        "--fail-on",
        "never",
        stdout=stdout,
    )
    assert f"SEO audit of {server_url}" in stdout.getvalue()


def test_command_usage_error_for_bad_url() -> None:
    stderr = io.StringIO()
    with pytest.raises(CommandError) as exc_info:
        call_command("seo_audit", "not-a-url", "-q", stderr=stderr)
    assert exc_info.value.returncode == 2
    assert "has no scheme" in stderr.getvalue()
