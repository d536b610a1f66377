"""The catch-up feed, ``GET /api/v2/events/?after=N&limit=M``: every event an endpoint wants,
by site-wide sequence number, for a consumer that was down longer than the retry schedule.

Authenticated with ``Authorization: Bearer <feed token>`` (the token ``manage.py webhooks add``
or the admin shows once; only its SHA-256 digest is stored). The answer is
``{"items": [{"sequence", "id", "type", "timestamp", "data"}], "next_after", "has_more"}``,
oldest first; ``id`` is the ``webhook-id`` the event was delivered with, so a consumer can drop
what it already has. Events are kept as long as the delivery log (``RETENTION_DAYS``).
A disabled endpoint keeps its feed: catching up is what it needs once it is back.
"""

from __future__ import annotations

import json

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from cms.errors import InvalidInput
from pages import events
from webhooks.conf import webhook_setting
from webhooks.models import Endpoint, Event, token_digest

MAX_LIMIT = 500
# Longer than any number a client means; a longer value is refused before int() reads it.
MAX_DIGITS = 18


class BadParameter(InvalidInput):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def whole_number(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS:
        raise BadParameter(
            name, f"{name} must be a whole number from {low} to {high}, not {raw[:40]!r}."
        )
    value = int(raw)
    if not low <= value <= high:
        raise BadParameter(name, f"{name} must be from {low} to {high}, not {value}.")
    return value


def endpoint_for(request: HttpRequest) -> Endpoint | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return (
        Endpoint.objects.select_related("page_subtree")
        .filter(feed_token_digest=token_digest(token))
        .exclude(feed_token_digest="")
        .first()
    )


def wanted_events(endpoint: Endpoint):
    rows = Event.objects.filter(sequence__isnull=False)
    rows = rows.filter(type__in=endpoint.event_types or events.CHANGE_TYPES)
    if endpoint.page_subtree_id:
        # The same rule as Endpoint.wants: events that are not about a page pass.
        rows = rows.filter(Q(page_path="") | Q(page_path__startswith=endpoint.page_subtree.path))
    return rows


def item(event: Event) -> dict:
    document = json.loads(event.body)
    return {
        "sequence": event.sequence,
        "id": event.webhook_id,
        "type": event.type,
        "timestamp": document["timestamp"],
        "data": document["data"],
    }


def answer(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # Per token: never stored by a shared cache or the browser.
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Authorization"
    return response


@require_GET
def event_feed_view(request: HttpRequest) -> JsonResponse:
    # The parameters first: a malformed request is told what is wrong whoever sends it.
    try:
        after = whole_number(request, "after", 0, 0, 10**MAX_DIGITS - 1)
        limit = whole_number(request, "limit", webhook_setting("FEED_PAGE_SIZE"), 1, MAX_LIMIT)
    except BadParameter as exc:
        return answer({"message": str(exc), "parameter": exc.parameter}, status=400)
    endpoint = endpoint_for(request)
    if endpoint is None:
        response = answer(
            {"message": "Send the endpoint's feed token as 'Authorization: Bearer <token>'."},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="webhook events"'
        return response
    rows = list(
        wanted_events(endpoint).filter(sequence__gt=after).order_by("sequence")[: limit + 1]
    )
    page = rows[:limit]
    return answer(
        {
            "items": [item(event) for event in page],
            "next_after": page[-1].sequence if page else after,
            "has_more": len(rows) > limit,
        }
    )


class EventFeedEndpoint:
    """Mounted by the API router (cms/api.py) like Wagtail's own endpoints."""

    model = Event

    @classmethod
    def get_urlpatterns(cls) -> list:
        return [path("", event_feed_view, name="listing")]
