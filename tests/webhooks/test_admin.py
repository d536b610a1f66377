"""Settings → Webhooks in the real Wagtail admin, through the Django test client, as a manager
(a user given ``webhooks.manage_webhooks``), a superuser and a marketing editor."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from freezegun import freeze_time
from standardwebhooks.webhooks import Webhook

from pages.models import ServicePage
from tests.users.helpers import client_for, make_user
from users.roles import EDITORS
from webhooks.models import Delivery, Endpoint, Event

INDEX = "/admin/webhooks/endpoints/"
ADD = "/admin/webhooks/endpoints/new/"


@pytest.fixture
def webhook_manager(demo_site):
    user = make_user("wanda")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="manage_webhooks"),
    )
    return user


@pytest.fixture
def editor(demo_site):
    return make_user("eddie", group=EDITORS)


def add_form(url: str, **extra) -> dict:
    return {"url": url, "description": "Front end", "enabled": "on", **extra}


def shown_secret(html: str) -> str:
    return re.search(r"data-webhook-secret>([^<]+)<", html).group(1)


def test_a_manager_sees_the_settings_item_and_an_editor_neither_sees_it_nor_gets_in(
    webhook_manager, editor
):
    manager_home = client_for(webhook_manager).get("/admin/").content.decode()
    assert INDEX in manager_home
    editor_client = client_for(editor)
    assert INDEX not in editor_client.get("/admin/").content.decode()
    endpoint = Endpoint.objects.create(url="https://hooks.example.com/in")
    for url in (
        INDEX,
        ADD,
        f"{INDEX}edit/{endpoint.pk}/",
        f"{INDEX}delete/{endpoint.pk}/",
        f"{INDEX}history/{endpoint.pk}/",
        f"{INDEX}usage/{endpoint.pk}/",
        f"/admin/webhooks/{endpoint.pk}/deliveries/",
    ):
        assert editor_client.get(url).status_code == 403, url
    for url in (
        f"/admin/webhooks/{endpoint.pk}/ping/",
        f"/admin/webhooks/{endpoint.pk}/rotate-secret/",
        f"/admin/webhooks/{endpoint.pk}/feed-token/",
    ):
        assert editor_client.post(url).status_code == 403, url
    assert editor_client.post(ADD, add_form("https://hooks.example.com/x")).status_code == 403
    assert Endpoint.objects.count() == 1 and not Event.objects.filter(type="ping").exists()


def test_adding_shows_the_secret_once_and_never_again(webhook_manager, receiver):
    client = client_for(webhook_manager)
    response = client.post(ADD, add_form(receiver.url, event_types=["page.published"]))
    assert response.status_code == 200
    html = response.content.decode()
    endpoint = Endpoint.objects.get()
    assert shown_secret(html) == endpoint.secret
    assert "data-feed-token" in html
    assert endpoint.event_types == ["page.published"] and endpoint.feed_token_digest
    for url in (INDEX, f"{INDEX}edit/{endpoint.pk}/", f"/admin/webhooks/{endpoint.pk}/deliveries/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert endpoint.secret not in page.content.decode(), url


def test_an_internal_address_is_refused_beside_the_field(webhook_manager):
    client = client_for(webhook_manager)
    for url in ("http://10.1.2.3/hook", "http://[::ffff:169.254.169.254]/latest"):
        response = client.post(ADD, add_form(url))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Webhook URL refused" in html, url
    assert not Endpoint.objects.exists()


def test_editing_disabling_and_deleting(webhook_manager, receiver):
    endpoint = Endpoint.objects.create(url=receiver.url, disabled_reason="")
    client = client_for(webhook_manager)
    edit = f"{INDEX}edit/{endpoint.pk}/"
    response = client.post(edit, {"url": receiver.url, "description": "Search index"})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.enabled) == ("Search index", False)
    assert "Disabled" in client.get(INDEX).content.decode()
    # Re-enabling an endpoint the failures switched off starts its failure clock again.
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since="2026-12-01T00:00Z", disabled_reason="Disabled automatically"
    )
    client.post(edit, {"url": receiver.url, "description": "Search index", "enabled": "on"})
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is None and not endpoint.disabled_reason
    assert client.post(f"{INDEX}delete/{endpoint.pk}/").status_code == 302
    assert not Endpoint.objects.exists()


def test_rotation_shows_the_new_secret_once_and_both_sign_for_a_day(
    webhook_manager, receiver, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(url=receiver.url)
    old = endpoint.secret
    client = client_for(webhook_manager)
    response = client.post(f"/admin/webhooks/{endpoint.pk}/rotate-secret/")
    endpoint.refresh_from_db()
    assert shown_secret(response.content.decode()) == endpoint.secret != old
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/webhooks/{endpoint.pk}/ping/")
    [(headers, body)] = receiver.received
    assert Webhook(old).verify(body, headers)["type"] == "ping"
    assert Webhook(endpoint.secret).verify(body, headers)["type"] == "ping"


def test_send_test_event_reaches_the_receiver_and_the_log_shows_it(
    webhook_manager, receiver, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(url=receiver.url)
    client = client_for(webhook_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/webhooks/{endpoint.pk}/ping/")
    assert response.status_code == 302
    [(headers, body)] = receiver.received
    assert Webhook(endpoint.secret).verify(body, headers)["data"]["endpoint_id"] == endpoint.pk
    log = client.get(f"/admin/webhooks/{endpoint.pk}/deliveries/").content.decode()
    assert "ping" in log and 'data-state="succeeded"' in log and "thanks" in log
    assert body.decode().replace('"', "&quot;") in log  # the request body, as sent


def test_the_log_filters_failed_and_redelivers_one_and_all_failed_since(
    webhook_manager, receiver, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(url=receiver.url)
    ims = ServicePage.objects.get(slug="ims")
    receiver.answers = [500] * 4  # one attempt and three retries (QUICK): all fail
    with freeze_time("2026-12-07 09:00Z"), django_capture_on_commit_callbacks(execute=True):
        ims.save_revision().publish()
    with freeze_time("2026-12-07 11:00Z"), django_capture_on_commit_callbacks(execute=True):
        ims.save_revision().publish()
    first, second = Delivery.objects.order_by("pk")
    assert first.state == Delivery.State.FAILED and first.attempts == 4
    assert second.state == Delivery.State.SUCCEEDED
    client = client_for(webhook_manager)
    log_url = f"/admin/webhooks/{endpoint.pk}/deliveries/"
    failed_log = client.get(log_url + "?failed=1").content.decode()
    assert f'data-delivery="{first.pk}"' in failed_log
    assert f'data-delivery="{second.pk}"' not in failed_log
    assert "answered 500" in failed_log

    received = len(receiver.received)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{log_url}{first.pk}/redeliver/")
    assert len(receiver.received) == received + 1
    assert receiver.received[-1][0]["webhook-id"] == f"evt_{first.event_id}"

    with freeze_time("2026-12-07 12:00Z"):
        receiver.answers = [500] * 4
        with django_capture_on_commit_callbacks(execute=True):
            ims.save_revision().publish()
        late_failure = Delivery.objects.latest("pk")
        assert late_failure.state == Delivery.State.FAILED
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                # 10:00 UTC in the site's zone (America/Vancouver): only the later failure counts.
                f"{log_url}redeliver-failed/",
                {"since": "2026-12-07T02:00"},
                follow=True,
            )
    assert "1 failed deliveries queued again" in response.content.decode()
    assert receiver.received[-1][0]["webhook-id"] == f"evt_{late_failure.event_id}"
    bad = client.post(f"{log_url}redeliver-failed/", {"since": "yesterday"}, follow=True)
    assert "Nothing redelivered" in bad.content.decode()


@override_settings(WAGTAIL_I18N_ENABLED=False)
def test_a_superuser_manages_webhooks_too(manager):
    assert client_for(manager).get(INDEX).status_code == 200


def test_a_disabled_endpoint_is_announced_on_managers_dashboards_only(webhook_manager, editor):
    Endpoint.objects.create(url="https://hooks.example.com/ok")
    Endpoint.objects.create(
        url="https://hooks.example.com/gone",
        enabled=False,
        disabled_reason="Disabled automatically on 2026-12-07 09:00 UTC: every delivery has "
        "failed since 2026-12-02 09:00 UTC.",
    )
    dashboard = client_for(webhook_manager).get("/admin/").content.decode()
    assert "data-disabled-webhooks" in dashboard
    assert "hooks.example.com/gone" in dashboard and "hooks.example.com/ok" not in dashboard
    assert "data-disabled-webhooks" not in client_for(editor).get("/admin/").content.decode()
