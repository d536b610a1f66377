"""Sending deliveries through django-tasks (``db_worker`` by default; RQ for scale-out).

``deliver(delivery_id)`` makes one attempt. A failure is retried after the next wait of
RETRY_SCHEDULE (with jitter): queued with ``run_after`` on backends that can defer, and
picked up by ``send_due_deliveries()`` (the scheduler's tick, ``manage.py webhooks
send-due``) everywhere, which also re-sends a delivery whose worker died mid-attempt once
its claim has lapsed. Deliveries to one endpoint with the same ordering key (one page) go one
at a time, oldest first: a later one waits while an earlier one is open.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta

from django.core.mail import mail_managers
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django_tasks import default_task_backend, task

from webhooks import sending
from webhooks.conf import webhook_setting
from webhooks.models import Delivery, Endpoint, Event
from webhooks.payloads import PING, ping_data, render

logger = logging.getLogger(__name__)
State = Delivery.State
# How long one task keeps sending the following deliveries of a page before it queues the rest
# (so other endpoints' and pages' deliveries get the worker too).
DRAIN_SECONDS = 5.0
FOLLOWING_BATCH = 100  # following deliveries read per query
CLAIM_MARGIN = timedelta(seconds=5)  # for resolving the endpoint's name and recording the result


def claim_length() -> timedelta:
    """How long a worker holds a delivery: past the longest an attempt can take (connecting,
    the answer's headers and the last chunk of its excerpt are each bounded by TIMEOUT), so
    a delivery is sent again only once the worker that took it must be gone."""
    return 3 * timedelta(seconds=webhook_setting("TIMEOUT")) + CLAIM_MARGIN


@task()
def deliver(delivery_id: int) -> str:
    """One attempt at a delivery, if it is due, its endpoint enabled and nothing earlier for
    the same page is still open; then, for up to DRAIN_SECONDS, the attempts at the same
    page's following deliveries to that endpoint that are due (running a task costs a worker
    more than sending one event, and a run of events of one page is common: a busy page, or
    a backlog after an outage). Returns what happened (for the task log)."""
    deadline = time.monotonic() + DRAIN_SECONDS
    trusted = sending.trusted_hosts()  # read once per task, not per attempt
    row = _claim_first(delivery_id)
    if isinstance(row, str):
        return row
    following: list[Delivery] = []
    sent = 0
    while True:
        result = _send(row, trusted)
        sent += 1
        outcome = "succeeded" if result.ok else f"failed: {result.error}"
        finished = result.ok or row.attempts > len(webhook_setting("RETRY_SCHEDULE"))
        if finished and not following:
            following = _following(row)
        upcoming = following.pop(0) if finished and following else None
        now = timezone.now()
        # The next one goes on in this task only if it is due and there is time left.
        go_on = (
            upcoming is not None
            and time.monotonic() <= deadline
            and (upcoming.next_attempt_at is None or upcoming.next_attempt_at <= now)
        )
        # The outcome and the next claim in one transaction (one commit per event): a worker
        # killed in between leaves either this delivery "sending" (sent again once its claim
        # lapses) or the next one claimed (the same), never a delivery no one will send.
        with transaction.atomic():
            retry_at = _record(row, result, now)
            claimed = go_on and _claim(upcoming, now)
        if not result.ok:
            _note_failure(row.endpoint, now)
        if retry_at is not None:
            _enqueue(row.pk, retry_at)
        if not claimed:
            if upcoming is not None:
                _enqueue(upcoming.pk, upcoming.next_attempt_at)
            break
        upcoming.endpoint = row.endpoint  # the same endpoint: read once per task
        upcoming.attempts += 1
        row = upcoming
    return outcome if sent == 1 else f"{outcome} (last of {sent} deliveries)"


def _claim_first(delivery_id: int) -> Delivery | str:
    """The delivery, claimed for this worker; or why it is not sent now."""
    now = timezone.now()
    row = Delivery.objects.filter(pk=delivery_id).select_related("endpoint", "event").first()
    if row is None:
        return "missing"
    if row.state not in Delivery.OPEN_STATES:
        return f"already {row.state}"
    if not row.endpoint.enabled:
        return "endpoint disabled"
    if _earlier_open(row).exists():
        return "waiting for an earlier delivery of the same page"
    if not _claim(row, now):
        return "not due or taken by another worker"
    row.attempts += 1
    return row


def _claim(row: Delivery, now: datetime) -> bool:
    """Takes an open, due, unclaimed delivery of an enabled endpoint for this worker."""
    return bool(
        Delivery.objects.filter(pk=row.pk, state__in=Delivery.OPEN_STATES)
        .filter(Exists(Endpoint.objects.filter(pk=OuterRef("endpoint_id"), enabled=True)))
        .exclude(claimed_until__gt=now)
        .exclude(next_attempt_at__gt=now)
        .update(state=State.SENDING, claimed_until=now + claim_length(), attempts=F("attempts") + 1)
    )


def _send(row: Delivery, trusted: tuple[str, ...]) -> sending.AttemptResult:
    event = row.event
    return sending.attempt(
        row.endpoint.url,
        row.endpoint.signing_secrets(),
        event.webhook_id,
        timezone.now(),
        event.body,
        trusted_hosts=trusted,
    )


def _earlier_open(row: Delivery) -> QuerySet[Delivery]:
    if not row.ordering_key:
        return Delivery.objects.none()
    return Delivery.objects.filter(
        endpoint_id=row.endpoint_id,
        ordering_key=row.ordering_key,
        state__in=Delivery.OPEN_STATES,
        pk__lt=row.pk,
    )


def _record(row: Delivery, result: sending.AttemptResult, now: datetime) -> datetime | None:
    """Stores the attempt: succeeded, failed for good, or pending until its retry. Returns
    the time of the retry, for the caller to queue."""
    fields = {
        "last_status_code": result.status_code,
        "last_error": result.error[:500],
        "last_duration_ms": result.duration_ms,
        "response_excerpt": result.excerpt,
        "claimed_until": None,
    }
    schedule = webhook_setting("RETRY_SCHEDULE")
    retry_at = None
    if result.ok:
        fields.update(state=State.SUCCEEDED, finished_at=now, next_attempt_at=None)
        if row.endpoint.failing_since is not None:  # most successes follow a success
            Endpoint.objects.filter(pk=row.endpoint_id).update(failing_since=None)
            row.endpoint.failing_since = None
    elif row.attempts <= len(schedule):
        jitter = webhook_setting("JITTER")
        wait = schedule[row.attempts - 1] * random.uniform(1 - jitter, 1 + jitter)
        retry_at = now + timedelta(seconds=wait)
        fields.update(state=State.PENDING, next_attempt_at=retry_at)
    else:
        fields.update(state=State.FAILED, finished_at=now, next_attempt_at=None)
    Delivery.objects.filter(pk=row.pk).update(**fields)
    return retry_at


def _note_failure(endpoint: Endpoint, now) -> None:
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    endpoint.refresh_from_db(fields=["failing_since", "enabled"])
    limit = timedelta(days=webhook_setting("DISABLE_AFTER_DAYS"))
    if endpoint.enabled and endpoint.failing_since and now - endpoint.failing_since >= limit:
        disable_endpoint(endpoint, now)


def disable_endpoint(endpoint: Endpoint, now) -> None:
    reason = (
        f"Disabled automatically on {now:%Y-%m-%d %H:%M} UTC: every delivery has failed since "
        f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC."
    )
    if not Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_at=now, disabled_reason=reason
    ):
        return  # disabled meanwhile: one notice only
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)
    try:
        mail_managers(
            f"Webhook endpoint disabled: {endpoint.url}",
            f"{reason}\n\nRe-enable it in the CMS admin (Settings > Webhooks) once it answers.",
        )
    except Exception:  # the endpoint is disabled either way; a mail outage must not undo it
        logger.exception("webhook endpoint %s: the notice e-mail failed", endpoint.pk)


def _enqueue(delivery_id: int, when=None) -> None:
    if when is not None and when > timezone.now():
        if default_task_backend.supports_defer:
            deliver.using(run_after=when).enqueue(delivery_id)
        # Otherwise send_due_deliveries() sends it once it is due.
        return
    deliver.enqueue(delivery_id)


def _following(row: Delivery) -> list[Delivery]:
    """The same page's next open deliveries to that endpoint, oldest first, with their events
    (one query for a run of them)."""
    if not row.ordering_key:
        return []
    return list(
        Delivery.objects.filter(
            endpoint_id=row.endpoint_id,
            ordering_key=row.ordering_key,
            state=State.PENDING,
            pk__gt=row.pk,
        )
        .select_related("event")
        .order_by("pk")[:FOLLOWING_BATCH]
    )


def queue_new_deliveries(rows: list[Delivery]) -> None:
    """Queue the deliveries of one new event (one per endpoint, one ordering key), except
    those an earlier open delivery of the same page holds back: one query for all of them."""
    if not rows:
        return
    held = set()
    if rows[0].ordering_key:
        held = set(
            Delivery.objects.filter(
                endpoint_id__in=[row.endpoint_id for row in rows],
                ordering_key=rows[0].ordering_key,
                state__in=Delivery.OPEN_STATES,
                pk__lt=min(row.pk for row in rows),
            ).values_list("endpoint_id", flat=True)
        )
    for row in rows:
        if row.endpoint_id not in held:
            _enqueue(row.pk, row.next_attempt_at)


def queue_deliveries(deliveries: QuerySet[Delivery]) -> None:
    """Queue each open delivery of the set that nothing earlier of its page holds back."""
    for row in deliveries.filter(state=State.PENDING).order_by("pk"):
        if not _earlier_open(row).exists():
            _enqueue(row.pk, row.next_attempt_at)


def send_due_deliveries() -> int:
    """Queue every delivery that is due, and those whose worker died mid-attempt. Returns how
    many were queued."""
    now = timezone.now()
    lapsed = Delivery.objects.filter(state=State.SENDING, claimed_until__lt=now)
    lapsed.update(state=State.PENDING, claimed_until=None, next_attempt_at=now)
    due = Delivery.objects.filter(
        state=State.PENDING, endpoint__enabled=True, next_attempt_at__lte=now
    )
    count = 0
    for row in due.order_by("pk"):
        if not _earlier_open(row).exists():
            deliver.enqueue(row.pk)
            count += 1
    return count


def redeliver(delivery: Delivery) -> Delivery:
    """A new delivery of the same event to the same endpoint (same webhook-id: consumers
    that already have it drop it), queued on commit."""
    with transaction.atomic():
        copy = Delivery.objects.create(
            endpoint=delivery.endpoint,
            event=delivery.event,
            ordering_key=delivery.ordering_key,
            next_attempt_at=timezone.now(),
        )
        transaction.on_commit(lambda: queue_deliveries(Delivery.objects.filter(pk=copy.pk)))
    return copy


def redeliver_failed(endpoint: Endpoint, since) -> int:
    failed = endpoint.deliveries.filter(state=State.FAILED, created_at__gte=since)
    rows = list(failed.select_related("endpoint", "event").order_by("pk"))
    for row in rows:
        redeliver(row)
    return len(rows)


def send_ping(endpoint: Endpoint) -> Delivery:
    """A ``ping`` event for this endpoint only (not in the feed), queued on commit."""
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            type=PING, created_at=now, body=render(PING, now, ping_data(endpoint.pk))
        )
        delivery = Delivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=now)
        transaction.on_commit(lambda: queue_deliveries(Delivery.objects.filter(pk=delivery.pk)))
    return delivery


def prune(now=None) -> tuple[int, int]:
    """Delete deliveries and events older than RETENTION_DAYS (open deliveries stay).
    Returns (deliveries, events) deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=webhook_setting("RETENTION_DAYS"))
    deliveries, _ = (
        Delivery.objects.filter(created_at__lt=cutoff)
        .exclude(state__in=Delivery.OPEN_STATES)
        .delete()
    )
    old_events = Event.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__state__in=Delivery.OPEN_STATES
    )
    _total, by_model = old_events.delete()
    return deliveries, by_model.get(Event._meta.label, 0)
