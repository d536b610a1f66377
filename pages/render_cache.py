"""Cross-request cache of what every public page needs but rarely changes.

Every public page needs the same site-wide facts: the clinic details (header, footer,
JSON-LD), the main navigation, each page's ancestors (breadcrumbs), whether any view
restriction exists, and the page at a URL (instead of walking the page tree level by level).
They live in Django's default cache (shared by every worker in production: Redis or files),
under keys that include a *generation* token. Any change that
could alter them — publishing, unpublishing, saving, moving or deleting a page, saving
ClinicSettings, a Site or a view restriction — replaces the token, so the next request of
every process misses and refills. Nothing per request is cached: the page itself (and its view
count) is read fresh each time.

The token is replaced at once and again when the transaction commits: a request that refilled
the cache from the old rows between the two cannot leave stale entries under the new token.
Entries also expire after ENTRY_TIMEOUT, which bounds staleness for changes that send no
signals (queryset updates) or made in a process whose cache is not shared (local development
with the per-process memory cache).

This module is the generic part (the token, ``cached()``, and page-tree facts that need only
Wagtail's models), so page models can use it; what needs the clinic's own models (the site
chrome with ClinicSettings, and the signals that invalidate) is in ``pages.site_chrome``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from wagtail.models import Page, PageViewRestriction

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


# -- page-tree facts (Wagtail models only) ------------------------------------------------

NAV_FIELDS = ("id", "title", "url_path", "path", "depth")  # what {% pageurl %} needs


def ancestors(page) -> list:
    """The page's ancestors below the tree root (generic pages with the fields links need)."""
    return cached(
        f"ancestors:{page.pk}",
        lambda: list(page.get_ancestors().filter(depth__gt=1).only(*NAV_FIELDS)),
    )


def any_view_restrictions() -> bool:
    """Whether any page on any site has a view restriction (private pages need the full check)."""
    return cached("restrictions", PageViewRestriction.objects.exists)


def route_hint(url_path: str) -> tuple[int, int] | None:
    """(page id, content type id) of the page at `url_path`, or None. Only a hint: the caller
    checks the page it loads still has this url_path. Misses (404s) are not cached."""
    hint = cached(
        f"route:{hashlib.md5(url_path.encode()).hexdigest()}",  # any length, any characters
        lambda: Page.objects.filter(url_path=url_path).values_list("pk", "content_type_id").first(),
    )
    return tuple(hint) if hint is not None else None
