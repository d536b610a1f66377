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
    """Builds ``#id`` when an id is unique, else an nth-of-type path from the nearest one.

    libxml2 gives each element's path (``getpath``: its ``[n]`` counts same-tag siblings,
    exactly as ``:nth-of-type`` does, and is left out for an only child of its tag). Turning
    that path into CSS is cached across pages, because most paths on a site (nav, footer,
    article paragraphs) repeat from page to page.
    """

    def __init__(self, root: HtmlElement, unique_ids: dict[str, HtmlElement]) -> None:
        self._getpath = root.getroottree().getpath
        # Path of each element with a unique id -> "#id"; elements below one start from it.
        self._id_paths = {
            self._getpath(element): "#" + css_ident(element_id)
            for element_id, element in unique_ids.items()
        }

    def __call__(self, element: HtmlElement) -> str:
        path = self._getpath(element)
        if self._id_paths:
            end = len(path)
            while end > 0:
                anchor = self._id_paths.get(path[:end])
                if anchor is not None:
                    return anchor + _css_steps(path[end:]) if end < len(path) else anchor
                end = path.rfind("/", 0, end)
        return _css_steps(path)[3:]  # from the root: drop the leading " > "


@lru_cache(maxsize=65536)
def _css_steps(path: str) -> str:
    """'/ul/li[3]/a' -> ' > ul > li:nth-of-type(3) > a'."""
    out = []
    for step in path.split("/")[1:]:
        tag, _, index = step.partition("[")
        out.append(
            f" > {css_ident(tag)}:nth-of-type({index[:-1]})" if index else f" > {css_ident(tag)}"
        )
    return "".join(out)


@lru_cache(maxsize=16384)
def _start_tag(tag: str, attributes: tuple[tuple[str, str], ...]) -> str:
    attrs = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in attributes)
    return f"<{tag}{attrs}>"


def start_tag(element: HtmlElement) -> str:
    # Cached: the same links and images (nav, footer, logo) appear on every page of a site.
    return _start_tag(element.tag, tuple(element.attrib.items()))


def snippet(element: HtmlElement, text: str | None = None) -> str:
    """The start tag, plus short text and end tag for elements whose text matters."""
    tag = start_tag(element)
    if text is not None:
        inner = escape(text[:80] + ("…" if len(text) > 80 else ""), quote=False)
        tag = f"{tag}{inner}</{element.tag}>"
    if len(tag) > SNIPPET_MAX:
        tag = tag[: SNIPPET_MAX - 1] + "…"
    return tag
