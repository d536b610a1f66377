"""Turns each change from ``pages.events`` into an Event row and one Delivery row per
endpoint that wants it, inside the change's own transaction (a rolled-back publish leaves
nothing; a crash after the commit loses nothing: the rows are there for the worker or the
sweep). Once the change commits, the first open delivery of each (endpoint, page) is queued.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from pages import events
from webhooks import payloads
from webhooks.models import Counter, Delivery, Endpoint, Event
from webhooks.tasks import queue_new_deliveries

logger = logging.getLogger(__name__)

SITE_COUNTER = "site"


def event_for_change(change: events.Change) -> Event:
    """The Event row of a change, numbered; written now (the caller's transaction)."""
    # The site counter first, then the page's: every transaction takes the locks in that
    # order, so two publishes cannot deadlock.
    sequence = Counter.next(SITE_COUNTER)
    now = timezone.now()
    page_path, page_sequence = "", None
    if change.type in events.PAGE_CHANGE_TYPES:
        page_sequence = Counter.next(f"page:{change.page_id}")
        page_path = change.page.path
        data = payloads.page_data(change, page_sequence)
    elif change.type == events.REDIRECT_CHANGED:
        data = payloads.redirect_data(change)
    else:
        data = payloads.audit_data(change.object_id)
    body = payloads.render_within_limit(change.type, now, data)
    return Event.objects.create(
        sequence=sequence,
        type=change.type,
        created_at=now,
        page_id=change.page_id,
        page_path=page_path,
        page_sequence=page_sequence,
        body=body,
    )


def deliveries_for(event: Event, endpoints=None) -> list[Delivery]:
    endpoints = endpoints if endpoints is not None else Endpoint.objects.filter(enabled=True)
    key = f"page:{event.page_id}" if event.page_id else ""
    rows = [
        Delivery(endpoint=endpoint, event=event, ordering_key=key, next_attempt_at=event.created_at)
        for endpoint in endpoints.select_related("page_subtree")
        if endpoint.wants(event)
    ]
    return Delivery.objects.bulk_create(rows)


def _on_change_recorded(sender, change: events.Change, **kwargs) -> None:
    with transaction.atomic():
        event = event_for_change(change)
        deliveries = deliveries_for(event)
    transaction.on_commit(lambda: _after_commit(event, deliveries))


def _after_commit(event: Event, deliveries: list[Delivery]) -> None:
    body = payloads.with_content_version(event.body)
    if body != event.body:
        Event.objects.filter(pk=event.pk).update(body=body)
    queue_new_deliveries(deliveries)


def connect() -> None:
    """Called from WebhooksConfig.ready()."""
    events.change_recorded.connect(_on_change_recorded, dispatch_uid="webhooks_outbox")
