"""The send vets the endpoint's address when it connects and connects to exactly that address:
a name that was public when the endpoint was saved (or when the attempt began) but resolves to
this machine when the connection is made (DNS rebinding) is refused, logged and retried.

The receiver is real (127.0.0.1). Only the resolver is faked, by wrapping socket.getaddrinfo:
a DNS answer that changes between two lookups is a fault no local server can produce. The fake
also refuses to resolve the public address it hands out, so a connection pinned to it fails
at once and nothing ever leaves loopback.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import deliver, send_due_deliveries
from webhooks.vetting import vet_endpoint_url

NAME = "hooks.partner-clinic.test"
PUBLIC = "93.184.215.14"  # a public address (is_public_address); never connected to
INTERNAL_SPELLINGS = [
    "127.0.0.1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:0:7f00:1",  # IPv4-translated (SIIT)
    "64:ff9b::7f00:1",  # NAT64
    "2002:7f00:1::",  # 6to4 carrying 127.0.0.1
]


class FakeDNS:
    """Answers for NAME from ``answers`` (one per lookup, the last repeated); every host
    looked up is recorded in ``lookups``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            host = host.decode() if isinstance(host, bytes) else host
            self.lookups.append(host)
            if host == PUBLIC:
                raise socket.gaierror(socket.EAI_NONAME, "the test never connects beyond loopback")
            if host != NAME:
                return real(host, port, *args, **kwargs)
            address = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            if ":" in address:
                return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port or 0, 0, 0))]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def now_answers(self, *answers: str) -> None:
        self.answers = list(answers)
        self.lookups.clear()


def saved_while_public(monkeypatch, receiver) -> tuple[FakeDNS, Endpoint, Delivery]:
    """An endpoint on NAME, vetted while NAME was public, and one delivery for it."""
    dns = FakeDNS(monkeypatch, PUBLIC)
    url = vet_endpoint_url(f"http://{NAME}:{receiver.server.port}/hook")
    endpoint = Endpoint.objects.create(url=url)
    now = timezone.now()
    event = Event.objects.create(type="ping", created_at=now, body='{"type": "ping"}')
    delivery = Delivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=now)
    return dns, endpoint, delivery


@pytest.mark.parametrize("internal", ["127.0.0.1", "::ffff:127.0.0.1"])
def test_a_name_that_rebinds_between_the_check_and_the_connection_is_not_reached(
    db, monkeypatch, receiver, internal
):
    # The attacker's DNS answers the public address to the first lookup of the attempt and
    # this machine to every later one. Before pinning, the check saw the public address and
    # the connection resolved again and reached the receiver on 127.0.0.1.
    dns, _endpoint, delivery = saved_while_public(monkeypatch, receiver)
    dns.now_answers(PUBLIC, internal)
    with override_settings(WEBHOOKS={"RETRY_SCHEDULE": [60], "JITTER": 0}):
        deliver.enqueue(delivery.pk)
    assert receiver.received == []
    # One lookup of the name; the connection went to the address it vetted.
    assert dns.lookups == [NAME, PUBLIC]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "could not connect"


@override_settings(WEBHOOKS={"RETRY_SCHEDULE": [60], "JITTER": 0})
@pytest.mark.parametrize("internal", INTERNAL_SPELLINGS)
def test_a_name_public_when_saved_and_internal_at_send_time_is_refused_and_retried(
    db, monkeypatch, receiver, internal
):
    with freeze_time("2026-12-07 10:00:00") as frozen:
        dns, _endpoint, delivery = saved_while_public(monkeypatch, receiver)
        dns.now_answers(internal)
        deliver.enqueue(delivery.pk)
        assert receiver.received == []
        assert dns.lookups.count(NAME) == 1 and internal not in dns.lookups  # never connected
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("pending", 1)
        assert delivery.last_error == (
            f"Webhook URL refused when connecting: {NAME} now resolves to a private or "
            f"reserved address. Use a public URL, or add {NAME}:{receiver.server.port} to "
            "SEO_AUDIT_ALLOWED_HOSTS."
        )
        assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=60)

        # Retried per schedule, and refused again while the name stays internal.
        frozen.tick(timedelta(minutes=2))
        assert send_due_deliveries() == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("failed", 2)
        assert delivery.last_error.startswith("Webhook URL refused when connecting:")
        assert receiver.received == []


def test_an_allowed_name_is_sent_to_the_address_it_was_vetted_at(db, monkeypatch, receiver):
    # The host is on the allow-list (a partner on the private network): it may resolve to
    # 127.0.0.1, and the connection goes to the address the one lookup answered even though
    # a second lookup would answer something else.
    dns, _endpoint, delivery = saved_while_public(monkeypatch, receiver)
    dns.now_answers("127.0.0.1", PUBLIC)
    with override_settings(SEO_AUDIT_ALLOWED_HOSTS=[NAME]):
        deliver.enqueue(delivery.pk)
    assert len(receiver.received) == 1
    headers, _body = receiver.received[0]
    assert headers["Host"] == f"{NAME}:{receiver.server.port}"
    assert dns.lookups.count(NAME) == 1 and PUBLIC not in dns.lookups
    delivery.refresh_from_db()
    assert delivery.state == "succeeded"
