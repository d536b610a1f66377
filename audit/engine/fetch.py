"""HTTP fetching: pooled connections, manual redirects, retries, streamed and capped bodies."""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import re
import socket
import ssl
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from .config import EngineConfig
from .deadline import ResponseWatch, StopSignal, Watchdog
from .errors import FetchError, UnsafeTarget
from .facts import Hop
from .throttle import ConcurrencyController
from .transport import PinnedAdapter
from .urls import AddressGuard, normalize_url
from .version import AUDIT_HEADER

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
HEAD_FALLBACK_STATUSES = frozenset({400, 403, 405, 501})  # servers that refuse HEAD only
HTML_TYPES = ("text/html", "application/xhtml+xml")
_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
CHUNK = 65536
# A whole response (connect, headers, body) may take this many times the timeout, which
# itself bounds each read: a body trickling in a byte at a time is cut off at the deadline.
RESPONSE_DEADLINE_FACTOR = 3
# Failures retried with back-off: the request may well work a moment later.
RETRYABLE = frozenset(
    {
        FetchError.TIMEOUT,
        FetchError.CONNECTION_REFUSED,
        FetchError.CONNECTION_RESET,
        FetchError.CONNECTION_FAILED,
    }
)
_RESET_ERRORS = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)
# An absolute http(s) URL of printable ASCII without blanks, as normalize_url writes them.
_PREPARED_URL = re.compile(r"https?://[!-~]+")
# A body up to this size is read and dropped so its connection can be reused; a larger or
# unknown one closes the connection instead.
DRAIN_MAX = 256 * 1024


@dataclass(slots=True)
class FetchResult:
    url: str
    final_url: str | None = None
    status: int | None = None
    hops: list[Hop] = field(default_factory=list)
    error: FetchError | None = None
    error_detail: str | None = None  # e.g. why a redirect was not followed: "out-of-scope"
    content_type: str | None = None
    x_robots_tag: str | None = None
    response_ms: float | None = None
    body: bytes | None = None
    bytes: int = 0
    truncated: bool = False
    is_html: bool = False
    attempts: int = 0

    @property
    def error_text(self) -> str | None:
        """The error as reports show it: "redirect-not-followed: out-of-scope"."""
        if self.error is None or not self.error_detail:
            return self.error
        return f"{self.error}: {self.error_detail}"


def looks_binary(head: bytes) -> bool:
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head[:1024]


