"""Images and everything that can give them a name or hide them."""

from __future__ import annotations

from lxml.etree import _Element as HtmlElement

from ..facts import Image, PageFacts
from ..selectors import snippet
from .document import Document, safe_urljoin

GLOBAL_ARIA = frozenset(
    {
        "aria-atomic",
        "aria-busy",
        "aria-controls",
        "aria-current",
        "aria-describedby",
        "aria-details",
        "aria-dropeffect",
        "aria-errormessage",
        "aria-flowto",
        "aria-grabbed",
        "aria-haspopup",
        "aria-invalid",
        "aria-keyshortcuts",
        "aria-label",
        "aria-labelledby",
        "aria-live",
        "aria-owns",
        "aria-relevant",
        "aria-roledescription",
    }
)
SRC_MAX = 500


def _image(element: HtmlElement, doc: Document) -> Image:
    src = element.get("src", "").strip()
    if src and not src.startswith("data:"):
        # Unresolvable (e.g. "http://[bad"): kept as written, it is what the page says.
        src = safe_urljoin(doc.base, src) or src
    role = element.get("role")
    return Image(
        src=src[:SRC_MAX],
        alt=element.get("alt"),
        aria_label=element.get("aria-label"),
        labelledby_text=doc.labelledby(element),
        title=element.get("title"),
        role=role.strip().lower() if role else None,
        aria_hidden=doc.is_hidden(element),
        focusable=element.get("tabindex") is not None,
        global_aria=any(name in GLOBAL_ARIA for name in element.attrib),
        selector=doc.select(element),
        snippet=snippet(element),
    )


def extract_images(doc: Document, facts: PageFacts) -> None:
    facts.images.extend(_image(element, doc) for element in doc.images)
