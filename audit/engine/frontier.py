"""The crawl's queue: each URL in scope once, within the page and depth limits."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from .urls import Scope


class Frontier:
    """URLs waiting to be fetched, and every URL ever accepted (``seen``).

    The queue never grows past the page limit: a URL beyond it (or too deep) is only
    counted in ``dropped_by_limits``, so the report can say the crawl was cut short.
    """

    def __init__(
        self,
        scope: Scope,
        robots_allows: Callable[[str], bool],
        page_limit: int,
        max_depth: int | None,
    ) -> None:
        self.scope = scope
        self.robots_allows = robots_allows
        self.page_limit = page_limit
        self.max_depth = max_depth
        self.seen: set[str] = set()
        self.robots_skipped: set[str] = set()
        self.dropped_by_limits = 0
        self._queue: deque[tuple[str, int]] = deque()

    def __len__(self) -> int:
        return len(self._queue)

    def mark_seen(self, url: str) -> bool:
        """Record ``url`` as known; False if it was already."""
        if url in self.seen:
            return False
        self.seen.add(url)
        return True

    def offer(self, url: str, depth: int) -> None:
        """Queue a discovered URL if it is wanted, allowed and within the limits."""
        if url in self.seen or url in self.robots_skipped or not self.scope.wanted(url):
            return
        if not self.robots_allows(url):
            self.robots_skipped.add(url)
            return
        too_deep = self.max_depth is not None and depth > self.max_depth
        if too_deep or len(self.seen) >= self.page_limit:
            self.dropped_by_limits += 1
            return
        self.seen.add(url)
        self._queue.append((url, depth))

    def pop(self) -> tuple[str, int]:
        return self._queue.popleft()

    def put_back(self, items: Iterable[tuple[str, int]]) -> None:
        """Return taken URLs to the front, in their order (they were never fetched)."""
        for item in reversed(list(items)):
            self._queue.appendleft(item)
