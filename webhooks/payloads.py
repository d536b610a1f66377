"""The JSON each event carries: ``{"type", "timestamp", "data"}``, documented with a JSON
Schema in docs/webhooks.md (and docs/webhooks.schema.json, which a test validates against).
No page body: a consumer reads the page from the API detail URL it is given.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from wagtail.api.utils import get_base_url
from wagtail.models import Locale, Page, Site

from audit.models import AuditRun
from cms.errors import InvalidInput
from pages import events
from pages.render_cache import generation as content_version
from webhooks.conf import webhook_setting

PING = "ping"
EVENT_TYPES = (*events.CHANGE_TYPES, PING)


class PayloadTooLarge(InvalidInput):
    """A payload over WEBHOOKS["MAX_PAYLOAD_BYTES"] that cannot be cut down."""


def render(event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    """The body as sent: compact, keys sorted, so one event is always the same bytes."""
    document = {"type": event_type, "timestamp": timestamp.isoformat(), "data": data}
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def render_within_limit(event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    """``render``, cutting a move's list of descendants to fit MAX_PAYLOAD_BYTES (saying so
    in ``descendants_truncated``); PayloadTooLarge if even that does not fit."""
    limit = webhook_setting("MAX_PAYLOAD_BYTES")
    body = render(event_type, timestamp, data)
    descendants = data.get("descendants")
    if len(body.encode()) > limit and descendants:
        data = {**data, "descendants_total": len(descendants), "descendants_truncated": True}
        keep_low, keep_high = 0, len(descendants)
        while keep_low < keep_high:  # the longest prefix that fits
            middle = (keep_low + keep_high + 1) // 2
            trial = render(event_type, timestamp, {**data, "descendants": descendants[:middle]})
            if len(trial.encode()) <= limit:
                keep_low = middle
            else:
                keep_high = middle - 1
        body = render(event_type, timestamp, {**data, "descendants": descendants[:keep_low]})
    if len(body.encode()) > limit:
        raise PayloadTooLarge(f"{event_type} payload is {len(body.encode())} bytes, over {limit}")
    return body


# -- page events ---------------------------------------------------------------------------------


def full_url(url_path: str) -> str | None:
    """The public URL of a page's url_path, from the sites' root paths (works for a page
    that no longer exists, and for a move's old path)."""
    for _site_id, root_path, root_url, _language in Site.get_site_root_paths():
        if url_path.startswith(root_path):
            return root_url.rstrip("/") + "/" + url_path[len(root_path) :]
    return None


def api_detail_url(page_id: int) -> str | None:
    base = get_base_url() or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    try:
        return base.rstrip("/") + reverse("wagtailapi:pages:detail", args=[page_id])
    except NoReverseMatch:
        return None


def page_data(change: events.Change, page_sequence: int) -> dict[str, Any]:
    page: Page = change.page
    content_type = ContentType.objects.get_for_id(page.content_type_id)
    locale = Locale.objects.filter(pk=page.locale_id).values_list("language_code", flat=True)
    data: dict[str, Any] = {
        "page_id": change.page_id,
        "page_type": f"{content_type.app_label}.{content_type.model}",
        "title": page.title,
        "locale": locale.first() or "",
        "url_path": page.url_path,
        "url": full_url(page.url_path),
        "api_url": api_detail_url(change.page_id),
        "revision_id": change.revision_id,
        # Filled in once the change commits (the API's new content version is made then).
        "content_version": None,
        "sequence": page_sequence,
    }
    if change.type == events.PAGE_MOVED:
        detail = change.detail
        data["url_path"] = detail["new_url_path"]
        data["url"] = full_url(detail["new_url_path"])
        data["old_url_path"] = detail["old_url_path"]
        data["old_url"] = full_url(detail["old_url_path"])
        data["descendants"] = [
            {
                **moved,
                "old_url": full_url(moved["old_url_path"]),
                "new_url": full_url(moved["new_url_path"]),
            }
            for moved in detail["descendants"]
        ]
    return data


def with_content_version(body: str) -> str:
    """The body with the current content version, if it still has none (page events)."""
    document = json.loads(body)
    data = document["data"]
    if "content_version" not in data or data["content_version"] is not None:
        return body
    data["content_version"] = content_version()
    return render(document["type"], datetime.fromisoformat(document["timestamp"]), data)


# -- other events --------------------------------------------------------------------------------


def redirect_data(change: events.Change) -> dict[str, Any]:
    return {"redirect_id": change.object_id, **change.detail}


def audit_data(run_id: int) -> dict[str, Any]:
    run = AuditRun.objects.get(pk=run_id)
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return {
        "run_id": run.pk,
        "target": run.target_url,
        "single_page": run.single_page,
        "status": run.status,
        "score": run.score,
        "counts": {
            "error": run.error_count,
            "warning": run.warning_count,
            "notice": run.notice_count,
        },
        "completeness": {
            "pages_done": run.pages_done,
            "pages_known": run.pages_known,
            "complete": run.status == AuditRun.Status.SUCCEEDED
            and run.pages_done >= run.pages_known,
        },
        "admin_url": base + reverse("seo_audits:run", args=[run.pk]),
        "export_urls": {
            fmt: base + reverse("seo_audits:export", args=[run.pk, fmt]) for fmt in ("json", "csv")
        },
    }


def ping_data(endpoint_id: int) -> dict[str, Any]:
    return {"endpoint_id": endpoint_id, "message": "Test event sent from the CMS admin."}
