"""What a converted page is: plain data, no Django, ready for the writer or a dry-run plan."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    ARTICLE = "article"
    SERVICE = "service"


@dataclass
class ImageRef:
    """One image in a body: the original file's URL and what the old site said about it."""

    src: str
    alt: str  # usable alt text, or "" when the old one was missing or a file name
    caption: str = ""


@dataclass
class Block:
    """One body block. ``kind`` is a BodyBlock child name: heading, paragraph, image, quote."""

    kind: str
    text: str = ""  # heading text, quote text
    level: str = ""  # heading level, "h2" to "h4"
    html: str = ""  # paragraph rich text
    image: ImageRef | None = None
    attribution: str = ""


@dataclass
class ConvertedPage:
    url: str
    title: str
    kind: Kind
    slug: str
    blocks: list[Block] = field(default_factory=list)
    date: datetime.date | None = None
    author: str = ""
    seo_title: str = ""
    description: str = ""
    introduction: str = ""  # plain text
    views: int | None = None
    problems: list[str] = field(default_factory=list)  # the editors' to-do list for this page
    extractor: str = ""  # "wix" or "generic"

    @property
    def images(self) -> list[ImageRef]:
        return [b.image for b in self.blocks if b.image is not None]


@dataclass
class Skipped:
    """A fetched page that is not a content page (a listing, the home page, no content)."""

    url: str
    reason: str
    # "home", "listing" or "thin": where readers of the old URL are best sent instead
    like: str = "thin"
