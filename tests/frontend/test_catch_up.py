"""After downtime the front end catches up from the CMS's event feed: only the pages the missed
events name (and what lists them) are rebuilt, and the feed position it keeps moves on."""

from __future__ import annotations

import json

from pages.models import ArticlePage, ServicePage
from tests.frontend.conftest import FrontEnd, free_port
from tests.frontend.event_feed import cms_with_event_feed
from webhooks.models import Endpoint, Event

TOKEN = "feed-token-for-the-test"


def test_a_restarted_front_end_catches_up_from_the_feed(
    frontend_app, live_demo_site, tmp_path, start_front_end_server_for
):
    with cms_with_event_feed(live_demo_site.url, TOKEN) as cms:
        front = FrontEnd(frontend_app, tmp_path, cms.url(""), free_port())
        Endpoint.objects.create(url=f"{front.url}/_webhooks")
        ServicePage.objects.get(slug="ims").save_revision().publish()  # an event before

        # First start: no position yet, so everything is built and the feed read to its end.
        first = start_front_end_server_for(front, FRONTEND_FEED_TOKEN=TOKEN)
        assert first.wait_for_builds(1)["last"]["reason"] == "full rebuild asked for"
        position = json.loads((front.state / "feed.json").read_text())["after"]
        assert position == Event.objects.latest("sequence").sequence
        first.stop()

        # Missed while down: a new title, and an article taken down.
        ims = ServicePage.objects.get(slug="ims")
        ims.title = "IMS, while the front end was down"
        ims.save_revision().publish()
        ArticlePage.objects.get(slug="return-to-running-calf-strain").unpublish()

        again = start_front_end_server_for(front, FRONTEND_FEED_TOKEN=TOKEN)
        status = again.wait_for_builds(1)
        assert sorted(status["last"]["rendered"]) == [
            "/",
            "/articles/",
            "/services/",
            "/services/ims/",
        ]
        assert status["last"]["removed"] == ["/articles/return-to-running-calf-strain/"]
        [rebuilt] = [line for line in again.log_lines() if line["message"] == "rebuilt"]
        assert rebuilt["events"] == 2  # the page ids the feed named
        assert "IMS, while the front end was down" in front.html("/services/ims/")
        after = json.loads((front.state / "feed.json").read_text())["after"]
        assert after == Event.objects.latest("sequence").sequence > position
