"""JSON-LD for public pages: the clinic (MedicalBusiness), the page itself and its breadcrumbs."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


def clinic_json_ld(clinic, site_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "MedicalBusiness",
        "@id": f"{site_url}/#clinic",
        "name": clinic.name,
        "url": f"{site_url}/",
    }
    if clinic.phone:
        data["telephone"] = clinic.phone
    if clinic.email:
        data["email"] = clinic.email
    address = {
        "@type": "PostalAddress",
        "streetAddress": clinic.street_address,
        "addressLocality": clinic.locality,
        "addressRegion": clinic.region,
        "postalCode": clinic.postal_code,
        "addressCountry": clinic.country,
    }
    address = {key: value for key, value in address.items() if value}
    if len(address) > 1:
        data["address"] = address
    if clinic.opening_hours_list:
        data["openingHours"] = clinic.opening_hours_list
    if clinic.social_links:
        data["sameAs"] = [url for _, url in clinic.social_links]
    return data


def breadcrumbs_json_ld(page, request: HttpRequest | None) -> dict[str, Any]:
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.title,
                "item": crumb.get_full_url(request),
            }
            for position, crumb in enumerate(page.breadcrumbs, start=1)
        ],
    }


def page_json_ld(page, request: HttpRequest | None, clinic, image_url: str = "") -> dict[str, Any]:
    url = page.canonical_for(request)
    site_url = _site_root_url(page, request)
    kind = getattr(page, "json_ld_type", "MedicalWebPage")
    node: dict[str, Any] = {
        "@type": kind,
        "@id": f"{url}#page",
        "url": url,
        "name": page.title,
        "headline": page.title[:110],
        "description": page.meta_description,
        "inLanguage": "en-GB",
        "publisher": {"@id": f"{site_url}/#clinic"},
    }
    if image_url:
        node["image"] = image_url
    if page.last_published_at:
        node["dateModified"] = page.last_published_at.isoformat()
    if kind == "Article":
        node["author"] = {"@type": "Person", "name": page.author}
        if page.date:  # a draft in preview may not have its date yet
            node["datePublished"] = page.date.isoformat()
        node["mainEntityOfPage"] = url
    else:
        node["breadcrumb"] = {"@id": f"{url}#breadcrumbs"}
    if kind == "MedicalWebPage":
        node["about"] = {"@type": "MedicalTherapy", "name": page.title}
    view_count = getattr(page, "view_count", None)
    if isinstance(view_count, int):
        node["interactionStatistic"] = {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/ReadAction",
            "userInteractionCount": view_count,
        }
    breadcrumbs = breadcrumbs_json_ld(page, request)
    breadcrumbs["@id"] = f"{url}#breadcrumbs"
    return {
        "@context": "https://schema.org",
        "@graph": [clinic_json_ld(clinic, site_url), node, breadcrumbs],
    }


def _site_root_url(page, request: HttpRequest | None) -> str:
    """The page's site root URL; Site.find_for_request caches the site on the request."""
    from wagtail.models import Site

    site = Site.find_for_request(request) if request is not None else None
    site = site or page.get_site()
    return site.root_url if site else ""


def dump_json_ld(data: dict[str, Any]) -> SafeString:
    """JSON safe inside <script>: no '</script>' or HTML comment can break out."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)
