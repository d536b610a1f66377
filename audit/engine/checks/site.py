"""The compact per-page record and site view that site checks run on after a crawl."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from sys import intern
from urllib.parse import urljoin

from ..errors import FetchError, fetch_failure
from ..facts import Hop, PageFacts
from ..robots import RobotsRules
from ..sitemaps import SitemapResult
from ..traps import TrapRecord
from ..urls import normalize_url, resolve


class Triples:
    """(URL, selector, snippet) records kept as one flat tuple of strings. The main process
    keeps these for every link and image of every page of a crawl; a list of 3-tuples
    costs ~3.5x the memory (a 3-tuple is 80 bytes with its GC header, a slot 8)."""

    __slots__ = ("flat",)

    def __init__(self, triples: Iterable[tuple[str, str, str]] = ()) -> None:
        self.flat: tuple[str, ...] = tuple(chain.from_iterable(triples))

    @classmethod
    def interned(cls, triples: Iterable[tuple[str, str, str]]) -> Triples:
        """The same records with every string interned: strings unpickled from a worker
        are fresh copies, and every page would otherwise keep its own copy of the nav and
        footer links."""
        flat = triples.flat if isinstance(triples, Triples) else chain.from_iterable(triples)
        return _from_flat(tuple(map(intern, flat)))

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        items = iter(self.flat)
        return zip(items, items, items, strict=False)  # one iterator: 3 at a time

    def __len__(self) -> int:
        return len(self.flat) // 3

    def urls(self) -> tuple[str, ...]:
        """The first string of each record (a slice: no tuple made per record)."""
        return self.flat[0::3]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Triples):
            return self.flat == other.flat
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Triples({list(self)!r})"

    def __reduce__(self) -> tuple[Callable[[tuple[str, ...]], Triples], tuple[tuple[str, ...]]]:
        return _from_flat, (self.flat,)


def urls_of(records: Triples | list[tuple[str, str, str]]) -> Iterable[str]:
    """The URLs of a page's link or image records (Triples, or a hand-built list)."""
    if isinstance(records, Triples):
        return records.urls()
    return [record[0] for record in records]


def _from_flat(flat: tuple[str, ...]) -> Triples:
    triples = Triples.__new__(Triples)
    triples.flat = flat
    return triples


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
    # Each different canonical href as an absolute, normalised URL (None where it is not an
    # http(s) URL): resolved where the summary is made, in a worker process during a crawl,
    # not once per page in the main process after it.
    canonical_urls: list[str | None] = field(default_factory=list)
    # (target URL, selector, snippet) for each internal link, in document order.
    links: Triples | list[tuple[str, str, str]] = field(default_factory=Triples)
    # (image URL, selector, snippet) for each internal <img>, and internal og:image URLs.
    images: Triples | list[tuple[str, str, str]] = field(default_factory=Triples)
    og_images: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.canonicals and not self.canonical_urls:
            base = self.final_url or self.url
            self.canonical_urls = [
                normalize_url(urljoin(base, href)) for href in dict.fromkeys(self.canonicals)
            ]


@dataclass(slots=True)
class FirstLoad:
    """A page whose first answer was slow or missing and whose later answers were in time:
    the crawl's first figure (or its error), and the later one."""

    later_ms: float
    first_ms: float | None = None
    first_error: FetchError | None = None  # no answer at first (a timeout, a dropped link)


@dataclass(slots=True)
class TargetStatus:
    """Where an internal URL ends up: final status, hops taken, or a network error."""

    url: str
    status: int | None
    hops: list[Hop] = field(default_factory=list)
    final_url: str | None = None
    error: str | None = None
    content_type: str | None = None  # of the final answer
    bytes: int | None = None  # Content-Length of the final answer, or what an image's GET read
    bytes_at_least: bool = False  # `bytes` is where that GET stopped reading, not the size

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
    # What reading the sitemaps found beyond their URLs (cut short, off-site, other hosts'
    # paths); None when no sitemap was read.
    sitemap: SitemapResult | None = None
    # Pages slow (or unanswered) on their first request only: url -> the figures.
    first_loads: dict[str, FirstLoad] = field(default_factory=dict)

    def partial_note(self) -> str:
        """Said by every site-wide finding of a partial crawl: what it was computed over."""
        if self.crawl_complete:
            return ""
        return f" (partial: based on the {len(self.pages)} pages crawled)"


def _internal_images(
    facts: PageFacts, is_internal: Callable[[str], bool] | None
) -> tuple[Triples, list[str]]:
    if is_internal is None:
        return Triples(), []
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
    return Triples(images), [og] if og and is_internal(og) else []


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
        links=Triples(
            (link.url, link.selector, link.snippet)
            for link in facts.links
            if link.internal and link.url
        ),
        images=images,
        og_images=og_images,
    )
