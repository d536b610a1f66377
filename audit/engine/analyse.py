"""Turns one fetched response into a page report and summary; runs in a worker process."""

from __future__ import annotations

from .checks import PageSummary, run_page_checks, summarize
from .config import AuditConfig
from .decode import decode_html
from .facts import PageFacts
from .fetch import FetchResult
from .parse import parse_into
from .results import SEVERITY_RANK, PageReport
from .urls import Scope


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


def report_from_facts(facts: PageFacts, cfg: AuditConfig) -> PageReport:
    findings = run_page_checks(facts, cfg)
    findings.sort(key=lambda f: SEVERITY_RANK[f.severity])
    h1s = facts.h1s
    return PageReport(
        url=facts.url,
        final_url=facts.final_url,
        status=facts.status,
        redirects=list(facts.redirects),
        error=facts.error,
        title=facts.titles[0] if facts.titles else None,
        h1=h1s[0].text if h1s else None,
        word_count=facts.word_count,
        response_ms=facts.response_ms,
        bytes=facts.bytes,
        views=facts.views,
        page_type=facts.page_type,
        content_type=facts.content_type,
        findings=findings,
    )


def analyse(
    fetched: FetchResult, cfg: AuditConfig, scope: Scope | None
) -> tuple[PageReport, PageSummary]:
    facts = facts_from_fetch(fetched)
    if fetched.is_html and fetched.body is not None:
        text, facts.encoding = decode_html(fetched.body, fetched.content_type)
        parse_into(
            facts,
            text,
            is_internal=scope.is_internal if scope is not None else None,
            strip_params=cfg.strip_query_params,
        )
    return report_from_facts(facts, cfg), summarize(facts)


# Process-pool plumbing: the config and scope are sent once per worker, not per page.
_WORKER: dict[str, object] = {}


def init_worker(cfg: AuditConfig, scope: Scope) -> None:
    _WORKER["cfg"] = cfg
    _WORKER["scope"] = scope


def analyse_in_worker(fetched: FetchResult) -> tuple[PageReport, PageSummary]:
    return analyse(fetched, _WORKER["cfg"], _WORKER["scope"])  # type: ignore[arg-type]
