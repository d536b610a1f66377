"""Crawl traps: links into URL spaces that never end (see traps.py)."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import EngineConfig
from ..results import Finding
from .registry import finding, site_check
from .site import SiteView


@site_check(
    "crawl-trap",
    "warning",
    "Links lead into a URL space that never ends",
    "Stop linking to endless variants (add rel=nofollow to calendar and facet links, end "
    "pagination at the last page, keep session ids out of URLs, use absolute links), or "
    "disallow the pattern in robots.txt.",
)
def crawl_trap(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for trap in site.traps:
        yield (
            trap.entered_from or site.start_url,
            finding(
                "crawl-trap",
                f"Links from here lead into {trap.pattern.description}: the audit followed "
                f"{trap.followed} of these URLs and left {len(trap.refused)} more "
                f"(e.g. {trap.example}); search engines waste their crawl on them too.",
            ),
        )
