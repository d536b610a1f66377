"""The crawl's queue: each URL in scope once, within the page and depth limits."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from posixpath import splitext
from urllib.parse import urlsplit

from .traps import TrapGuard
from .urls import Scope

# Paths with these extensions are files, not pages: they are checked as link targets
# (status, type, size) on the pages that link to them, never crawled as pages.
FILE_EXTENSIONS = frozenset(
    {
        ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".csv", ".txt",
        ".zip", ".gz", ".tgz", ".rar", ".7z",
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp", ".tif",
        ".tiff", ".mp3", ".mp4", ".m4a", ".mov", ".webm", ".ogg", ".wav", ".avi",
        ".css", ".js", ".json", ".woff", ".woff2", ".ttf", ".otf", ".eot",
    }
)  # fmt: skip


def is_file_url(url: str) -> bool:
    """True for a URL whose path names a file type that is never an HTML page."""
    return splitext(urlsplit(url).path)[1].lower() in FILE_EXTENSIONS


class Frontier:
    """URLs waiting to be fetched, and every URL ever accepted (``seen``).

    The queue never grows past the page limit: a URL beyond it (or too deep) is only
    counted in ``dropped_by_limits`` (and kept in ``not_queued``), so the report can say
    the crawl was cut short and how much was left out. URLs of a crawl trap past its
    budget are refused by ``traps`` and never count against the page limit.
    """

    def __init__(
        self,
        scope: Scope,
        robots_allows: Callable[[str], bool],
        page_limit: int,
        max_depth: int | None,
        trap_budget: int | None = None,
    ) -> None:
        self.scope = scope
        self.robots_allows = robots_allows
        self.page_limit = page_limit
        self.max_depth = max_depth
        self.seen: set[str] = set()
        self.robots_skipped: set[str] = set()
        self.dropped_by_limits = 0
        self.not_queued: set[str] = set()  # distinct URLs the limits left out
        self.limits_hit: set[str] = set()  # "page-limit", "depth-limit"
        self.traps = TrapGuard(trap_budget) if trap_budget is not None else None
        self._queue: deque[tuple[str, int]] = deque()

    def __len__(self) -> int:
        return len(self._queue)

    def mark_seen(self, url: str) -> bool:
        """Record ``url`` as known; False if it was already."""
        if url in self.seen:
            return False
        self.seen.add(url)
        return True

    def offer(self, url: str, depth: int, source: str | None = None) -> None:
        """Queue a discovered URL if it is wanted, allowed and within the limits;
        ``source`` is the page that links to it (None: the sitemap)."""
        if url in self.seen or url in self.robots_skipped or not self.scope.wanted(url):
            return
        if is_file_url(url):
            return  # a file, not a page: checked as a link target after the crawl
        if not self.robots_allows(url):
            self.robots_skipped.add(url)
            return
        if self.traps is not None and not self.traps.admit(url, source):
            return
        too_deep = self.max_depth is not None and depth > self.max_depth
        if too_deep or len(self.seen) >= self.page_limit:
            self.dropped_by_limits += 1
            self.not_queued.add(url)
            self.limits_hit.add("depth-limit" if too_deep else "page-limit")
            return
        self.seen.add(url)
        self._queue.append((url, depth))

    def pop(self) -> tuple[str, int]:
        return self._queue.popleft()

    def waiting(self) -> list[str]:
        """URLs still queued (the run stopped before they were fetched)."""
        return [url for url, _depth in self._queue]

    def put_back(self, items: Iterable[tuple[str, int]]) -> None:
        """Return taken URLs to the front, in their order (they were never fetched)."""
        for item in reversed(list(items)):
            self._queue.appendleft(item)
