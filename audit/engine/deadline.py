"""The run's stop signal, and per-response deadlines enforced by shutting sockets down.

urllib3's read timeout applies to each socket read: a server that sends one byte a second
never trips it, and neither do headers that never end. So every response gets a deadline
for all of its reads, and a watchdog thread shuts its socket down when the deadline passes
or the run stops (cancel, time budget); the read blocked in the fetching thread then fails
at once, wherever it was (TLS handshake, headers, body).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

from .errors import FetchError
from .results import StopReason

# How often the watchdog looks at deadlines and the stop signal: the latency of a cancel.
POLL_SECONDS = 0.05

_current = threading.local()  # the ResponseWatch of the request this thread is making


class StopSignal:
    """Whether the run must stop, and why; the first reason seen is kept."""

    def __init__(
        self, should_cancel: Callable[[], bool] | None = None, deadline: float | None = None
    ) -> None:
        self._should_cancel = should_cancel or (lambda: False)
        self.deadline = deadline  # time.monotonic() value; the same clock in every process
        self._reason: StopReason | None = None
        self._event = threading.Event()
        self._lock = threading.Lock()

    def stop(self, reason: StopReason = StopReason.CANCELLED) -> None:
        with self._lock:
            if self._reason is None:
                self._reason = reason
        self._event.set()

    @property
    def reason(self) -> StopReason | None:
        if self._reason is None:
            if self._should_cancel():
                self.stop(StopReason.CANCELLED)
            elif self.deadline is not None and time.monotonic() >= self.deadline:
                self.stop(StopReason.TIME_BUDGET)
        return self._reason

    def stopped(self) -> bool:
        return self.reason is not None

    def remaining(self) -> float | None:
        """Seconds left in the time budget; None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early when the run stops; True if it stopped."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.stopped():
                return True
            self._event.wait(min(left, POLL_SECONDS))
        return self.stopped()


class ResponseWatch:
    """One response's deadline and whether the watchdog had to cut it short."""

    __slots__ = ("at", "error", "watchdog")

    def __init__(self, watchdog: Watchdog, at: float) -> None:
        self.watchdog = watchdog
        self.at = at
        self.error: FetchError | None = None  # DEADLINE or CANCELLED once cut short


class Watchdog:
    """One thread per fetcher that shuts down the sockets of late or cancelled responses."""

    def __init__(self, stop: StopSignal) -> None:
        self.stop = stop
        self._lock = threading.Lock()
        self._watches: set[ResponseWatch] = set()
        self._owner: dict[socket.socket, ResponseWatch] = {}  # a pooled socket moves on
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watch(self, seconds: float) -> Iterator[ResponseWatch]:
        """Deadline ``seconds`` from now (never past the run's) for the requests made in
        this block by this thread."""
        at = time.monotonic() + seconds
        if self.stop.deadline is not None:
            at = min(at, self.stop.deadline)
        watch = ResponseWatch(self, at)
        with self._lock:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="audit-watchdog", daemon=True
                )
                self._thread.start()
        _current.watch = watch
        try:
            yield watch
        finally:
            _current.watch = None
            with self._lock:
                self._watches.discard(watch)
                for sock in [s for s, w in self._owner.items() if w is watch]:
                    del self._owner[sock]

    def attach(self, sock: socket.socket, watch: ResponseWatch) -> None:
        with self._lock:
            self._owner[sock] = watch
            if watch.error is not None:
                _shut(sock)

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=1)

    def _run(self) -> None:
        while not self._closed.wait(POLL_SECONDS):
            stopped = self.stop.stopped()
            now = time.monotonic()
            with self._lock:
                for watch in self._watches:
                    if watch.error is None and (stopped or now >= watch.at):
                        watch.error = FetchError.CANCELLED if stopped else FetchError.DEADLINE
                for sock, watch in self._owner.items():
                    if watch.error is not None:
                        _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter also drops the TLS state
    # the reading thread is using. A closed socket raises OSError: nothing left to do.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def attach_current(sock: socket.socket | None) -> None:
    """Put ``sock`` under the deadline of the request this thread is making, if any."""
    watch: ResponseWatch | None = getattr(_current, "watch", None)
    if watch is not None and sock is not None:
        watch.watchdog.attach(sock, watch)
