"""<meta name="description">: present and of a length search results show."""

from __future__ import annotations

from html import escape

from ..config import AuditConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check

SELECTOR = 'meta[name="description"]'


def _snippet(text: str) -> str:
    return f'<meta name="description" content="{escape(text[:150])}">'


@page_check(
    "meta-description-missing",
    "warning",
    "Page has no meta description",
    "Add a meta description of 70-160 characters that sums up the page for searchers.",
    indexable_only=True,
)
def description_missing(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    if page.description is None:
        return [
            finding("meta-description-missing", "The page has no meta description, or it is empty.")
        ]
    return []


@page_check(
    "meta-description-too-long",
    "notice",
    "Meta description is too long",
    "Shorten the description; search engines cut it off around 160 characters.",
    indexable_only=True,
)
def description_too_long(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    text = page.description
    limit = cfg.thresholds.description_max
    if text is not None and len(text) > limit:
        return [
            finding(
                "meta-description-too-long",
                f"The meta description is {len(text)} characters; keep it to {limit} or fewer.",
                SELECTOR,
                _snippet(text),
            )
        ]
    return []


@page_check(
    "meta-description-too-short",
    "notice",
    "Meta description is too short",
    "Expand the description to say what the page offers and why to click.",
    indexable_only=True,
)
def description_too_short(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    text = page.description
    limit = cfg.thresholds.description_min
    if text is not None and len(text) < limit:
        return [
            finding(
                "meta-description-too-short",
                f"The meta description is {len(text)} characters; aim for at least {limit}.",
                SELECTOR,
                _snippet(text),
            )
        ]
    return []
