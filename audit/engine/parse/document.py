"""The parsed tree, indexed in one pass, and the text helpers the extractors share.

Pages are parsed as browsers parse them, by the WHATWG HTML tree-building rules (lexbor,
through selectolax), so every selector the checks report finds its element in Chromium.
libxml2's HTML parser builds an HTML4 tree instead: it nests elements inside void elements
such as ``<source>``, keeps stray table content in the table and never closes a ``<p>``
for a block.

The extractors read lexbor's tree directly: one Python walk over its elements (tag ids and
attributes; no text nodes) indexes them, only the elements a fact comes from and their
ancestors get a small wrapper with lxml's names (LexElement: ``tag``, ``get``, ``attrib``,
``getparent``, ...), and text is joined by lexbor in C. Comments are removed and the text
nodes they split merged, so every run of text is one node, as in lxml. Three kinds of
document are still read as lxml trees, through the same names, so their facts stay what
they were: one nested deeper than MAX_DEPTH (the copy caps it as Chromium does), one holding
a character XML refuses (the copy replaces it), and one too deep for lexbor to parse in time
(libxml2). The copy into lxml cost ~3.4 M instructions a page of the crawl benchmark; the
walk, its checks and the wrappers ~1.3 M: the parse step went from 9.7 M to 7.7 M a page
(benchmarks/README.md, "HTML5 parsing"; benchmarks/parse_facts.py compares the facts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.etree import _Element as HtmlElement
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..selectors import SelectorBuilder, css_ident, css_step

HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_NAME_SKIP = frozenset({"script", "style", "template", "noscript"})
# Text no reader sees, and text outside a page's main content (text.py, views.py).
INVISIBLE = frozenset({"script", "style", "noscript", "template"})
NOT_MAIN = INVISIBLE | frozenset({"nav", "header", "footer", "svg"})
# Longest decimal numeral read from markup: more digits is no count or level anyone means,
# and int() refuses numerals past 4,300 digits.
MAX_DIGITS = 18
ARIA_LEVEL_DEFAULT = 2  # WAI-ARIA's default for role=heading without a valid aria-level

# Chromium's parser stops nesting at 512 levels (kMaximumHTMLParserDOMTreeDepth): deeper
# elements become children of the element at that depth. The copy does the same, which
# also keeps every recursive helper here far from Python's recursion limit.
MAX_DEPTH = 512
# lexbor checks the stack of open elements for each block start tag, so <div>s nested
# thousands deep cost time quadratic in their depth, inside C code no deadline can
# interrupt. A document of more than DEPTH_CHECK_TAGS tags is measured (one linear scan of
# its tags); one nested deeper than
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
# of 100,000 attributes is quadratic work inside C code no deadline can interrupt. Start tags
# with more than MAX_ATTRIBUTES attributes lose the rest before parsing. Only documents big
# enough for the quadratic cost to matter are searched; the search is one linear pass.
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


# Chromium's cap reached: an element with MAX_DEPTH element ancestors (lexbor's selector
# engine follows the parents in C; only a document of more elements than that is asked).
_BEYOND_MAX_DEPTH = "*" + " > *" * MAX_DEPTH
# Characters XML refuses, as they appear in the UTF-8 lexbor parses (controls are one byte).
_XML_REFUSED_BYTES = tuple(bytes([c]) for c in range(32) if c not in (9, 10, 13))
_XML_REFUSED_SEQUENCES = ("\ufffe".encode(), "\uffff".encode())
# Elements the index keeps whatever their attributes (see Document).
_INDEXED_TAGS = frozenset(
    {"a", "area", "img", "script", "meta", "link", "title", "base", *HEADING_TAGS}
)
# Attributes the index reads of any element (an element with none of them and a tag not in
# _INDEXED_TAGS, as most <p class=...>, is left out of it: the index would skip it anyway).
_INDEXED_NAMES = frozenset({"id", "data-views", "role", "hidden", "aria-hidden", "style"})
_UNKNOWN: Any = object()


def _tag_ids(tags: Iterable[str]) -> frozenset[int]:
    """lexbor's ids of these tags (those of the standard tags are fixed in its build)."""
    parser = LexborHTMLParser("")
    return frozenset(parser.create_node(tag).tag_id for tag in tags)


