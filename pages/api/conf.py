"""API settings: defaults live here, overrides in Django settings (one place each)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds browsers and shared caches may reuse a public API response.
    "API_CACHE_MAX_AGE": 60,
    # Page listing and detail served from the shared cache per content version
    # (pages/api/response_cache.py); False computes every answer.
    "API_RESPONSE_CACHE": True,
    # Seconds a view count may lag behind in an answer to a conditional request (304).
    "API_VIEW_COUNT_MAX_AGE": 10,
    # Renditions offered for every image in the API: name -> Wagtail filter spec.
    "API_IMAGE_RENDITIONS": {
        "thumbnail": "fill-400x300",
        "medium": "width-800",
        "large": "width-1600",
    },
    # Front-end URL that receives headless previews; empty keeps Wagtail's own HTML preview.
    "HEADLESS_PREVIEW_URL": "",
    # How long a preview token stays valid, in seconds.
    "HEADLESS_PREVIEW_TOKEN_MAX_AGE": 24 * 60 * 60,
}


def api_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def headless_preview_url() -> str:
    """The configured front-end preview URL with a trailing slash, or "" when preview is off."""
    url = (api_setting("HEADLESS_PREVIEW_URL") or "").strip()
    return url.rstrip("/") + "/" if url else ""
