"""<meta name="description">: present and of a length search results show."""

from __future__ import annotations

from html import escape

from ..config import EngineConfig
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
def description_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if page.descriptions:
        return []  # present but blank is meta-description-empty: a different fix
    return [finding("meta-description-missing", "The page has no meta description.")]


@page_check(
    "meta-description-empty",
    "warning",
    "Meta description is empty",
    "The template outputs the tag with no text: fill the page's description field, or "
    "leave the tag out when there is nothing to say.",
    indexable_only=True,
)
def description_empty(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if not page.descriptions or page.description is not None:
        return []
    return [
        finding(
            "meta-description-empty",
            "The page's meta description is empty.",
            SELECTOR,
            _snippet(page.descriptions[0]),
        )
    ]


@page_check(
    "meta-description-too-long",
    "notice",
    "Meta description is too long",
    "Shorten the description; search engines cut it off around 160 characters.",
    indexable_only=True,
)
def description_too_long(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
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
def description_too_short(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
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
