"""HTTP fetching: one pooled session, manual redirects, retries, streamed and capped bodies."""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from urllib3 import BaseHTTPResponse, Timeout
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from .config import AuditConfig
from .errors import UnsafeTarget
from .facts import Hop
from .transport import PinnedAdapter
from .urls import AddressGuard, normalize_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
HEAD_FALLBACK_STATUSES = frozenset({400, 403, 405, 501})  # servers that refuse HEAD only
HTML_TYPES = ("text/html", "application/xhtml+xml")
_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
CHUNK = 65536
# Retried like requests' ConnectionError: the request never reached the server, or the
# connection dropped before an answer. A read timeout is not retried.
RETRYABLE_ERRORS = (NewConnectionError, ConnectTimeoutError, ProtocolError, SSLError, OSError)
TIMEOUT_ERRORS = (ConnectTimeoutError, ReadTimeoutError, TimeoutError)
# A body up to this size is read and dropped so its connection can be reused; a larger or
# unknown one closes the connection instead.
DRAIN_MAX = 256 * 1024
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


@dataclass(slots=True)
class FetchResult:
    url: str
    final_url: str | None = None
    status: int | None = None
    hops: list[Hop] = field(default_factory=list)
    error: str | None = None
    content_type: str | None = None
    x_robots_tag: str | None = None
    response_ms: float | None = None
    body: bytes | None = None
    bytes: int = 0
    truncated: bool = False
    is_html: bool = False
    attempts: int = 0


def looks_binary(head: bytes) -> bool:
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head[:1024]


def looks_html(head: bytes) -> bool:
    sample = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return sample.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")) or (
        b"<html" in sample or b"<body" in sample or b"<title" in sample
    )


def _reason(exc: Exception) -> str:
    """'connection refused' rather than urllib3's nested repr."""
    match = _ERRNO.search(str(exc))
    return match.group(1).strip().lower() if match else type(exc).__name__


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _resolve_as_usual(host: str) -> None:
    return None


def _discard(response: BaseHTTPResponse, method: str) -> None:
    """Give the connection back without reading a large body we do not want."""
    length = response.headers.get("Content-Length")
    small = length is not None and length.isdigit() and int(length) <= DRAIN_MAX
    if method == "HEAD" or small:
        response.drain_conn()
    else:
        response.close()
    response.release_conn()


def parse_retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), cap))


