"""Status checks of internal link targets (and canonicals) the crawl did not fetch."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin

from .checks import PageSummary, TargetStatus
from .errors import FetchError
from .fetch import Fetcher
from .urls import Scope, normalize_url


@dataclass(slots=True)
class LinkCheckCounts:
    checked: int = 0
    unchecked: int = 0  # beyond link_check_limit, or left when the run stopped
    robots_disallowed: int = 0  # not requested: robots.txt disallows them


def link_check_todo(
    linked: dict[str, None],
    summaries: dict[str, PageSummary],
    known: dict[str, TargetStatus],
    scope: Scope,
) -> dict[str, None]:
    """Link targets and canonicals not fetched yet, in the order first linked (so a cut at
    the limit is stable)."""
    wanted = dict.fromkeys(t for t in linked if t not in known)
    for summary in summaries.values():
        for href in summary.canonicals:
            url = normalize_url(urljoin(summary.final_url or summary.url, href))
            if url and url not in known and scope.is_internal(url):
                wanted[url] = None
    return wanted


class LinkChecker:
    """HEAD (or GET) each target once, in threads, until done or the run stops."""

    def __init__(
        self,
        fetcher: Fetcher,
        robots_allows: Callable[[str], bool],
        limit: int,
        concurrency: int,
    ) -> None:
        self.fetcher = fetcher
        self.robots_allows = robots_allows
        self.limit = limit
        self.concurrency = concurrency

    def run(
        self, wanted: dict[str, None], skipped: set[str]
    ) -> tuple[dict[str, TargetStatus], LinkCheckCounts]:
        todo = [url for url in wanted if url not in skipped and self.robots_allows(url)]
        counts = LinkCheckCounts(robots_disallowed=len(wanted) - len(todo))
        counts.unchecked = max(0, len(todo) - self.limit)
        found: dict[str, TargetStatus] = {}
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="audit-link") as pool:
            futures = {pool.submit(self._status, url): url for url in todo[: self.limit]}
            for future, url in futures.items():
                status = future.result()
                if status is None:
                    counts.unchecked += 1
                else:
                    counts.checked += 1
                    found[url] = status
        return found, counts

    def _status(self, url: str) -> TargetStatus | None:
        """None when the run stopped before this target got an answer."""
        if self.fetcher.stop.stopped():
            return None
        fetched = self.fetcher.status_of(url)
        if fetched.error == FetchError.CANCELLED:
            return None
        return TargetStatus(
            url,
            fetched.status,
            list(fetched.hops),
            fetched.final_url,
            fetched.error_text,
            fetched.content_type,
            fetched.bytes or None,
        )
