"""The document head: titles, meta description and robots, canonical links, language."""

from __future__ import annotations

from ..facts import PageFacts
from .document import Document, squash, under


def extract_head(doc: Document, facts: PageFacts) -> None:
    # An SVG's <title> names the drawing, not the page.
    facts.titles = [squash("".join(t.itertext())) for t in doc.titles if not under(t, "svg")]
    for meta in doc.metas:
        name = (meta.get("name") or "").strip().lower()
        content = meta.get("content")
        if name == "description":
            facts.descriptions.append(squash(content or ""))
        elif name == "robots":
            facts.meta_robots.append((content or "").strip())
        elif (meta.get("property") or "").strip().lower() == "og:type":
            doc.og_type = (content or "").strip().lower()
    for link in doc.link_tags:
        if "canonical" in (link.get("rel") or "").lower().split():
            facts.canonicals.append((link.get("href") or "").strip())
    lang = doc.root.get("lang") or doc.root.get("xml:lang")
    facts.lang = lang.strip() if lang and lang.strip() else None
