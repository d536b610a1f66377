"""The parsed tree, indexed in one pass, and the text helpers the extractors share.

Pages are parsed as browsers parse them, by the WHATWG HTML tree-building rules (lexbor,
through selectolax), so every selector the checks report finds its element in Chromium.
libxml2's HTML parser builds an HTML4 tree instead: it nests elements inside void elements
such as ``<source>``, keeps stray table content in the table and never closes a ``<p>``
for a block. The lexbor tree is copied into plain lxml elements, which the extractors and
the selector builder read (benchmarks/parse_facts.py measures the cost).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.etree import _Element as HtmlElement
from selectolax.lexbor import LexborHTMLParser

from ..selectors import SelectorBuilder

HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_NAME_SKIP = frozenset({"script", "style", "template", "noscript"})
# Longest decimal numeral read from markup: more digits is no count or level anyone means,
# and int() refuses numerals past 4,300 digits.
MAX_DIGITS = 18
ARIA_LEVEL_DEFAULT = 2  # WAI-ARIA's default for role=heading without a valid aria-level

# Chromium's parser stops nesting at 512 levels (kMaximumHTMLParserDOMTreeDepth): deeper
# elements become children of the element at that depth. The copy does the same, which
# also keeps every recursive helper here far from Python's recursion limit.
MAX_DEPTH = 512
# lexbor checks the stack of open elements for each block start tag, so <div>s nested
# thousands deep cost time quadratic in their depth (20,000 take 1.5 s, 100,000 two
# minutes) inside C code no deadline can interrupt. A document of more than
# DEPTH_CHECK_TAGS tags is measured (~1 ms per 5,000 tags); one nested deeper than
# MAX_PARSE_DEPTH is parsed by libxml2 (linear, nests at most 256 deep) instead. No browser
# builds such a tree either (see MAX_DEPTH), so no selector could match it exactly anyway.
DEPTH_CHECK_TAGS = 4_000
MAX_PARSE_DEPTH = 2_000
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
# Characters XML (so lxml) refuses; HTML reads them as U+FFFD, or form feed as a space.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAME_CHAR = re.compile(r"[^A-Za-z0-9_.\-\u00b7-\U0010ffff]|^(?=[^A-Za-z_\u00c0-\U0010ffff])")
_LIBXML2 = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)

# Both parsers (lexbor and libxml2) compare each attribute of a tag with all the earlier ones: a tag
# of 100,000 attributes takes minutes, inside C code no deadline can interrupt. Start tags
# with more than MAX_ATTRIBUTES attributes lose the rest before parsing. Only documents big
# enough for the quadratic cost to matter are searched (a tag in a smaller one parses in
# under a second); the search costs ~1 ms per MB.
MAX_ATTRIBUTES = 1_000
FLOOD_CHECK_CHARS = 64_000
_ATTRIBUTE = r"""[\s/]++[^\s"'>/=<]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]++))?+"""
_ATTRIBUTE_FLOOD = re.compile(rf"<[A-Za-z][^\s/>]*+(?:{_ATTRIBUTE}){{{MAX_ATTRIBUTES}}}")
_MORE_ATTRIBUTES = re.compile(rf"(?:{_ATTRIBUTE})*+")


def cap_attributes(html: str) -> str:
    """``html`` with every start tag cut to its first MAX_ATTRIBUTES attributes."""
    if len(html) < FLOOD_CHECK_CHARS or _ATTRIBUTE_FLOOD.search(html) is None:
        return html
    kept: list[str] = []
    position = 0
    for match in _ATTRIBUTE_FLOOD.finditer(html):
        if match.start() < position:  # inside the attributes just dropped
            continue
        kept.append(html[position : match.end()])
        position = _MORE_ATTRIBUTES.match(html, match.end()).end()  # type: ignore[union-attr]
    kept.append(html[position:])
    return "".join(kept)


# (element, its tag, its attributes) in document order: the index reads plain dicts.
Indexed = tuple[HtmlElement, str, dict[str, str]]


@dataclass(slots=True)
class ParsedTree:
    root: HtmlElement
    elements: list[Indexed]
    # Elements whose tag XML cannot hold (e.g. <foo:bar>) -> the tag the browser has.
    odd_tags: dict[HtmlElement, str] = field(default_factory=dict)


def _xml_safe(html: str) -> str:
    if "\x0c" in html:
        html = html.replace("\x0c", " ")
    return _NOT_XML.sub("\ufffd", html)


def nesting_depth(html: str) -> int:
    """How deep the start tags of ``html`` nest if every end tag closes the latest one."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        if match.group(1):
            depth = max(depth - 1, 0)
        elif match.group(2).lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _too_deep(html: str) -> bool:
    # Most pages have too few tags to nest that deep: one pass in C decides.
    return html.count("<") > DEPTH_CHECK_TAGS and nesting_depth(html) > MAX_PARSE_DEPTH


def _odd_element(parent: HtmlElement, tag: str, attributes: dict[str, Any]) -> Indexed:
    """An element lxml refused as lexbor gave it: values are made strings (lexbor gives
    None for an attribute without one), names XML cannot hold made safe or dropped."""
    attributes = {name: value or "" for name, value in attributes.items()}
    try:
        return etree.SubElement(parent, tag, attributes), tag, attributes
    except ValueError:  # e.g. <foo:bar> or an attribute named a"b
        attributes = {
            name: value
            for name, value in attributes.items()
            if not _NAME_CHAR.search(name) and ":" not in name
        }
        return etree.SubElement(parent, _NAME_CHAR.sub("_", tag), attributes), tag, attributes


def _copy(html: str) -> ParsedTree:
    """The lexbor tree of ``html`` as lxml elements, depth capped as Chromium caps it.

    Iterative: a page may nest elements far deeper than Python's recursion limit. The
    hot path of a crawl: one pass, nothing called per node that can be avoided.
    """
    # scripting=True: <noscript> holds text, as in Chromium (and Googlebot) running scripts
    source = LexborHTMLParser(html, scripting=True).root
    attributes = {name: value or "" for name, value in source.attributes.items()}
    root = etree.Element(source.tag, attributes)
    elements: list[Indexed] = [(root, source.tag, attributes)]
    append = elements.append
    odd_tags: dict[HtmlElement, str] = {}
    sub_element = etree.SubElement
    # (next lexbor sibling to copy, lxml parent, last lxml child, depth of the parent)
    stack: list[tuple[Any, HtmlElement, HtmlElement | None, int]] = []
    push = stack.append
    node, parent, last, depth = source.child, root, None, 1
    while True:
        while node is not None:
            if node.is_element_node:
                tag = node.tag
                attributes = node.attributes
                try:
                    last = sub_element(parent, tag, attributes)
                    append((last, tag, attributes))
                except (TypeError, ValueError):
                    indexed = _odd_element(parent, tag, attributes)
                    last = indexed[0]
                    append(indexed)
                    if last.tag != tag:
                        odd_tags[last] = tag
                child = node.child
                if child is not None:
                    push((node.next, parent, last, depth))
                    if depth < MAX_DEPTH:
                        node, parent, last, depth = child, last, None, depth + 1
                    else:  # deeper than browsers nest: its children follow it instead
                        node = child
                    continue
            elif node.is_text_node:
                if last is None:
                    parent.text = (parent.text or "") + node.text_content
                else:
                    last.tail = (last.tail or "") + node.text_content
            node = node.next
        if not stack:
            return ParsedTree(root, elements, odd_tags)
        node, parent, last, depth = stack.pop()


def parse_tree(html: str) -> ParsedTree | None:
    """The browser's tree of ``html``, or None for an empty or unparsable document."""
    if not html or html.isspace():
        return None
    html = cap_attributes(html)
    if not _too_deep(html):
        try:
            return _copy(html)
        except ValueError:  # a character XML cannot hold: rare, so not searched for first
            return _copy(_xml_safe(html))
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), parser=_LIBXML2)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    elements = [(e, e.tag, dict(e.attrib)) for e in root.iter() if isinstance(e.tag, str)]
    return ParsedTree(root, elements)