_INDEXED_IDS = _tag_ids(_INDEXED_TAGS)
_NOT_MAIN_IDS = _tag_ids(NOT_MAIN)
(_BODY_ID,) = _tag_ids(["body"])
(_P_ID,) = _tag_ids(["p"])
(_BR_ID,) = _tag_ids(["br"])
# Every node that is not an element (text, comment, ...) has an id below the first tag's,
# "a" (lexbor numbers the standard tags alphabetically after them, others far above).
(_FIRST_ELEMENT_ID,) = _tag_ids(["a"])


def _refused_by_xml(source: bytes) -> bool:
    """Whether ``source`` holds a character lxml refuses: one memchr per control character
    costs less than one translate pass over the page."""
    if any(control in source for control in _XML_REFUSED_BYTES):
        return True
    # U+FFFE and U+FFFF start with the byte 0xEF, which few pages hold: searched for first.
    return b"\xef" in source and any(sequence in source for sequence in _XML_REFUSED_SEQUENCES)


# What the lxml copy made of the tags and attribute names met so far (a few hundred on a
# site; bounded, as a hostile page may hold any number of names).
_XML_TAGS: dict[str, str] = {}
_XML_NAMES: set[str] = set()
_KNOWN_MAX = 4096


def _xml_tag(tag: str) -> str:
    """The tag the lxml copy would give an element: its own, or made XML-safe as
    _odd_element makes it (a page's selectors still use the real one, see odd_tags)."""
    xml_tag = _XML_TAGS.get(tag)
    if xml_tag is None:
        try:
            etree.Element(tag)
            xml_tag = tag
        except ValueError:
            xml_tag = _NAME_CHAR.sub("_", tag)
        if len(_XML_TAGS) < _KNOWN_MAX:
            _XML_TAGS[tag] = xml_tag
    return xml_tag


def _xml_attributes(attributes: dict[str, str | None]) -> dict[str, str]:
    """The attributes the lxml copy would keep (see _odd_element), values as strings."""
    if _XML_NAMES.issuperset(attributes) and None not in attributes.values():
        return attributes  # type: ignore[return-value]  # no None in it
    kept = {}
    for name, value in attributes.items():
        if _NAME_CHAR.search(name) is None and ":" not in name:
            kept[name] = value or ""
            if len(_XML_NAMES) < _KNOWN_MAX:
                _XML_NAMES.add(name)
    return kept


class LexElement:
    """One lexbor element, read through the names the extractors use of lxml's elements.

    Made only for the elements a fact or a selector needs (LexborTree.wrap keeps one per
    node, so they compare by identity); ``tag`` and ``attrib`` are what the lxml copy held:
    an XML-safe tag (the real one is in odd_tags) and string values. ``attrib`` and ``get``
    (its dict's own ``get``, called in C as lxml's is) are filled on first use.
    """

    __slots__ = ("_parent", "_tree", "attrib", "get", "node", "tag")
    attrib: dict[str, str]
    get: Callable[..., Any]

    node: LexborNode
    tag: str
    _parent: LexElement | None
    _tree: LexborTree

    def __getattr__(self, name: str) -> Any:  # only for a slot not filled yet
        if name != "attrib" and name != "get":
            raise AttributeError(name)
        self.set_attrib(self.node.attributes)
        return getattr(self, name)

    def set_attrib(self, attributes: dict[str, str | None]) -> None:
        """Fill ``attrib`` from lexbor's attributes of the node (a dict of its own)."""
        attrib = self.attrib = _xml_attributes(attributes)
        self.get = attrib.get

    def getparent(self) -> LexElement | None:
        parent = self._parent
        if parent is _UNKNOWN:
            node = self.node.parent
            is_element = node is not None and node.is_element_node
            parent = self._parent = self._tree.wrap(node) if is_element else None
        return parent

    def iterancestors(self) -> Iterator[LexElement]:
        parent = self.getparent()
        while parent is not None:
            yield parent
            parent = parent.getparent()

    def only_child(self) -> bool:
        """Whether it has exactly one child element (read no further than the second)."""
        children = self.node.iter()
        return next(children, None) is not None and next(children, None) is None

    def __len__(self) -> int:  # child elements: the walk removed every other kind of node
        return sum(1 for _child in self.node.iter())

    def __iter__(self) -> Iterator[LexElement]:
        wrap = self._tree.wrap
        return (wrap(child) for child in self.node.iter())


_new_element = object.__new__
# What the extractors read: an lxml element, or a LexElement with the same names.
Element = HtmlElement | LexElement


