"""The parsed tree, indexed in one pass, and the text helpers the extractors share.

lxml.etree's HTML parser is used directly: it is the hot path of a crawl and
BeautifulSoup's tree building costs ~30x more per page (see benchmarks/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

from lxml import etree
from lxml.etree import _Element as HtmlElement

from ..selectors import SelectorBuilder

# Plain etree elements: lxml.html's element classes cost a Python lookup per node.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_NAME_SKIP = frozenset({"script", "style", "template", "noscript"})
# Longest decimal numeral read from markup: more digits is no count or level anyone means,
# and int() refuses numerals past 4,300 digits.
MAX_DIGITS = 18
ARIA_LEVEL_DEFAULT = 2  # WAI-ARIA's default for role=heading without a valid aria-level


# libxml2's HTML parser compares each attribute of a tag with all the earlier ones: a tag
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


def parse_tree(html: str) -> HtmlElement | None:
    """The root element of ``html``, or None for an empty or unparsable document."""
    try:
        return etree.fromstring(cap_attributes(html).encode("utf-8", "replace"), parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


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


def _name_parts(element: HtmlElement, out: list[str]) -> None:
    """Text content as a screen reader would read it: img alt in, aria-hidden out.

    Recursive: libxml2 nests elements at most 256 deep, well within Python's limit.
    """
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


def text_of(element: HtmlElement) -> str:
    if not len(element):  # no child elements, as most links and headings: just its text
        return squash(element.text or "")
    parts: list[str] = []
    _name_parts(element, parts)
    return squash("".join(parts))


class Document:
    """One pass over the tree, indexing the elements the facts come from, plus what every
    extractor needs: the page's base URL, the selector builder, the link scope."""

    def __init__(
        self,
        root: HtmlElement,
        page_url: str,
        *,
        is_internal: Callable[[str], bool],
        strip_params: tuple[str, ...],
        max_links: int,
    ) -> None:
        self.root = root
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
        self.views_attr: HtmlElement | None = None
        # Filled by extractors for the ones after them (head -> page type, JSON-LD -> views).
        self.og_type: str | None = None
        self.jsonld_types: set[str] = set()
        self.jsonld_views: int | None = None
        self._label_texts: dict[HtmlElement, str] = {}
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
                if attrib.get("role") == "heading" and tag not in HEADING_TAGS:
                    self.headings.append((element, aria_level(attrib.get("aria-level", "2"))))
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
            text = self._label_texts[target] = text_of(target)
        return text


def under(element: HtmlElement, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in element.iterancestors())
