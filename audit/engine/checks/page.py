"""Whole-page facts: language, content length, structured data, speed and size."""

from __future__ import annotations

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


@page_check(
    "lang-missing",
    "error",
    "Page has no language",
    'Set the page language on the root element, e.g. <html lang="en">.',
    axe_rule="html-has-lang",
)
def lang_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
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
def thin_content(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
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
def structured_data_invalid(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
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
def slow_response(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    slow = slow_response_finding(page.response_ms, cfg)
    return [] if slow is None else [slow]


def slow_response_finding(response_ms: float | None, cfg: EngineConfig) -> Finding | None:
    """The slow-response finding for a time to first byte, or None when it is in time."""
    limit = cfg.thresholds.slow_response_ms
    if response_ms is None or response_ms <= limit:
        return None
    return finding(
        "slow-response", f"Time to first byte was {response_ms:.0f} ms (limit {limit} ms)."
    )


@page_check(
    "page-too-large",
    "warning",
    "Page is too large",
    "Reduce the HTML size: paginate long lists and move inline data and images out.",
    content_only=False,
)
def page_too_large(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if page.truncated:
        return [
            finding(
                "page-too-large",
                f"The body is larger than {cfg.max_bytes} bytes; only that much was audited.",
            )
        ]
    return []


@page_check(
    "empty-paragraph",
    "notice",
    "Empty paragraphs in the content",
    "Delete the empty lines in the rich text (spacing belongs to the design, not to empty "
    "paragraphs screen readers announce).",
)
def empty_paragraph(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding("empty-paragraph", "An empty paragraph in the main content.", selector, snip)
        for selector, snip in page.empty_paragraphs
    ]
