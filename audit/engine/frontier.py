"""The crawl's queue: each URL in scope once, within the page and depth limits."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from posixpath import splitext
from typing import NamedTuple
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


class PageTask(NamedTuple):
    """A page to fetch and analyse. ``attempt`` 0 is its first fetch; a page whose fetch
    timed out or could not connect comes back later in the run with the attempt after."""

    url: str
    depth: int
    attempt: int = 0


class Frontier:
    """URLs waiting to be fetched, and every URL ever accepted (``seen``).

    Pages to fetch again (``retry``) wait in a queue of their own, taken only once the
    first-time pages are all out: by then a server that was slow to start has warmed up.
    At most ``retry_limit`` pages are retried in a run.

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
        retry_limit: int = 0,
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
        self.retry_limit = retry_limit
        self.retries = 0  # pages queued again
        self._queue: deque[PageTask] = deque()
        self._retry: deque[PageTask] = deque()

    def __len__(self) -> int:
        return len(self._queue) + len(self._retry)

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
        self._queue.append(PageTask(url, depth))

    def retry(self, task: PageTask) -> bool:
        """Queue a page whose fetch failed for another attempt later in the run; False when
        the run's retries are used up."""
        if self.retries >= self.retry_limit:
            return False
        self.retries += 1
        self._retry.append(task._replace(attempt=task.attempt + 1))
        return True

    def pop(self) -> PageTask:
        return self._queue.popleft() if self._queue else self._retry.popleft()

    def take(self, room: int) -> list[PageTask]:
        """Up to ``room`` tasks, first-time pages first."""
        return [self.pop() for _ in range(min(room, len(self)))]

    def waiting(self) -> list[str]:
        """URLs still queued (the run stopped before they were fetched)."""
        return [task.url for task in (*self._queue, *self._retry)]

    def put_back(self, tasks: Iterable[PageTask]) -> None:
        """Return taken tasks to the front of their queue, in their order (never fetched)."""
        for task in reversed(list(tasks)):
            (self._retry if task.attempt else self._queue).appendleft(task)
