"""Which Wagtail page a crawled URL belongs to, resolved the way Wagtail routes requests.

The site is chosen like ``Site.find_for_request``: exact hostname and port, else the only
site with that hostname, else the default site. Within the site the URL path is matched
against live pages' ``url_path`` below the site's root. Built once per run: one query per site.

A page of the static front end built from this CMS names its source page itself (the meta
tag the engine reports as ``PageReport.source_id``): ``page_id_for_source``.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from wagtail.models import Page, Site

DEFAULT_PORTS = {"http": 80, "https": 443}
# Page models -> the engine's page types (audit.engine.config.PAGE_TYPES); other models
# (the home page) have none.
PAGE_TYPE_OF_MODEL = {
    "articlepage": "article",
    "servicepage": "service",
    "articleindexpage": "listing",
    "serviceindexpage": "listing",
}


class PageLocator:
    def __init__(self) -> None:
        self._sites = list(Site.objects.select_related("root_page"))
        self._paths: dict[int, dict[str, int]] = {}
        self._types: dict[int, str] = {}  # page id -> page type, for pages that have one
        self._live_ids: set[int] | None = None  # every live page of every site, when asked

    def _site_for(self, host: str, port: int) -> Site | None:
        exact = [s for s in self._sites if s.hostname.lower() == host and s.port == port]
        if exact:
            return exact[0]
        by_host = [s for s in self._sites if s.hostname.lower() == host]
        if len(by_host) == 1:
            return by_host[0]
        return next((s for s in self._sites if s.is_default_site), None)

    def _paths_for(self, site: Site) -> dict[str, int]:
        if site.pk not in self._paths:
            root = site.root_page.url_path  # e.g. "/home/"
            rows = Page.objects.live().filter(url_path__startswith=root)
            paths = self._paths[site.pk] = {}
            for page_id, url_path, model in rows.values_list(
                "id", "url_path", "content_type__model"
            ):
                paths[url_path[len(root) - 1 :]] = page_id
                if model in PAGE_TYPE_OF_MODEL:
                    self._types[page_id] = PAGE_TYPE_OF_MODEL[model]
        return self._paths[site.pk]

    def page_type_of(self, page_id: int | None) -> str | None:
        """The page type of a page this locator has found, from its model; None without one."""
        return self._types.get(page_id) if page_id is not None else None

    def page_types_by_path(self) -> dict[str, str]:
        """URL path -> page type of every live page of every site. A path two sites give
        different types is left out: the engine matches pages by path alone."""
        found: dict[str, str] = {}
        clashing: set[str] = set()
        for site in self._sites:
            for path, page_id in self._paths_for(site).items():
                kind = self._types.get(page_id)
                if kind is None:
                    continue
                if found.setdefault(path, kind) != kind:
                    clashing.add(path)
        return {path: kind for path, kind in found.items() if path not in clashing}

    def page_id_for(self, url: str) -> int | None:
        """The id of the live Wagtail page served at ``url``, or None."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            return None
        site = self._site_for(parts.hostname.lower(), port)
        if site is None:
            return None
        path = unquote(parts.path or "/")
        if not path.endswith("/"):
            path += "/"
        return self._paths_for(site).get(path)

    def page_id_for_source(self, source_id: str | None) -> int | None:
        """The live page a front end names as a page's source (its ``cms-page-id`` meta
        tag), or None when the value is no id of a live page of this CMS's sites."""
        if not source_id or not source_id.isascii() or not source_id.isdigit():
            return None
        if self._live_ids is None:
            self._live_ids = {
                page_id for site in self._sites for page_id in self._paths_for(site).values()
            }
        page_id = int(source_id)
        return page_id if page_id in self._live_ids else None
