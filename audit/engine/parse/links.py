"""Links (<a href> and <area href>): target, accessible name, scope. The first
``max_links`` are kept; the rest are only counted."""

from __future__ import annotations

from ..facts import Link, PageFacts
from ..selectors import snippet
from ..urls import resolve
from .document import Document, Element, squash

LINK_TEXT_MAX = 200


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
        url = resolve(doc.base, raw, doc.strip_params) if raw.strip() else None
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
