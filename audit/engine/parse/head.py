"""The document head: titles, meta description and robots, canonical links, language,
Open Graph."""

from __future__ import annotations

from ..facts import PageFacts
from .document import Document, squash, under

OPEN_GRAPH = frozenset({"og:title", "og:description", "og:image", "og:url"})
OG_VALUE_MAX = 2_000
# Named meta tags kept per page (page meta facts): enough for any real head, bounded for
# a hostile one.
META_KEPT_MAX = 100
META_VALUE_MAX = 500


def extract_head(doc: Document, facts: PageFacts) -> None:
    # An SVG's <title> names the drawing, not the page.
    facts.titles = [squash(doc.text(t)) for t in doc.titles if not under(t, "svg")]
    for meta in doc.metas:
        name = (meta.get("name") or "").strip().lower()
        content = meta.get("content")
        if name and name not in facts.meta and len(facts.meta) < META_KEPT_MAX:
            facts.meta[name] = (content or "").strip()[:META_VALUE_MAX]
        if name == "description":
            facts.descriptions.append(squash(content or ""))
        elif name == "robots":
            facts.meta_robots.append((content or "").strip())
        else:
            prop = (meta.get("property") or name).strip().lower()
            if prop == "og:type":
                doc.og_type = (content or "").strip().lower()
            elif prop in OPEN_GRAPH and prop not in facts.open_graph:  # the first one counts
                facts.open_graph[prop] = squash(content or "")[:OG_VALUE_MAX]
    for link in doc.link_tags:
        if "canonical" in (link.get("rel") or "").lower().split():
            facts.canonicals.append((link.get("href") or "").strip())
    lang = doc.root.get("lang") or doc.root.get("xml:lang")
    facts.lang = lang.strip() if lang and lang.strip() else None
