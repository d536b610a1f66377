"""Connections pinned to vetted addresses, behind a requests.Session.

The address guard resolves each host once and checks every address. If connections then
resolved the name again, a DNS answer that changes in between (DNS rebinding) could point
an audit of a public site at the local network. So each urllib3 connection pool created
here connects to the addresses the guard vetted, while the Host header, TLS SNI and
certificate check still use the host name.

Every connection made here also puts its socket under the deadline of the response being
fetched (deadline.py), so a watchdog can cut a slow or cancelled response short.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .deadline import attach_current

# (host name, port) -> addresses to connect to, or None to resolve as usual
AddressesFor = Callable[[str, int], tuple[str, ...] | None]


class _PinnedMixin:
    _dns_host: str

    def __init__(self, *args: Any, pinned: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinned = pinned

    def _new_conn(self) -> socket.socket:
        sock = self._connect_pinned()
        attach_current(sock)  # the raw socket: the TLS handshake is under the deadline too
        return sock

    def _connect_pinned(self) -> socket.socket:
        if not self._pinned:
            return super()._new_conn()  # type: ignore[misc]
        name = self._dns_host
        error: Exception | None = None
        for address in self._pinned:
            # urllib3 resolves _dns_host; restore the name at once, because `host` (Host
            # header, SNI, certificate matching) reads the same attribute.
            self._dns_host = address
            try:
                return super()._new_conn()  # type: ignore[misc]
            except (NewConnectionError, ConnectTimeoutError) as exc:
                error = exc
            finally:
                self._dns_host = name
        assert error is not None
        raise error

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        attach_current(self.sock)  # type: ignore[attr-defined]  # after TLS: a new socket

    def request(self, *args: Any, **kwargs: Any) -> None:
        # A pooled connection that is already open: its socket joins this response's watch.
        attach_current(self.sock)  # type: ignore[attr-defined]
        super().request(*args, **kwargs)  # type: ignore[misc]


class PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


class PinnedPoolManager(PoolManager):
    """A PoolManager whose pools connect only to the addresses ``addresses_for`` returns."""

    def __init__(self, *args: Any, addresses_for: AddressesFor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._addresses_for = addresses_for

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> HTTPConnectionPool:
        pool = super()._new_pool(scheme, host, port, request_context)
        # Raises UnsafeTarget for an address the run may not use.
        addresses = self._addresses_for(host, port)
        pool.ConnectionCls = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
        pool.conn_kw["pinned"] = addresses or ()
        return pool


class PinnedAdapter(HTTPAdapter):
    """requests transport adapter over a PinnedPoolManager."""

    def __init__(self, addresses_for: AddressesFor, **kwargs: Any) -> None:
        self._addresses_for = addresses_for  # read by init_poolmanager during __init__
        super().__init__(**kwargs)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = PinnedPoolManager(
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            addresses_for=self._addresses_for,
            **pool_kwargs,
        )
