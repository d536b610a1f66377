"""Fixtures for the Django side of the audit: crawl options for fast runs, a slow endless
site to cancel, and helpers to build engine results for store tests."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.fixture_server import LoopbackServer, QuietHandler

# Parse in threads (no process pool start-up) and fail fast: the demo site is small.
FAST_OPTIONS = {"parse_workers": 0, "timeout": 5.0, "retries": 0}


@pytest.fixture
def fast_options() -> dict:
    return dict(FAST_OPTIONS)


class EndlessSite:
    """A real HTTP server where /p/N links to /p/N+1 and /p/N+2 and answers after a delay,
    so a crawl keeps going long enough to be cancelled or killed mid-way."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.hits = 0
        self.on_hit = None  # optional callable(hit_count) run in the server thread
        site = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                site.hits += 1
                if site.on_hit is not None:
                    site.on_hit(site.hits)
                if self.path in ("/robots.txt", "/sitemap.xml"):
                    self.send_response(404)
                    self.end_headers()
                    return
                time.sleep(site.delay)
                n = int(self.path.rsplit("/", 1)[-1] or 0) if self.path.startswith("/p/") else 0
                body = (
                    f"<!doctype html><html lang=en><head><title>Page {n}</title></head><body>"
                    f"<h1>Page {n}</h1><a href='/p/{n + 1}'>next</a> "
                    f"<a href='/p/{n + 2}'>skip</a></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET  # noqa: N815

        self.server = LoopbackServer(Handler)
        self.url = self.server.url("/")


@pytest.fixture
def endless_site() -> Iterator[EndlessSite]:
    site = EndlessSite()
    with site.server:
        yield site
