"""URLs the audit could not fetch at all: no HTTP answer, so nothing is known about them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..config import AuditConfig
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
def fetch_failed(site: SiteView, cfg: AuditConfig) -> Iterator[tuple[str, Finding]]:
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
