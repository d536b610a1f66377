"""The importer's one HTML API: BeautifulSoup on the html5lib builder, which parses as a
browser does (the HTML5 algorithm: implied end tags, foster-parented tables, custom elements),
so what is imported is what readers of the old site saw. Small helpers read a tag the same way
wherever the converter needs it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

_SPACE = re.compile(r"\s+")
# Old sites serve XHTML as text/html and browsers read it as HTML, ignoring the declaration;
# left in, it makes BeautifulSoup warn that the document may be XML.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(_XML_DECLARATION.sub("", html, count=1), "html5lib")


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def text_of(el: Tag) -> str:
    """The element's visible text, whitespace squashed (comments are not text)."""
    return squash(el.get_text())


def attr(el: Tag, name: str) -> str:
    """An attribute as one string (BeautifulSoup splits class and rel into lists)."""
    value = el.get(name)
    if value is None:
        return ""
    return " ".join(value) if isinstance(value, list) else str(value)


def elements(el: Tag) -> Iterator[Tag]:
    """The element's child elements, in order."""
    return (child for child in el.children if isinstance(child, Tag))


def is_text(node: object) -> bool:
    """A run of text, not a comment, doctype or processing instruction."""
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)
