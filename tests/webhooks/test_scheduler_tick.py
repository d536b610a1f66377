"""Each pass of the scheduler ``make run`` starts (``manage.py audit_scheduler``) sends the
webhook deliveries that are due and prunes the delivery log once a day, so retries happen
with the default set-up (db_worker cannot defer a task to a later time on every backend)."""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from django.test import override_settings
from freezegun import freeze_time

from pages.models import ServicePage
from webhooks.models import Delivery, Endpoint, Event

ONE_MINUTE_RETRY = {"RETRY_SCHEDULE": [60], "JITTER": 0}


def scheduler_pass() -> None:
    call_command("audit_scheduler", "--once", stdout=io.StringIO())


@override_settings(WEBHOOKS=ONE_MINUTE_RETRY)
def test_a_retry_is_sent_by_the_scheduler_pass_once_it_is_due(
    demo_site, receiver, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url=receiver.url)
    receiver.answers = [503]
    with freeze_time("2026-12-07 09:00:00Z"):
        with django_capture_on_commit_callbacks(execute=True):
            ServicePage.objects.get(slug="ims").save_revision().publish()
        delivery = Delivery.objects.get()
        assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    with freeze_time("2026-12-07 09:00:30Z"):
        scheduler_pass()
        assert len(receiver.received) == 1  # not due yet
    with freeze_time("2026-12-07 09:01:01Z"):
        scheduler_pass()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SUCCEEDED, 2)
    first, second = receiver.received
    assert first[0]["webhook-id"] == second[0]["webhook-id"]  # the same event, retried


def test_a_delivery_whose_worker_died_is_sent_again_once_its_claim_lapses(demo_site, receiver):
    endpoint = Endpoint.objects.create(url=receiver.url)
    with freeze_time("2026-12-07 09:00:00Z"):
        ServicePage.objects.get(
            slug="ims"
        ).save_revision().publish()  # not committed: queued by hand
        # What a worker leaves when it is killed mid-attempt: claimed, sending, never recorded.
        Delivery.objects.update(
            state=Delivery.State.SENDING, attempts=1, claimed_until="2026-12-07T09:00:40Z"
        )
    with freeze_time("2026-12-07 09:00:20Z"):
        scheduler_pass()
        assert receiver.received == []  # the claim still holds
    with freeze_time("2026-12-07 09:00:41Z"):
        scheduler_pass()
    [(headers, _body)] = receiver.received
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.state, delivery.attempts) == (Delivery.State.SUCCEEDED, 2)
    assert headers["webhook-id"] == delivery.event.webhook_id


def old_event(created_at: str) -> Event:
    body = json.dumps({"type": "redirect.changed", "timestamp": created_at, "data": {}})
    return Event.objects.create(type="redirect.changed", created_at=created_at, body=body)


def test_the_log_is_pruned_on_the_first_pass_of_each_day_only(db):
    Event.objects.all().delete()
    with freeze_time("2026-12-07 09:00Z"):
        first = old_event("2026-10-01T00:00Z")
        scheduler_pass()
        assert not Event.objects.filter(pk=first.pk).exists()
        second = old_event("2026-10-01T00:00Z")
        scheduler_pass()  # the same day: pruned already
        assert Event.objects.filter(pk=second.pk).exists()
    with freeze_time("2026-12-08 09:00Z"):
        scheduler_pass()
        assert not Event.objects.exists()
