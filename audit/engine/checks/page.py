"""Whole-page facts: language, content length, structured data, speed and size."""

from __future__ import annotations

from ..config import AuditConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


@page_check(
    "lang-missing",
    "error",
    "Page has no language",
    'Set the page language on the root element, e.g. <html lang="en">.',
)
def lang_missing(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    if page.lang:
        return []
    return [finding("lang-missing", "The <html> element has no lang attribute.", "html")]


@page_check(
    "thin-content",
    "warning",
    "Content page has little text",
    "Expand the page with detail its readers came for (what it is, who it is for, what to expect).",
    indexable_only=True,
)
def thin_content(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    limit = cfg.thresholds.thin_content_words
    content_types = cfg.profile_for(page.final_url or page.url).content_types
    if page.page_type in content_types and page.word_count < limit:
        return [
            finding(
                "thin-content",
                f"This {page.page_type} page has {page.word_count} words of main text; "
                f"aim for at least {limit}.",
            )
        ]
    return []


@page_check(
    "structured-data-invalid",
    "warning",
    "JSON-LD does not parse",
    "Fix the JSON syntax of the ld+json script (validate it with a JSON linter).",
)
def structured_data_invalid(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    return [
        finding(
            "structured-data-invalid",
            f"JSON-LD block cannot be parsed: {block.error}.",
            block.selector,
            block.snippet,
        )
        for block in page.json_ld
        if block.error
    ]


@page_check(
    "slow-response",
    "warning",
    "Server responds slowly",
    "Cache the page or speed up its view; aim for under 600 ms to first byte.",
    content_only=False,
)
def slow_response(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    limit = cfg.thresholds.slow_response_ms
    if page.response_ms is not None and page.response_ms > limit:
        return [
            finding(
                "slow-response",
                f"Time to first byte was {page.response_ms:.0f} ms (limit {limit} ms).",
            )
        ]
    return []


@page_check(
    "page-too-large",
    "warning",
    "Page is too large",
    "Reduce the HTML size: paginate long lists and move inline data and images out.",
    content_only=False,
)
def page_too_large(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    if page.truncated:
        return [
            finding(
                "page-too-large",
                f"The body is larger than {cfg.max_bytes} bytes; only that much was audited.",
            )
        ]
    return []
