"""Cross-request cache of what every public page needs but rarely changes.

Rendering a page used to ask the database, on every request, for the same site-wide facts:
the clinic details (header, footer, JSON-LD), the main navigation, each page's ancestors
(breadcrumbs), whether any view restriction exists, and walked the page tree level by level
to route the URL. These now live in Django's default cache (shared by every worker in
production: Redis or files), under keys that include a *generation* token. Any change that
could alter them — publishing, unpublishing, saving, moving or deleting a page, saving
ClinicSettings, a Site or a view restriction — replaces the token, so the next request of
every process misses and refills. Nothing per request is cached: the page itself (and its view
count) is read fresh each time.

The token is replaced at once and again when the transaction commits: a request that refilled
the cache from the old rows between the two cannot leave stale entries under the new token.
Entries also expire after ENTRY_TIMEOUT, which bounds staleness for changes that send no
signals (queryset updates) or made in a process whose cache is not shared (local development
with the per-process memory cache).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

GENERATION_KEY = "pages:render:generation"
KEY_PREFIX = "pages:render"
ENTRY_TIMEOUT = 600  # seconds; see the module docstring

T = TypeVar("T")


# -- generation --------------------------------------------------------------------------------


def generation() -> str:
    """The current token; a new one if the cache lost it (after clear() or eviction)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex[:16]
        if not cache.add(GENERATION_KEY, token, None):  # another process set one first
            token = cache.get(GENERATION_KEY) or token
    return token


def invalidate() -> None:
    """Make every cached render entry stale (now and, inside a transaction, after commit)."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex[:16], None)


def cached(name: str, fill: Callable[[], T]) -> T:
    """`fill()`'s value, cached under `name` for the current generation. A None from
    `fill()` is not stored (cache.get cannot tell it from a miss), so it is asked again."""
    key = f"{KEY_PREFIX}:{generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = fill()
        if value is not None:
            cache.set(key, value, ENTRY_TIMEOUT)
    return value


# -- what is cached ----------------------------------------------------------------------------

NAV_FIELDS = ("id", "title", "url_path", "path", "depth")  # what {% pageurl %} needs


def site_chrome(request: HttpRequest | None) -> dict[str, Any]:
    """{"clinic": ClinicSettings, "nav": [Page]} for the request's site (the default site
    without a request); memoised on the request so one render reads the cache once."""
    from wagtail.models import Site

    if request is not None and hasattr(request, "_clinic_site_chrome"):
        return request._clinic_site_chrome
    site = Site.find_for_request(request) if request is not None else None
    site = site or Site.objects.filter(is_default_site=True).select_related("root_page").first()
    chrome = (
        cached(f"chrome:{site.pk}", lambda: _site_chrome(site))
        if site
        else {"clinic": None, "nav": []}
    )
    if request is not None:
        request._clinic_site_chrome = chrome
    return chrome


def _site_chrome(site) -> dict[str, Any]:
    from pages.models import ClinicSettings

    clinic = ClinicSettings.objects.filter(site_id=site.pk).first() or ClinicSettings.for_site(site)
    clinic._state.fields_cache = {}  # do not pickle the site (and its root page) along
    nav = list(
        site.root_page.get_children().live().public().in_menu().only(*NAV_FIELDS).order_by("path")
    )
    return {"clinic": clinic, "nav": nav}


def ancestors(page) -> list:
    """The page's ancestors below the tree root (generic pages with the fields links need)."""
    return cached(
        f"ancestors:{page.pk}",
        lambda: list(page.get_ancestors().filter(depth__gt=1).only(*NAV_FIELDS)),
    )


def any_view_restrictions() -> bool:
    """Whether any page on any site has a view restriction (private pages need the full check)."""
    from wagtail.models import PageViewRestriction

    return cached("restrictions", PageViewRestriction.objects.exists)


def route_hint(url_path: str) -> tuple[int, int] | None:
    """(page id, content type id) of the page at `url_path`, or None. Only a hint: the caller
    checks the page it loads still has this url_path. Misses (404s) are not cached."""
    from wagtail.models import Page

    hint = cached(
        f"route:{hashlib.md5(url_path.encode()).hexdigest()}",  # any length, any characters
        lambda: Page.objects.filter(url_path=url_path).values_list("pk", "content_type_id").first(),
    )
    return tuple(hint) if hint is not None else None


# -- invalidation --------------------------------------------------------------------------------


def _on_page_event(sender, **kwargs) -> None:
    invalidate()


def _on_model_change(sender, instance, **kwargs) -> None:
    from wagtail.models import Page, PageViewRestriction, Site

    from pages.models import ClinicSettings

    if isinstance(instance, Page | Site | ClinicSettings | PageViewRestriction):
        invalidate()


def connect_invalidation_signals() -> None:
    """Called from PagesConfig.ready()."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_on_page_event, dispatch_uid="clinic_render_cache_published")
    page_unpublished.connect(_on_page_event, dispatch_uid="clinic_render_cache_unpublished")
    post_page_move.connect(_on_page_event, dispatch_uid="clinic_render_cache_moved")
    # Any sender: post_save/post_delete name the concrete class (ServicePage, …), and a
    # receiver per page type would miss types added later. The isinstance check is cheap.
    post_save.connect(_on_model_change, dispatch_uid="clinic_render_cache_saved")
    post_delete.connect(_on_model_change, dispatch_uid="clinic_render_cache_deleted")
