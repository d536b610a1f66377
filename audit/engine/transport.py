"""The requests transport adapter: connections to vetted addresses, under deadlines.

The address guard resolves each host once and checks every address. If connections then
resolved the name again, a DNS answer that changes in between (DNS rebinding) could point
an audit of a public site at the local network. So the adapter opens its urllib3 pool on the
address the guard vetted, and names the host only where HTTP and TLS need it: the Host
header, SNI and the certificate check (``server_hostname``).

Every socket a connection uses is put under the deadline of the response being fetched
(deadline.py), so a watchdog can cut a slow or cancelled response short wherever it is:
the TLS handshake (``WatchedTLSContext.wrap_socket``), the head or the body.

Only public API is used: ``HTTPAdapter.get_connection_with_tls_context`` and ``cert_verify``
(documented for subclasses), pool keyword arguments, ``PoolManager.pool_classes_by_scheme``,
``ConnectionCls``, and http.client's ``response_class``.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.structures import CaseInsensitiveDict
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.response import assert_header_parsing

from .deadline import attach_current

# (host name, port) -> addresses to connect to, or None to resolve as usual
AddressesFor = Callable[[str, int], tuple[str, ...] | None]
DEFAULT_PORTS = {"http": 80, "https": 443}


class CheckedResponse(http.client.HTTPResponse):
    """http.client's response, stricter where a lenient reading could mislead the audit:
    a head that does not parse (cut off mid-header, a line that is no header) is an error,
    as urllib3 only logs it; and an answer framed two ways (chunked and a Content-Length)
    ends its connection, so no request can be answered by what the other framing left."""

    def begin(self) -> None:
        super().begin()
        assert_header_parsing(self.msg)  # raises HeaderParsingError
        if self.chunked and self.msg.get("content-length") is not None:
            self.will_close = True


class WatchedTLSContext(ssl.SSLContext):
    """A TLS context whose handshakes are under the current response's deadline."""

    def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> ssl.SSLSocket:  # type: ignore[override]
        attach_current(sock)  # the raw socket: a handshake that trickles is cut off too
        wrapped = super().wrap_socket(sock, *args, **kwargs)
        attach_current(wrapped)
        return wrapped


def tls_context() -> ssl.SSLContext:
    """Certificates and host names checked against the system's CAs (SSL_CERT_FILE
    honoured), TLS 1.2 or later."""
    context = WatchedTLSContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_default_certs()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


class _Watched:
    """Connection mix-in: a connection's socket joins the deadline of the response that
    uses it, new (after connect) or pooled (at each request)."""

    response_class = CheckedResponse
    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        attach_current(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        attach_current(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """Sends each request to an address ``addresses_for`` vetted (the next one when a
    connection to the first fails), with the host name in the Host header and for TLS.
    ``addresses_for`` raises UnsafeTarget for a host the run may not reach; None means
    "resolve as usual" (a run allowed private addresses)."""

    def __init__(self, addresses_for: AddressesFor, **kwargs: Any) -> None:
        self._addresses_for = addresses_for
        self._tls = tls_context()
        self._address = threading.local()  # the address this thread's request goes to
        super().__init__(**kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": WatchedHTTPConnectionPool,
            "https": WatchedHTTPSConnectionPool,
        }

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        scheme, host = parts.scheme, parts.hostname or ""
        port = parts.port or DEFAULT_PORTS.get(scheme, 0)
        addresses = self._addresses_for(host, port) or (None,)
        if "Host" not in request.headers:
            # Host first, as http.client sends it: what the URL names, whatever address
            # the connection goes to.
            netloc = parts.netloc.rpartition("@")[2]
            request.headers = CaseInsensitiveDict({"Host": netloc, **request.headers})
        for index, address in enumerate(addresses):
            self._address.value = address
            try:
                return super().send(request, *args, **kwargs)
            except RequestsConnectionError as exc:
                if index == len(addresses) - 1 or not _not_connected(exc):
                    raise
            finally:
                self._address.value = None
        raise AssertionError("unreachable: the last address returns or raises")

    def get_connection_with_tls_context(  # type: ignore[override]
        self, request: PreparedRequest, verify: Any, proxies: Any = None, cert: Any = None
    ) -> HTTPConnectionPool:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["ssl_context"] = self._tls
            pool_kwargs["server_hostname"] = host_params["host"]
        address = getattr(self._address, "value", None)
        if address is not None:
            host_params["host"] = address
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)

    def request_url(self, request: PreparedRequest, proxies: Any) -> str:
        # No proxies (a proxy would connect to names, not to the vetted addresses).
        return request.path_url

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # The context holds the system's CAs; requests would load its own bundle into each
        # new connection's context instead.
        conn.cert_reqs = "CERT_REQUIRED"


def _not_connected(exc: BaseException) -> bool:
    """Whether the request failed before a connection was made (so another address may
    work), not while it was being answered."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps it
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
