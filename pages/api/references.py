"""How one page points at another in the API (parent, breadcrumbs, call-to-action targets)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch
from wagtail.api.utils import get_full_url
from wagtail.models import Page

from pages.api.visibility import PublicPageCheck

PUBLIC_CHECK_KEY = "clinic_public_page_check"
REFERENCES_KEY = "clinic_page_references"


def public_page_check(context: dict[str, Any]) -> PublicPageCheck:
    """The request's shared checker, so private sections are loaded once per response."""
    check = context.get(PUBLIC_CHECK_KEY)
    if check is None:
        check = context[PUBLIC_CHECK_KEY] = PublicPageCheck()
    return check


_NOT_YET = object()


def page_full_url(page: Page, request) -> str | None:
    """The page's public URL, worked out once per page object: a listing item shows it as
    `html_url`, in its breadcrumbs and as the canonical URL, and each costs a site lookup."""
    url = page.__dict__.get("_clinic_full_url", _NOT_YET)
    if url is _NOT_YET:
        try:
            url = page.get_full_url(request)
        except NoReverseMatch:
            url = None
        page.__dict__["_clinic_full_url"] = url
    return url


def page_type_name(page: Page) -> str:
    model = page.specific_class or type(page)
    return f"{model._meta.app_label}.{model.__name__}"


def page_reference(page: Page, context: dict[str, Any]) -> dict[str, Any]:
    """The shape Wagtail uses for `parent`: id, meta (type, detail_url, html_url), title.
    Worked out once per page and response: a listing's breadcrumbs repeat the same sections."""
    memo = context.setdefault(REFERENCES_KEY, {})
    if page.pk not in memo:
        memo[page.pk] = _page_reference(page, context)
    return memo[page.pk]


def _page_reference(page: Page, context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    router = context.get("router")
    meta: dict[str, Any] = {"type": page_type_name(page)}
    if router is not None:
        meta["detail_url"] = get_full_url(request, router.get_object_detail_urlpath(Page, page.pk))
    meta["html_url"] = page_full_url(page, request)
    return {"id": page.pk, "meta": meta, "title": page.title}
