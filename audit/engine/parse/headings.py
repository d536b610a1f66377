"""Headings (h1-h6 and role=heading) with their accessible names."""

from __future__ import annotations

from ..facts import Heading, PageFacts
from ..selectors import snippet
from .document import Document, Element

_CHROME_TAGS = frozenset({"nav", "footer"})
_CHROME_ROLES = frozenset({"navigation", "contentinfo"})


def in_chrome(element: Element) -> bool:
    """Inside <nav>, <footer> or their ARIA roles: site chrome that repeats on every page."""
    for ancestor in element.iterancestors():
        if ancestor.tag in _CHROME_TAGS or ancestor.get("role") in _CHROME_ROLES:
            return True
    return False


def extract_headings(doc: Document, facts: PageFacts) -> None:
    for element, level in doc.headings:
        if doc.is_hidden(element):  # not in the outline readers get (axe skips it too)
            continue
        text = element.get("aria-label", "").strip() or doc.text_of(element)
        facts.headings.append(
            Heading(
                level=level,
                text=text,
                selector=doc.select(element),
                snippet=snippet(element, text),
                in_chrome=in_chrome(element),
            )
        )
