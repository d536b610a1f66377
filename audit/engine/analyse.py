"""Turns one fetched response into a page report and summary (in a fetch thread or a
worker process)."""

from __future__ import annotations

import logging

from .checks import PageSummary, run_page_checks, summarize
from .config import EngineConfig
from .decode import decode_html
from .facts import PageFacts
from .fetch import FetchResult
from .parse import parse_into
from .parse.views import LISTING
from .results import SEVERITY_RANK, PageReport
from .urls import Scope

log = logging.getLogger(__name__)
PARSE_FAILED = "parse-failed"  # PageReport.error prefix: fetched fine, could not be analysed
PARSE_REASON_MAX = 200


def facts_from_fetch(fetched: FetchResult) -> PageFacts:
    return PageFacts(
        url=fetched.url,
        final_url=fetched.final_url,
        status=fetched.status,
        redirects=list(fetched.hops),
        error=fetched.error,
        content_type=fetched.content_type,
        x_robots_tag=fetched.x_robots_tag,
        response_ms=fetched.response_ms,
        bytes=fetched.bytes,
        truncated=fetched.truncated,
    )


def apply_known_page_type(facts: PageFacts, cfg: EngineConfig) -> None:
    """The page type the site profile gives for the page wins over the markup's."""
    url = facts.final_url or facts.url
    known = cfg.profile_for(url).page_type_of(url)
    if known is None:
        return
    facts.page_type = known
    if known == LISTING:  # a listing claims no count of its own
        facts.views = facts.views_visible = facts.views_source = None


def report_from_facts(facts: PageFacts, cfg: EngineConfig) -> PageReport:
    apply_known_page_type(facts, cfg)
    findings = run_page_checks(facts, cfg)
    findings.sort(key=lambda f: SEVERITY_RANK[f.severity])
    h1s = facts.h1s
    source_meta = cfg.profile_for(facts.final_url or facts.url).source_meta
    return PageReport(
        url=facts.url,
        final_url=facts.final_url,
        status=facts.status,
        redirects=list(facts.redirects),
        error=facts.error,
        title=facts.title,
        h1=h1s[0].text if h1s else None,
        word_count=facts.word_count,
        response_ms=facts.response_ms,
        bytes=facts.bytes,
        views=facts.views,
        page_type=facts.page_type,
        content_type=facts.content_type,
        findings=findings,
        source_id=(facts.meta.get(source_meta) or None) if source_meta else None,
    )


def analyse(
    fetched: FetchResult, cfg: EngineConfig, scope: Scope | None
) -> tuple[PageReport, PageSummary]:
    facts = facts_from_fetch(fetched)
    if fetched.is_html and fetched.body is not None:
        try:
            text, facts.encoding = decode_html(fetched.body, fetched.content_type)
            parse_into(
                facts,
                text,
                is_internal=scope.is_internal if scope is not None else None,
                strip_params=cfg.strip_query_params,
                max_links=cfg.max_links_per_page,
            )
        except Exception as exc:  # a page the parser cannot read is a finding, not a crash
            log.exception("parsing %s failed", fetched.url)
            facts = facts_from_fetch(fetched)  # nothing half-extracted reaches the checks
            facts.error = parse_failed(exc)
    return report_from_facts(facts, cfg), summarize(
        facts, scope.is_internal if scope is not None else None
    )


def parse_failed(exc: BaseException) -> str:
    """The page's error value when its HTML could not be analysed."""
    reason = " ".join(str(exc).split())[:PARSE_REASON_MAX]
    return f"{PARSE_FAILED}: {type(exc).__name__}" + (f": {reason}" if reason else "")
