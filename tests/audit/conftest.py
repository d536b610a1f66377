"""Fixtures for the Django side of the audit: crawl options for fast runs, a slow endless
site to cancel, and helpers to build engine results for store tests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.audit.frontend_site import front_end  # noqa: F401 (a fixture for front-end audits)
from tests.fixture_server import LoopbackServer, QuietHandler

# Parse in threads (no process pool start-up) and fail fast: the demo site is small.
FAST_OPTIONS = {"parse_workers": 0, "timeout": 5.0, "retries": 0}


@pytest.fixture
def fast_options() -> dict:
    return dict(FAST_OPTIONS)


class EndlessSite:
    """A real HTTP server where /p/N links to /p/N+1 and /p/N+2 and answers after a delay,
    so a crawl keeps going long enough to be cancelled or killed mid-way. With ``last`` set
    the site ends there (no links past /p/<last>); ``paths`` counts the GETs of each path."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.last: int | None = None
        self.paths: Counter[str] = Counter()
        self.hits = 0
        self.served = 0  # pages answered in full (their response written)
        self._served_lock = threading.Lock()
        self.on_hit = None  # optional callable(hit_count) run in the server thread
        site = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                site.hits += 1
                if self.command == "GET":
                    site.paths[self.path] += 1
                if site.on_hit is not None:
                    site.on_hit(site.hits)
                if self.path in ("/robots.txt", "/sitemap.xml"):
                    self.send_response(404)
                    self.end_headers()
                    return
                time.sleep(site.delay)
                n = int(self.path.rsplit("/", 1)[-1] or 0) if self.path.startswith("/p/") else 0
                links = "".join(
                    f"<a href='/p/{n + step}'>{label}</a> "
                    for step, label in ((1, "next"), (2, "skip"))
                    if site.last is None or n + step <= site.last
                )
                body = (
                    f"<!doctype html><html lang=en><head><title>Page {n}</title></head><body>"
                    f"<h1>Page {n}</h1>{links}</body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with site._served_lock:
                    site.served += 1

            do_HEAD = do_GET  # noqa: N815

        self.server = LoopbackServer(Handler)
        self.url = self.server.url("/")


@pytest.fixture
def endless_site() -> Iterator[EndlessSite]:
    site = EndlessSite()
    with site.server:
        yield site
