"""The address a development server is reached at, from the host and port it listens on."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

# Listening on every interface: this machine reaches itself on loopback.
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def base_url_for(host: str, port: str | int) -> str:
    """`http://HOST:PORT` for a server listening on `host`:`port`, e.g. http://127.0.0.1:8701.

    A wildcard host (0.0.0.0, ::) becomes loopback; an IPv6 address is bracketed. A port that
    is not a number from 1 to 65535 raises ImproperlyConfigured with a one-line reason.
    """
    try:
        port_number = int(str(port).strip())
    except ValueError:
        port_number = 0
    if not 1 <= port_number <= 65535:
        raise ImproperlyConfigured(f"PORT={port!r} is not a port number: use 1 to 65535.")
    name = host.strip().strip("[]")
    name = _WILDCARD_HOSTS.get(name, name)
    try:
        if ipaddress.ip_address(name).version == 6:
            name = f"[{name}]"
    except ValueError:
        pass  # a host name such as localhost
    return f"http://{name}:{port_number}"
