"""One page's work: fetch it (following redirects), analyse it, say what was learnt.

Runs in a fetch thread of the main process, or in a worker process (workers.py); either
way it returns small picklable outcomes, never HTML.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .analyse import analyse
from .checks import PageSummary, TargetStatus
from .config import AuditConfig
from .fetch import Fetcher, FetchResult
from .results import PageReport
from .urls import Scope

log = logging.getLogger(__name__)


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


class PageJob:
    def __init__(self, fetcher: Fetcher, config: AuditConfig, scope: Scope) -> None:
        self.fetcher = fetcher
        self.config = config
        self.scope = scope

    def run(self, url: str, depth: int) -> JobResult:
        return self.handle(None, url, depth)

    def handle(self, fetched: FetchResult | None, url: str, depth: int) -> JobResult:
        """Analyse ``fetched`` (fetching ``url`` first when it is None)."""
        try:
            if fetched is None:
                fetched = self.fetcher.fetch(url)
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
