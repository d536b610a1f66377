"""manage.py seo_audit: the Django wrapper around the engine's command line."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PAGE = (
    '<!doctype html><html lang="en"><head><title>Knee physiotherapy – Riverside Physio</title>'
    '<meta name="description" content="Knee pain treatment at Riverside Physio: assessment, '
    'exercise plans and sports rehabilitation.">'
    "</head><body><h1>Knee physiotherapy</h1><img src=/k.jpg></body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE if self.path == "/" else b"not found"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


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
