"""The front-end server rebuilds from the CMS's signed webhooks: a real publish through the
Wagtail admin reaches it (the test settings send deliveries at once), the page and what lists or
links to it are rebuilt and nothing else; a forged signature is refused; a burst is one build;
an unpublished page's file goes; without the CMS's event feed it falls back to a full rebuild."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from standardwebhooks.webhooks import Webhook

from pages.models import ArticlePage, ServicePage
from tests.frontend.event_feed import cms_without_event_feed
from tests.frontend.pages_html import PageReader
from tests.frontend.test_build import publish_with_link_and_decorative_image
from tests.users.helpers import client_for, editor_form_data, make_user, paragraph
from webhooks.models import Delivery, Endpoint


def publish_in_admin(client, page, title: str, **fields: str):
    url = f"/admin/pages/{page.pk}/edit/"
    data = editor_form_data(client, url, body=[paragraph("<p>New text.</p>")])
    data.update({"title": title, "action-publish": "1", **fields})
    return client.post(url, data)


def post_webhook(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = Request(
        url, data=body, method="POST", headers={**headers, "Content-Type": "application/json"}
    )
    try:
        with urlopen(request, timeout=10) as response:
            return response.status
    except HTTPError as error:
        return error.code


def signed(secret: str, event_id: str, document: dict) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(document).encode()
    # The real time: the front end's verifier (another process) refuses stamps 5 min off.
    now = datetime.now(tz=UTC)
    signature = Webhook(secret).sign(event_id, now, body.decode())
    return body, {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


@pytest.fixture
def endpoint(front_end):
    return Endpoint.objects.create(url=f"{front_end.url}/_webhooks", description="front end")


@pytest.fixture
def served(front_end, endpoint, start_front_end_server):
    front_end.build("--full")
    server = start_front_end_server(
        FRONTEND_WEBHOOK_SECRET=endpoint.secret, FRONTEND_DEBOUNCE_MS="200"
    )
    server.wait_for_builds(1)  # the catch-up on start (nothing changed)
    return server


def test_admin_publish_rebuilds_the_page_its_listings_and_pages_linking_to_it(
    front_end, start_front_end_server
):
    ims = ServicePage.objects.get(slug="ims")
    linking = ArticlePage.objects.get(slug="ims-or-massage")
    publish_with_link_and_decorative_image(linking, ims)
    front_end.build("--full")
    endpoint = Endpoint.objects.create(url=f"{front_end.url}/_webhooks")
    server = start_front_end_server(
        FRONTEND_WEBHOOK_SECRET=endpoint.secret, FRONTEND_DEBOUNCE_MS="200"
    )
    server.wait_for_builds(1)
    editor = client_for(make_user("mia", superuser=True))

    # A new title: the page and the listings showing it; the link to it is unchanged.
    assert publish_in_admin(editor, ims, "IMS, explained again").status_code == 302
    status = server.wait_for_builds(2)
    assert Delivery.objects.get().state == Delivery.State.SUCCEEDED
    heading = PageReader(front_end.html("/services/ims/")).headings[0]
    assert heading == ("h1", "IMS, explained again")
    assert sorted(status["last"]["rendered"]) == ["/", "/services/", "/services/ims/"]
    assert "IMS, explained again" in front_end.html("/services/")
    webhooks = [line for line in server.log_lines() if line["message"] == "webhook"]
    assert [(line["type"], line["pages"]) for line in webhooks] == [("page.published", [ims.pk])]

    # A new address: the old one's file goes, and the page linking to it gets the new link.
    ims.refresh_from_db()
    assert publish_in_admin(editor, ims, "IMS", slug="ims-explained").status_code == 302
    server.wait_until(lambda: (front_end.dist / "services/ims-explained/index.html").exists())
    rebuilt = [line for line in server.log_lines() if line["message"] == "rebuilt"][2:]
    assert {path for line in rebuilt for path in line["rendered"]} == {
        "/",
        "/services/",
        "/services/ims-explained/",
        "/articles/ims-or-massage/",  # its rich text links to the page
    }
    assert [path for line in rebuilt for path in line["removed"]] == ["/services/ims/"]
    assert not (front_end.dist / "services/ims").exists()
    assert (
        "/services/ims-explained/" in PageReader(front_end.html("/articles/ims-or-massage/")).links
    )


def test_a_forged_signature_is_refused_and_builds_nothing(served, endpoint, front_end):
    ims = ServicePage.objects.get(slug="ims")
    document = {
        "type": "page.published",
        "timestamp": "2026-12-07T12:00:00+00:00",
        "data": {"page_id": ims.pk},
    }
    forged_secret = "whsec_" + base64.b64encode(b"not the endpoint's secret, 32 b!").decode()
    body, headers = signed(forged_secret, "evt_forged", document)
    assert post_webhook(f"{front_end.url}/_webhooks", body, headers) == 401
    # The same body with a genuine signature but altered afterwards is refused too.
    body, headers = signed(endpoint.secret, "evt_altered", document)
    assert (
        post_webhook(f"{front_end.url}/_webhooks", body.replace(b"12:00", b"13:00"), headers) == 401
    )
    assert post_webhook(f"{front_end.url}/_webhooks", body, {}) == 401
    status = served.status()
    assert (status["builds"], status["waiting"]) == (1, 0)
    refused = [line for line in served.log_lines() if line["message"] == "webhook refused"]
    assert [line["id"] for line in refused] == ["evt_forged", "evt_altered", None]


def test_a_burst_of_events_is_one_rebuild(front_end, endpoint, start_front_end_server):
    front_end.build("--full")
    # A long quiet period so the whole burst lands inside it however slow the machine is.
    server = start_front_end_server(
        FRONTEND_WEBHOOK_SECRET=endpoint.secret,
        FRONTEND_DEBOUNCE_MS="1500",
        FRONTEND_MAX_WAIT_MS="20000",
    )
    server.wait_for_builds(1)
    pages = list(ArticlePage.objects.order_by("pk")) + list(ServicePage.objects.order_by("pk"))
    for number, page in enumerate(pages):
        document = {
            "type": "page.published",
            "timestamp": "2026-12-07T12:00:00+00:00",
            "data": {"page_id": page.pk},
        }
        body, headers = signed(endpoint.secret, f"evt_burst_{number}", document)
        assert post_webhook(f"{front_end.url}/_webhooks", body, headers) == 202
    # A redelivery of one of them is acknowledged and not counted again.
    assert post_webhook(f"{front_end.url}/_webhooks", body, headers) == 200
    status = server.wait_for_builds(2)
    assert status["builds"] == 2
    [rebuilt] = [line for line in server.log_lines() if line["message"] == "rebuilt"][1:]
    assert rebuilt["events"] == len(pages)


def test_an_unpublished_page_is_removed(served, front_end):
    article = ArticlePage.objects.get(slug="return-to-running-calf-strain")
    assert (front_end.dist / "articles/return-to-running-calf-strain/index.html").exists()
    article.unpublish()
    status = served.wait_for_builds(2)
    assert status["last"]["removed"] == ["/articles/return-to-running-calf-strain/"]
    assert not (front_end.dist / "articles/return-to-running-calf-strain").exists()
    assert "return-to-running-calf-strain" not in (front_end.dist / "sitemap.xml").read_text()
    assert "return-to-running-calf-strain" not in front_end.html("/articles/")


def test_without_the_event_feed_it_rebuilds_everything_and_says_so(
    front_end, endpoint, start_front_end_server
):
    front_end.build("--full")
    # A CMS from before the feed: its API, with /api/v2/events/ answering 404.
    with cms_without_event_feed(front_end.cms_url) as old_cms:
        server = start_front_end_server(
            CMS_API_URL=old_cms.base,
            FRONTEND_WEBHOOK_SECRET=endpoint.secret,
            FRONTEND_FEED_TOKEN="a-token-for-a-missing-feed",
        )
        status = server.wait_for_builds(1)
    assert status["last"]["reason"] == "full rebuild asked for"
    assert any("answered 404" in line["message"] for line in server.log_lines())
