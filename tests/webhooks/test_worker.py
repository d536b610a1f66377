"""Deliveries sent by a real ``manage.py db_worker`` subprocess (the default set-up) to a
real receiver on 127.0.0.1, and a worker killed with SIGKILL mid-delivery losing nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import threading

import pytest
from django.test import override_settings
from standardwebhooks.webhooks import Webhook

from pages.models import ServicePage
from tests.audit.test_killed_worker import DB_TASKS, WorkerDatabase, wait_for
from tests.fixture_server import LoopbackServer, QuietHandler
from tests.webhooks.conftest import Receiver
from webhooks.models import Delivery, Endpoint

# Retries a second apart; a 2 s attempt budget, so a lost worker's claim lapses in 11 s.
WORKER_WEBHOOKS = {"RETRY_SCHEDULE": [1, 1], "JITTER": 0, "TIMEOUT": 2}

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


@pytest.fixture(autouse=True)
def worker_webhook_settings(monkeypatch):
    # Read by tests/audit/worker_settings.py in each worker and scheduler started here.
    monkeypatch.setenv("TEST_WEBHOOKS", json.dumps(WORKER_WEBHOOKS))


def start(db: WorkerDatabase, *args: str) -> subprocess.Popen:
    return db.manage(*args)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    if process.poll() is None:
        process.send_signal(sig)
    output, _ = process.communicate(timeout=20)
    return output.decode(errors="replace")


def delivery_state(db: WorkerDatabase, delivery_id: int) -> tuple:
    return db.one("SELECT state, attempts FROM webhooks_delivery WHERE id = %s", delivery_id)


def publish_with_db_tasks() -> Delivery:
    with override_settings(TASKS=DB_TASKS):
        ServicePage.objects.get(slug="ims").save_revision().publish()
    return Delivery.objects.get()


def test_the_db_worker_delivers_signed_and_retries_a_500(live_demo_site, tmp_path):
    receiver = Receiver()
    receiver.answers = [500]
    with receiver.server:
        endpoint = Endpoint.objects.create(url=receiver.url)
        delivery = publish_with_db_tasks()  # committed: queued in the database
        db = WorkerDatabase(tmp_path)
        worker = start(db, "db_worker", "--interval", "0.1", "--no-startup-delay")
        try:
            wait_for(lambda: len(receiver.received) >= 2, 60, "the retry to arrive")
            wait_for(
                lambda: delivery_state(db, delivery.pk)[0] == "succeeded", 30, "success recorded"
            )
        finally:
            output = stop(worker)
    assert delivery_state(db, delivery.pk) == ("succeeded", 2), output
    (first_headers, first_body), (headers, body) = receiver.received
    assert first_headers["webhook-id"] == headers["webhook-id"] and first_body == body
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "page.published"


class HoldingReceiver:
    """Holds request number ``hold`` open (its body read) until released; answers 200 to
    every other."""

    def __init__(self, hold: int = 1) -> None:
        self.received: list[dict[str, str]] = []
        self.holding = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(dict(self.headers.items()))
                if len(receiver.received) == hold:
                    receiver.holding.set()
                    receiver.release.wait(30)
                self.send_body(200, b"ok", "text/plain")

        self.server = LoopbackServer(Handler)


def test_a_worker_killed_mid_delivery_loses_nothing(live_demo_site, tmp_path):
    receiver = HoldingReceiver()
    with receiver.server:
        Endpoint.objects.create(url=receiver.server.url("/hook"))
        delivery = publish_with_db_tasks()
        db = WorkerDatabase(tmp_path)
        worker = start(db, "db_worker", "--interval", "0.1", "--no-startup-delay")
        try:
            assert receiver.holding.wait(60), "the worker never sent the delivery"
        finally:
            stop(worker, signal.SIGKILL)  # mid-delivery: the answer never came
        receiver.release.set()
        assert delivery_state(db, delivery.pk) == ("sending", 1)
        # Started again as `make run` starts them: a worker and the scheduler, whose tick
        # re-queues the delivery once the dead worker's claim has lapsed.
        worker = start(db, "db_worker", "--interval", "0.1", "--no-startup-delay")
        scheduler = start(db, "audit_scheduler", "--interval", "0.5")
        try:
            wait_for(
                lambda: delivery_state(db, delivery.pk)[0] == "succeeded", 60, "the redelivery"
            )
        finally:
            outputs = stop(worker) + stop(scheduler)
    assert delivery_state(db, delivery.pk) == ("succeeded", 2), outputs
    first, second = receiver.received
    # The same event again (a retry, so the same webhook-id): a consumer drops the copy.
    assert first["webhook-id"] == second["webhook-id"] == f"evt_{delivery.event_id}"


def test_a_worker_killed_in_a_run_of_one_pages_events_loses_nothing_and_keeps_the_order(
    live_demo_site, tmp_path
):
    # One task sends a page's queued events one after another, recording each outcome and
    # claiming the next in one transaction; killed while the second is being answered.
    receiver = HoldingReceiver(hold=2)
    with receiver.server:
        Endpoint.objects.create(url=receiver.server.url("/hook"))
        ims = ServicePage.objects.get(slug="ims")
        with override_settings(TASKS=DB_TASKS):
            for _ in range(3):
                ims.save_revision().publish()
        first, second, third = Delivery.objects.order_by("pk")
        db = WorkerDatabase(tmp_path)
        worker = start(db, "db_worker", "--interval", "0.1", "--no-startup-delay")
        try:
            assert receiver.holding.wait(60), "the worker never sent the second delivery"
        finally:
            stop(worker, signal.SIGKILL)
        receiver.release.set()
        states = [delivery_state(db, row.pk) for row in (first, second, third)]
        assert states == [("succeeded", 1), ("sending", 1), ("pending", 0)]
        worker = start(db, "db_worker", "--interval", "0.1", "--no-startup-delay")
        scheduler = start(db, "audit_scheduler", "--interval", "0.5")
        try:
            wait_for(
                lambda: delivery_state(db, third.pk)[0] == "succeeded", 60, "the rest of the run"
            )
        finally:
            outputs = stop(worker) + stop(scheduler)
        states = [delivery_state(db, row.pk) for row in (first, second, third)]
    assert states == [("succeeded", 1), ("succeeded", 2), ("succeeded", 1)], outputs
    ids = [headers["webhook-id"] for headers in receiver.received]
    expected = [f"evt_{row.event_id}" for row in (first, second, third)]
    # The second again (the same webhook-id: a retry), then the third: the page's order.
    assert ids == [expected[0], expected[1], expected[1], expected[2]]
