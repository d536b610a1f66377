"""The sitemap and robots.txt as a whole: findings about the site, on its start URL."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import EngineConfig
from ..results import Finding
from ..sitemaps import STOPPED, path_of
from .registry import finding, site_check
from .site import SiteView, TargetStatus

NAMED = 5  # URLs named in one finding; the rest are counted


def _named(urls: list[str], total: int | None = None) -> str:
    total = len(urls) if total is None else total
    more = f" and {total - NAMED} more" if total > NAMED else ""
    return ", ".join(urls[:NAMED]) + more


@site_check(
    "sitemap-out-of-scope",
    "warning",
    "Sitemap lists URLs on another host or port",
    "List the site's own URLs (same scheme, host and port as the site) in its sitemap; "
    "a sitemap built with the wrong base URL (a dev port, an old domain) is ignored by "
    "search engines.",
)
def sitemap_out_of_scope(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    count = site.sitemap_out_of_scope_count
    if count:
        yield (
            site.start_url,
            finding(
                "sitemap-out-of-scope",
                f"The sitemap lists {count} URL{'s' if count != 1 else ''} outside "
                f"{site.start_url} (not crawled): {_named(site.sitemap_out_of_scope, count)}.",
            ),
        )


def _not_ok(status: TargetStatus) -> str | None:
    """Why a sitemap URL is not a page that answers 200 itself, or None."""
    if status.failed is not None:
        return status.failed.value
    if status.hops:
        return f"redirects to {status.final_url}"
    if status.status is not None and status.status != 200:
        return f"HTTP {status.status}"
    if status.error:
        return status.error
    return None


@site_check(
    "sitemap-url-not-ok",
    "warning",
    "Sitemap lists URLs that redirect or fail",
    "List only final URLs that answer 200: replace redirected URLs with their targets and "
    "drop removed pages.",
)
def sitemap_url_not_ok(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    bad = []
    for url in sorted(site.sitemap_urls):
        status = site.targets.get(url)
        why = _not_ok(status) if status is not None else None
        if why:
            bad.append(f"{url} ({why})")
    if bad:
        yield (
            site.start_url,
            finding(
                "sitemap-url-not-ok",
                f"{len(bad)} sitemap URL{'s' if len(bad) != 1 else ''} do not answer 200: "
                f"{_named(bad)}.",
            ),
        )


@site_check(
    "sitemap-missing-page",
    "notice",
    "Indexable pages are missing from the sitemap",
    "Add every page you want found to the sitemap (or mark the page noindex).",
)
def sitemap_missing_page(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    # A sitemap built with another base URL (another host or port) still lists the site's
    # pages: those are compared by path, as sitemap-out-of-scope reports the base URL.
    elsewhere = site.sitemap.out_of_scope_paths if site.sitemap is not None else set()
    if not site.sitemap_urls and not elsewhere:
        return  # no sitemap (or an empty one): nothing to compare with
    missing = sorted(
        url
        for url, page in site.pages.items()
        if page.ok_html
        and page.status == 200
        and not page.noindex
        and url not in site.sitemap_urls
        and (page.final_url is None or page.final_url == url)
        and path_of(url) not in elsewhere
    )
    if missing:
        yield (
            site.start_url,
            finding(
                "sitemap-missing-page",
                f"{len(missing)} indexable page{'s' if len(missing) != 1 else ''} crawled "
                f"but not in the sitemap{site.partial_note()}: {_named(missing)}.",
            ),
        )


@site_check(
    "robots-txt-missing",
    "notice",
    "robots.txt is missing or unreadable",
    "Serve /robots.txt (200, text/plain) with at least the Sitemap: line, so crawlers "
    "find the sitemap and read the rules you mean.",
)
def robots_txt_missing(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    if site.robots is None or site.robots.status == 200:
        return
    status = site.robots.status
    what = f"answered HTTP {status}" if status is not None else "gave no answer"
    yield (
        site.start_url,
        finding("robots-txt-missing", f"robots.txt {what}; crawlers read it as 'no rules'."),
    )


@site_check(
    "sitemap-off-site",
    "warning",
    "robots.txt names a sitemap on another host or port",
    "Serve the sitemap from the site's own host and port (or list that host among the "
    "audit's extra hosts if it is yours): search engines read only sitemaps they may "
    "verify for the site.",
)
def sitemap_off_site(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for url, read in site.sitemap.off_site if site.sitemap is not None else ():
        outcome = (
            "read, as its host is in the audit's scope"
            if read
            else "not read: its host is outside the audit's scope"
        )
        yield (
            site.start_url,
            finding(
                "sitemap-off-site",
                f"robots.txt names the sitemap {url}, on another host or port than "
                f"{site.start_url} ({outcome}).",
            ),
        )


@site_check(
    "sitemap-truncated",
    "warning",
    "A sitemap was cut short at a limit",
    "Split the sitemap into files under 50 MB and 50,000 URLs each, listed by a sitemap "
    "index (a file past the protocol's limits is cut off by search engines too).",
)
def sitemap_truncated(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    why = site.sitemap.truncated if site.sitemap is not None else None
    if why and why != STOPPED:  # the run's time budget or cancel is not the sitemap's fault
        yield (
            site.start_url,
            finding(
                "sitemap-truncated",
                f"Sitemaps read only in part: {why}; pages listed after the cut are not "
                "compared with the crawl.",
            ),
        )
