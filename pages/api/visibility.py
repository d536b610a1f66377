"""What the API may show: live pages outside every private section, judged as an anonymous visitor.

Wagtail's own `get_public_pages_queryset` lets a request through a restriction it satisfies (a
logged-in editor, a password already entered in the session). The API ignores who is asking, so
private pages never appear and every response can be cached publicly.
"""

from __future__ import annotations

import hashlib

from django.db.models import Q
from wagtail.api.validators import SiteFilterValidator
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site
from wagtail.query import PageQuerySet

from pages import render_cache


def restricted_page_paths() -> list[str]:
    """Tree paths of every page with a view restriction (its descendants are private too).
    Site-wide, so kept in the render cache for the current content version (which every
    restriction, page move and publish replaces)."""
    return render_cache.cached(
        "api:restricted-page-paths",
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True).distinct()),
    )


def requested_site(request) -> Site | None:
    """The site a request asks about (`?site=` or the request's host), kept in the render cache
    for the current content version (a Site change replaces it) per host, port and `?site=`.

    Raises ValueError for an ambiguous `?site=` and Http404 for an unknown one (not cached).
    """
    asked = request.GET.get("site")
    # Every header the host is read from (Wagtail's lookup does not apply ALLOWED_HOSTS).
    meta = request.META
    identity = "\n".join(
        (
            asked or "",
            meta.get("HTTP_X_FORWARDED_HOST", ""),
            meta.get("HTTP_HOST", ""),
            meta.get("SERVER_NAME", ""),
            request.get_port() or "",
        )
    )
    return render_cache.cached(
        f"api:site:{hashlib.sha256(identity.encode()).hexdigest()[:32]}",
        lambda: SiteFilterValidator(site=asked, request=request).site_obj,
    )


def public_pages_queryset(
    request, restricted_paths: list[str] | None = None, site: Site | None | object = ...
) -> PageQuerySet:
    """Live, unrestricted pages of the requested site (`?site=` or the request's host), or of
    `site` when given (see `requested_site` for the errors)."""
    if site is ...:
        site = requested_site(request)
    if site is None:
        return Page.objects.none()
    queryset = Page.objects.live().descendant_of(site.root_page, inclusive=True)
    paths = restricted_page_paths() if restricted_paths is None else restricted_paths
    if paths:
        private = Q()
        for path in paths:
            private |= Q(path__startswith=path)
        queryset = queryset.exclude(private)
    return queryset


class PublicPageCheck:
    """Decides in memory whether a page object may be referenced (one query per request)."""

    def __init__(self) -> None:
        self._paths: list[str] | None = None

    @property
    def restricted_paths(self) -> list[str]:
        if self._paths is None:
            self._paths = restricted_page_paths()
        return self._paths

    def is_public(self, page: Page | None) -> bool:
        if page is None or not page.live or page.depth <= 1:
            return False
        return not any(page.path.startswith(path) for path in self.restricted_paths)


def restricted_collection_ids() -> set[int]:
    """Collections with any view restriction, and their descendants."""
    paths = list(
        Collection.objects.filter(
            id__in=CollectionViewRestriction.objects.values("collection_id")
        ).values_list("path", flat=True)
    )
    if not paths:
        return set()
    inside = Q()
    for path in paths:
        inside |= Q(path__startswith=path)
    return set(Collection.objects.filter(inside).values_list("id", flat=True))