def squash(text: str) -> str:
    return " ".join(text.split())


def small_int(text: str) -> int | None:
    """A plain decimal numeral of at most MAX_DIGITS digits, else None.

    str.isdigit() is true for superscripts ("²") that int() rejects; isdecimal() is not.
    """
    if text.isdecimal() and len(text) <= MAX_DIGITS:
        return int(text)
    return None


def aria_level(value: str) -> int:
    level = small_int(value)
    return ARIA_LEVEL_DEFAULT if level is None else level


def safe_urljoin(base: str, href: str) -> str | None:
    """urljoin, or None when the URL cannot be split (e.g. an unclosed IPv6 bracket)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


_STYLE_HIDING = re.compile(r"(?:^|;)\s*(display|visibility)\s*:\s*([^;]*)", re.I)


def hides(attrib: Mapping[str, str]) -> bool:
    """Whether these attributes hide their element and everything in it from readers:
    ``hidden``, ``aria-hidden="true"``, or an inline ``display:none`` or
    ``visibility:hidden`` (the last declaration of each wins, as in CSS)."""
    hidden = attrib.get("hidden")
    if hidden is not None and hidden.strip().lower() != "until-found":  # found by search
        return True
    if attrib.get("aria-hidden", "").strip().lower() == "true":
        return True
    style = attrib.get("style")
    if not style or ("none" not in style and "hidden" not in style and "collapse" not in style):
        return False
    last = {m.group(1).lower(): m.group(2).split() for m in _STYLE_HIDING.finditer(style)}
    display, visibility = last.get("display"), last.get("visibility")
    return bool(
        (display and display[0].lower() == "none")
        or (visibility and visibility[0].lower() in ("hidden", "collapse"))
    )


def _name_parts(element: HtmlElement, out: list[str], hidden: Collection[HtmlElement]) -> None:
    """Text content as a screen reader would read it: img alt in, hidden content out.

    Recursive: trees nest at most MAX_DEPTH deep, well within Python's limit.
    """
    if element.text:
        out.append(element.text)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _NAME_SKIP or hides(child.attrib):
            pass
        elif child.get("aria-label", "").strip():
            out.append(f" {child.get('aria-label')} ")
        elif tag == "img":
            out.append(f" {child.get('alt') or child.get('title') or ''} ")
        else:
            _name_parts(child, out, hidden)
        if child.tail:
            out.append(child.tail)


def text_of(element: HtmlElement, hidden: Collection[HtmlElement] = frozenset()) -> str:
    """The accessible name's text; ``hidden`` elements (Document.hidden) are left out."""
    if not len(element):  # no child elements, as most links and headings: just its text
        return squash(element.text or "")
    parts: list[str] = []
    _name_parts(element, parts, hidden)
    return squash("".join(parts))


