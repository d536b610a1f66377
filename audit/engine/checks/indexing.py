"""Indexing signals: noindex, robots.txt and canonical URLs."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from urllib.parse import urlsplit

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check, site_check
from .site import SiteView

CANONICAL = 'link[rel="canonical"]'


@site_check(
    "noindex",
    "error",
    "Page in the sitemap is set to noindex",
    "Remove noindex (meta robots or X-Robots-Tag) or take the URL out of the sitemap.",
)
def noindex(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for url in sorted(site.sitemap_urls):
        page = site.pages.get(url)
        if page is not None and page.noindex:
            yield (
                url,
                finding(
                    "noindex",
                    "The sitemap lists this page but it is set to noindex "
                    "(meta robots or X-Robots-Tag).",
                    'meta[name="robots"]',
                ),
            )


@site_check(
    "robots-blocked",
    "error",
    "Sitemap URL is blocked by robots.txt",
    "Allow the URL in robots.txt or remove it from the sitemap.",
)
def robots_blocked(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    if site.robots is None:
        return
    for url in sorted(site.sitemap_urls):
        if not site.robots.allowed(url):
            yield (
                url,
                finding(
                    "robots-blocked", "The sitemap lists this URL but robots.txt disallows it."
                ),
            )


@page_check(
    "canonical-missing",
    "warning",
    "Page has no canonical URL",
    'Add <link rel="canonical" href="https://…"> with the page\'s preferred absolute URL.',
    indexable_only=True,
)
def canonical_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if page.canonical is not None:
        return []
    return [finding("canonical-missing", 'The page has no <link rel="canonical">.')]


def _snippet(href: str) -> str:
    return f'<link rel="canonical" href="{escape(href[:150])}">'


@site_check(
    "canonical-invalid",
    "error",
    "Canonical URL is invalid",
    "Use one absolute canonical URL that points to a live (200), indexable page.",
)
def canonical_invalid(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for page in site.pages.values():
        if not page.ok_html or not page.canonicals:
            continue
        hrefs = [h for h in page.canonicals]
        if len(set(hrefs)) > 1:
            shown = ", ".join(repr(h) for h in sorted(set(hrefs))[:3])
            yield (
                page.url,
                finding(
                    "canonical-invalid",
                    f"The page has several different canonicals: {shown}.",
                    CANONICAL,
                ),
            )
            continue
        href = hrefs[0]
        if not href or not urlsplit(href).scheme:
            yield (
                page.url,
                finding(
                    "canonical-invalid",
                    f"Canonical {href!r} is relative or empty; use an absolute URL.",
                    CANONICAL,
                    _snippet(href),
                ),
            )
            continue
        target = page.canonical_urls[0]
        if target is None:
            yield (
                page.url,
                finding(
                    "canonical-invalid", f"Canonical {href!r} is not an http(s) URL.", CANONICAL
                ),
            )
            continue
        if target in (page.url, page.final_url):
            continue
        status = site.targets.get(target)
        if status is not None and (status.hops or status.status != 200 or status.error):
            yield (
                page.url,
                finding(
                    "canonical-invalid",
                    f"Canonical {target} does not answer 200: {status.describe_hops()}",
                    CANONICAL,
                    _snippet(href),
                ),
            )
            continue
        target_page = site.pages.get(target)
        if target_page is not None and target_page.noindex:
            yield (
                page.url,
                finding(
                    "canonical-invalid",
                    f"Canonical {target} points at a page set to noindex.",
                    CANONICAL,
                    _snippet(href),
                ),
            )
