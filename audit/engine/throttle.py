"""How many requests to have in flight: fewer while the server struggles, more as it recovers.

In the spirit of Scrapy's AutoThrottle, kept small: the limit starts at one request (a cold
site is warmed up, not hammered) and grows by one for each fast answer, as TCP's slow
start does; a slow answer (latency well over the best seen) takes one away, and a timeout
or connection failure halves it. It always stays between 1 and the configured concurrency.
The fetcher feeds it every request's outcome and takes a ``slot`` before each request, so
every phase (pages, link targets, images, sitemaps) keeps to the limit; tests feed it numbers.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

# An answer is slow when it takes this many times the best latency seen...
SLOW_RATIO = 3.0
# ...and at least this long (sub-second noise on a fast site is not a struggle).
SLOW_FLOOR_SECONDS = 0.5
# How often a request waiting for a slot looks at the run's stop signal.
WAIT_POLL_SECONDS = 0.05


class ConcurrencyController:
    def __init__(self, maximum: int, *, start: int = 1) -> None:
        if maximum < 1:
            raise ValueError("maximum must be at least 1")
        self.maximum = maximum
        self._limit = float(max(1, min(start, maximum)))
        self.best_latency: float | None = None
        self.slowdowns = 0  # times the limit was lowered: the report says the server struggled
        # Fetch threads report their requests and wait for slots under this condition.
        self._cond = threading.Condition()
        self.in_flight = 0

    @property
    def limit(self) -> int:
        """Requests that may be in flight now."""
        return int(self._limit)

    def observe(self, latency: float | None, failed: bool = False) -> None:
        """One finished request: its latency in seconds, or ``failed`` for a timeout or a
        connection failure (no answer)."""
        with self._cond:
            self._observe(latency, failed)
            self._cond.notify_all()

    @contextlib.contextmanager
    def slot(self, stopped: Callable[[], bool] = lambda: False) -> Iterator[None]:
        """Hold one of the ``limit`` requests in flight for the duration; waits (looking at
        ``stopped`` so a stopping run never waits here) while all are taken."""
        with self._cond:
            while self.in_flight >= self.limit and not stopped():
                self._cond.wait(WAIT_POLL_SECONDS)
            self.in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    def _observe(self, latency: float | None, failed: bool) -> None:
        before = self.limit
        if failed:
            self._limit = max(1.0, self._limit / 2)
        elif latency is not None:
            if self.best_latency is None or latency < self.best_latency:
                self.best_latency = latency
            slow = latency >= max(SLOW_RATIO * self.best_latency, SLOW_FLOOR_SECONDS)
            self._limit = max(1.0, self._limit - 1) if slow else self._limit + 1
            self._limit = min(self._limit, float(self.maximum))
        if self.limit < before:
            self.slowdowns += 1
