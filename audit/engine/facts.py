"""Plain data extracted from one page. No HTML is kept: only what the checks need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Hop:
    """One redirect response: the URL that answered and its 3xx status."""

    url: str
    status: int

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status}


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    selector: str
    snippet: str
    in_chrome: bool  # inside <nav>/<footer>: site chrome, skipped by heading checks


@dataclass(slots=True)
class Image:
    src: str
    alt: str | None  # None when the attribute is absent
    aria_label: str | None
    labelledby_text: str | None  # text of the aria-labelledby targets; None without attribute
    title: str | None
    role: str | None
    aria_hidden: bool  # hidden (aria-hidden, hidden, inline display:none...) or in hidden content
    focusable: bool
    global_aria: bool  # carries a global ARIA attribute (cancels role=presentation)
    selector: str
    snippet: str
    display_width: int | None = None  # CSS px the page asks for (width attribute or sizes)
    srcset_widths: tuple[int, ...] = ()  # the w descriptors of its srcset
    intrinsic_width: int | None = None  # the file's own width, when whoever fetched it knows


@dataclass(slots=True)
class Link:
    raw_href: str
    url: str | None  # resolved and normalised; None when not http(s)
    text: str  # accessible name
    internal: bool
    selector: str
    snippet: str


@dataclass(slots=True)
class JsonLd:
    data: Any = None
    error: str | None = None
    selector: str = ""
    snippet: str = ""


@dataclass(slots=True)
class PageFacts:
    """Everything the page checks look at, for one fetched URL."""

    url: str
    final_url: str | None = None
    status: int | None = None
    redirects: list[Hop] = field(default_factory=list)
    error: str | None = None  # network or redirect failure, e.g. "redirect-loop"
    content_type: str | None = None
    x_robots_tag: str | None = None
    response_ms: float | None = None  # time to first byte
    bytes: int = 0
    truncated: bool = False
    is_html: bool = False
    encoding: str | None = None
    titles: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    meta_robots: list[str] = field(default_factory=list)
    canonicals: list[str] = field(default_factory=list)  # raw href values
    lang: str | None = None
    headings: list[Heading] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)  # the first max_links_per_page
    links_total: int = 0  # every <a href>/<area href>, kept or not
    word_count: int = 0
    json_ld: list[JsonLd] = field(default_factory=list)
    page_type: str | None = None  # "article", "service", "listing" or None
    views: int | None = None  # the count the page shows as its own (= views_visible)
    views_source: str | None = None  # where views came from: "data-views" or "text"
    views_visible: int | None = None  # the page's own counter, shown in its content
    views_jsonld: int | None = None  # the count its JSON-LD claims for the page itself
    open_graph: dict[str, str] = field(default_factory=dict)  # og:title, og:url... -> content
    # <meta name=… content=…> of the head, lower-case name -> the first one's content (capped)
    meta: dict[str, str] = field(default_factory=dict)
    # (selector, snippet) of each <p> in the main content with no text, or only <br>s
    empty_paragraphs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def noindex(self) -> bool:
        values = [*self.meta_robots, self.x_robots_tag or ""]
        return any(_has_noindex(value) for value in values)

    @property
    def is_ok_html(self) -> bool:
        """A 2xx HTML page: the only kind content checks make sense for."""
        return self.is_html and self.status is not None and 200 <= self.status < 300

    @property
    def title(self) -> str | None:
        """The first <title>'s text, as search engines show it; None without one."""
        return self.titles[0] if self.titles else None

    @property
    def description(self) -> str | None:
        """The first meta description that is not blank."""
        return next((d for d in self.descriptions if d.strip()), None)

    @property
    def canonical(self) -> str | None:
        """The first canonical link's raw href ("" when its href is empty); None without one."""
        return self.canonicals[0] if self.canonicals else None

    @property
    def content_headings(self) -> list[Heading]:
        """Headings outside <nav>/<footer>: the page's own outline, not the site chrome."""
        return [h for h in self.headings if not h.in_chrome]

    @property
    def h1s(self) -> list[Heading]:
        return [h for h in self.content_headings if h.level == 1]

    @property
    def links_capped(self) -> bool:
        return self.links_total > len(self.links)


def _has_noindex(value: str) -> bool:
    tokens = {token.strip().lower() for token in value.replace(":", ",").split(",")}
    return "noindex" in tokens or "none" in tokens
