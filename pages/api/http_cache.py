"""HTTP caching for API responses: shared-cache friendly headers and conditional requests.

Every public 2xx/3xx answer to GET/HEAD gets `Cache-Control: public, max-age=API_CACHE_MAX_AGE`
and a strong ETag of its body; page detail also gets `Last-Modified` (the last publish). A
request whose `If-None-Match` (or, without it, `If-Modified-Since`) matches gets a 304.
Errors are never stored, and previews are private.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date

from pages.api.conf import api_setting

CACHEABLE_STATUSES = frozenset({200, 301, 302})


def finish_public_response(
    request, response: HttpResponse, *, last_modified: datetime | None = None
) -> HttpResponse:
    if request.method not in ("GET", "HEAD") or response.status_code not in CACHEABLE_STATUSES:
        patch_cache_control(response, no_store=True)
        return response
    patch_cache_control(response, public=True, max_age=api_setting("API_CACHE_MAX_AGE"))
    if response.status_code != 200:
        return response
    if hasattr(response, "render"):
        response.render()
    set_response_etag(response)
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response.headers["Last-Modified"] = http_date(timestamp)
    return get_conditional_response(
        request, etag=response.headers["ETag"], last_modified=timestamp, response=response
    )


def finish_private_response(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response
