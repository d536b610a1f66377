"""Which sites people in the admin may aim an audit at (a run or a schedule).

Allowed: this CMS's own sites (its Wagtail ``Site`` records, host and port, and the static
front end built from it, ``SEO_AUDIT["FRONTEND_URL"]``), hosts whose every
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

from audit.conf import audit_setting
from audit.engine import DEFAULT_PORTS, InvalidStartURL, is_public_address, validate_start_url

RESOLVE_TIMEOUT = 5.0  # seconds for one name lookup, so a hung resolver cannot hang the admin
ALLOWED_HOSTS_SETTING = "SEO_AUDIT_ALLOWED_HOSTS"
WEB_PORTS = (80, 443)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="audit-target-resolve")


def own_site_hosts() -> list[str]:
    """``host:port`` of every Wagtail Site of this CMS. A site on port 80 or 443 counts on
    both: Wagtail matches requests that way, and a site behind a TLS proxy keeps port 80."""
    hosts: list[str] = []
    for hostname, port in Site.objects.values_list("hostname", "port"):
        ports = WEB_PORTS if port in WEB_PORTS else (port,)
        hosts += [_host_port(hostname.lower(), each) for each in ports]
    return list(dict.fromkeys(hosts))


def frontend_url() -> str:
    """The static front end built from this CMS (SEO_AUDIT["FRONTEND_URL"]), normalised with
    a trailing slash, or "" when none is configured."""
    url = audit_setting("FRONTEND_URL")
    return url.rstrip("/") + "/" if url else ""


def frontend_hosts() -> list[str]:
    """``host:port`` of the configured front end: audited as this CMS's own, like its sites."""
    url = frontend_url()
    if not url:
        return []
    parts = urlsplit(url)
    return [_host_port((parts.hostname or "").lower(), parts.port or DEFAULT_PORTS[parts.scheme])]


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
    """EngineConfig fields for runs started from the admin or a schedule: no private addresses
    except this CMS's own sites and the hosts the settings allow."""
    extra = [host if port is None else _host_port(host, port) for host, port in allowed_hosts()]
    return {
        "allow_private": False,
        "trusted_hosts": (*own_site_hosts(), *frontend_hosts(), *extra),
    }


def vet_admin_target(url: str) -> str:
    """The normalised URL if the admin may audit it, else ValidationError (one line)."""
    try:
        target = validate_start_url(url)
    except InvalidStartURL as exc:
        raise ValidationError(str(exc), code="invalid_target") from None
    parts = urlsplit(target)
    host = (parts.hostname or "").lower()
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    if _host_port(host, port) in (*own_site_hosts(), *frontend_hosts()):
        return target
    if any(
        host == allowed and allowed_port in (None, port)
        for allowed, allowed_port in allowed_hosts()
    ):
        return target
    addresses = _resolve(host, port)
    private = next((ip for ip in addresses if not is_public_address(str(ip))), None)
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
