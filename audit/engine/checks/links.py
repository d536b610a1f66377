"""Links: their text, their href, and where internal targets end up."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check, site_check
from .site import SiteView, TargetStatus

# Lighthouse's link-text audit list (English), plus a few close variants.
GENERIC_LINK_TEXT = frozenset(
    {
        "click here",
        "click this",
        "go",
        "here",
        "information",
        "learn more",
        "more",
        "more info",
        "more information",
        "right here",
        "read more",
        "see more",
        "start",
        "this",
        "continue",
        "continue reading",
        "link",
        "click",
        "details",
    }
)
_PUNCT = re.compile(r"[^\w\s]")
# Longer texts cannot be one of the generic phrases; skip normalising them.
_GENERIC_MAX = 2 * max(len(text) for text in GENERIC_LINK_TEXT)


def _normal_text(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


# Texts of at most _GENERIC_MAX characters: a site's nav and footer texts repeat on every page.
@lru_cache(maxsize=4096)
def _generic(text: str) -> bool:
    return _normal_text(text) in GENERIC_LINK_TEXT


@page_check(
    "link-text-generic",
    "warning",
    "Link text does not describe its target",
    "Replace text like 'read more' with words that say where the link goes.",
)
def link_text_generic(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding(
            "link-text-generic",
            f"Link text {link.text!r} says nothing about {link.raw_href}.",
            link.selector,
            link.snippet,
        )
        for link in page.links
        if link.text and len(link.text) <= _GENERIC_MAX and _generic(link.text)
    ]


@page_check(
    "link-empty",
    "error",
    "Link has no accessible name",
    "Give the link visible text, an aria-label, or an image with alt text.",
    axe_rule="link-name",
)
def link_empty(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding(
            "link-empty",
            f"Link to {link.raw_href or '(empty href)'} has no text a screen reader can announce.",
            link.selector,
            link.snippet,
        )
        for link in page.links
        if not link.text.strip()
    ]


@page_check(
    "links-capped",
    "notice",
    "Page has more links than the audit checks",
    "Split very long link lists (archives, tag clouds) over several pages; "
    "or raise max_links_per_page to check them all.",
)
def links_capped(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if not page.links_capped:
        return []
    return [
        finding(
            "links-capped",
            f"The page has {page.links_total} links; only the first {len(page.links)} "
            "were checked and followed.",
        )
    ]


def _uncrawlable(href: str) -> bool:
    if href[:1] == "/":  # most hrefs: a path, which neither test below can match
        return False
    value = href.strip().lower()
    return not value or value.startswith(("javascript:", "file:"))


@page_check(
    "link-uncrawlable",
    "warning",
    "Link cannot be followed by crawlers",
    "Use a real URL in href; attach scripts with event listeners instead of javascript: links.",
)
def link_uncrawlable(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding(
            "link-uncrawlable",
            f"Link href {link.raw_href!r} cannot be crawled.",
            link.selector,
            link.snippet,
        )
        for link in page.links
        if _uncrawlable(link.raw_href)
    ]


def _link_targets(
    site: SiteView, wanted: Callable[[TargetStatus], bool]
) -> Iterator[tuple[str, str, str, str, TargetStatus]]:
    """Every link (page URL, target, selector, snippet, status) whose target's status is
    ``wanted``. The few such targets are picked first, so a healthy site's hundreds of
    thousands of links cost one set lookup each."""
    statuses = {url: status for url, status in site.targets.items() if wanted(status)}
    if not statuses:
        return
    for page in site.pages.values():
        for target, selector, snippet in page.links:
            if target in statuses:
                yield page.url, target, selector, snippet, statuses[target]


def _is_loop(status: TargetStatus) -> bool:
    return status.error == "redirect-loop"


@site_check(
    "link-broken",
    "error",
    "Internal link is broken",
    "Point the link at a live page, or restore or redirect the missing one.",
)
def link_broken(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for page_url, target, selector, snippet, status in _link_targets(
        site, lambda status: status.broken
    ):
        what = f"HTTP {status.status}" if status.status and status.status >= 400 else status.error
        via = f" via {status.describe_hops()}" if status.hops else ""
        yield (
            page_url,
            finding("link-broken", f"Link to {target} is broken ({what}){via}.", selector, snippet),
        )


@site_check(
    "redirect-loop",
    "error",
    "Internal link leads into a redirect loop",
    "Fix the redirect rules so the target ends on a page that answers 200.",
)
def redirect_loop(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for page_url, target, selector, snippet, status in _link_targets(site, _is_loop):
        yield (
            page_url,
            finding(
                "redirect-loop",
                f"Link to {target} loops: {status.describe_hops()}",
                selector,
                snippet,
            ),
        )


@site_check(
    "redirect-chain",
    "warning",
    "Internal link goes through a chain of redirects",
    "Link straight to the final URL and collapse the redirects into one.",
)
def redirect_chain(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for page_url, target, selector, snippet, status in _link_targets(
        site, lambda status: len(status.hops) >= 2 and not _is_loop(status)
    ):
        yield (
            page_url,
            finding(
                "redirect-chain",
                f"Link to {target} takes {len(status.hops)} redirects: {status.describe_hops()}",
                selector,
                snippet,
            ),
        )


@site_check(
    "link-to-redirect",
    "notice",
    "Internal link points at a redirect",
    "Update the link to the URL it redirects to.",
)
def link_to_redirect(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for page_url, target, selector, snippet, status in _link_targets(
        site, lambda status: len(status.hops) == 1 and not _is_loop(status)
    ):
        yield (
            page_url,
            finding(
                "link-to-redirect",
                f"Link to {target} redirects: {status.describe_hops()}",
                selector,
                snippet,
            ),
        )
