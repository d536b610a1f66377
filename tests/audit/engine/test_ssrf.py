"""The address guard: every resolved address is vetted against the IANA special-purpose
registries, embedded IPv4 forms included. Resolve-and-vet only: the only connections
made are to servers on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest
from hostile_server import HostileServer

from audit.engine import EngineConfig, UnsafeTarget, audit_site
from audit.engine.crawl import Crawler
from audit.engine.errors import FetchError
from audit.engine.fetch import Fetcher
from audit.engine.urls import AddressGuard, embedded_ipv4, is_public_address, normalize_url

# Issue 24 case 7: IPv6 spellings of internal IPv4 addresses, judged by the address they carry.
IPV4_IN_IPV6 = [
    "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1 (was treated as public)
    "::ffff:0:127.0.0.1",  # the same, dotted
    "::ffff:0:a00:1",  # IPv4-translated 10.0.0.1
    "::ffff:0:169.254.169.254",  # IPv4-translated cloud metadata
    "0:0:0:0:ffff:0:c0a8:101",  # IPv4-translated 192.168.1.1, written out
    "::FFFF:0:7F00:1",  # upper case
    "::ffff:127.0.0.1",  # IPv4-mapped
    "0:0:0:0:0:ffff:7f00:1",  # IPv4-mapped, written out
    "::127.0.0.1",  # IPv4-compatible
    "::7f00:1",
    "64:ff9b::127.0.0.1",  # NAT64
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:0:0:0:0:c0a8:101",  # NAT64 of 192.168.1.1, written out
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:c0a8:101:1:2:3:4:5",  # 6to4 of 192.168.1.1, any suffix
]
NOT_PUBLIC = IPV4_IN_IPV6 + [
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
PUBLIC = [
    "93.184.216.34",
    "2606:4700::1111",
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34
    "2002:5db8:d822::1",  # 6to4 of it
    "::ffff:93.184.216.34",  # IPv4-mapped
    "::ffff:0:5db8:d822",  # IPv4-translated
]


@pytest.mark.parametrize("address", IPV4_IN_IPV6)
def test_each_ipv6_form_carries_the_ipv4_address_it_is_judged_by(address: str) -> None:
    carried = embedded_ipv4(ipaddress.IPv6Address(address))
    assert carried is not None and not is_public_address(str(carried))


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
        Crawler("http://localhost:8000/", EngineConfig(allow_private=False))
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
    fetcher = Fetcher(EngineConfig(timeout=2.0, retries=0), guard=guard)
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
    config = EngineConfig(
        allow_private=False, trusted_hosts=(host,), timeout=2.0, retries=0, parse_workers=0
    )
    result = audit_site(trusted.url("/redirect"), config)
    start = result.page(trusted.url("/redirect"))
    assert start is not None and start.error == "redirect-not-followed: out-of-scope"
    assert other.requests == []


@pytest.mark.parametrize("address", ["::ffff:0:7f00:1", "64:ff9b::7f00:1", "2002:7f00:1::"])
def test_a_redirect_to_an_ipv6_spelling_of_loopback_is_not_followed(address: str) -> None:
    """The guard vets redirect targets by the same function: an admin run of a trusted
    loopback site may not be redirected to another spelling of loopback."""
    with HostileServer(lifetime=30) as site:
        target = f"http://[{address}]:{site.port}/plain"
        with HostileServer(lifetime=30, redirect_to=target) as trusted:
            host = f"127.0.0.1:{trusted.port}"
            guard = AddressGuard(host, allow_private=False, trusted_hosts=(host,))
            assert not guard.allowed(f"[{address}]:{site.port}")
            config = EngineConfig(
                allow_private=False,
                trusted_hosts=(host,),
                timeout=2.0,
                retries=0,
                parse_workers=0,
                extra_hosts=(f"[{address}]:{site.port}",),
            )
            with pytest.raises(UnsafeTarget):
                audit_site(trusted.url("/redirect"), config)  # the extra host is refused
            fetcher = Fetcher(EngineConfig(timeout=2.0, retries=0), guard=guard)
            try:
                fetched = fetcher.fetch(trusted.url("/redirect"))
            finally:
                fetcher.close()
    assert fetched.error is FetchError.PRIVATE_ADDRESS
    assert fetched.final_url == normalize_url(target)
    assert site.requests == []
