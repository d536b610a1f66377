"""Changes reach a real receiver on 127.0.0.1, signed, retried and in order, through the task
backend the test settings use (the immediate one) and the admin's own publish views."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time
from standardwebhooks.webhooks import Webhook

from pages.models import ServicePage
from tests.users.helpers import client_for, editor_form_data, paragraph
from tests.webhooks.conftest import Receiver
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import redeliver, send_due_deliveries
from webhooks.vetting import vet_endpoint_url

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "webhooks.schema.json").read_text())


def publish_in_admin(client, page, title: str):
    url = f"/admin/pages/{page.pk}/edit/"
    data = editor_form_data(client, url, body=[paragraph("<p>New text.</p>")])
    data.update({"title": title, "action-publish": "1"})
    return client.post(url, data)


def verified(secret: str, headers: dict[str, str], body: bytes) -> dict:
    return Webhook(secret).verify(body, headers)


def test_admin_publish_sends_one_signed_event_that_standardwebhooks_verifies(
    manager, receiver, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(url=receiver.url)
    ims = ServicePage.objects.get(slug="ims")
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_in_admin(client_for(manager), ims, "IMS, new").status_code == 302
    [(headers, body)] = receiver.received
    payload = verified(endpoint.secret, headers, body)
    jsonschema.validate(payload, SCHEMA)
    assert payload["type"] == "page.published"
    data = payload["data"]
    event = Event.objects.latest("pk")
    assert (data["page_id"], data["title"]) == (ims.pk, "IMS, new")
    assert data["sequence"] == event.page_sequence >= 1
    assert data["url"].endswith("/services/ims/") and data["api_url"].endswith(f"/{ims.pk}/")
    assert data["content_version"] and data["revision_id"]
    assert headers["webhook-id"] == f"evt_{event.pk}"
    assert Delivery.objects.get().state == Delivery.State.SUCCEEDED


def test_a_rolled_back_publish_sends_and_stores_nothing(demo_site, receiver):
    from django.db import transaction

    Endpoint.objects.create(url=receiver.url)
    ims = ServicePage.objects.get(slug="ims")
    events_before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        ims.save_revision().publish()
        raise RuntimeError("failed after publishing")
    assert Event.objects.count() == events_before and not Delivery.objects.exists()
    assert receiver.received == []


def test_500_twice_then_200_is_three_attempts_and_one_success(
    demo_site, receiver, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url=receiver.url)
    receiver.answers = [500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        ServicePage.objects.get(slug="ims").save_revision().publish()
    assert len(receiver.received) == 3
    assert len({headers["webhook-id"] for headers, _ in receiver.received}) == 1  # a retry
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)


def test_a_receiver_down_during_publish_gets_the_event_once_it_is_up(
    demo_site, django_capture_on_commit_callbacks
):
    down = Receiver()  # bound, never started, then closed: nothing listens on its port
    port, url = down.server.port, down.url
    down.server.stop()
    Endpoint.objects.create(url=url)
    with override_settings(WEBHOOKS={"RETRY_SCHEDULE": [60], "JITTER": 0}):
        with django_capture_on_commit_callbacks(execute=True):
            ServicePage.objects.get(slug="ims").save_revision().publish()
        delivery = Delivery.objects.get()
        assert (delivery.state, delivery.attempts) == ("pending", 1)
        assert "could not connect" in delivery.last_error
        up = Receiver(port=port)
        with up.server, freeze_time(timezone.now() + timedelta(minutes=2)):
            assert send_due_deliveries() == 1
    assert len(up.received) == 1
    delivery.refresh_from_db()
    assert delivery.state == "succeeded" and delivery.attempts == 2


def test_events_to_one_endpoint_keep_the_order_of_their_page(
    demo_site, receiver, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url=receiver.url)
    ims = ServicePage.objects.get(slug="ims")
    receiver.answers = [500]  # the first fails once; the second must wait for it
    with django_capture_on_commit_callbacks(execute=True):
        ims.save_revision().publish()
        ims.unpublish()
    types = [json.loads(body)["type"] for body in receiver.bodies()]
    assert types == ["page.published", "page.published", "page.unpublished"]
    sequences = [json.loads(body)["data"]["sequence"] for body in receiver.bodies()]
    assert sequences[0] == sequences[1] == sequences[2] - 1


def test_a_rotated_secret_signs_with_both_for_24_hours(
    demo_site, receiver, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(url=receiver.url)
    old = endpoint.secret
    new = endpoint.rotate_secret()
    with django_capture_on_commit_callbacks(execute=True):
        ServicePage.objects.get(slug="ims").save_revision().publish()
    headers, body = receiver.received[0]
    assert verified(old, headers, body) and verified(new, headers, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    with freeze_time(timezone.now() + timedelta(hours=25)):
        assert Endpoint.objects.get().signing_secrets() == [new]


@override_settings(SEO_AUDIT_ALLOWED_HOSTS=[])
@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1/hook", "http://169.254.169.254/latest/", "http://[::ffff:127.0.0.1]:6379/"],
)
def test_an_internal_address_is_refused_with_a_clear_message(db, url):
    with pytest.raises(ValidationError) as refused:
        vet_endpoint_url(url)
    message = refused.value.messages[0]
    assert message.startswith("Webhook URL refused:") and "private or reserved" in message
    assert "\n" not in message


def test_an_internal_address_is_refused_again_at_send_time(
    demo_site, receiver, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url=receiver.url)  # allowed when saved
    with (
        override_settings(SEO_AUDIT_ALLOWED_HOSTS=[]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ServicePage.objects.get(slug="ims").save_revision().publish()
    assert receiver.received == []
    assert Delivery.objects.get().last_error.startswith(
        "Webhook URL refused when connecting: 127.0.0.1 is a private or reserved address."
    )


def test_redeliver_from_the_command_and_the_function(
    demo_site, receiver, django_capture_on_commit_callbacks, capsys
):
    Endpoint.objects.create(url=receiver.url)
    receiver.answers = [500] * 4
    with django_capture_on_commit_callbacks(execute=True):
        ServicePage.objects.get(slug="ims").save_revision().publish()
    failed = Delivery.objects.get()
    assert (failed.state, failed.attempts) == ("failed", 4)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhooks", "redeliver", str(failed.pk))
    assert f"delivery {failed.pk + 1} queued" in capsys.readouterr().out
    assert Delivery.objects.get(pk=failed.pk + 1).state == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        redeliver(failed)
    assert len(receiver.received) == 6
    assert Delivery.objects.filter(state="succeeded").count() == 2


def test_an_endpoint_failing_for_5_days_is_disabled_and_managers_are_told(
    demo_site, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(url=receiver.url)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(days=5, minutes=1)
    )
    receiver.answers = [500] * 4
    with (
        override_settings(MANAGERS=[("Ops", "ops@clinic.test")]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ServicePage.objects.get(slug="ims").save_revision().publish()
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "Disabled automatically" in endpoint.disabled_reason
    assert len(receiver.received) == 1  # no further attempts once disabled
    assert [m.to for m in mailoutbox] == [["ops@clinic.test"]]


def test_publish_scheduled_go_live_is_delivered_and_scheduling_is_not(
    demo_site, receiver, django_capture_on_commit_callbacks
):
    ims = ServicePage.objects.get(slug="ims")
    ims.unpublish()
    Endpoint.objects.create(url=receiver.url)
    now = timezone.now()
    ims.go_live_at = now + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        ims.save_revision().publish()
    assert receiver.received == []
    with freeze_time(now + timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")
    assert [json.loads(b)["type"] for b in receiver.bodies()] == ["page.published"]


def test_the_command_adds_lists_and_removes_endpoints(db, receiver, capsys):
    call_command(
        "webhooks", "add", receiver.url, "--events", "page.published", "--description", "site"
    )
    out = capsys.readouterr().out
    endpoint = Endpoint.objects.get()
    assert f"id: {endpoint.pk}" in out and f"secret: {endpoint.secret}" in out
    call_command("webhooks", "list")
    listing = capsys.readouterr().out
    assert receiver.url in listing and endpoint.secret not in listing
    call_command("webhooks", "remove", str(endpoint.pk))
    assert not Endpoint.objects.exists()


@override_settings(SEO_AUDIT_ALLOWED_HOSTS=[])
def test_the_command_refuses_an_internal_url_with_one_line(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="^Webhook URL refused: .*private or reserved"):
        call_command("webhooks", "add", "http://10.1.2.3/hook")
