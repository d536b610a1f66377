"""Frontend-cache purge for the API once a page's publish or unpublish has committed (before,
a reader could put the old answer back in the cache).

Wagtail's `wagtail.contrib.frontend_cache` app already purges the page's HTML URL on publish.
This adds the API URLs that show the page: its detail, the plain listing and its `find` URL.
Nothing happens unless `WAGTAILFRONTENDCACHE` names a purge backend. URLs with other query
strings cannot be purged by exact URL; `API_CACHE_MAX_AGE` bounds how stale those can get.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from wagtail.api.utils import get_base_url
from wagtail.contrib.frontend_cache.utils import get_backends, purge_urls_from_cache
from wagtail.models import Page

from pages.events import PAGE_PUBLISHED, PAGE_UNPUBLISHED, Change, change_committed

API_NAMESPACE = "wagtailapi"


def api_urls_for_page(page: Page) -> list[str]:
    site = page.get_site()
    base = get_base_url() or (site.root_url if site else "")
    try:
        urls = [
            base + reverse(f"{API_NAMESPACE}:pages:detail", args=[page.pk]),
            base + reverse(f"{API_NAMESPACE}:pages:listing"),
        ]
        url_parts = page.get_url_parts()
        if url_parts is not None:
            find = reverse(f"{API_NAMESPACE}:pages:find")
            urls.append(f"{base}{find}?{urlencode({'html_path': url_parts[2]})}")
    except NoReverseMatch:  # the API is not mounted in this URLconf
        return []
    return urls


def purge_page_api_urls(sender, change: Change, **kwargs) -> None:
    if change.type not in (PAGE_PUBLISHED, PAGE_UNPUBLISHED) or not get_backends():
        return
    purge_urls_from_cache(api_urls_for_page(change.page))


def connect_purge_signals() -> None:
    change_committed.connect(purge_page_api_urls, dispatch_uid="clinic_api_purge")
