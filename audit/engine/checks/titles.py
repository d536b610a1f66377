"""<title>: present, single, and of a length search results show in full."""

from __future__ import annotations

from html import escape

from ..config import AuditConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


def _snippet(title: str) -> str:
    return f"<title>{escape(title[:150])}</title>"


@page_check(
    "title-missing",
    "error",
    "Page has no title",
    "Add a unique <title> of 30-60 characters that names the page's topic.",
)
def title_missing(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    if any(t.strip() for t in page.titles):
        return []
    return [finding("title-missing", "The page has no <title>, or it is empty.", "title")]


@page_check(
    "title-multiple",
    "warning",
    "Page has more than one title",
    "Keep one <title> in <head>; remove the others (often added by a template and a plugin).",
)
def title_multiple(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    if len(page.titles) > 1:
        shown = "; ".join(repr(t) for t in page.titles[:3])
        return [
            finding(
                "title-multiple",
                f"The page has {len(page.titles)} <title> elements: {shown}.",
                "title",
                _snippet(page.titles[1]),
            )
        ]
    return []


@page_check(
    "title-too-long",
    "warning",
    "Title is too long",
    "Shorten the title so search results show it whole; put the key words first.",
    indexable_only=True,
)
def title_too_long(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    limit = cfg.thresholds.title_max
    title = page.title
    if title is not None and len(title) > limit:
        return [
            finding(
                "title-too-long",
                f"The title is {len(title)} characters; keep it to {limit} or fewer.",
                "title",
                _snippet(title),
            )
        ]
    return []


@page_check(
    "title-too-short",
    "notice",
    "Title is too short",
    "Make the title more descriptive: name the page's topic and the site or organisation.",
    indexable_only=True,
)
def title_too_short(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    limit = cfg.thresholds.title_min
    title = page.title
    if title is not None and 0 < len(title.strip()) < limit:
        return [
            finding(
                "title-too-short",
                f"The title is {len(title)} characters; aim for at least {limit}."
                + _name_hint(title, cfg.profile_for(page.final_url or page.url).site_name),
                "title",
                _snippet(title),
            )
        ]
    return []


def _name_hint(title: str, site_name: str) -> str:
    """A nudge to add the site's name when the profile knows it and the title lacks it."""
    if not site_name or site_name.casefold() in title.casefold():
        return ""
    return f" Adding the site's name ({site_name}) helps."