class Fetcher:
    """Thread-safe HTTP client for the crawl.

    Requests go through the connection pool of one requests.Session (a PinnedAdapter, so
    connections use the addresses the guard vetted), but are sent with urllib3 directly:
    redirects, retries and body caps are handled here anyway, and skipping requests'
    per-request layer (settings merging, cookies, hooks, Response objects) halves the CPU
    cost of a page fetch (see benchmarks/README.md).
    """

    def __init__(
        self,
        config: AuditConfig,
        may_request: Callable[[str], str | None] | None = None,
        guard: AddressGuard | None = None,
    ) -> None:
        self.config = config
        # Returns a refusal reason ("out-of-scope", "robots", "private") or None.
        self.may_request = may_request or (lambda url: None)
        self.session = requests.Session()
        pool = max(config.concurrency, 10)
        adapter = PinnedAdapter(
            guard.pinned if guard is not None else _resolve_as_usual,
            pool_connections=4,
            pool_maxsize=pool,
            max_retries=0,
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(
            {"User-Agent": config.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        )
        self._pools = adapter.poolmanager
        self._headers = dict(self.session.headers)
        self._timeout = Timeout(connect=config.timeout, read=config.timeout)
        self.delay = config.delay  # may be raised by robots.txt Crawl-delay
        self._delay_lock = threading.Lock()
        self._next_at = 0.0
        self.requests_sent = 0
        self._count_lock = threading.Lock()

    def close(self) -> None:
        self.session.close()

    def slow_down(self, delay: float) -> None:
        """Raise the delay between requests, counting from now (the last request)."""
        with self._delay_lock:
            if delay > self.delay:
                self.delay = delay
                self._next_at = max(self._next_at, time.monotonic() + delay)

    def _throttle(self) -> None:
        if self.delay <= 0:
            return
        with self._delay_lock:
            now = time.monotonic()
            wait = self._next_at - now
            self._next_at = max(now, self._next_at) + self.delay
        if wait > 0:
            time.sleep(wait)

    def _open(self, method: str, url: str) -> BaseHTTPResponse:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        pool = self._pools.connection_from_url(url)
        return pool.urlopen(
            method,
            target,
            headers=self._headers,
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            timeout=self._timeout,
            assert_same_host=False,
        )

    def _send(self, method: str, url: str, result: FetchResult) -> BaseHTTPResponse:
        """One request with bounded retries on connection errors, 429 and 503."""
        cfg = self.config
        attempt = 0
        while True:
            attempt += 1
            result.attempts += 1
            self._throttle()
            with self._count_lock:
                self.requests_sent += 1
            began = time.perf_counter()
            try:
                response = self._open(method, url)
            except RETRYABLE_ERRORS:
                # A connect timeout is retried; a read timeout is not.
                if attempt > cfg.retries:
                    raise
                time.sleep(cfg.backoff * 2 ** (attempt - 1))
                continue
            result.response_ms = (time.perf_counter() - began) * 1000
            if response.status in RETRY_STATUSES and attempt <= cfg.retries:
                wait = parse_retry_after(response.headers.get("Retry-After"), cfg.retry_after_cap)
                _discard(response, method)
                time.sleep(wait if wait is not None else cfg.backoff * 2 ** (attempt - 1))
                continue
            return response

    def fetch(self, url: str, *, method: str = "GET", want_body: str = "html") -> FetchResult:
        """Follow redirects hop by hop. ``want_body``: "html", "any" or "none"."""
        result = FetchResult(url=url)
        current = url
        seen = {url}
        while True:
            try:
                response = self._send(method, current, result)
            except NewConnectionError as exc:  # a subclass of ConnectTimeoutError in urllib3
                result.error = f"connection-error: {_reason(exc)}"
                return result
            except TIMEOUT_ERRORS:
                result.error = "timeout"
                return result
            except UnsafeTarget:
                result.error = "refused: private-address"
                return result
            except (HTTPError, OSError) as exc:
                result.error = f"connection-error: {_reason(exc)}"
                return result
            status = response.status
            location = response.headers.get("Location")
            if status in REDIRECT_STATUSES and location:
                _discard(response, method)
                result.hops.append(Hop(current, status))
                result.status = status
                target = normalize_url(urljoin(current, location))
                if target is None:
                    result.error = "redirect-invalid"
                    result.final_url = urljoin(current, location)
                    return result
                result.final_url = target
                if target in seen:
                    result.error = "redirect-loop"
                    return result
                if len(result.hops) >= self.config.max_redirects:
                    result.error = "too-many-redirects"
                    return result
                refusal = self.may_request(target)
                if refusal:
                    # Not followed: another host, or robots/private-address rules forbid it.
                    result.error = f"redirect-not-followed: {refusal}"
                    return result
                seen.add(target)
                current = target
                continue
            self._finish(result, response, current, method, want_body)
            return result

    def _finish(
        self,
        result: FetchResult,
        response: BaseHTTPResponse,
        url: str,
        method: str,
        want_body: str,
    ) -> None:
        result.final_url = url
        result.status = response.status
        headers = response.headers
        result.content_type = headers.get("Content-Type")
        result.x_robots_tag = headers.get("X-Robots-Tag")
        mime = _mime(result.content_type)
        declared_html = mime in HTML_TYPES
        undeclared = mime in ("", "application/octet-stream", "text/plain")
        ok = 200 <= response.status < 300
        skip_html = want_body == "html" and not (ok and (declared_html or undeclared))
        if want_body == "none" or skip_html:
            length = headers.get("Content-Length")
            result.bytes = int(length) if length and length.isdigit() else 0
            _discard(response, method)
            return
        cap = self.config.sitemap_max_bytes if want_body == "any" else self.config.max_bytes
        chunks: list[bytes] = []
        size = 0
        complete = False
        try:
            for chunk in response.stream(CHUNK):
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    result.truncated = True
                    break
            else:
                complete = True
        except (HTTPError, OSError):
            result.error = "body-read-error"
        finally:
            if complete:
                response.release_conn()  # read to the end: the connection can be reused
            else:
                response.close()
                response.release_conn()
        body = b"".join(chunks)
        if result.truncated:
            body = body[:cap]
        result.body = body
        result.bytes = size if not result.truncated else max(size, cap + 1)
        head = body[:2048]
        if want_body == "html":
            # Content-Type first, then sniffing: binary bodies are never parsed as HTML.
            result.is_html = (declared_html and not looks_binary(head)) or (
                undeclared and not looks_binary(head) and looks_html(head)
            )
            if not result.is_html:
                result.body = None

    def status_of(self, url: str) -> FetchResult:
        """A link target's status: HEAD, falling back to GET where HEAD is refused."""
        result = self.fetch(url, method="HEAD", want_body="none")
        if result.error is None and result.status in HEAD_FALLBACK_STATUSES:
            result = self.fetch(url, method="GET", want_body="none")
        return result
