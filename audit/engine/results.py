"""What an audit returns: findings, one report per page, and the whole run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import FetchError
from .facts import Hop

SEVERITIES = ("error", "warning", "notice")  # most severe first
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
# The error of a stub report for a URL a site check names but the crawl never fetched.
NOT_FETCHED = "not fetched"


class StopReason(StrEnum):
    """Why a run stopped before its frontier was empty."""

    CANCELLED = "cancelled"  # should_cancel() answered True (Ctrl-C, the admin's cancel)
    TIME_BUDGET = "time-budget"  # the run's time budget ran out


STOP_REASONS = frozenset(reason.value for reason in StopReason)


class Completeness(StrEnum):
    """How much of the site in scope a run audited, for a caller to fail on: anything but
    COMPLETE leaves pages out. When several apply, the first in this order is given."""

    COMPLETE = "complete"  # every URL found in scope was audited
    STOPPED = "stopped"  # cancelled or out of time (``stop_reason`` says which)
    PAGES_NOT_FETCHED = "pages-not-fetched"  # pages that gave no answer, even when retried
    PARTIAL = "partial"  # limits, a crawl trap or link targets without an answer left URLs out


@dataclass(slots=True)
class Finding:
    check: str
    severity: str
    message: str
    selector: str = ""
    snippet: str = ""
    # Where one defect was found when more than one pass found it: "static" (the server's
    # HTML) and the axe rule ("axe/heading-order"); empty for a finding of one source.
    sources: tuple[str, ...] = ()
    # The colour scheme a browser finding was seen in ("light", "dark" or both), if any.
    schemes: tuple[str, ...] = ()
    # The site's templates', not this page's own: on every page they make. The engine sees
    # one page at a time; whoever knows the site's templates sets it (the CMS for its front
    # end).
    template: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "selector": self.selector,
            "snippet": self.snippet,
            "sources": list(self.sources),
            "schemes": list(self.schemes),
            "template": self.template,
        }


@dataclass(slots=True)
class PageReport:
    """One URL's outcome. Findings from site checks are appended after the crawl."""

    url: str
    final_url: str | None = None
    status: int | None = None
    redirects: list[Hop] = field(default_factory=list)
    error: str | None = None
    title: str | None = None
    h1: str | None = None
    word_count: int = 0
    response_ms: float | None = None
    bytes: int = 0
    views: int | None = None
    page_type: str | None = None
    depth: int | None = None
    content_type: str | None = None
    findings: list[Finding] = field(default_factory=list)
    # The page's source as its ``SiteProfile.source_meta`` tag names it, for the caller to
    # map the page back (not part of the report).
    source_id: str | None = None

    @property
    def worst_rank(self) -> int:
        """0 for error ... 3 for no findings; lower sorts first."""
        return min((SEVERITY_RANK[f.severity] for f in self.findings), default=len(SEVERITIES))

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "redirects": [hop.as_dict() for hop in self.redirects],
            "error": self.error,
            "title": self.title,
            "h1": self.h1,
            "word_count": self.word_count,
            "response_ms": None if self.response_ms is None else round(self.response_ms, 1),
            "bytes": self.bytes,
            "views": self.views,
            "page_type": self.page_type,
            "depth": self.depth,
            "content_type": self.content_type,
            "findings": [finding.as_dict() for finding in self.findings],
        }


