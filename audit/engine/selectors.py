"""CSS selectors that find exactly one element, and short HTML snippets of it."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import lru_cache
from html import escape

from lxml.etree import _Element as HtmlElement

SNIPPET_MAX = 200


@lru_cache(maxsize=4096)
def css_ident(value: str) -> str:
    """Serialise an identifier the way CSSOM's CSS.escape() does (enough for ids and tags)."""
    out = []
    for index, char in enumerate(value):
        if char == "\x00":
            out.append("\ufffd")
        elif char.isascii() and (char.isalnum() or char in "-_"):
            leading_digit = char.isdigit() and (index == 0 or (index == 1 and value[0] == "-"))
            out.append(f"\\{ord(char):x} " if leading_digit else char)
        elif not char.isascii():
            out.append(char)
        else:
            out.append("\\" + char)
    result = "".join(out)
    return "\\-" if result == "-" else result


class SelectorBuilder:
    """Builds ``#id`` when an id is unique, else an nth-of-type path from the nearest one.

    Each step counts same-tag siblings, as ``:nth-of-type`` does, and leaves the index out
    for an only child of its tag (libxml2's ``getpath`` convention). Siblings are counted
    once per parent and each ancestor's selector is kept, so a page's selectors cost time
    linear in its size: ``getpath`` rescans every sibling on each call, which made a page
    of 100,000 sibling links take minutes.
    """

    def __init__(
        self,
        unique_ids: dict[str, HtmlElement],
        odd_tags: dict[HtmlElement, str] | None = None,
        targets: Iterable[HtmlElement] = (),
        children: Callable[[HtmlElement], Iterable[tuple[HtmlElement | None, Hashable]]]
        | None = None,
    ) -> None:
        # Elements whose real tag lxml could not hold (e.g. foo:bar) -> that tag.
        # The same dict, not a copy: a lexbor document adds to it as it wraps elements.
        self._odd_tags = odd_tags if odd_tags is not None else {}
        # (child, or None if no selector will need it; a key of its tag, the same for the
        # same tag) of each child element: lxml elements are read as they are.
        self._children = children or self._lxml_children
        self._lexbor = children is not None  # its parents answer only_child() themselves
        # Elements with a unique id, and then every ancestor already built -> its selector.
        self._known: dict[HtmlElement, str] = {
            element: "#" + css_ident(element_id) for element_id, element in unique_ids.items()
        }
        self._steps: dict[HtmlElement, str] = {}  # element -> " > tag:nth-of-type(n)"
        # Steps are kept only for the elements selectors will be asked for and their
        # ancestors: a parent of 100,000 children would otherwise keep 100,000 of them.
        self._wanted: set[HtmlElement] = set()
        for target in targets:
            self._want(target)

    def _want(self, element: HtmlElement | None) -> None:
        wanted = self._wanted
        while element is not None and element not in wanted:
            wanted.add(element)
            element = element.getparent()

    def __call__(self, element: HtmlElement) -> str:
        known = self._known
        chain = []
        node: HtmlElement | None = element
        while node is not None and node not in known:
            chain.append(node)
            node = node.getparent()
        selector = known[node] if node is not None else ""
        for index in range(len(chain) - 1, -1, -1):
            current = chain[index]
            parent = chain[index + 1] if index + 1 < len(chain) else node
            if parent is None:  # the root element: no " > " before it
                selector = css_ident(self._odd_tags.get(current, current.tag))
            else:
                selector += self._step(current, parent)
            if index:  # ancestors are shared by many elements; the element itself is not
                known[current] = selector
        return selector

    def _step(self, element: HtmlElement, parent: HtmlElement) -> str:
        step = self._steps.get(element)
        if step is None and self._only_child(parent):
            # An only child (most links in running text): no siblings to count.
            step = self._steps[element] = css_step(self._odd_tags.get(element, element.tag), 0)
        elif step is None:
            if element not in self._wanted:  # not announced as a target: count again
                self._want(element)
            self._count_children(parent)
            step = self._steps[element]
        return step

    def _only_child(self, parent: HtmlElement) -> bool:
        if self._lexbor:
            return parent.only_child()  # type: ignore[attr-defined]  # a LexElement
        return len(parent) == 1

    def _lxml_children(self, parent: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
        odd_tags = self._odd_tags
        for child in parent:
            tag = child.tag
            if odd_tags and child in odd_tags:
                tag = odd_tags[child]
            if isinstance(tag, str):
                yield child, tag

    def _count_children(self, parent: HtmlElement) -> None:
        totals: dict[Hashable, int] = {}
        found = []  # (wanted child, its tag's key, its number among same-tag siblings)
        wanted = self._wanted
        for child, key in self._children(parent):
            nth = totals[key] = totals.get(key, 0) + 1
            if child is not None and child in wanted:
                found.append((child, key, nth))
        odd_tags = self._odd_tags
        for child, key, nth in found:
            tag = odd_tags.get(child, child.tag)
            self._steps[child] = css_step(tag, nth if totals[key] > 1 else 0)


@lru_cache(maxsize=4096)
def css_step(tag: str, nth: int) -> str:
    """(tag, n) -> ' > tag:nth-of-type(n)', or ' > tag' when n is 0 (an only child)."""
    return f" > {css_ident(tag)}:nth-of-type({nth})" if nth else f" > {css_ident(tag)}"


# Room for a site's template tags (nav, footer, logo), which stay in it as the most used;
# 16,384 entries filled up with one-off links and kept ~15 MB per worker process.
@lru_cache(maxsize=2048)
def _start_tag(tag: str, attributes: tuple[tuple[str, str], ...]) -> str:
    attrs = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in attributes)
    return f"<{tag}{attrs}>"


def start_tag(element: HtmlElement) -> str:
    """The start tag, its attribute values cut where no snippet can show more of them.

    Cached: the same links and images (nav, footer, logo) appear on every page of a site.
    Cutting keeps the cache small (a 1 MB attribute would otherwise stay in it) and changes
    no snippet: escaping never shortens text, so whatever is cut lies past SNIPPET_MAX.
    """
    attributes = []
    room = SNIPPET_MAX
    for name, value in element.attrib.items():
        attributes.append((name[:room], value[:room]))
        room -= len(name) + len(value)
        if room <= 0:
            break
    return _start_tag(element.tag[:SNIPPET_MAX], tuple(attributes))


def snippet(element: HtmlElement, text: str | None = None) -> str:
    """The start tag, plus short text and end tag for elements whose text matters."""
    tag = start_tag(element)
    if text is not None:
        inner = escape(text[:80] + ("…" if len(text) > 80 else ""), quote=False)
        tag = f"{tag}{inner}</{element.tag}>"
    if len(tag) > SNIPPET_MAX:
        tag = tag[: SNIPPET_MAX - 1] + "…"
    return tag
