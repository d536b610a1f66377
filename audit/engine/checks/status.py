"""HTTP status of the page itself."""

from __future__ import annotations

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


@page_check(
    "status-4xx",
    "error",
    "Page returns a 4xx client error",
    "Restore the page, or redirect (301) its URL to the closest live page and fix links to it.",
    content_only=False,
)
def status_4xx(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if page.status is not None and 400 <= page.status < 500:
        return [finding("status-4xx", f"The page returned HTTP {page.status}.")]
    return []


@page_check(
    "status-5xx",
    "error",
    "Page returns a 5xx server error",
    "Check the server logs for this URL and fix the error; search engines drop failing pages.",
    content_only=False,
)
def status_5xx(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if page.status is not None and page.status >= 500:
        return [finding("status-5xx", f"The page returned HTTP {page.status}.")]
    return []