@dataclass
class AuditResult:
    start_url: str
    started_at: str
    finished_at: str
    settings: dict[str, Any]
    stats: dict[str, Any]
    pages: list[PageReport]
    # How the run ended; the same values are in ``stats`` for the JSON report.
    complete: bool = True  # every page in scope was crawled: no limit, stop or failure
    stop_reason: StopReason | None = None
    start_error: FetchError | str | None = None  # why the start URL gave no page
    # Why the crawl is not complete ("page-limit", "crawl-trap", "fetch-failures",
    # "time-budget"...), and how many in-scope URLs were discovered but not audited.
    incomplete_reasons: list[str] = field(default_factory=list)
    urls_not_audited: int = 0
    crawl_completeness: Completeness = Completeness.COMPLETE
    # Pages in scope that gave no answer (timeout, connection error), even when retried;
    # the score and the site-wide findings are based on the other pages.
    pages_not_fetched: int = 0

    def __post_init__(self) -> None:
        # A result rebuilt from a stored report (the CMS's exports) may carry only stats.
        stats = self.stats
        if self.complete and stats.get("crawl_complete") is False:
            self.complete = False
        if self.stop_reason is None and stats.get("stop_reason") in STOP_REASONS:
            self.stop_reason = StopReason(stats["stop_reason"])
        if self.start_error is None and stats.get("start_error"):
            self.start_error = stats["start_error"]
        if not self.incomplete_reasons and stats.get("incomplete_reasons"):
            self.incomplete_reasons = list(stats["incomplete_reasons"])
        if not self.urls_not_audited and stats.get("urls_not_audited"):
            self.urls_not_audited = int(stats["urls_not_audited"])
        if not self.pages_not_fetched and stats.get("pages_not_fetched"):
            self.pages_not_fetched = int(stats["pages_not_fetched"])
        known = {c.value for c in Completeness}
        if self.crawl_completeness is Completeness.COMPLETE and not self.complete:
            stored = stats.get("completeness")
            self.crawl_completeness = (
                Completeness(stored) if stored in known else Completeness.PARTIAL
            )

    def completeness(self) -> str:
        """One line for every report: complete, or why not and how much was left out."""
        return completeness_text(
            self.complete,
            self.incomplete_reasons,
            self.urls_not_audited,
            self.stop_reason,
            pages_not_fetched=self.pages_not_fetched,
            pages_attempted=self.pages_attempted(),
        )

    def pages_attempted(self) -> int:
        """Pages the crawl fetched or tried to (not the stubs of URLs it never requested)."""
        return sum(1 for page in self.pages if page.error != NOT_FETCHED)

    def findings(self) -> list[tuple[PageReport, Finding]]:
        return [(page, finding) for page in self.pages for finding in page.findings]

    def counts_by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity for page in self.pages for f in page.findings)
        return {severity: counts.get(severity, 0) for severity in SEVERITIES}

    def counts_by_check(self) -> dict[str, int]:
        counts = Counter(f.check for page in self.pages for f in page.findings)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def has_findings_at(self, severity: str) -> bool:
        """True when any finding is at least as severe as ``severity``."""
        limit = SEVERITY_RANK[severity]
        return any(SEVERITY_RANK[f.severity] <= limit for _, f in self.findings())

    def page(self, url: str) -> PageReport | None:
        return next((p for p in self.pages if p.url == url), None)

    def start_redirect(self) -> str | None:
        """Where the start URL redirected when the run failed there: the refused redirect
        (``REDIRECT_REFUSALS``) or the target that then failed."""
        page = self.page(self.start_url) if self.start_error else None
        return page.final_url if page is not None and page.redirects else None


def completeness_text(
    complete: bool,
    reasons: list[str],
    urls_not_audited: int,
    stop_reason: str | None = None,
    *,
    pages_not_fetched: int = 0,
    pages_attempted: int = 0,
) -> str:
    """ "Crawl complete..." or "Crawl incomplete (page-limit, crawl-trap): N URLs...", led by
    the pages that could not be fetched and what the score is then based on."""
    if complete:
        return "Crawl complete: every URL found in scope was audited."
    shown = [r for r in reasons if r != stop_reason]
    if stop_reason is not None:
        shown.insert(0, f"stopped early: {stop_reason}")
    why = ", ".join(shown) or "crawl limits"
    line = (
        f"Crawl incomplete ({why}): {urls_not_audited} URLs found in scope "
        "were not audited, so site-wide results cover only the pages crawled."
    )
    if pages_not_fetched and pages_attempted >= pages_not_fetched:
        audited = pages_attempted - pages_not_fetched
        line = (
            f"{pages_not_fetched} of {pages_attempted} pages could not be fetched (no answer, "
            f"even when tried again later): the score is based on {audited} of "
            f"{pages_attempted} pages. " + line
        )
    return line


def completeness_from_stats(stats: dict[str, Any]) -> str:
    """The same line from a stored report's stats; "" when they do not say (a run still
    going, or stored before the engine reported completeness)."""
    if "crawl_complete" not in stats:
        return ""
    return completeness_text(
        bool(stats["crawl_complete"]),
        list(stats.get("incomplete_reasons") or []),
        int(stats.get("urls_not_audited") or 0),
        stats.get("stop_reason"),
        pages_not_fetched=int(stats.get("pages_not_fetched") or 0),
        pages_attempted=int(stats.get("pages_attempted") or 0),
    )
