"""The site chrome every public page shows (clinic details, main navigation), cached across
requests with ``pages.render_cache``, and the signals that drop the render cache whenever
something it holds may have changed (a change from ``pages.events``: publish, unpublish, move,
delete; and a save of a page, ClinicSettings, a Site or a view restriction).
``connect_invalidation_signals()`` is called from PagesConfig.ready().
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from wagtail.models import Page, PageViewRestriction, Site

from pages.events import change_recorded
from pages.models import ClinicSettings
from pages.render_cache import NAV_FIELDS, cached, invalidate


def site_chrome(request: HttpRequest | None) -> dict[str, Any]:
    """{"clinic": ClinicSettings, "nav": [Page]} for the request's site (the default site
    without a request); memoised on the request so one render reads the cache once."""
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


def _site_chrome(site: Site) -> dict[str, Any]:
    clinic = ClinicSettings.objects.filter(site_id=site.pk).first() or ClinicSettings.for_site(site)
    clinic._state.fields_cache = {}  # do not pickle the site (and its root page) along
    clinic.share_image  # noqa: B018 -- loaded now, so it is cached with the clinic, not per page
    nav = list(
        site.root_page.get_children().live().public().in_menu().only(*NAV_FIELDS).order_by("path")
    )
    return {"clinic": clinic, "nav": nav}


# -- invalidation --------------------------------------------------------------------------------


def _on_change(sender, change, **kwargs) -> None:
    # At once and again on commit (invalidate() does both), inside the change's transaction.
    invalidate()


def _on_model_change(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page | Site | ClinicSettings | PageViewRestriction):
        invalidate()


def connect_invalidation_signals() -> None:
    """Called from PagesConfig.ready()."""
    change_recorded.connect(_on_change, dispatch_uid="clinic_render_cache_changed")
    # Any sender: post_save/post_delete name the concrete class (ServicePage, …), and a
    # receiver per page type would miss types added later. The isinstance check is cheap.
    post_save.connect(_on_model_change, dispatch_uid="clinic_render_cache_saved")
    post_delete.connect(_on_model_change, dispatch_uid="clinic_render_cache_deleted")