class LexborTree:
    """lexbor's tree of a page, its elements indexed by one walk (see _lexbor_tree)."""

    def __init__(self, parser: LexborHTMLParser, root: LexborNode) -> None:
        self.parser = parser  # owns every node's memory
        self._wrapped: dict[int, LexElement] = {}
        self.odd_tags: dict[Element, str] = {}
        self.root = self.wrap(root)
        self.elements: list[Indexed] = []
        self.body: LexElement | None = None
        self.not_main: list[LexElement] = []  # in the body, tags in NOT_MAIN, document order
        self.element_count = 0

    def wrap(self, node: LexborNode, tag: str | None = None) -> LexElement:
        """The one LexElement of ``node`` (``tag``: its tag, when known)."""
        key = node.mem_id
        element = self._wrapped.get(key)
        if element is None:
            if tag is None:
                tag = node.tag
            # Set here, not by an __init__: a page makes a hundred or more of them.
            element = self._wrapped[key] = _new_element(LexElement)
            element.node = node
            element._parent = _UNKNOWN
            element._tree = self
            xml_tag = element.tag = _XML_TAGS.get(tag) or _xml_tag(tag)
            if xml_tag != tag:
                self.odd_tags[element] = tag
        return element

    def release(self) -> None:
        """Drop the references to the elements: each element refers to its tree, so until
        then they form cycles only the garbage collector frees (slowly, and its runs cost
        every page time)."""
        self._wrapped.clear()
        self.elements.clear()
        self.not_main.clear()
        self.odd_tags.clear()
        # The root and the body stay as attributes: their link back is a cycle too.
        for element in (self.root, self.body):
            if element is not None:
                del element._tree

    def children(self, parent: LexElement) -> list[tuple[LexElement | None, int]]:
        """(the child's LexElement if it has one yet, else None; its tag id) of each child
        element of ``parent``: what SelectorBuilder counts, without wrapping each."""
        wrapped = self._wrapped
        return [(wrapped.get(child.mem_id), child.tag_id) for child in parent.node.iter()]


# Documents of at most this many elements get their selectors from LexborSelectors (which
# numbers every child of each parent it meets); larger ones from SelectorBuilder (which keeps
# only the children a selector needs, so a parent of 100,000 children costs no 100,000 entries).
NODE_SELECTORS_MAX = 5_000


class LexborSelectors:
    """SelectorBuilder's selectors (the same strings) for a lexbor tree of a small document,
    read from lexbor's nodes by their ids: no wrapper for the ancestors, no walk ahead of
    time for the targets (SelectorBuilder's ``_want``): 0.65 M fewer instructions a page of
    the crawl benchmark (~40 links).

    Each ancestor's selector is kept, and each parent's children are numbered once (their
    position among same-tag siblings), so a page's selectors cost time linear in its size.
    """

    def __init__(self, unique_ids: dict[str, LexElement]) -> None:
        # node id -> its selector: elements with a unique id, then every ancestor built
        self._known: dict[int, str] = {
            element.node.mem_id: "#" + css_ident(element_id)
            for element_id, element in unique_ids.items()
        }
        # parent's node id -> (child's node id -> n among its tag's siblings; tag id -> count)
        self._numbered: dict[int, tuple[dict[int, int], dict[int, int]]] = {}

    def __call__(self, element: LexElement) -> str:
        known = self._known
        node: LexborNode | None = element.node
        key = node.mem_id  # type: ignore[union-attr]
        chain = []
        while key not in known:
            chain.append((node, key))
            node = node.parent  # type: ignore[union-attr]
            if node is None or not node.is_element_node:  # above the root element
                node = None
                break
            key = node.mem_id
        if node is None:  # the root element: no " > " before it
            node, key = chain.pop()
            selector = css_ident(node.tag)  # type: ignore[union-attr]
            if chain:
                known[key] = selector
        else:
            selector = known[key]
        numbered = self._numbered
        for index in range(len(chain) - 1, -1, -1):
            current, current_key = chain[index]
            counts = numbered.get(key)
            if counts is None:
                counts = numbered[key] = self._number(node)  # type: ignore[arg-type]
            nths, totals = counts
            tag_id = current.tag_id
            selector += css_step(current.tag, nths[current_key] if totals[tag_id] > 1 else 0)
            if index:  # ancestors are shared by many elements; the element itself is not
                known[current_key] = selector
            node, key = current, current_key
        return selector

    @staticmethod
    def _number(parent: LexborNode) -> tuple[dict[int, int], dict[int, int]]:
        nths: dict[int, int] = {}
        totals: dict[int, int] = {}
        for child in parent.iter():
            tag_id = child.tag_id
            nths[child.mem_id] = totals[tag_id] = totals.get(tag_id, 0) + 1
        return nths, totals


