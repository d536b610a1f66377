"""The address guard: every resolved address is vetted against the IANA special-purpose
registries, embedded IPv4 forms included. Resolve-and-vet only: the only connections
made are to servers on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from hostile_server import HostileServer

from audit.engine import AuditConfig, UnsafeTarget, audit_site
from audit.engine.crawl import Crawler
from audit.engine.errors import FetchError
from audit.engine.fetch import Fetcher
from audit.engine.urls import AddressGuard, is_public_address

NOT_PUBLIC = [
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "::a00:1",  # IPv4-compatible 10.0.0.1
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",  # cloud metadata, mapped
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "192.0.0.8",
    "192.0.0.9",
    "100.64.0.1",
    "169.254.169.254",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "fe80::1%eth0",
    "fd00::1",
    "ff02::1",
    "3fff::1",
]
PUBLIC = ["93.184.216.34", "2606:4700::1111", "64:ff9b::5db8:d822", "2002:5db8:d822::1"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_special_purpose_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_and_their_nat64_and_6to4_forms_are_public(address: str) -> None:
    assert is_public_address(address)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Names the test chooses resolve to addresses it chooses; nothing is sent anywhere."""
    table = {"clinic.example": "93.184.216.34"}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if host in table:
            address = table[host]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, 0))]
        if host in ("localhost", "127.0.0.1"):
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        raise socket.gaierror("unknown host")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield table


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_public_crawl_refuses_hosts_resolving_to_each_form(
    fake_dns: dict[str, str], address: str
) -> None:
    fake_dns["sneaky.example"] = address.split("%")[0]
    guard = AddressGuard("clinic.example")
    assert not guard.allowed("sneaky.example")
    with pytest.raises(UnsafeTarget):
        guard.pinned("sneaky.example", 443)


def test_public_only_refuses_a_private_start_url_in_one_line(fake_dns: dict[str, str]) -> None:
    with pytest.raises(UnsafeTarget) as refused:
        Crawler("http://localhost:8000/", AuditConfig(allow_private=False))
    message = str(refused.value)
    assert "\n" not in message and "localhost" in message and "trusted_hosts" in message
    # The command line's rule is unchanged: a private start URL may be crawled.
    assert AddressGuard("localhost:8000").allowed("localhost:8000")


def test_trusted_hosts_may_be_private_and_nothing_else(fake_dns: dict[str, str]) -> None:
    fake_dns["intranet.example"] = "10.0.0.5"
    guard = AddressGuard("localhost:8000", allow_private=False, trusted_hosts=("localhost",))
    assert guard.allowed("localhost:8000") and guard.allowed("localhost:9000")
    assert not guard.allowed("intranet.example")
    assert not guard.allowed("127.0.0.1:8000")  # another name for it, not trusted
    by_port = AddressGuard("localhost:8000", allow_private=False, trusted_hosts=("localhost:8000",))
    assert by_port.allowed("localhost:8000") and not by_port.allowed("localhost:9000")
    assert by_port.pinned("localhost", 8000)
    with pytest.raises(UnsafeTarget):
        by_port.pinned("localhost", 9000)


@pytest.fixture
def two_loopback_servers() -> Iterator[tuple[HostileServer, HostileServer]]:
    other = HostileServer(lifetime=30)
    with other, HostileServer(lifetime=30, redirect_to=other.url("/plain")) as trusted:
        yield trusted, other


def test_a_redirect_to_an_untrusted_loopback_port_is_refused_at_connect_time(
    two_loopback_servers: tuple[HostileServer, HostileServer],
) -> None:
    trusted, other = two_loopback_servers
    guard = AddressGuard(
        f"127.0.0.1:{trusted.port}",
        allow_private=False,
        trusted_hosts=(f"127.0.0.1:{trusted.port}",),
    )
    # No scope or robots rules in the way: only the guard, at connect time, stops this.
    fetcher = Fetcher(AuditConfig(timeout=2.0, retries=0), guard=guard)
    try:
        fetched = fetcher.fetch(trusted.url("/redirect"))
    finally:
        fetcher.close()
    assert fetched.error is FetchError.PRIVATE_ADDRESS
    assert fetched.hops and fetched.final_url == other.url("/plain")
    assert other.requests == []


def test_a_trusted_loopback_site_is_crawled_and_its_redirect_out_is_not_followed(
    two_loopback_servers: tuple[HostileServer, HostileServer],
) -> None:
    trusted, other = two_loopback_servers
    host = f"127.0.0.1:{trusted.port}"
    config = AuditConfig(
        allow_private=False, trusted_hosts=(host,), timeout=2.0, retries=0, parse_workers=0
    )
    result = audit_site(trusted.url("/redirect"), config)
    start = result.page(trusted.url("/redirect"))
    assert start is not None and start.error == "redirect-not-followed: out-of-scope"
    assert other.requests == []
