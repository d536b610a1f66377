"""HEAD requests on pinned sockets, parsed by llhttp (httptools) instead of urllib3.

Link-target and image checks send one HEAD per target: ~10,000 on a 10,000-page crawl,
a third of a worker's CPU. Through urllib3 a HEAD cost ~0.23 ms of CPU, ~90 % of it in
urllib3 and http.client (header objects, the ``email`` package's header parser). A HEAD
answer has no body, so keeping a connection alive needs no body framing, and the request
is one write: this client sends it on its own sockets and parses the answer with llhttp,
the C parser Node.js uses (through httptools, as uvicorn does).

What it keeps from the urllib3 path (transport.py): connections go only to the addresses
the guard vetted, with the host name for the Host header, SNI and the certificate check;
each socket is under the deadline of the response being fetched (deadline.py); connect
and read timeouts; a pooled connection the server has closed is not reused. Failures are
raised as the exceptions ``fetch.classify`` already knows (OSError subclasses, ssl errors,
urllib3's ProtocolError for malformed answers). Every other request (GET, redirects
aside) still goes through urllib3.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable

import httptools
from urllib3.exceptions import ProtocolError

from .deadline import attach_current

# (host name, port) -> addresses to connect to, or None to resolve as usual
AddressesFor = Callable[[str, int], tuple[str, ...] | None]

# http.client's limits for a response head: 100 header lines of at most 64 KiB each;
# here the whole head is bounded instead.
MAX_HEADERS = 100
MAX_HEAD_BYTES = 64 * 1024
_READ = 16384
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSAFE_TARGET = re.compile(r"[^\x21-\x7e]")  # as http.client refuses in a request line


class HeadHeaders(dict[str, str]):
    """Response headers by lower-case name; repeated headers joined with ", " (as urllib3)."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return dict.get(self, name.lower(), default)


class _Head:
    """llhttp callbacks: collects the status line and headers of one response."""

    __slots__ = ("body", "count", "done", "headers", "keep_alive", "parser")

    def __init__(self) -> None:
        self.headers = HeadHeaders()
        self.count = 0
        self.done = False
        self.body = False  # bytes after the head: the connection is not reused
        self.keep_alive = False
        self.parser = httptools.HttpResponseParser(self)
        # As lenient as http.client, which reads what old servers send: bare LF line ends,
        # folded or odd header values, other HTTP versions. Only the head is read, and a
        # connection is reused only after a well-framed answer, so this is safe here.
        self.parser.set_dangerous_leniencies(
            lenient_headers=True, lenient_optional_cr_before_lf=True, lenient_version=True
        )

    def on_header(self, name: bytes, value: bytes) -> None:
        self.count += 1
        if self.count > MAX_HEADERS:
            raise ProtocolError(f"got more than {MAX_HEADERS} headers")
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")  # llhttp drops leading blanks, keeps trailing ones
        headers = self.headers
        headers[key] = f"{headers[key]}, {text}" if key in headers else text

    def on_headers_complete(self) -> None:
        if self.parser.get_status_code() < 200:
            # 1xx (e.g. 100 Continue): the real answer follows, as http.client skips it.
            self.headers = HeadHeaders()
            self.count = 0
            return
        self.done = True
        self.keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self.body = True


class HeadResponse:
    """The few members of urllib3's response that fetch.py uses for a HEAD answer."""

    __slots__ = ("_client", "_conn", "_key", "_reusable", "headers", "status")

    def __init__(
        self,
        client: HeadClient,
        key: tuple[str, str, int],
        conn: socket.socket,
        status: int,
        headers: HeadHeaders,
        reusable: bool,
    ) -> None:
        self._client = client
        self._key = key
        self._conn: socket.socket | None = conn
        self._reusable = reusable
        self.status = status
        self.headers = headers

    def drain_conn(self) -> None:
        """Nothing to read: a HEAD answer has no body."""

    def close(self) -> None:
        self._reusable = False

    def release_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._client._release(self._key, conn, self._reusable)


