"""A webhook receiver on 127.0.0.1 (http.server in a thread) that records what it gets and
answers with the status codes it is told, then 200."""

from __future__ import annotations

import threading

import pytest
from django.test import override_settings

from tests.fixture_server import LoopbackServer, QuietHandler
from tests.users.helpers import make_user

# No waits between attempts and no jitter, so a whole retry sequence runs in one test.
QUICK = {"RETRY_SCHEDULE": [0, 0, 0], "JITTER": 0}


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.received.append((dict(self.headers.items()), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_body(status, b"thanks", "text/plain")

        self.server = LoopbackServer(Handler, port=port)

    @property
    def url(self) -> str:
        return self.server.url("/hook")

    def bodies(self) -> list[bytes]:
        return [body for _headers, body in self.received]


@pytest.fixture
def receiver():
    server = Receiver()
    with server.server:
        yield server


@pytest.fixture(autouse=True)
def quick_retries():
    with override_settings(WEBHOOKS=QUICK):
        yield


@pytest.fixture
def manager(demo_site):
    return make_user("mia", superuser=True)
