"""CSS selectors that find exactly one element, and short HTML snippets of it."""

from __future__ import annotations

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
    """Builds ``#id`` when an id is unique, else an nth-of-type path from the nearest one."""

    def __init__(self, id_counts: dict[str, int]) -> None:
        self.id_counts = id_counts
        self._cache: dict[HtmlElement, str] = {}
        self._positions: dict[HtmlElement, dict[HtmlElement, tuple[int, int]]] = {}

    def _position(self, parent: HtmlElement, element: HtmlElement) -> tuple[int, int]:
        table = self._positions.get(parent)
        if table is None:
            counts: dict[str, int] = {}
            table = {}
            children = [c for c in parent if isinstance(c.tag, str)]
            for child in children:
                counts[child.tag] = counts.get(child.tag, 0) + 1
                table[child] = (counts[child.tag], 0)
            for child in children:
                table[child] = (table[child][0], counts[child.tag])
            self._positions[parent] = table
        return table[element]

    def _step(self, element: HtmlElement) -> str:
        tag = css_ident(element.tag)
        parent = element.getparent()
        if parent is None:
            return tag
        index, total = self._position(parent, element)
        return tag if total == 1 else f"{tag}:nth-of-type({index})"

    def __call__(self, element: HtmlElement) -> str:
        cached = self._cache.get(element)
        if cached is not None:
            return cached
        element_id = element.get("id")
        if element_id and self.id_counts.get(element_id) == 1:
            selector = "#" + css_ident(element_id)
        else:
            parent = element.getparent()
            step = self._step(element)
            selector = step if parent is None else f"{self(parent)} > {step}"
        self._cache[element] = selector
        return selector


def start_tag(element: HtmlElement) -> str:
    attrs = "".join(
        f' {name}="{escape(value, quote=True)}"' for name, value in element.attrib.items()
    )
    return f"<{element.tag}{attrs}>"


def snippet(element: HtmlElement, text: str | None = None) -> str:
    """The start tag, plus short text and end tag for elements whose text matters."""
    tag = start_tag(element)
    if text is not None:
        inner = escape(text[:80] + ("…" if len(text) > 80 else ""), quote=False)
        tag = f"{tag}{inner}</{element.tag}>"
    if len(tag) > SNIPPET_MAX:
        tag = tag[: SNIPPET_MAX - 1] + "…"
    return tag
