"""Links (<a href> and <area href>): target, accessible name, scope. The first
``max_links`` are kept; the rest are only counted."""

from __future__ import annotations

from functools import lru_cache

from ..facts import Link, PageFacts
from ..selectors import snippet
from ..urls import origin, resolve
from .document import Document, Element, squash

LINK_TEXT_MAX = 200
# hrefs longer than this are resolved each time, not kept in _resolved's cache.
_CACHED_HREF_MAX = 512


@lru_cache(maxsize=8192)  # the size of normalize_url's: a site's template links stay in it
def _resolved(base: str, href: str, strip_params: tuple[str, ...]) -> str | None:
    return resolve(base, href, strip_params)


def _resolve(base: str, href: str, strip_params: tuple[str, ...]) -> str | None:
    """resolve(), cached under what the result depends on: nothing of the base for an
    absolute href and only its origin for a root-relative one, so the same nav and footer
    links on every page of a site hit the cache."""
    if len(href) > _CACHED_HREF_MAX:
        return resolve(base, href, strip_params)
    if href.startswith(("http://", "https://")):
        base = ""
    elif href[:1] == "/" and href[1:2] != "/":
        base = origin(base)
    return _resolved(base, href, strip_params)


def _link_name(element: Element, doc: Document) -> str:
    return (
        doc.labelledby(element)
        or element.get("aria-label", "").strip()
        or doc.text_of(element)
        or squash(element.get("title", ""))
    )


def extract_links(doc: Document, facts: PageFacts) -> None:
    facts.links_total = doc.anchor_count
    for element in doc.anchors:
        raw = element.get("href", "")
        url = _resolve(doc.base, raw, doc.strip_params) if raw.strip() else None
        name = _link_name(element, doc)
        facts.links.append(
            Link(
                raw_href=raw,
                url=url,
                text=name[:LINK_TEXT_MAX],
                internal=bool(url) and doc.is_internal(url),
                selector=doc.select(element),
                snippet=snippet(element, name),
            )
        )
