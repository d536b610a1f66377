"""Headings outside site chrome: one h1, no skipped levels, no empty headings."""

from __future__ import annotations

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


@page_check(
    "h1-missing",
    "warning",
    "Page has no h1",
    "Add one <h1> that states the page's main topic.",
)
def h1_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if page.h1s:
        return []
    return [finding("h1-missing", "The page has no <h1> outside navigation and footer.")]


@page_check(
    "h1-multiple",
    "notice",
    "Page has more than one h1",
    "Keep one <h1> for the page topic and make the others <h2>.",
)
def h1_multiple(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    h1s = page.h1s
    if len(h1s) < 2:
        return []
    return [
        finding(
            "h1-multiple",
            f"Extra <h1> {h.text!r} (the page has {len(h1s)}).",
            h.selector,
            h.snippet,
        )
        for h in h1s[1:]
    ]


@page_check(
    "heading-order",
    "warning",
    "Heading levels skip",
    "Use the next level down (h2 after h1, h3 after h2); style with CSS, not heading level.",
    axe_rule="heading-order",
)
def heading_order(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    out = []
    previous = None
    for heading in page.content_headings:
        # As axe-core's heading-order: deeper by more than one level is a skip; up is fine.
        if previous is not None and heading.level > previous + 1:
            out.append(
                finding(
                    "heading-order",
                    f"<h{heading.level}> {heading.text!r} follows an <h{previous}>; "
                    f"expected <h{previous + 1}> or higher.",
                    heading.selector,
                    heading.snippet,
                )
            )
        previous = heading.level
    return out


@page_check(
    "heading-empty",
    "warning",
    "Heading is empty",
    "Give the heading text, or remove it if it is only used for spacing.",
    axe_rule="empty-heading",
)
def heading_empty(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding(
            "heading-empty",
            f"<h{h.level}> has no text a screen reader can announce.",
            h.selector,
            h.snippet,
        )
        for h in page.content_headings
        if not h.text.strip()
    ]
