"""Reading built pages (headings, images, links, head tags) with the standard library's parser."""

from __future__ import annotations

from html.parser import HTMLParser

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class PageReader(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict[str, str]] = []
        self.links: list[str] = []
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.in_picture = 0
        self.picture_images: list[dict[str, str]] = []
        self._heading: list[str] | None = None
        self._level = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in HEADINGS:
            self._heading, self._level = [], tag
        elif tag == "img":
            self.images.append(attributes)
            if self.in_picture:
                self.picture_images.append(attributes)
        elif tag == "picture":
            self.in_picture += 1
        elif tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])
        elif tag == "meta":
            key = attributes.get("name") or attributes.get("property")
            if key:
                self.meta[key] = attributes.get("content", "")
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._level and self._heading is not None:
            self.headings.append((tag, " ".join("".join(self._heading).split())))
            self._heading = None
        elif tag == "picture":
            self.in_picture -= 1

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
