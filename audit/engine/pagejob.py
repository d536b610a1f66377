"""One page's work: fetch it (following redirects), analyse it, say what was learnt.

Runs in a fetch thread of the main process, or in a worker process (workers.py); either
way it returns small picklable outcomes, never HTML.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .analyse import analyse
from .checks import PageSummary, TargetStatus
from .config import OPTION_BOUNDS, EngineConfig
from .errors import FetchError
from .fetch import Fetcher, FetchResult
from .results import PageReport
from .urls import Scope

log = logging.getLogger(__name__)

# A page fetched again later in the run gets this many times the usual timeout (within the
# timeout's own bound and, as every request, the run's time budget).
RETRY_TIMEOUT_FACTOR = 3
# Failures worth another attempt later: the server may only have been slow to start.
RETRY_LATER = frozenset(
    {
        FetchError.TIMEOUT,
        FetchError.DEADLINE,
        FetchError.CONNECTION_REFUSED,
        FetchError.CONNECTION_RESET,
        FetchError.CONNECTION_FAILED,
    }
)


def retry_config(config: EngineConfig) -> EngineConfig:
    """The settings of a later attempt at a page: the same, with a longer timeout."""
    longest = OPTION_BOUNDS["timeout"].high
    return config.replace(timeout=min(longest, config.timeout * RETRY_TIMEOUT_FACTOR))


@dataclass(slots=True)
class Outcome:
    url: str
    depth: int
    report: PageReport
    summary: PageSummary
    target: TargetStatus
    # The page a redirect ended on. The crawl keeps it only if that URL is not known yet,
    # so a page reached by several redirects (or also linked directly) is reported once.
    redirect_target: bool = False


@dataclass(slots=True)
class JobResult:
    url: str
    outcomes: list[Outcome]
    requests: int  # HTTP requests made, retries and redirect hops included

    @property
    def retry_later(self) -> bool:
        """True when the page's fetch timed out or could not connect (nothing else went
        wrong): a later attempt may well work."""
        error = self.outcomes[0].target.failed if self.outcomes else None
        return error in RETRY_LATER


class PageJob:
    """Fetches and analyses pages; ``make_fetcher(config)`` builds the fetcher for later
    attempts (``retry_config``), made the first time one is needed."""

    def __init__(
        self,
        fetcher: Fetcher,
        config: EngineConfig,
        scope: Scope,
        make_fetcher: Callable[[EngineConfig], Fetcher] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.config = config
        self.scope = scope
        self._make_fetcher = make_fetcher
        self._retry_fetcher: Fetcher | None = None
        self._lock = threading.Lock()

    def fetch(self, url: str, attempt: int = 0) -> FetchResult:
        return self._fetcher_for(attempt).fetch(url)

    def run(self, url: str, depth: int, attempt: int = 0) -> JobResult:
        return self.handle(None, url, depth, attempt)

    def close(self) -> None:
        if self._retry_fetcher is not None:
            self._retry_fetcher.close()

    def _fetcher_for(self, attempt: int) -> Fetcher:
        if attempt == 0 or self._make_fetcher is None:
            return self.fetcher
        with self._lock:
            if self._retry_fetcher is None:
                self._retry_fetcher = self._make_fetcher(retry_config(self.config))
            return self._retry_fetcher

    def handle(
        self, fetched: FetchResult | None, url: str, depth: int, attempt: int = 0
    ) -> JobResult:
        """Analyse ``fetched`` (fetching ``url`` first when it is None)."""
        try:
            if fetched is None:
                fetched = self.fetch(url, attempt)
            outcomes = self._outcomes(fetched, url, depth)
        except Exception as exc:  # a bug on one page must not end the whole crawl
            log.exception("auditing %s failed", url)
            report = PageReport(url=url, error=f"internal-error: {type(exc).__name__}", depth=depth)
            summary = PageSummary(url=url, final_url=None, status=None, ok_html=False)
            target = TargetStatus(url, None, [], None, None)
            outcomes = [Outcome(url, depth, report, summary, target)]
        return JobResult(url, outcomes, fetched.attempts if fetched is not None else 0)

    def _outcomes(self, fetched: FetchResult, url: str, depth: int) -> list[Outcome]:
        outcomes: list[Outcome] = []
        final = fetched.final_url
        status = TargetStatus(url, fetched.status, list(fetched.hops), final, fetched.error_text)
        if fetched.hops:
            stub = PageReport(
                url=url,
                final_url=final,
                status=fetched.hops[0].status,
                redirects=list(fetched.hops),
                error=fetched.error_text,
                depth=depth,
            )
            summary = PageSummary(url=url, final_url=final, status=stub.status, ok_html=False)
            outcomes.append(Outcome(url, depth, stub, summary, status))
            if fetched.error is not None or final is None:
                return outcomes
            # The redirect target is a page of its own, reported under its own URL.
            fetched.url, fetched.hops = final, []
            status = TargetStatus(final, fetched.status, [], final, fetched.error_text)
        report, summary = analyse(fetched, self.config, self.scope)
        fetched.body = None
        report.depth = depth
        outcomes.append(
            Outcome(fetched.url, depth, report, summary, status, redirect_target=bool(outcomes))
        )
        return outcomes
