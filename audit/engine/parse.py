"""HTML to PageFacts.

lxml.etree's HTML parser is used directly here: it is the hot path of a crawl and
BeautifulSoup's tree building costs ~30x more per page (see benchmarks/README.md).
Checks never see HTML; they read the plain PageFacts this module returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.etree import _Element as HtmlElement

from .facts import Heading, Image, JsonLd, Link, PageFacts
from .selectors import SelectorBuilder, snippet
from .urls import host_of, resolve

# Plain etree elements: lxml.html's element classes cost a Python lookup per node.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
_VIEWS_TEXT = re.compile(
    r"(\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+)\s*(?:views?|page ?views)\b", re.I
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CHROME_TAGS = frozenset({"nav", "footer"})
_CHROME_ROLES = frozenset({"navigation", "contentinfo"})
_NAME_SKIP = frozenset({"script", "style", "template", "noscript"})
_INVISIBLE = frozenset({"script", "style", "noscript", "template"})
_CHROME_TEXT = frozenset({"nav", "header", "footer", "svg"})
_ARTICLE_TYPES = frozenset(
    {"Article", "BlogPosting", "NewsArticle", "MedicalWebPage", "MedicalScholarlyArticle"}
)
_SERVICE_TYPES = frozenset({"Service", "MedicalProcedure", "MedicalTherapy"})
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


def _squash(text: str) -> str:
    return " ".join(text.split())


def _name_parts(element: HtmlElement, out: list[str]) -> None:
    """Text content as a screen reader would read it: img alt in, aria-hidden out."""
    if element.text:
        out.append(element.text)
    for child in element:
        tag = child.tag
        if (
            not isinstance(tag, str)
            or child.get("aria-hidden", "").lower() == "true"
            or tag in _NAME_SKIP
        ):
            pass
        elif child.get("aria-label", "").strip():
            out.append(f" {child.get('aria-label')} ")
        elif tag == "img":
            out.append(f" {child.get('alt') or child.get('title') or ''} ")
        else:
            _name_parts(child, out)
        if child.tail:
            out.append(child.tail)


def _text_of(element: HtmlElement) -> str:
    if not len(element):  # no child elements, as most links and headings: just its text
        return _squash(element.text or "")
    parts: list[str] = []
    _name_parts(element, parts)
    return _squash("".join(parts))


class _Doc:
    """One pass over the tree, indexing the elements the facts come from."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self.ids: dict[str, HtmlElement] = {}
        self.id_counts: dict[str, int] = {}
        self.titles: list[HtmlElement] = []
        self.metas: list[HtmlElement] = []
        self.link_tags: list[HtmlElement] = []
        self.bases: list[HtmlElement] = []
        self.headings: list[tuple[HtmlElement, int]] = []
        self.images: list[HtmlElement] = []
        self.anchors: list[HtmlElement] = []
        self.scripts: list[HtmlElement] = []
        self.views_attr: HtmlElement | None = None
        for element in root.iter():
            tag = element.tag
            if not isinstance(tag, str):
                continue
            attrib = element.attrib
            if attrib:
                element_id = attrib.get("id")
                if element_id:
                    self.id_counts[element_id] = self.id_counts.get(element_id, 0) + 1
                    self.ids.setdefault(element_id, element)
                if self.views_attr is None and "data-views" in attrib:
                    self.views_attr = element
                if attrib.get("role") == "heading" and tag not in _HEADINGS:
                    level = attrib.get("aria-level", "2")
                    self.headings.append((element, int(level) if level.isdigit() else 2))
            if tag == "a" or tag == "area":
                if "href" in attrib:
                    self.anchors.append(element)
            elif tag == "img":
                self.images.append(element)
            elif tag in _HEADINGS:
                self.headings.append((element, _HEADINGS[tag]))
            elif tag == "script":
                self.scripts.append(element)
            elif tag == "meta":
                self.metas.append(element)
            elif tag == "link":
                self.link_tags.append(element)
            elif tag == "title":
                self.titles.append(element)
            elif tag == "base":
                self.bases.append(element)


