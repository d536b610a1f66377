"""The CMS's catch-up feed as the events issue specifies it (`GET /api/v2/events/?after=N&limit=M`
with `Authorization: Bearer <feed token>`, answering `{"items": [{"sequence", "id", "type",
"timestamp", "data"}], "next_after", "has_more"}`), served from the CMS's real Event rows in
front of the live server while that endpoint is being built elsewhere; every other request is
passed to the live server unchanged. ``cms_without_event_feed`` is the API of a CMS without the
feed (404), for the front end's fallback."""

from __future__ import annotations

import json
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlsplit
from urllib.request import Request, urlopen

from django.db import connections

from tests.fixture_server import LoopbackServer, QuietHandler
from webhooks.models import Event


def feed_page(after: int, limit: int) -> dict:
    rows = list(Event.objects.filter(sequence__gt=after).order_by("sequence")[: limit + 1])
    items = [
        {
            "sequence": row.sequence,
            "id": row.webhook_id,
            "type": row.type,
            "timestamp": row.created_at.isoformat(),
            "data": json.loads(row.body)["data"],
        }
        for row in rows[:limit]
    ]
    next_after = items[-1]["sequence"] if items else after
    return {"items": items, "next_after": next_after, "has_more": len(rows) > limit}


class ForwardingHandler(QuietHandler):
    """Passes GETs to ``cms_url`` (set by a subclass) and sends back what it answers."""

    cms_url = ""

    def forward(self) -> None:
        request = Request(self.cms_url + self.path, headers={"Accept": "application/json"})
        try:
            with urlopen(request, timeout=30) as response:
                status, body, kind = response.status, response.read(), response.headers
        except HTTPError as error:
            status, body, kind = error.code, error.read(), error.headers
        self.send_body(status, body, kind.get("Content-Type", "application/json"))


def cms_without_event_feed(cms_url: str) -> LoopbackServer:
    """The CMS's API as a CMS from before the feed serves it: /api/v2/events/ answers 404."""

    class Handler(ForwardingHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            if urlsplit(self.path).path == "/api/v2/events/":
                self.send_body(404, b'{"message": "Not found."}', "application/json")
            else:
                self.forward()

    Handler.cms_url = cms_url
    return LoopbackServer(Handler)


def cms_with_event_feed(cms_url: str, token: str) -> LoopbackServer:
    class Handler(ForwardingHandler):
        def do_GET(self) -> None:
            try:
                parts = urlsplit(self.path)
                if parts.path == "/api/v2/events/":
                    self.events(parse_qs(parts.query))
                else:
                    self.forward()
            finally:
                connections.close_all()  # this request's thread is done with the database

        def events(self, query: dict) -> None:
            if self.headers.get("Authorization") != f"Bearer {token}":
                self.send_body(401, b'{"error": "bad feed token"}', "application/json")
                return
            after, limit = int(query["after"][0]), int(query.get("limit", ["100"])[0])
            self.send_body(200, json.dumps(feed_page(after, limit)).encode(), "application/json")

    Handler.cms_url = cms_url
    return LoopbackServer(Handler)
