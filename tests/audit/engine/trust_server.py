"""A small site on 127.0.0.1 for crawl-trust tests: pages from a dict of route functions,
URLs that are slow on their first requests (a cold cache) or always, and hit counters."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# (status, content type, body) for a path and its query
Route = Callable[[dict[str, list[str]]], tuple[int, str, bytes]]
HTML = "text/html; charset=utf-8"


def page(title: str, *links: str, body: str = "") -> tuple[int, str, bytes]:
    anchors = "".join(f'<a href="{href}">Go to {href}</a> ' for href in links)
    text = (
        f"<!doctype html><html lang=en><head><title>{title} at the physio clinic</title>"
        f"</head><body><h1>{title}</h1><p>{body}</p><nav>{anchors}</nav></body></html>"
    )
    return 200, HTML, text.encode()


class TrustSite:
    """``slow_first[path] = n``: the first n requests of that path take ``slow_seconds``
    (a rendition made on first view); ``slow_start = n``: the server's first n requests,
    whatever their path, do (a server warming up after a start); ``always_slow``: paths
    that never answer in time."""

    def __init__(self, routes: dict[str, Route], slow_seconds: float = 2.0) -> None:
        self.routes = routes
        self.slow_seconds = slow_seconds
        self.slow_first: dict[str, int] = {}
        self.slow_start = 0
        self.requests = 0
        self.always_slow: set[str] = set()
        # path -> n: the first n requests of that path are dropped unanswered (a server
        # still starting, or restarting behind a proxy): the client sees the connection close.
        self.drop_first: dict[str, int] = {}
        self.no_length: set[str] = set()  # paths answered chunked, with no Content-Length
        self.redirects: dict[str, str] = {}  # path -> the Location its answer sends
        self.hits: Counter[str] = Counter()
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.server.handle_error = _quiet  # type: ignore[method-assign]
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TrustSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def answer(self, path: str, query: str) -> tuple[int, str, bytes, float]:
        with self._lock:
            self.hits[path] += 1
            hit = self.hits[path]
            self.requests += path != "/robots.txt"
            # robots.txt is a static file, answered at once even by a cold server.
            warming = path != "/robots.txt" and self.requests <= self.slow_start
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        slow = path in self.always_slow or hit <= self.slow_first.get(path, 0) or warming
        route = self.routes.get(path)
        if route is None:
            return 404, HTML, b"<!doctype html><title>Not found</title><h1>Not found</h1>", 0
        status, ctype, body = route(parse_qs(query))
        return status, ctype, body, self.slow_seconds if slow else 0.0

    def done(self) -> None:
        with self._lock:
            self.in_flight -= 1


def _quiet(request: object, client_address: object) -> None:
    # The audit hangs up on slow answers (its timeout): expected here.
    if not isinstance(sys.exc_info()[1], ConnectionError):
        traceback.print_exc()


def _handler(site: TrustSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            self._serve(head=False)

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def _serve(self, head: bool) -> None:
            parts = urlsplit(self.path)
            try:
                status, ctype, body, delay = site.answer(parts.path, parts.query)
                if site.hits[parts.path] <= site.drop_first.get(parts.path, 0):
                    self.close_connection = True
                    return
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if parts.path in site.redirects:
                    self.send_header("Location", site.url(site.redirects[parts.path]))
                if parts.path in site.no_length:  # as a server streaming a file does
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    if not head:
                        for start in range(0, len(body), 16_384):
                            chunk = body[start : start + 16_384]
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
            finally:
                site.done()

    return Handler