def _in_chrome(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in _CHROME_TAGS or ancestor.get("role") in _CHROME_ROLES:
            return True
    return False


def _under(element: HtmlElement, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in element.iterancestors())


def _hidden(element: HtmlElement) -> bool:
    if element.get("aria-hidden", "").strip().lower() == "true":
        return True
    return any(a.get("aria-hidden", "").strip().lower() == "true" for a in element.iterancestors())


def _to_int(text: Any) -> int | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return int(text)
    if isinstance(text, str):
        digits = re.sub(r"[,.\s\u00a0\u202f]", "", text)
        return int(digits) if digits.isdigit() else None
    return None


def _walk(data: Any) -> Iterable[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item)


def _types(data: Any) -> set[str]:
    found: set[str] = set()
    for node in _walk(data):
        kinds = node.get("@type")
        for kind in kinds if isinstance(kinds, list) else [kinds]:
            if isinstance(kind, str):
                found.add(kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    return found


def _jsonld_views(data: Any) -> int | None:
    for node in _walk(data):
        stats = node.get("interactionStatistic")
        for stat in stats if isinstance(stats, list) else [stats]:
            if isinstance(stat, dict) and "userInteractionCount" in stat:
                count = _to_int(stat["userInteractionCount"])
                if count is not None:
                    return count
    return None


def parse_into(
    facts: PageFacts,
    html: str,
    *,
    is_internal: Callable[[str], bool] | None = None,
    strip_params: tuple[str, ...] = (),
) -> PageFacts:
    """Fill ``facts`` from ``html`` (already decoded). Returns the same object."""
    facts.is_html = True
    page_url = facts.final_url or facts.url
    if is_internal is None:
        page_host = host_of(page_url)

        def is_internal(url: str) -> bool:
            return host_of(url) == page_host

    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return facts  # empty or unparsable document: no content facts
    doc = _Doc(root)
    select = SelectorBuilder(root, {i: e for i, e in doc.ids.items() if doc.id_counts[i] == 1})

    base = page_url
    for element in doc.bases:
        href = element.get("href", "").strip()
        if href:
            base = urljoin(page_url, href)
            break

    facts.titles = [_squash("".join(t.itertext())) for t in doc.titles if not _under(t, "svg")]
    og_type = None
    for meta in doc.metas:
        name = (meta.get("name") or "").strip().lower()
        content = meta.get("content")
        if name == "description":
            facts.descriptions.append(_squash(content or ""))
        elif name == "robots":
            facts.meta_robots.append((content or "").strip())
        elif (meta.get("property") or "").strip().lower() == "og:type":
            og_type = (content or "").strip().lower()
    for link in doc.link_tags:
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels:
            facts.canonicals.append((link.get("href") or "").strip())
    lang = root.get("lang") or root.get("xml:lang")
    facts.lang = lang.strip() if lang and lang.strip() else None

    for element, level in doc.headings:
        text = _heading_name(element, doc)
        facts.headings.append(
            Heading(
                level=level,
                text=text,
                selector=select(element),
                snippet=snippet(element, text),
                in_chrome=_in_chrome(element),
            )
        )

    for element in doc.images:
        facts.images.append(_image(element, doc, select, base))

    for element in doc.anchors:
        raw = element.get("href", "")
        url = resolve(base, raw, strip_params) if raw.strip() else None
        name = _link_name(element, doc)
        facts.links.append(
            Link(
                raw_href=raw,
                url=url,
                text=name[:200],
                internal=bool(url) and is_internal(url),
                selector=select(element),
                snippet=snippet(element, name),
            )
        )

    types: set[str] = set()
    json_views = None
    for script in doc.scripts:
        kind = (script.get("type") or "").split(";", 1)[0].strip().lower()
        if kind != "application/ld+json":
            continue
        block = JsonLd(selector=select(script), snippet=snippet(script))
        source = (script.text or "").strip()
        try:
            if not source:
                raise ValueError("empty JSON-LD block")
            block.data = json.loads(source)
        except json.JSONDecodeError as exc:
            block.error = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        except ValueError as exc:
            block.error = str(exc)
        else:
            types |= _types(block.data)
            if json_views is None:
                json_views = _jsonld_views(block.data)
        facts.json_ld.append(block)

    body = root.find("body")
    body_classes = set((body.get("class") or "").split()) if body is not None else set()
    if types & _ARTICLE_TYPES or "article-page" in body_classes:
        facts.page_type = "article"
    elif types & _SERVICE_TYPES or "service-page" in body_classes:
        facts.page_type = "service"
    elif og_type == "article":
        facts.page_type = "article"

    if doc.views_attr is not None:
        facts.views = _to_int(doc.views_attr.get("data-views"))
        facts.views_source = "data-views" if facts.views is not None else None
    if facts.views is None and json_views is not None:
        facts.views, facts.views_source = json_views, "json-ld"

    if body is not None:
        if facts.views is None:
            match = _VIEWS_TEXT.search(_visible_text(body))
            if match:
                facts.views, facts.views_source = _to_int(match.group(1)), "text"
        # Whitespace-separated tokens: 10x cheaper than a \w+ regex on a 30 KB page.
        facts.word_count = _main_word_count(body)
    return facts


_NOT_INVISIBLE = " or ".join(f"ancestor::{tag}" for tag in sorted(_INVISIBLE))
# Tails are text nodes of the parent, so the text after a <script> is kept.
_VISIBLE_TEXT = etree.XPath(f".//text()[not({_NOT_INVISIBLE})]", smart_strings=False)
_NOT_MAIN = tuple(sorted(_INVISIBLE | _CHROME_TEXT))


def _visible_text(body: HtmlElement) -> str:
    """All visible text, space-separated so "12 views" never runs into the next block."""
    return " ".join(_VISIBLE_TEXT(body))


def _words(element: HtmlElement) -> int:
    # Text nodes joined by spaces, so a count is the sum of the counts of its text nodes.
    return len(" ".join(element.itertext()).split())


def _main_word_count(body: HtmlElement) -> int:
    """Words outside scripts, nav, header, footer and inline SVG.

    All of the body's words less those of each outermost skipped element (its own tail
    is not inside it, so stays counted). libxml2 walks the text (~0.05 ms on a 30 KB page
    against ~0.2 ms for a Python walk); splitting into words is most of what is left.
    """
    words = _words(body)
    for element in body.iter(*_NOT_MAIN):
        if not any(ancestor.tag in _NOT_MAIN for ancestor in element.iterancestors()):
            words -= _words(element)
    return words


def _heading_name(element: HtmlElement, doc: _Doc) -> str:
    label = element.get("aria-label", "").strip()
    return label or _text_of(element)


def _labelledby(element: HtmlElement, doc: _Doc) -> str | None:
    ids = element.get("aria-labelledby")
    if ids is None:
        return None
    texts = [_text_of(doc.ids[i]) for i in ids.split() if i in doc.ids]
    return _squash(" ".join(texts))


def _link_name(element: HtmlElement, doc: _Doc) -> str:
    return (
        _labelledby(element, doc)
        or element.get("aria-label", "").strip()
        or _text_of(element)
        or _squash(element.get("title", ""))
    )


def _image(element: HtmlElement, doc: _Doc, select: SelectorBuilder, base: str) -> Image:
    src = element.get("src", "").strip()
    if src and not src.startswith("data:"):
        src = urljoin(base, src)
    role = element.get("role")
    return Image(
        src=src[:500],
        alt=element.get("alt"),
        aria_label=element.get("aria-label"),
        labelledby_text=_labelledby(element, doc),
        title=element.get("title"),
        role=role.strip().lower() if role else None,
        aria_hidden=_hidden(element),
        focusable=element.get("tabindex") is not None,
        global_aria=any(name in GLOBAL_ARIA for name in element.attrib),
        selector=select(element),
        snippet=snippet(element),
    )


def parse_html(html: str, url: str, *, strip_params: tuple[str, ...] = ()) -> PageFacts:
    """Facts of one already-fetched or rendered HTML document (no network)."""
    facts = PageFacts(url=url, final_url=url, status=200, is_html=True)
    facts.bytes = len(html.encode("utf-8", "replace"))
    return parse_into(facts, html, strip_params=strip_params)
