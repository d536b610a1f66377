"""The catch-up feed, /api/v2/events/, through the real URL conf and the test client."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from freezegun import freeze_time
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from wagtail.contrib.redirects.models import Redirect

from pages.models import ServiceIndexPage, ServicePage
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import prune, send_ping

FEED = "/api/v2/events/"


def endpoint_with_token(**fields) -> tuple[Endpoint, str]:
    endpoint = Endpoint.objects.create(url="https://hooks.example.com/in", **fields)
    return endpoint, endpoint.new_feed_token()


def feed(client, token: str, query: str = "", status: int = 200) -> dict:
    response = client.get(FEED + query, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def latest_sequence() -> int:
    """Where a test's own events start (loading the demo content made some)."""
    return (
        Event.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
        or 0
    )


def publish_times(page, count: int) -> None:
    for _ in range(count):
        page.save_revision().publish()


def test_the_feed_lists_every_change_in_sequence_and_pages_through_them(demo_site, client):
    _endpoint, token = endpoint_with_token()
    start = latest_sequence()
    ims = ServicePage.objects.get(slug="ims")
    publish_times(ims, 3)
    ims.unpublish()
    first = feed(client, token, f"?after={start}&limit=3")
    assert [item["type"] for item in first["items"]] == ["page.published"] * 3
    assert first["has_more"] is True
    rest = feed(client, token, f"?after={first['next_after']}&limit=3")
    assert [item["type"] for item in rest["items"]] == ["page.unpublished"]
    assert rest["has_more"] is False
    items = first["items"] + rest["items"]
    sequences = [item["sequence"] for item in items]
    assert sequences == sorted(sequences) and len(set(sequences)) == 4
    assert rest["next_after"] == sequences[-1]
    for item, event in zip(items, Event.objects.filter(sequence__gt=start), strict=True):
        assert item["id"] == f"evt_{event.pk}"
        assert item == {
            "sequence": event.sequence,
            "id": event.webhook_id,
            "type": event.type,
            "timestamp": json.loads(event.body)["timestamp"],
            "data": json.loads(event.body)["data"],
        }
    page_sequences = [item["data"]["sequence"] for item in items]  # per page, for stale events
    assert page_sequences == list(range(page_sequences[0], page_sequences[0] + 4))
    # Past the end: nothing, and the cursor stays where it was.
    assert feed(client, token, f"?after={sequences[-1]}") == {
        "items": [],
        "next_after": sequences[-1],
        "has_more": False,
    }


def test_the_default_page_is_100_and_the_largest_500(demo_site, client):
    _endpoint, token = endpoint_with_token()
    Event.objects.all().delete()  # the demo's own events
    # Rows as the outbox writes them (publishing 501 times would only be slower).
    body = json.dumps(
        {"type": "redirect.changed", "timestamp": "2026-12-07T09:00:00+00:00", "data": {}}
    )
    Event.objects.bulk_create(
        Event(sequence=number, type="redirect.changed", body=body) for number in range(1, 502)
    )
    assert len(feed(client, token)["items"]) == 100
    assert len(feed(client, token, "?limit=500")["items"]) == 500


def test_only_the_events_and_subtree_the_endpoint_wants(demo_site, client):
    services = ServiceIndexPage.objects.get()
    _narrow, narrow_token = endpoint_with_token(
        event_types=["page.published", "redirect.changed"], page_subtree=services
    )
    _everything, all_token = endpoint_with_token()
    start = latest_sequence()
    ims = ServicePage.objects.get(slug="ims")
    outside = demo_site.get_children().exclude(pk=services.pk).live().first().specific
    ims.save_revision().publish()
    outside.save_revision().publish()
    ims.unpublish()
    Redirect.objects.create(old_path="/old-ims", redirect_page=ims)
    send_ping(_narrow)  # a ping is sent to one endpoint, never part of the feed
    narrow = feed(client, narrow_token, f"?after={start}")["items"]
    assert [(item["type"], item["data"].get("page_id")) for item in narrow] == [
        ("page.published", ims.pk),
        ("redirect.changed", None),
    ]
    assert [item["type"] for item in feed(client, all_token, f"?after={start}")["items"]] == [
        "page.published",
        "page.published",
        "page.unpublished",
        "redirect.changed",
    ]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?after=abc", "after"),
        ("?after=-1", "after"),
        ("?after=1.5", "after"),
        ("?after=" + "9" * 40, "after"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=", "limit"),
        ("?limit=%EF%BC%91", "limit"),  # a full-width digit one
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(db, client, query, parameter):
    _endpoint, token = endpoint_with_token()
    answer = feed(client, token, query, status=400)
    assert answer["parameter"] == parameter
    assert parameter in answer["message"] and "\n" not in answer["message"]


def test_a_missing_or_wrong_token_is_a_401(db, client):
    endpoint_with_token()
    Endpoint.objects.create(url="https://hooks.example.com/no-token")  # empty digest
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": "Bearer "}):
        response = client.get(FEED, **headers)
        assert response.status_code == 401
        assert "Bearer" in response.json()["message"]
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_answers_are_never_cached_by_anyone_else(db, client):
    _endpoint, token = endpoint_with_token()
    response = client.get(FEED, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]


def test_the_token_add_prints_reads_the_feed_and_a_new_one_replaces_it(demo_site, client, receiver):
    out = io.StringIO()
    call_command("webhooks", "add", receiver.url, stdout=out)
    token = re.search(r"feed token: (\S+)", out.getvalue()).group(1)
    start = latest_sequence()
    ServicePage.objects.get(slug="ims").save_revision().publish()
    assert len(feed(client, token, f"?after={start}")["items"]) == 1
    Endpoint.objects.get().new_feed_token()
    feed(client, token, status=401)


def test_events_are_kept_as_long_as_the_delivery_log(demo_site, client):
    _endpoint, token = endpoint_with_token()
    Event.objects.all().delete()  # the demo's own events
    ims = ServicePage.objects.get(slug="ims")
    with freeze_time("2026-10-01 09:00Z"):
        ims.save_revision().publish()
    with freeze_time("2026-11-20 09:00Z"):
        ims.save_revision().publish()
        # Delivered (an event still being delivered is kept however old it is).
        Delivery.objects.update(state=Delivery.State.SUCCEEDED)
        assert len(feed(client, token)["items"]) == 2
        prune()  # 30 days by default
        [kept] = feed(client, token)["items"]
    assert kept["sequence"] == Event.objects.get().sequence


def test_answers_match_docs_openapi(demo_site, client):
    openapi = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(openapi, default_specification=DRAFT202012)
    )

    def check(instance, name: str) -> None:
        schema = {"$ref": f"urn:openapi#/components/schemas/{name}"}
        Draft202012Validator(schema, registry=registry).validate(instance)

    _endpoint, token = endpoint_with_token()
    ServicePage.objects.get(slug="ims").save_revision().publish()
    check(feed(client, token, "?limit=500"), "EventFeed")
    check(feed(client, token, "?limit=x", status=400), "ParameterError")
    check(client.get(FEED).json(), "Error")
    assert "/api/v2/events/" in openapi["paths"]