def looks_html(head: bytes) -> bool:
    sample = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return sample.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")) or (
        b"<html" in sample or b"<body" in sample or b"<title" in sample
    )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: requests wraps urllib3's errors, which wrap the OSError or
    http.client error that happened (in ``args``, ``reason`` or the exception chain)."""
    cause: BaseException | None = exc
    for _ in range(8):  # a chain is short; the bound only guards against a cycle
        if cause is None:
            return
        yield cause
        reason = getattr(cause, "reason", None)  # urllib3's MaxRetryError
        wrapped = [a for a in cause.args if isinstance(a, BaseException)]
        if isinstance(reason, BaseException):
            cause = reason
        else:
            cause = wrapped[0] if wrapped else cause.__cause__ or cause.__context__


def _release_frames(exc: BaseException) -> None:
    """Clear the frames of ``exc``'s tracebacks and of the exceptions it wraps. urllib3 keeps
    an exception in the frames that raised it, a cycle, and every frame holds its caller: the
    cycle kept the page being fetched, and what was made of it, alive until a full
    collection."""
    seen: set[int] = set()
    todo = [exc]
    while todo and len(seen) < 16:  # a chain is short; the bound only guards against a cycle
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)  # skips frames still running
        wrapped = (current.__cause__, current.__context__, getattr(current, "reason", None))
        todo.extend(e for e in (*wrapped, *current.args) if isinstance(e, BaseException))


def _headers_too_large(exc: BaseException) -> bool:
    # http.client's limits: 65,536 bytes per line (LineTooLong), 100 header lines (a plain
    # HTTPException "got more than 100 headers").
    return isinstance(exc, http.client.LineTooLong) or (
        type(exc) is http.client.HTTPException and "headers" in str(exc)
    )


def classify(exc: BaseException) -> FetchError:
    """The FetchError for an exception raised while connecting or reading a head."""
    for cause in _causes(exc):
        if isinstance(cause, (NameResolutionError, socket.gaierror)):
            return FetchError.DNS
        if _headers_too_large(cause):
            return FetchError.HEADERS_TOO_LARGE
        if isinstance(
            cause, (requests.exceptions.SSLError, SSLError, ssl.SSLError, ssl.CertificateError)
        ):
            return FetchError.TLS
        if isinstance(cause, ConnectionRefusedError):
            return FetchError.CONNECTION_REFUSED
        if isinstance(cause, _RESET_ERRORS):
            return FetchError.CONNECTION_RESET
        if isinstance(cause, (requests.Timeout, ReadTimeoutError, TimeoutError)) or (
            # NewConnectionError (refused, unreachable) is a ConnectTimeoutError in urllib3
            isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError)
        ):
            return FetchError.TIMEOUT
    return FetchError.CONNECTION_FAILED


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _resolve_as_usual(host: str, port: int) -> None:
    return None


def _discard(response: requests.Response, method: str) -> None:
    """Give the connection back without reading a large body we do not want."""
    length = response.headers.get("Content-Length")
    small = length is not None and length.isdigit() and int(length) <= DRAIN_MAX
    if method == "HEAD" or small:
        response.raw.drain_conn()
    else:
        response.raw.close()
    response.raw.release_conn()


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

    Each request is a requests ``PreparedRequest`` sent by one PinnedAdapter (transport.py):
    kept-alive urllib3 connections to the addresses the guard vetted. No Session: the
    crawl keeps no cookies, reads no proxy or netrc settings from the environment, and
    follows each redirect itself, vetting every hop (``may_request``); bodies are streamed
    and capped here.

    Every response is fetched under a deadline (see deadline.py); once ``stop`` says the
    run is over, requests in flight are cut short and new ones fail at once as CANCELLED.
    """

    def __init__(
        self,
        config: EngineConfig,
        may_request: Callable[[str], str | None] | None = None,
        guard: AddressGuard | None = None,
        stop: StopSignal | None = None,
        throttle: ConcurrencyController | None = None,
    ) -> None:
        self.config = config
        # Told of every attempt, and gives the slots for requests in flight (crawl.py).
        self.throttle = throttle
        # Returns a refusal reason ("out-of-scope", "robots", "private-address") or None.
        self.may_request = may_request or (lambda url: None)
        self.stop = stop or StopSignal()
        self.watchdog = Watchdog(self.stop)
        self.adapter = PinnedAdapter(
            guard.pinned if guard is not None else _resolve_as_usual,
            pool_connections=4,
            pool_maxsize=max(config.concurrency, 10),
            max_retries=0,
        )
        self.headers = {
            "User-Agent": config.user_agent,
            # The decoders urllib3 bounds (max_length): a compressed bomb costs only its cap.
            "Accept-Encoding": "gzip, deflate",
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            AUDIT_HEADER: "1",
        }
        self.delay = config.delay  # may be raised by robots.txt Crawl-delay
        self._delay_lock = threading.Lock()
        self._next_at = 0.0
        self.requests_sent = 0
        self._count_lock = threading.Lock()

    def close(self) -> None:
        self.watchdog.close()
        self.adapter.close()

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
            self.stop.wait(wait)

    def _slot(self) -> contextlib.AbstractContextManager[None]:
        """One of the requests the throttle allows in flight (none to wait for without)."""
        if self.throttle is None:
            return contextlib.nullcontext()
        return self.throttle.slot(self.stop.stopped)

    def _response_seconds(self) -> float:
        return self.config.timeout * RESPONSE_DEADLINE_FACTOR

    def _open(self, method: str, url: str) -> requests.Response:
        """Send the request and read the answer's head; the body is left to stream."""
        timeout = self.config.timeout
        left = self.stop.remaining()
        if left is not None:
            timeout = max(0.01, min(timeout, left))
        request = requests.PreparedRequest()
        request.prepare_method(method)
        if _PREPARED_URL.fullmatch(url):
            # normalize_url's output (every URL a crawl requests) is already what
            # prepare_url makes of it: IDNA host, percent-encoded path and query.
            request.url = url
        else:
            request.prepare_url(url, None)
        request.headers = self.headers  # copied by the adapter, with the Host header
        return self.adapter.send(request, stream=True, timeout=(timeout, timeout))

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        want_body: str = "html",
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Follow redirects hop by hop. ``want_body``: "html", "any" or "none"; ``max_bytes``
        caps the body (default: max_bytes for pages, sitemap_max_bytes for "any")."""
        result = FetchResult(url=url)
        current = url
        seen = {url}
        while True:
            location = self._request(method, current, result, want_body, max_bytes)
            if location is None:
                return result
            target = normalize_url(urljoin(current, location))
            if target is None:
                result.error = FetchError.REDIRECT_INVALID
                result.final_url = urljoin(current, location)
                return result
            result.final_url = target
            if target in seen:
                result.error = FetchError.REDIRECT_LOOP
                return result
            if len(result.hops) >= self.config.max_redirects:
                result.error = FetchError.TOO_MANY_REDIRECTS
                return result
            refusal = self.may_request(target)
            if refusal:
                # Not followed: another host, or robots/private-address rules forbid it.
                result.error = FetchError.REDIRECT_NOT_FOLLOWED
                result.error_detail = refusal
                return result
            seen.add(target)
            current = target

    def _request(
        self, method: str, url: str, result: FetchResult, want_body: str, max_bytes: int | None
    ) -> str | None:
        """One URL, retried with back-off on network errors, 429 and 503 (bounded by
        ``retries`` and the run's deadline). Returns a redirect's Location; otherwise the
        outcome is in ``result``."""
        cfg = self.config
        for attempt in range(1, cfg.retries + 2):
            self._throttle()
            if self.stop.stopped():
                result.error = FetchError.CANCELLED
                return None
            retry_in = min(cfg.backoff * 2 ** (attempt - 1), cfg.backoff_max)
            with self._slot(), self.watchdog.watch(self._response_seconds()) as watch:
                result.attempts += 1
                with self._count_lock:
                    self.requests_sent += 1
                began = time.perf_counter()
                try:
                    response = self._open(method, url)
                except UnsafeTarget:
                    result.error = FetchError.PRIVATE_ADDRESS
                    return None
                except (HTTPError, OSError) as exc:
                    error = watch.error or classify(exc)
                    _release_frames(exc)
                    if self.throttle is not None:
                        self.throttle.observe(None, error.is_fetch_failure)
                    if error not in RETRYABLE or attempt > cfg.retries:
                        result.error = error
                        return None
                else:
                    result.response_ms = (time.perf_counter() - began) * 1000
                    if self.throttle is not None:
                        self.throttle.observe(result.response_ms / 1000)
                    status = response.status_code
                    location = response.headers.get("Location")
                    if status in RETRY_STATUSES and attempt <= cfg.retries:
                        wait = parse_retry_after(
                            response.headers.get("Retry-After"), cfg.retry_after_cap
                        )
                        retry_in = retry_in if wait is None else wait
                        _discard(response, method)
                    elif status in REDIRECT_STATUSES and location:
                        _discard(response, method)
                        result.hops.append(Hop(url, status))
                        result.status = status
                        return location
                    else:
                        self._finish(result, response, url, method, want_body, max_bytes, watch)
                        return None
            if self.stop.wait(retry_in):
                result.error = FetchError.CANCELLED
                return None
        raise AssertionError("unreachable: the last attempt returns")

    def _finish(
        self,
        result: FetchResult,
        response: requests.Response,
        url: str,
        method: str,
        want_body: str,
        max_bytes: int | None,
        watch: ResponseWatch,
    ) -> None:
        result.final_url = url
        result.status = response.status_code
        headers = response.headers
        result.content_type = headers.get("Content-Type")
        result.x_robots_tag = headers.get("X-Robots-Tag")
        mime = _mime(result.content_type)
        declared_html = mime in HTML_TYPES
        undeclared = mime in ("", "application/octet-stream", "text/plain")
        ok = 200 <= response.status_code < 300
        skip_html = want_body == "html" and not (ok and (declared_html or undeclared))
        if want_body == "none" or skip_html:
            length = headers.get("Content-Length")
            result.bytes = int(length) if length and length.isdigit() else 0
            _discard(response, method)
            result.error = watch.error  # headers that never ended, cut off at the deadline
            return
        cap = max_bytes or (
            self.config.sitemap_max_bytes if want_body == "any" else self.config.max_bytes
        )
        chunks: list[bytes] = []
        size = 0
        complete = False
        raw = response.raw
        try:
            # read1: what has arrived, so a body cut off by the deadline keeps what came
            # (read(n) waits for n bytes and drops them all when the connection ends). It
            # decodes at most CHUNK bytes at a time (urllib3 >= 2.6), so a compressed bomb
            # never inflates past the cap in memory.
            while chunk := raw.read1(CHUNK, decode_content=True):
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    result.truncated = True
                    break
            else:
                complete = True
        except (HTTPError, OSError) as exc:
            result.error = FetchError.BODY_READ
            _release_frames(exc)
        finally:
            if complete and watch.error is None:
                raw.release_conn()  # read to the end: the connection can be reused
            else:
                raw.close()
                raw.release_conn()
        # A socket shut down by the watchdog can look like a normal end of the body.
        result.error = watch.error or result.error
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
