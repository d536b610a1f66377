"""POST /api/v2/pages/<id>/view/: headless front ends report a page view.

The same rules as the HTML page apply (it calls the same `record_view`); the answer carries the
page's new total so the front end can show it. Call it from the reader's browser (e.g.
`navigator.sendBeacon(url)` or `fetch(url, {method: "POST", keepalive: true})`), not from a
server, so the reader's address and User-Agent are the ones judged.
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page

from pageviews.conf import ViewCountSettings, view_count_settings
from pageviews.readers import client_ip, daily_salt, reader_hash
from pageviews.service import Channel, record_view, view_total

RATE_KEY_PREFIX = "page-views:beacon:"
LARGEST_PAGE_ID = 2**63 - 1


@csrf_exempt  # anonymous, cross-origin, and it can only ever add one rule-checked view
@never_cache
@require_POST
def page_view_beacon(request: HttpRequest, page_id: int) -> JsonResponse:
    config = view_count_settings()
    retry_after = _rate_limited(request, config)
    if retry_after:
        return JsonResponse(
            {"error": f"Too many view reports; try again in {retry_after} seconds."},
            status=429,
            headers={"Retry-After": str(retry_after)},
        )
    # Only pages a reader could see: live, and no privacy restriction on it or its ancestors.
    # An id past the largest the database stores is no page (the query would fail).
    page = None
    if page_id <= LARGEST_PAGE_ID:
        page = Page.objects.live().public().filter(pk=page_id).first()
    if page is None:
        return JsonResponse({"error": f"No published public page with id {page_id}."}, status=404)
    url_parts = page.get_url_parts(request)
    decision = record_view(
        request, page, channel=Channel.BEACON, path=url_parts[2] if url_parts else ""
    )
    return JsonResponse(
        {
            "id": page.pk,
            "view_count": view_total(page.pk) if decision.total is None else decision.total,
            "counted": decision.counted,
            "reason": decision.outcome.value,
        }
    )


def _rate_limited(request: HttpRequest, config: ViewCountSettings) -> int:
    """Seconds until this client may report again (0 = go ahead); fixed windows per address."""
    limit, window = config.BEACON_RATE_LIMIT, config.BEACON_RATE_WINDOW
    if not limit or not window:
        return 0
    cache = caches[config.CACHE_ALIAS]
    now = int(time.time())
    window_index, elapsed = divmod(now, window)
    salt = daily_salt(cache, timezone.localdate())
    key = f"{RATE_KEY_PREFIX}{reader_hash(salt, client_ip(request, config.CLIENT_IP_HEADER))}"
    key = f"{key}:{window_index}"
    cache.add(key, 0, window + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 1)
        used = 1
    return window - elapsed if used > limit else 0
