"""Status checks of internal link targets (and canonicals) the crawl did not fetch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from .checks import PageSummary, TargetStatus
from .errors import FetchError
from .fetch import Fetcher
from .urls import Scope


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
        for url in summary.canonical_urls:
            if url and url not in known and scope.is_internal(url):
                wanted[url] = None
    return wanted


@dataclass(slots=True)
class StatusResult:
    """One target's status, as a worker process sends it back (see workers.py)."""

    url: str
    status: TargetStatus | None  # None: the run stopped before an answer came
    requests: int  # HTTP requests made, redirect hops and retries included
    response_ms: float | None  # of the last request, for the concurrency controller


# A StatusResult as a worker process sends it: (url, requests, response_ms, the status's
# fields after its url, or None). Plain tuples pickle several times faster than the
# slotted dataclasses, and every link target and image of a crawl crosses this way
# (benchmarks/README.md has the figures).
StatusWire = tuple[str, int, float | None, tuple[Any, ...] | None]
_STATUS_FIELDS = tuple(f.name for f in fields(TargetStatus))[1:]  # url is the result's


def to_wire(result: StatusResult) -> StatusWire:
    status = result.status
    values = None if status is None else tuple([getattr(status, f) for f in _STATUS_FIELDS])
    return (result.url, result.requests, result.response_ms, values)


def from_wire(wire: StatusWire) -> StatusResult:
    url, requests, response_ms, values = wire
    status = None if values is None else TargetStatus(url, *values)
    return StatusResult(url, status, requests, response_ms)


def check_target(fetcher: Fetcher, url: str) -> StatusResult:
    """HEAD (or GET where HEAD is refused) one target, following redirects."""
    if fetcher.stop.stopped():
        return StatusResult(url, None, 0, None)
    fetched = fetcher.status_of(url)
    if fetched.error == FetchError.CANCELLED:
        return StatusResult(url, None, fetched.attempts, None)
    status = TargetStatus(
        url,
        fetched.status,
        list(fetched.hops),
        fetched.final_url,
        fetched.error_text,
        fetched.content_type,
        fetched.bytes or None,
    )
    attempts = fetched.attempts
    if status.status == 200 and status.is_image and status.bytes is None:
        attempts += _measure_image(fetcher, status)
    return StatusResult(url, status, attempts, fetched.response_ms)


def _measure_image(fetcher: Fetcher, status: TargetStatus) -> int:
    """An image answered without Content-Length (streamed, chunked): GET it and count the
    bytes, reading no further than the img-too-heavy limit. Returns the requests made."""
    limit = fetcher.config.image_max_bytes
    measured = fetcher.fetch(status.final_url or status.url, want_body="any", max_bytes=limit)
    if measured.error is None and measured.status == 200:
        status.bytes = measured.bytes  # limit + 1 when cut there
        status.bytes_at_least = measured.truncated
    return measured.attempts


# Checks a list of targets; None for each one the run stopped before it was answered.
StatusRunner = Callable[[list[str]], dict[str, TargetStatus | None]]


class LinkChecker:
    """HEAD (or GET) each target once, until done or the run stops, through
    ``run_statuses`` (the crawl loop)."""

    def __init__(
        self,
        robots_allows: Callable[[str], bool],
        limit: int,
        run_statuses: StatusRunner,
    ) -> None:
        self.robots_allows = robots_allows
        self.limit = limit
        self.run_statuses = run_statuses

    def run(
        self, wanted: dict[str, None], skipped: set[str]
    ) -> tuple[dict[str, TargetStatus], LinkCheckCounts]:
        todo = [url for url in wanted if url not in skipped and self.robots_allows(url)]
        counts = LinkCheckCounts(robots_disallowed=len(wanted) - len(todo))
        counts.unchecked = max(0, len(todo) - self.limit)
        found: dict[str, TargetStatus] = {}
        checked = todo[: self.limit]
        statuses = self.run_statuses(checked) if checked else {}
        for url in checked:
            status = statuses.get(url)
            if status is None:
                counts.unchecked += 1
            else:
                counts.checked += 1
                found[url] = status
        return found, counts