def _lexbor_tree(source: bytes) -> LexborTree | None:
    """lexbor's tree of ``source``, or None when it nests deeper than MAX_DEPTH (the capped
    lxml copy is read instead, as before).

    One walk over the elements, in C but for a tag and an attribute read per element:
    the elements the index needs are wrapped, comments are removed and the text nodes
    they split merged, so each run of text is one node, as in the lxml copy.
    """
    # scripting=True: <noscript> holds text, as in Chromium (and Googlebot) running scripts
    parser = LexborHTMLParser(source, scripting=True)
    root = parser.root
    if root is None:
        return None
    tree = LexborTree(parser, root)
    wrap = tree.wrap
    append = tree.elements.append
    not_main = tree.not_main
    strays = []  # comments and processing instructions
    count = 0
    in_body = False
    # lexbor's tag ids, not names: an int read per element instead of a str.
    for node in root.traverse():
        tag_id = node.tag_id
        if tag_id < _FIRST_ELEMENT_ID:  # a comment or processing instruction
            strays.append(node)
            continue
        count += 1
        attributes = node.attributes
        if (
            tag_id in _INDEXED_IDS
            or (attributes and not _INDEXED_NAMES.isdisjoint(attributes))
            or (tag_id == _P_ID and _blank_paragraph(node))
        ):
            if attributes and None in attributes.values():  # <p hidden>: "" as in the copy
                attributes = {name: value or "" for name, value in attributes.items()}
            tag = node.tag
            element = wrap(node, tag)
            element.set_attrib(attributes)
            append((element, tag, attributes))
        if tag_id in _NOT_MAIN_IDS:
            if in_body:
                not_main.append(wrap(node))
        elif tag_id == _BODY_ID and tree.body is None and node.parent.mem_id == root.mem_id:
            # Every later element of the walk is inside the body (nothing follows it).
            tree.body, in_body = wrap(node), True
    if count > MAX_DEPTH and root.css_first(_BEYOND_MAX_DEPTH) is not None:
        return None
    tree.element_count = count
    for node in strays:
        node.decompose()
    root.merge_text_nodes()
    return tree


def _blank_paragraph(node: LexborNode) -> bool:
    """No text and no element but <br> inside: the empty-paragraph extractor's candidates
    (the index keeps no other <p>; most give up on their first text child)."""
    child = node.child
    while child is not None:
        if child.tag_id == _BR_ID:
            pass
        elif child.tag_id >= _FIRST_ELEMENT_ID or (child.text_content or "").strip():
            return False  # an element, or text (comments are not removed yet: skipped)
        child = child.next
    return True


def parse_tree(html: str) -> ParsedTree | LexborTree | None:
    """The browser's tree of ``html``, or None for an empty or unparsable document."""
    if not html or html.isspace():
        return None
    html = cap_attributes(html)
    if not _too_deep(html):
        source = html.encode("utf-8", "ignore")  # what lexbor parses a str as
        if not _refused_by_xml(source):
            tree = _lexbor_tree(source)
            if tree is not None:
                return tree
        try:
            return _copy(html)
        except ValueError:  # a character XML cannot hold
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
        if isinstance(tag, str):  # not a comment or processing instruction
            named = element_name(tag, child.attrib)
            if named is None:
                _name_parts(child, out, hidden)
            else:
                out.append(named)
        if child.tail:
            out.append(child.tail)


def element_name(tag: str, attrib: Mapping[str, str]) -> str | None:
    """What one element adds to an accessible name ("" when hidden or skipped), or None
    when its children are read instead. Both trees' walkers share this rule."""
    if tag in _NAME_SKIP or hides(attrib):
        return ""
    label = attrib.get("aria-label", "")
    if label.strip():
        return f" {label} "
    if tag == "img":
        return f" {attrib.get('alt') or attrib.get('title') or ''} "
    return None


def text_of(element: HtmlElement, hidden: Collection[HtmlElement] = frozenset()) -> str:
    """The accessible name's text; ``hidden`` elements (Document.hidden) are left out."""
    if not len(element):  # no child elements, as most links and headings: just its text
        return squash(element.text or "")
    parts: list[str] = []
    _name_parts(element, parts, hidden)
    return squash("".join(parts))


