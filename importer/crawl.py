"""Fetch the old site under the audit engine's rules. Pure Python: no Django.

The engine's own crawl keeps facts, not HTML, so this drives the engine's pieces directly:
``AddressGuard`` (SSRF rules, pinned addresses), ``Scope``, ``CrawlPolicy`` (robots.txt),
``Fetcher`` (deadlines, retries, byte caps, Crawl-delay), ``Frontier`` (page and depth limits)
and sitemap discovery. Pages are fetched one at a time: an import is a one-off and the old
site is someone's live site, so politeness beats speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from audit.engine import (
    UA_TOKEN,
    AddressGuard,
    CrawlPolicy,
    EngineConfig,
    Fetcher,
    FetchResult,
    Frontier,
    RobotsDisallowed,
    Scope,
    StopSignal,
    collect_sitemaps,
    decode_html,
    host_of,
    normalize_url,
    validate_start_url,
)

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


@dataclass
class FetchedPage:
    url: str  # where the page was found (after in-scope redirects)
    depth: int
    html: str | None
    error: str | None  # one line, when there is no HTML
    seconds: float
    # 404, 410 or not HTML (a PDF, an image): nothing to import, rather than a failed import
    missing: bool = False


@dataclass
class FetchedImage:
    url: str
    data: bytes | None
    content_type: str
    error: str | None
    seconds: float


class SiteFetcher:
    """Discover and fetch the pages of one site; fetch images under the same guard."""

    def __init__(
        self,
        start_url: str,
        config: EngineConfig,
        should_cancel: Callable[[], bool] | None = None,
    ) -> None:
        self.config = config
        self.start_url = validate_start_url(start_url)
        deadline = time.monotonic() + config.time_budget if config.time_budget else None
        self.stop = StopSignal(should_cancel, deadline)
        self.guard = AddressGuard(
            host_of(self.start_url),
            allow_private=config.allow_private,
            trusted_hosts=config.trusted_hosts,
        )
        self.scope = Scope(self.start_url, config.extra_hosts, config.include, config.exclude)
        self.policy = CrawlPolicy(self.scope, self.guard, ignore_robots=config.ignore_robots)
        self.fetcher = Fetcher(
            config, may_request=self.policy.refusal, guard=self.guard, stop=self.stop
        )
        self.policy.fetcher = self.fetcher
        # Images may live on a media host: any host the guard allows, no robots.txt.
        self.image_fetcher = Fetcher(
            config, may_request=self._image_refusal, guard=self.guard, stop=self.stop
        )
        self.frontier = Frontier(
            self.scope, self.policy.robots_allows, config.page_limit, config.max_depth
        )

    def close(self) -> None:
        self.fetcher.close()
        self.image_fetcher.close()

    def _image_refusal(self, url: str) -> str | None:
        return None if self.guard.allowed(host_of(url)) else "private-address"

    @property
    def stopped(self) -> str | None:
        reason = self.stop.reason
        return str(reason) if reason else None

    def start(self) -> None:
        """robots.txt of the start origin (RobotsDisallowed if it keeps us out), then the
        start URL and the sitemaps into the queue."""
        rules = self.policy.robots_for(self.start_url)
        if not self.config.ignore_robots:
            if rules.disallow_all or not rules.allowed(self.start_url):
                raise RobotsDisallowed(
                    f"robots.txt of {self.start_url} does not let {UA_TOKEN} read the site; "
                    "ask the site's owner or pass --ignore-robots if it is your own site"
                )
            if rules.crawl_delay is not None:
                self.fetcher.slow_down(min(rules.crawl_delay, self.config.max_crawl_delay))
        self.frontier.offer(self.start_url, 0)
        if self.config.use_sitemaps and not self.config.single_page:
            roots = [u for u in (normalize_url(s) for s in rules.sitemaps) if u]
            guessed = frozenset() if roots else frozenset({urljoin(self.start_url, "/sitemap.xml")})
            found = collect_sitemaps(
                self.fetcher,
                [r for r in (roots or list(guessed)) if self.scope.is_internal(r)],
                self.config,
                self.scope.is_internal,
                quiet_missing=guessed,
            )
            for url in found.urls:
                self.frontier.offer(url, 1)

    def only(self, urls: list[str]) -> list[str]:
        """Queue exactly these URLs (no link following); returns those not on the site."""
        self.frontier.max_depth = 0
        refused = []
        for url in urls:
            normal = normalize_url(url)
            if normal and self.scope.is_internal(normal):
                self.frontier.offer(normal, 0)
            else:
                refused.append(url)
        return refused

    def pages(self) -> Iterator[FetchedPage]:
        """Each queued page in turn; call ``follow`` with its links to queue them."""
        while self.frontier and not self.stop.stopped():
            url, depth, _attempt = self.frontier.pop()
            began = time.perf_counter()
            result = self.fetcher.fetch(url)
            yield self._page(url, depth, result, time.perf_counter() - began)

    def follow(self, page: FetchedPage, links: list[str]) -> None:
        for link in links:
            self.frontier.offer(link, page.depth + 1)

    def _page(self, url: str, depth: int, result: FetchResult, seconds: float) -> FetchedPage:
        final = result.final_url or url
        if result.error is not None:  # a page cut off half-way is not imported either
            return FetchedPage(final, depth, None, f"{url}: {result.error_text}", seconds)
        if result.status is None or not 200 <= result.status < 300:
            missing = result.status in (404, 410)
            why = f"{url}: HTTP {result.status}"
            return FetchedPage(final, depth, None, why, seconds, missing=missing)
        if not result.is_html or result.body is None:
            kind = result.content_type or "no content type"
            why = f"{url}: not an HTML page ({kind})"
            return FetchedPage(final, depth, None, why, seconds, missing=True)
        if result.truncated:
            why = f"{url}: larger than {self.config.max_bytes} bytes, not imported"
            return FetchedPage(final, depth, None, why, seconds)
        text, _encoding = decode_html(result.body, result.content_type)
        if final != url:
            self.frontier.mark_seen(final)
        return FetchedPage(final, depth, text, None, seconds)

    def fetch_image(self, url: str, max_bytes: int) -> FetchedImage:
        """One image, at most ``max_bytes``, only with an image content type."""
        began = time.perf_counter()
        result = self.image_fetcher.fetch(url, want_body="any", max_bytes=max_bytes)
        seconds = time.perf_counter() - began
        ctype = (result.content_type or "").split(";", 1)[0].strip().lower()

        def failed(why: str) -> FetchedImage:
            return FetchedImage(url, None, ctype, f"image {url}: {why}", seconds)

        if result.error is not None:
            return failed(str(result.error_text))
        if result.status is None or not 200 <= result.status < 300:
            return failed(f"HTTP {result.status}")
        if result.truncated:
            return failed(f"larger than {max_bytes} bytes; import it by hand if it is needed")
        if ctype not in IMAGE_TYPES:
            return failed(f"not an image ({ctype or 'no content type'})")
        return FetchedImage(url, result.body, ctype, None, seconds)