class Document:
    """One pass over the tree, indexing the elements the facts come from, plus what every
    extractor needs: the page's base URL, the selector builder, the link scope."""

    def __init__(
        self,
        tree: ParsedTree,
        page_url: str,
        *,
        is_internal: Callable[[str], bool],
        strip_params: tuple[str, ...],
        max_links: int,
    ) -> None:
        self.root = tree.root
        self.page_url = page_url
        self.is_internal = is_internal
        self.strip_params = strip_params
        self.ids: dict[str, HtmlElement] = {}
        self.id_counts: dict[str, int] = {}
        self.titles: list[HtmlElement] = []
        self.metas: list[HtmlElement] = []
        self.link_tags: list[HtmlElement] = []
        self.bases: list[HtmlElement] = []
        self.headings: list[tuple[HtmlElement, int]] = []
        self.images: list[HtmlElement] = []
        self.anchors: list[HtmlElement] = []  # the first max_links of them
        self.anchor_count = 0
        self.scripts: list[HtmlElement] = []
        self.views_attrs: list[HtmlElement] = []  # elements with data-views, in order
        self.hidden: set[HtmlElement] = set()  # hidden by their own attributes
        # Filled by extractors for the ones after them (head -> page type, JSON-LD -> views).
        self.og_type: str | None = None
        self.jsonld_types: set[str] = set()
        self.jsonld_views: int | None = None
        self._label_texts: dict[HtmlElement, str] = {}
        for element, tag, attrib in tree.elements:
            if attrib:
                element_id = attrib.get("id")
                if element_id:
                    self.id_counts[element_id] = self.id_counts.get(element_id, 0) + 1
                    self.ids.setdefault(element_id, element)
                if "data-views" in attrib:
                    self.views_attrs.append(element)
                if attrib.get("role") == "heading" and tag not in HEADING_TAGS:
                    self.headings.append((element, aria_level(attrib.get("aria-level", "2"))))
                if ("hidden" in attrib or "aria-hidden" in attrib or "style" in attrib) and hides(
                    attrib
                ):
                    self.hidden.add(element)
            if tag == "a" or tag == "area":
                if "href" in attrib:
                    self.anchor_count += 1
                    if self.anchor_count <= max_links:
                        self.anchors.append(element)
            elif tag == "img":
                self.images.append(element)
            elif tag in HEADING_TAGS:
                self.headings.append((element, HEADING_TAGS[tag]))
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
        self.select = SelectorBuilder(
            {i: e for i, e in self.ids.items() if self.id_counts[i] == 1},
            tree.odd_tags,
            targets=(
                *self.anchors,
                *self.images,
                *(element for element, _level in self.headings),
                *self.scripts,
            ),
        )
        self.base = self._base_url()

    def _base_url(self) -> str:
        for element in self.bases:
            href = element.get("href", "").strip()
            if href:
                return safe_urljoin(self.page_url, href) or self.page_url
        return self.page_url

    def labelledby(self, element: HtmlElement) -> str | None:
        """Text of the aria-labelledby targets; None without the attribute."""
        ids = element.get("aria-labelledby")
        if ids is None:
            return None
        # Each id once: a 1 MB attribute repeating one id must not repeat that text.
        found = [self.ids[i] for i in dict.fromkeys(ids.split()) if i in self.ids]
        return squash(" ".join(self._label_text(target) for target in found))

    def _label_text(self, target: HtmlElement) -> str:
        # Kept: many links may name themselves by one large element.
        text = self._label_texts.get(target)
        if text is None:
            text = self._label_texts[target] = text_of(target, self.hidden)
        return text

    def is_hidden(self, element: HtmlElement) -> bool:
        """Hidden from readers by its own attributes or an ancestor's (see hides)."""
        hidden = self.hidden
        if not hidden:
            return False
        return element in hidden or any(a in hidden for a in element.iterancestors())


def under(element: HtmlElement, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in element.iterancestors())
