"""URLs the audit could not fetch at all: no HTTP answer, so nothing is known about them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..config import EngineConfig
from ..results import Finding
from .registry import finding, site_check
from .site import SiteView, urls_of


@site_check(
    "fetch-failed",
    "warning",
    "URL could not be fetched",
    "Check that the server answers this URL in time (slow first requests, e.g. image "
    "renditions made on first view, can time out); then run the audit again.",
)
def fetch_failed(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    failed = {url: status.failed for url, status in site.targets.items() if status.failed}
    if not failed:
        return
    linked_from: Counter[str] = Counter()
    for page in site.pages.values():
        for target in {target for target in urls_of(page.links) if target in failed}:
            linked_from[target] += 1
    for url, error in sorted(failed.items()):
        pages = linked_from[url]
        via = f"; {pages} crawled page{'s' if pages != 1 else ''} link to it" if pages else ""
        yield (
            url,
            finding(
                "fetch-failed",
                f"No answer after {cfg.retries + 1} attempts: {error.value} ({error.message})"
                f"{via}. Whether it works is unknown, so it is not reported as a broken link.",
            ),
        )


@site_check(
    "slow-first-load",
    "notice",
    "Slow on first load only",
    "Warm the site after a start or deploy (keep the server process running, fill caches "
    "and make image renditions ahead of time): the first reader, often a search engine's "
    "crawler, gets the slow answer.",
)
def slow_first_load(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    # The crawl fills first_loads: a page whose first fetch failed and a later attempt
    # answered, or that looked slow and was fast when measured again on its own.
    for url, load in sorted(site.first_loads.items()):
        if load.first_error is not None:
            first = f"No answer to the first request ({load.first_error.message})"
        else:
            first = f"Time to first byte was {load.first_ms:.0f} ms on the first request"
        yield (
            url,
            finding(
                "slow-first-load",
                f"{first}; {load.later_ms:.0f} ms when requested again later in the run "
                f"(limit {cfg.thresholds.slow_response_ms} ms). Only the first answer is "
                "slow: a cache or a server warming up.",
            ),
        )
