"""Images and everything that can give them a name or hide them."""

from __future__ import annotations

import re

from ..facts import Image, PageFacts
from ..selectors import snippet
from .document import Document, Element, safe_urljoin

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
MAX_CANDIDATES = 50  # srcset candidates read; no page offers more sizes of one image
_W_DESCRIPTOR = re.compile(r"\s(\d{1,6})w\s*(?:,|$)")
_PX = re.compile(r"^(\d{1,6})(?:\.\d+)?(px)?$")


def srcset_widths(srcset: str) -> tuple[int, ...]:
    """The w descriptors of a srcset ("a.jpg 400w, b.jpg 800w" -> (400, 800))."""
    widths = [int(m.group(1)) for m in _W_DESCRIPTOR.finditer(srcset[:20_000])]
    return tuple(w for w in widths[:MAX_CANDIDATES] if w > 0)


def display_width(width: str | None, sizes: str | None) -> int | None:
    """The widest the page shows the image, in CSS px: its width attribute, else the widest
    of sizes when every size is in px (a vw or calc() size depends on the screen)."""
    match = _PX.match((width or "").strip())
    if match:
        return int(match.group(1)) or None
    lengths = []
    for entry in (sizes or "").split(",")[:MAX_CANDIDATES]:
        words = entry.split()
        found = _PX.match(words[-1]) if words else None
        if found is None or not found.group(2):
            return None
        lengths.append(int(found.group(1)))
    return (max(lengths) or None) if lengths else None


def _image(element: Element, doc: Document) -> Image:
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
        display_width=display_width(element.get("width"), element.get("sizes")),
        srcset_widths=srcset_widths(element.get("srcset") or ""),
    )


def extract_images(doc: Document, facts: PageFacts) -> None:
    facts.images.extend(_image(element, doc) for element in doc.images)
