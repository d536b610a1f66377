"""Shared bits for the view-count tests: a browser User-Agent and a reader's request headers."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
OTHER_BROWSER_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:133.0) Gecko/20100101 Firefox/133.0"
)
IMS_URL = "/services/ims/"


def shown_views(html: bytes | str) -> tuple[int, str, int]:
    """(data-views, the visible text, JSON-LD userInteractionCount) of a rendered page."""
    soup = BeautifulSoup(html, "lxml")
    spans = soup.select("span.view-count")
    assert len(spans) == 1, spans
    ld_counts = []
    for script in soup.find_all("script", type="application/ld+json"):
        for node in json.loads(script.string)["@graph"]:
            stat = node.get("interactionStatistic")
            if stat:
                assert stat["@type"] == "InteractionCounter"
                assert stat["interactionType"] in (
                    "https://schema.org/ReadAction",
                    "https://schema.org/ViewAction",
                )
                ld_counts.append(stat["userInteractionCount"])
    assert len(ld_counts) == 1, ld_counts
    return int(spans[0]["data-views"]), spans[0].get_text(), ld_counts[0]
