"""The compact per-page record and site view that site checks run on after a crawl."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import FetchError, fetch_failure
from ..facts import Hop, PageFacts
from ..robots import RobotsRules
from ..traps import TrapRecord
from ..urls import resolve


@dataclass(slots=True)
class PageSummary:
    """What site checks need from one page; kept for every page instead of the full facts."""

    url: str
    final_url: str | None
    status: int | None
    ok_html: bool
    titles: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    canonicals: list[str] = field(default_factory=list)
    noindex: bool = False
    # (target URL, selector, snippet) for each internal link, in document order.
    links: list[tuple[str, str, str]] = field(default_factory=list)
    # (image URL, selector, snippet) for each internal <img>, and internal og:image URLs.
    images: list[tuple[str, str, str]] = field(default_factory=list)
    og_images: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TargetStatus:
    """Where an internal URL ends up: final status, hops taken, or a network error."""

    url: str
    status: int | None
    hops: list[Hop] = field(default_factory=list)
    final_url: str | None = None
    error: str | None = None
    content_type: str | None = None  # of the final answer
    bytes: int | None = None  # Content-Length of the final answer, when it said

    @property
    def is_image(self) -> bool:
        return (self.content_type or "").split(";", 1)[0].strip().lower().startswith("image/")

    @property
    def failed(self) -> FetchError | None:
        """How the fetch failed when no HTTP answer came (timeout, refused...); None if one did."""
        return fetch_failure(self.error)

    @property
    def broken(self) -> bool:
        """The server answered 404/410/5xx (or the URL may not be requested at all); a
        fetch that got no answer is ``failed``, not broken."""
        if self.failed is not None:
            return False
        if self.error and not self.error.startswith(("redirect-", "too-many-redirects")):
            return True
        return self.status is not None and self.status >= 400

    def describe_hops(self) -> str:
        chain = " → ".join(f"{hop.url} ({hop.status})" for hop in self.hops)
        end = self.final_url or "?"
        tail = f"{end} ({self.status})" if self.error is None else f"{end} [{self.error}]"
        return f"{chain} → {tail}" if chain else tail


@dataclass
class SiteView:
    start_url: str
    pages: dict[str, PageSummary] = field(default_factory=dict)
    targets: dict[str, TargetStatus] = field(default_factory=dict)
    sitemap_urls: set[str] = field(default_factory=set)
    robots: RobotsRules | None = None
    crawl_complete: bool = True  # False when the crawl left URLs out: results are partial
    traps: list[TrapRecord] = field(default_factory=list)  # patterns cut at their budget
    sitemap_files: int = 0  # sitemap files read
    # Sitemap page URLs on another host or port: the first few, and how many in all.
    sitemap_out_of_scope: list[str] = field(default_factory=list)
    sitemap_out_of_scope_count: int = 0
    images: dict[str, TargetStatus] = field(default_factory=dict)  # image URL -> answer

    def partial_note(self) -> str:
        """Said by every site-wide finding of a partial crawl: what it was computed over."""
        if self.crawl_complete:
            return ""
        return f" (partial: based on the {len(self.pages)} pages crawled)"


def _internal_images(
    facts: PageFacts, is_internal: Callable[[str], bool] | None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    if is_internal is None:
        return [], []
    base = facts.final_url or facts.url
    images = []
    for image in facts.images:
        url = resolve(base, image.src) if image.src else None
        if url and is_internal(url):
            images.append((url, image.selector, image.snippet))
    # open_graph is filled by the parse package's Open Graph extractor; a PageFacts built
    # before that extractor existed has no such field.
    open_graph = getattr(facts, "open_graph", None) or {}
    href = open_graph.get("og:image") or open_graph.get("image")
    og = resolve(base, href) if href else None
    return images, [og] if og and is_internal(og) else []


def summarize(facts: PageFacts, is_internal: Callable[[str], bool] | None = None) -> PageSummary:
    """The page's record for site checks; ``is_internal`` picks the images to request
    (none without it)."""
    images, og_images = _internal_images(facts, is_internal)
    return PageSummary(
        url=facts.url,
        final_url=facts.final_url,
        status=facts.status,
        ok_html=facts.is_ok_html,
        titles=facts.titles,
        descriptions=facts.descriptions,
        canonicals=facts.canonicals,
        noindex=facts.noindex,
        # Not interned here: strings arrive in the main process as fresh copies anyway, and
        # are interned there (crawl.py).
        links=[
            (link.url, link.selector, link.snippet)
            for link in facts.links
            if link.internal and link.url
        ],
        images=images,
        og_images=og_images,
    )
