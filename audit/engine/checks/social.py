"""Open Graph: what a link to the page shows when shared (title, description, image)."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from ..urls import resolve
from .registry import finding, page_check

SHARED = ("og:title", "og:description", "og:image")


@page_check(
    "og-missing",
    "notice",
    "Open Graph tags missing",
    'Add <meta property="og:title">, og:description and og:image so shared links show a '
    "title, summary and picture.",
    indexable_only=True,
)
def og_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    missing = [name for name in SHARED if not page.open_graph.get(name)]
    if not missing:
        return []
    return [finding("og-missing", f"The page has no {', '.join(missing)}.")]


@page_check(
    "og-image-not-absolute",
    "warning",
    "og:image is not an absolute URL",
    "Give og:image as a full https:// URL: sites that show shared links do not resolve "
    "relative ones.",
)
def og_image_not_absolute(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    image = page.open_graph.get("og:image")
    if not image:
        return []
    parts = urlsplit(image)
    if parts.scheme in ("http", "https") and parts.netloc:
        return []
    return [finding("og-image-not-absolute", f"og:image is {image[:200]!r}, not an absolute URL.")]


@page_check(
    "og-url-mismatch",
    "warning",
    "og:url disagrees with the canonical URL",
    "Set og:url to the page's canonical URL, so shares count for the same page.",
)
def og_url_mismatch(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    og_url, canonical = page.open_graph.get("og:url"), page.canonical
    if not og_url or not canonical:
        return []
    base = page.final_url or page.url
    if resolve(base, og_url) == resolve(base, canonical):
        return []
    return [
        finding(
            "og-url-mismatch",
            f"og:url is {og_url[:200]!r} but the canonical URL is {canonical[:200]!r}.",
        )
    ]