class Document:
    """One pass over the tree, indexing the elements the facts come from, plus what every
    extractor needs: the page's base URL, the selector builder, the link scope, and the
    text of elements (read by lexbor or lxml: see LexborDocument and LxmlDocument)."""

    def __init__(
        self,
        tree: ParsedTree | LexborTree,
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
        self.ids: dict[str, Element] = {}
        self.id_counts: dict[str, int] = {}
        self.titles: list[Element] = []
        self.metas: list[Element] = []
        self.link_tags: list[Element] = []
        self.bases: list[Element] = []
        self.headings: list[tuple[Element, int]] = []
        self.images: list[Element] = []
        self.anchors: list[Element] = []  # the first max_links of them
        self.anchor_count = 0
        self.scripts: list[Element] = []
        self.paragraphs: list[Element] = []
        self.views_attrs: list[Element] = []  # elements with data-views, in order
        self.hidden: set[Element] = set()  # hidden by their own attributes
        # Filled by extractors for the ones after them (head -> page type, JSON-LD -> views).
        self.og_type: str | None = None
        self.jsonld_types: set[str] = set()
        self.jsonld_views: int | None = None
        self._label_texts: dict[Element, str] = {}
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
            elif tag == "p":
                self.paragraphs.append(element)
            elif tag == "meta":
                self.metas.append(element)
            elif tag == "link":
                self.link_tags.append(element)
            elif tag == "title":
                self.titles.append(element)
            elif tag == "base":
                self.bases.append(element)
        unique_ids = {i: e for i, e in self.ids.items() if self.id_counts[i] == 1}
        self.select: Callable[[Element], str]
        if isinstance(tree, LexborTree) and tree.element_count <= NODE_SELECTORS_MAX:
            self.select = LexborSelectors(unique_ids)  # type: ignore[assignment,arg-type]
        else:
            self.select = self._selector_builder(tree, unique_ids)
        self.base = self._base_url()

    def _selector_builder(
        self, tree: ParsedTree | LexborTree, unique_ids: dict[str, Element]
    ) -> SelectorBuilder:
        return SelectorBuilder(
            unique_ids,  # type: ignore[arg-type]
            tree.odd_tags,
            children=tree.children if isinstance(tree, LexborTree) else None,
            targets=(
                *self.anchors,
                *self.images,
                *(element for element, _level in self.headings),
                *self.scripts,
            ),
        )

    def _base_url(self) -> str:
        for element in self.bases:
            href = element.get("href", "").strip()
            if href:
                return safe_urljoin(self.page_url, href) or self.page_url
        return self.page_url

    def labelledby(self, element: Element) -> str | None:
        """Text of the aria-labelledby targets; None without the attribute."""
        ids = element.get("aria-labelledby")
        if ids is None:
            return None
        # Each id once: a 1 MB attribute repeating one id must not repeat that text.
        found = [self.ids[i] for i in dict.fromkeys(ids.split()) if i in self.ids]
        return squash(" ".join(self._label_text(target) for target in found))

    def _label_text(self, target: Element) -> str:
        # Kept: many links may name themselves by one large element.
        text = self._label_texts.get(target)
        if text is None:
            text = self._label_texts[target] = self.text_of(target)
        return text

    def is_hidden(self, element: Element) -> bool:
        """Hidden from readers by its own attributes or an ancestor's (see hides)."""
        hidden = self.hidden
        if not hidden:
            return False
        return element in hidden or any(a in hidden for a in element.iterancestors())

    # What each tree reads its own way.

    @property
    def body(self) -> Element | None:
        """The root's <body> child."""
        raise NotImplementedError

    def text_of(self, element: Element) -> str:
        """The accessible name's text: img alt in, hidden content out (see _name_parts)."""
        raise NotImplementedError

    def text(self, element: Element, separator: str = "") -> str:
        """Every text node inside ``element``, joined by ``separator`` (lxml's itertext)."""
        raise NotImplementedError

    def own_text(self, element: Element) -> str | None:
        """The text before ``element``'s first child element (lxml's ``text``)."""
        raise NotImplementedError

    def not_main(self, body: Element) -> Iterable[Element]:
        """The elements in ``body`` with a NOT_MAIN tag, in document order."""
        raise NotImplementedError

    def mentions_view(self, body: Element) -> bool:
        """Whether any text node in ``body`` contains "view" in any ASCII case: a cheap
        test before text_owners."""
        raise NotImplementedError

    def text_owners(self, body: Element, pattern: re.Pattern[str]) -> Iterator[Element]:
        """Each element holding a text node that ``pattern`` finds, once, in document order;
        text inside INVISIBLE elements is left out."""
        raise NotImplementedError


_VIEW_LOWER = str.maketrans("VIEW", "view")  # as the XPath translate() of LxmlDocument


class LexborDocument(Document):
    """A document read from lexbor's tree (LexborTree): text is joined in C."""

    def __init__(self, tree: LexborTree, page_url: str, **options: Any) -> None:
        self._tree = tree
        super().__init__(tree, page_url, **options)

    @property
    def body(self) -> LexElement | None:
        return self._tree.body

    def text_of(self, element: LexElement) -> str:
        node = element.node
        child = node.first_child
        if child is None:
            return ""
        if child.next is None and child.is_text_node:  # most links and headings
            return squash(child.text_content)
        if next(node.iter(), None) is None:  # no child elements: just its text
            return squash(node.text(deep=False))
        parts: list[str] = []
        self._name_parts(node, parts)
        return squash("".join(parts))

    def _name_parts(self, node: LexborNode, out: list[str]) -> None:
        """As _name_parts below. Recursive: the tree nests at most MAX_DEPTH deep."""
        wrap = self._tree.wrap
        for child in node.iter(include_text=True):
            if child.is_text_node:
                out.append(child.text_content)
                continue
            element = wrap(child)
            named = element_name(element.tag, element.attrib)
            if named is None:
                self._name_parts(child, out)
            else:
                out.append(named)

    def text(self, element: LexElement, separator: str = "") -> str:
        return element.node.text(deep=True, separator=separator)

    def own_text(self, element: LexElement) -> str | None:
        parts = []
        for child in element.node.iter(include_text=True):
            if not child.is_text_node:
                break
            parts.append(child.text_content)
        return "".join(parts) or None

    def not_main(self, body: LexElement) -> list[LexElement]:
        return self._tree.not_main if body is self._tree.body else []

    def mentions_view(self, body: LexElement) -> bool:
        return "view" in self.text(body, " ").translate(_VIEW_LOWER)

    def text_owners(self, body: LexElement, pattern: re.Pattern[str]) -> Iterator[LexElement]:
        wrap = self._tree.wrap
        seen: set[int] = set()
        stack = [body.node.iter(include_text=True)]
        while stack:
            for child in stack[-1]:
                if child.is_text_node:
                    if pattern.search(child.text_content) is not None:
                        owner = child.parent
                        if owner.mem_id not in seen:
                            seen.add(owner.mem_id)
                            yield wrap(owner)
                elif child.tag not in INVISIBLE:
                    stack.append(child.iter(include_text=True))
                    break
            else:
                stack.pop()


_NOT_INVISIBLE = " or ".join(f"ancestor::{tag}" for tag in sorted(INVISIBLE))
_MENTIONS_VIEW = etree.XPath("boolean(.//text()[contains(translate(., 'VIEW', 'view'), 'view')])")
_TEXT_NODES = etree.XPath(f".//text()[not({_NOT_INVISIBLE})]")  # smart: they know their element


class LxmlDocument(Document):
    """A document read from the lxml copy (too deep for lexbor's tree as it is, or holding
    characters XML refuses) or libxml2's tree."""

    @property
    def body(self) -> HtmlElement | None:
        return self.root.find("body")

    def text_of(self, element: HtmlElement) -> str:
        return text_of(element, self.hidden)

    def text(self, element: HtmlElement, separator: str = "") -> str:
        return separator.join(element.itertext())

    def own_text(self, element: HtmlElement) -> str | None:
        return element.text

    def not_main(self, body: HtmlElement) -> Iterable[HtmlElement]:
        return body.iter(*NOT_MAIN)

    def mentions_view(self, body: HtmlElement) -> bool:
        return bool(_MENTIONS_VIEW(body))

    def text_owners(self, body: HtmlElement, pattern: re.Pattern[str]) -> Iterator[HtmlElement]:
        seen: set[HtmlElement] = set()
        for text in _TEXT_NODES(body):
            if pattern.search(text) is None:
                continue
            owner = text.getparent()
            if text.is_tail and owner is not None:
                owner = owner.getparent()
            if owner is None or owner in seen:
                continue
            seen.add(owner)
            yield owner


def document_for(tree: ParsedTree | LexborTree, page_url: str, **options: Any) -> Document:
    """The Document that reads ``tree`` (keyword options as Document's)."""
    if isinstance(tree, LexborTree):
        return LexborDocument(tree, page_url, **options)
    return LxmlDocument(tree, page_url, **options)


def under(element: HtmlElement, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in element.iterancestors())
