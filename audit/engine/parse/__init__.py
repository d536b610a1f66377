"""HTML to PageFacts: one extractor per kind of fact, each a small function over the tree.

As Lighthouse's gatherers: the tree is parsed and indexed once (document.py), then each
extractor reads the elements it needs and writes its part of PageFacts. Checks never see
HTML; they read the plain PageFacts (and its normalised properties) this package returns.
"""

from __future__ import annotations

from collections.abc import Callable

from ..facts import PageFacts
from ..urls import host_of
from .document import Document, LexborTree, document_for, parse_tree
from .head import extract_head
from .headings import extract_headings
from .images import extract_images
from .links import extract_links
from .page_type import extract_page_type
from .structured_data import extract_structured_data
from .text import extract_text
from .views import extract_views

MAX_LINKS_PER_PAGE = 5_000

Extractor = Callable[[Document, PageFacts], None]
# In this order: page type reads what head and JSON-LD found, views what JSON-LD found.
EXTRACTORS: tuple[Extractor, ...] = (
    extract_head,
    extract_headings,
    extract_images,
    extract_links,
    extract_structured_data,
    extract_page_type,
    extract_views,
    extract_text,
)


def parse_into(
    facts: PageFacts,
    html: str,
    *,
    is_internal: Callable[[str], bool] | None = None,
    strip_params: tuple[str, ...] = (),
    max_links: int = MAX_LINKS_PER_PAGE,
) -> PageFacts:
    """Fill ``facts`` from ``html`` (already decoded). Returns the same object.

    Malformed markup never raises: odd values are ignored or become facts the checks
    report (e.g. a JSON-LD block's parse error).
    """
    facts.is_html = True
    page_url = facts.final_url or facts.url
    if is_internal is None:
        page_host = host_of(page_url)

        def is_internal(url: str) -> bool:
            return host_of(url) == page_host

    tree = parse_tree(html)
    if tree is None:
        return facts  # empty or unparsable document: no content facts
    doc = document_for(
        tree, page_url, is_internal=is_internal, strip_params=strip_params, max_links=max_links
    )
    try:
        for extract in EXTRACTORS:
            extract(doc, facts)
    finally:
        if isinstance(tree, LexborTree):
            tree.release()
    return facts


def parse_html(
    html: str,
    url: str,
    *,
    strip_params: tuple[str, ...] = (),
    max_links: int = MAX_LINKS_PER_PAGE,
) -> PageFacts:
    """Facts of one already-fetched or rendered HTML document (no network)."""
    facts = PageFacts(url=url, final_url=url, status=200, is_html=True)
    facts.bytes = len(html.encode("utf-8", "replace"))
    return parse_into(facts, html, strip_params=strip_params, max_links=max_links)


__all__ = ["EXTRACTORS", "MAX_LINKS_PER_PAGE", "parse_html", "parse_into"]
