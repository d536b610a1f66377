"""Site-wide checks over all pages: duplicate titles and descriptions, orphan pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..config import EngineConfig
from ..results import Finding
from .registry import finding, site_check
from .site import PageSummary, SiteView, urls_of


def _duplicates(
    site: SiteView, values: dict[str, list[str]]
) -> Iterator[tuple[PageSummary, str, list[str]]]:
    groups: dict[str, list[PageSummary]] = defaultdict(list)
    for page in site.pages.values():
        texts = values.get(page.url)
        # A noindex page is never in search results: sharing its title with others is fine.
        if page.ok_html and not page.noindex and texts and texts[0].strip():
            groups[" ".join(texts[0].split()).casefold()].append(page)
    for pages in groups.values():
        if len(pages) > 1:
            for page in pages:
                others = [p.url for p in pages if p is not page]
                yield page, values[page.url][0], others


def _others(urls: list[str]) -> str:
    more = f" and {len(urls) - 3} more" if len(urls) > 3 else ""
    return ", ".join(urls[:3]) + more


@site_check(
    "title-duplicate",
    "warning",
    "Title is used by other pages",
    "Give each page its own title that says how it differs from the others.",
)
def title_duplicate(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    titles = {page.url: page.titles for page in site.pages.values()}
    for page, title, others in _duplicates(site, titles):
        yield (
            page.url,
            finding(
                "title-duplicate",
                f"Title {title!r} is also used by {_others(others)}{site.partial_note()}.",
                "title",
            ),
        )


@site_check(
    "meta-description-duplicate",
    "warning",
    "Meta description is used by other pages",
    "Write a description for each page that summarises that page only.",
)
def description_duplicate(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    descriptions = {
        page.url: [d for d in page.descriptions if d.strip()] for page in site.pages.values()
    }
    for page, _text, others in _duplicates(site, descriptions):
        yield (
            page.url,
            finding(
                "meta-description-duplicate",
                f"The meta description is also used by {_others(others)}{site.partial_note()}.",
                'meta[name="description"]',
            ),
        )


@site_check(
    "orphan-page",
    "warning",
    "Page in the sitemap is not linked from the site",
    "Link to the page from a relevant page or menu, or drop it from the sitemap.",
)
def orphan_page(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    if not site.sitemap_urls:
        return
    linked: set[str] = set()
    for page in site.pages.values():
        targets = set(urls_of(page.links))
        targets.discard(page.url)  # a link to itself does not stop a page being an orphan
        if page.final_url is not None:
            targets.discard(page.final_url)
        linked |= targets
    # A linked URL that redirects also links the page it ends on.
    for target in list(linked):
        status = site.targets.get(target)
        if status is not None and status.final_url:
            linked.add(status.final_url)
    for url in sorted(site.sitemap_urls):
        page = site.pages.get(url)
        if url == site.start_url or page is None or not page.ok_html:
            continue
        if url not in linked:
            yield (
                url,
                finding("orphan-page", _orphan_message(site)),
            )


def _orphan_message(site: SiteView) -> str:
    if site.crawl_complete:
        return "The sitemap lists this page but no crawled page links to it."
    # A partial crawl has not seen every link: say what the claim rests on.
    return (
        "The sitemap lists this page but it is not linked from any of the "
        f"{len(site.pages)} pages crawled (the crawl was partial; a page not crawled may "
        "link to it)."
    )
