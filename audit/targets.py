"""Which sites people in the admin may aim an audit at (a run or a schedule).

Allowed: this CMS's own sites (its Wagtail ``Site`` records, host and port), hosts whose every
resolved address is public, and the hosts listed in ``SEO_AUDIT_ALLOWED_HOSTS`` (``"host"`` for
any port, ``"host:port"``, ``"[v6]:port"``). Anything else, e.g. ``http://10.0.0.1/``, the cloud
metadata address or ``http://127.0.0.1:6379/``, is refused before a run is queued. Vetting only
resolves names; it never connects. The engine repeats the check when it connects (the names
could resolve differently by then): ``admin_engine_overrides()`` is its configuration.
"""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from wagtail.models import Site

from audit.engine.errors import InvalidStartURL
from audit.engine.urls import DEFAULT_PORTS, validate_start_url

RESOLVE_TIMEOUT = 5.0  # seconds for one name lookup, so a hung resolver cannot hang the admin
ALLOWED_HOSTS_SETTING = "SEO_AUDIT_ALLOWED_HOSTS"
WEB_PORTS = (80, 443)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IANA special-purpose ranges, listed here so the answer does not depend on the Python
# version's idea of is_global (192.0.0.0/24 changed in 3.12, for one).
_SPECIAL_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
]
# IPv6 forms that carry an IPv4 address in their last 32 bits: judged by that address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="audit-target-resolve")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside a mapped, 6to4, NAT64 or IPv4-compatible IPv6 address."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


def is_public_address(ip: IPAddress) -> bool:
    """True when the address is globally reachable: no private, loopback, link-local,
    shared, documentation, multicast or reserved range, also not hidden inside IPv6."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_public_address(inner)
    if any(ip in network for network in _SPECIAL_NETWORKS if network.version == ip.version):
        return False
    return ip.is_global and not ip.is_multicast


def own_site_hosts() -> list[str]:
    """``host:port`` of every Wagtail Site of this CMS. A site on port 80 or 443 counts on
    both: Wagtail matches requests that way, and a site behind a TLS proxy keeps port 80."""
    hosts: list[str] = []
    for hostname, port in Site.objects.values_list("hostname", "port"):
        ports = WEB_PORTS if port in WEB_PORTS else (port,)
        hosts += [_host_port(hostname.lower(), each) for each in ports]
    return list(dict.fromkeys(hosts))


def allowed_hosts() -> list[tuple[str, int | None]]:
    """SEO_AUDIT_ALLOWED_HOSTS as (host, port or None for any port)."""
    entries = getattr(settings, ALLOWED_HOSTS_SETTING, None) or []
    if isinstance(entries, str):
        raise ImproperlyConfigured(
            f'{ALLOWED_HOSTS_SETTING} must be a list such as ["staging.example.org:8443"], '
            f"not the string {entries!r}"
        )
    return [_parse_host_entry(str(entry)) for entry in entries]


def admin_engine_overrides() -> dict[str, Any]:
    """AuditConfig fields for runs started from the admin or a schedule: no private addresses
    except this CMS's own sites and the hosts the settings allow."""
    extra = [host if port is None else _host_port(host, port) for host, port in allowed_hosts()]
    return {"allow_private": False, "trusted_hosts": (*own_site_hosts(), *extra)}


def vet_admin_target(url: str) -> str:
    """The normalised URL if the admin may audit it, else ValidationError (one line)."""
    try:
        target = validate_start_url(url)
    except InvalidStartURL as exc:
        raise ValidationError(str(exc), code="invalid_target") from None
    parts = urlsplit(target)
    host = (parts.hostname or "").lower()
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    if _host_port(host, port) in own_site_hosts():
        return target
    if any(
        host == allowed and allowed_port in (None, port)
        for allowed, allowed_port in allowed_hosts()
    ):
        return target
    addresses = _resolve(host, port)
    private = next((ip for ip in addresses if not is_public_address(ip)), None)
    if private is not None:
        shown = host if str(private) == host else f"{host} ({private})"
        raise ValidationError(
            f"{target} is not allowed: {shown} is a private or reserved address. Audit this "
            f"site, a public site, or add {_host_port(host, port)} to {ALLOWED_HOSTS_SETTING}.",
            code="private_target",
        )
    return target


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    lookup = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        answers = lookup.result(timeout=RESOLVE_TIMEOUT)
    except FutureTimeout:
        raise ValidationError(
            f"{host} did not resolve within {RESOLVE_TIMEOUT:g} s: try again or check the name.",
            code="unresolved_target",
        ) from None
    except OSError:
        raise ValidationError(
            f"{host} does not resolve to an address: check the spelling of the URL.",
            code="unresolved_target",
        ) from None
    # Scope ids (fe80::1%eth0) are not part of the address.
    return [ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0]) for answer in answers]


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _parse_host_entry(entry: str) -> tuple[str, int | None]:
    text = entry.strip().lower()
    host, port_text = text, ""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host or "/" in host or (port_text and not port_text.isdigit()):
        raise ImproperlyConfigured(
            f"{ALLOWED_HOSTS_SETTING} entry {entry!r} is not a host or host:port, "
            'e.g. "staging.example.org" or "staging.example.org:8443"'
        )
    port = int(port_text) if port_text else None
    if port is not None and not 0 < port < 65536:
        raise ImproperlyConfigured(f"{ALLOWED_HOSTS_SETTING} entry {entry!r} has no valid port")
    return host, port