class HeadClient:
    """Thread-safe HEAD requests with kept-alive connections, ``maxsize`` idle per origin."""

    def __init__(self, addresses_for: AddressesFor, headers: dict[str, str], maxsize: int) -> None:
        self._addresses_for = addresses_for
        # Host first, as http.client sends it; the session's headers after it.
        self._header_lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._maxsize = maxsize
        self._idle: dict[tuple[str, str, int], deque[socket.socket]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    def handles(self, scheme: str, host: str) -> bool:
        return scheme in _DEFAULT_PORTS and bool(host) and host.isascii()

    def head(
        self, scheme: str, host: str, port: int | None, target: str, timeout: float
    ) -> HeadResponse:
        """Send ``HEAD target`` to ``scheme://host:port`` and read the answer's head."""
        if _UNSAFE_TARGET.search(target):
            raise ProtocolError(f"URL can't contain control characters: {target!r}")
        port = port or _DEFAULT_PORTS[scheme]
        key = (scheme, host, port)
        host_header = host if ":" not in host else f"[{host}]"
        if port != _DEFAULT_PORTS[scheme]:
            host_header = f"{host_header}:{port}"
        request = f"HEAD {target} HTTP/1.1\r\nHost: {host_header}\r\n{self._header_lines}\r\n"
        conn = self._idle_conn(key) or self._connect(key, timeout)
        try:
            conn.settimeout(timeout)
            attach_current(conn)  # a pooled socket joins this response's watch
            conn.sendall(request.encode("ascii"))
            head = self._read_head(conn)
        except BaseException:
            _close(conn)
            raise
        status = head.parser.get_status_code()
        return HeadResponse(
            self, key, conn, status, head.headers, head.keep_alive and not head.body
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                _close(conn)

    def _read_head(self, conn: socket.socket) -> _Head:
        head = _Head()
        size = 0
        while not head.done:
            data = conn.recv(_READ)
            if not data:
                raise ConnectionResetError("the server closed the connection without an answer")
            size += len(data)
            if size > MAX_HEAD_BYTES:
                raise ProtocolError(f"response head longer than {MAX_HEAD_BYTES} bytes")
            try:
                head.parser.feed_data(data)
            except httptools.HttpParserError as exc:
                cause = exc.__context__
                if isinstance(cause, ProtocolError):
                    raise cause from None
                raise ProtocolError(f"malformed response: {exc}") from exc
        return head

    def _idle_conn(self, key: tuple[str, str, int]) -> socket.socket | None:
        while True:
            with self._lock:
                conns = self._idle.get(key)
                if not conns:
                    return None
                conn = conns.pop()
            if not _dropped(conn):
                return conn
            _close(conn)

    def _connect(self, key: tuple[str, str, int], timeout: float) -> socket.socket:
        scheme, host, port = key
        # Raises UnsafeTarget for an address the run may not use.
        addresses = self._addresses_for(host, port) or (host,)
        error: OSError | None = None
        for address in addresses:
            try:
                sock = socket.create_connection((address, port), timeout)
            except OSError as exc:
                error = exc
                continue
            break
        else:
            assert error is not None
            raise error
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            attach_current(sock)  # the raw socket: the TLS handshake is under the deadline too
            if scheme == "https":
                sock = self._tls_context().wrap_socket(sock, server_hostname=host)
                attach_current(sock)
        except BaseException:
            _close(sock)
            raise
        return sock

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            # Certificate and host name checked against the system's CAs, TLS 1.2 or later:
            # what urllib3 does by default.
            context = ssl.create_default_context()
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.set_alpn_protocols(["http/1.1"])
            self._tls = context
        return self._tls

    def _release(self, key: tuple[str, str, int], conn: socket.socket, reusable: bool) -> None:
        if reusable:
            with self._lock:
                conns = self._idle.setdefault(key, deque())
                if not self._closed and len(conns) < self._maxsize:
                    conns.append(conn)
                    return
        _close(conn)


def _dropped(conn: socket.socket) -> bool:
    """An idle connection with something to read (an EOF, a stray byte) is not reused."""
    if conn.fileno() < 0:
        return True
    if isinstance(conn, ssl.SSLSocket) and conn.pending():
        return True
    poller = select.poll()
    poller.register(conn, select.POLLIN)
    return bool(poller.poll(0))


def _close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.close()
