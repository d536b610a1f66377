"""HTTP/1.1 requests on pinned sockets, parsed by llhttp (httptools) instead of urllib3.

Every page, link target and image of a crawl is one request: through urllib3 a page's GET
cost ~0.3 ms of CPU and a HEAD ~0.23 ms, most of it in urllib3 and http.client (header
objects, the ``email`` package's header parser, the request layers). This client writes
the request in one send on its own kept-alive sockets and reads the answer with llhttp,
the C parser Node.js uses (through httptools, as uvicorn does): the head, then, for a GET,
the body as it arrives, framed by llhttp (Content-Length, chunked, or up to the end of the
connection) and decoded with urllib3's own decoders (gzip, deflate), which bound their
output, so a compressed bomb costs no more memory than the caller's cap.

What it keeps from the urllib3 path (transport.py): connections go only to the addresses
the guard vetted, with the host name for the Host header, SNI and the certificate check;
each socket is under the deadline of the response being fetched (deadline.py); connect
and read timeouts; a pooled connection is reused only after a complete, well-framed answer
and never when the server has closed it. Failures are raised as the exceptions
``fetch.classify`` already knows (OSError subclasses, ssl errors, urllib3's ProtocolError
for malformed or cut-off answers, DecodeError for a body that does not decode). Hosts
that are not ASCII (IDN) still go through urllib3, which encodes them.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import ssl
import threading
import zlib
from collections import deque
from collections.abc import Callable

import httptools
from urllib3.exceptions import DecodeError, ProtocolError
from urllib3.response import BaseHTTPResponse, ContentDecoder, MultiDecoder

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
_METHODS = frozenset({"GET", "HEAD"})


class Http1Headers(dict[str, str]):
    """Response headers by lower-case name; repeated headers joined with ", " (as urllib3)."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return dict.get(self, name.lower(), default)


def _decoder_for(encoding: str | None) -> ContentDecoder | None:
    """urllib3's decoder for a Content-Encoding, chosen as urllib3 chooses (an encoding it
    cannot decode is passed through as it came)."""
    if not encoding:
        return None
    encoding = encoding.lower()
    supported = BaseHTTPResponse.CONTENT_DECODERS
    if encoding in supported or (
        "," in encoding and any(e.strip() in supported for e in encoding.split(","))
    ):
        return MultiDecoder(encoding)
    return None


class _Exchange:
    """llhttp callbacks: the status line, headers and body of one response."""

    __slots__ = (
        "body",
        "broken",
        "complete",
        "count",
        "head_done",
        "head_only",
        "headers",
        "keep_alive",
        "parser",
        "stray",
    )

    def __init__(self, head_only: bool) -> None:
        self.head_only = head_only  # the answer to a HEAD: no body follows its head
        self.headers = Http1Headers()
        self.count = 0
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self.stray = False  # bytes past the answer: the connection is not reused
        self.body: list[bytes] = []  # pieces llhttp has framed and nobody has read yet
        self.broken: ProtocolError | None = None  # a body framing error, once it is read
        self.parser = httptools.HttpResponseParser(self)
        # As lenient as http.client, which reads what old servers send: bare LF line ends,
        # folded or odd header values, other HTTP versions, blanks after a chunk size, and
        # chunked answers that also send Content-Length (the length is ignored). A
        # connection is reused only after a well-framed answer (reusable), so this is safe.
        self.parser.set_dangerous_leniencies(
            lenient_headers=True,
            lenient_optional_cr_before_lf=True,
            lenient_version=True,
            lenient_chunked_length=True,
            lenient_spaces_after_chunk_size=True,
        )

    def on_message_begin(self) -> None:
        if self.complete:
            self.stray = True  # a second answer to one request

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
            self.headers = Http1Headers()
            self.count = 0
            return
        self.head_done = True
        if self.head_only:
            self.complete = True
            self.keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        if self.head_only or self.complete:
            self.stray = True
        else:
            self.body.append(body)

    def on_message_complete(self) -> None:
        if not self.head_done or self.complete:
            return  # the end of a 1xx, or of what followed a HEAD answer
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()

    def reusable(self) -> bool:
        """Whether the connection may carry another request: the answer was read to its
        end, the server keeps the connection, nothing came after it, and it was framed
        one way only (not by both Content-Length and Transfer-Encoding)."""
        headers = self.headers
        return (
            self.complete
            and self.keep_alive
            and not self.stray
            and not ("content-length" in headers and "transfer-encoding" in headers)
        )

    def ends_at_close(self) -> bool:
        """A body framed by the end of the connection (no length, not chunked)."""
        headers = self.headers
        return (
            "content-length" not in headers
            and "chunked" not in (headers.get("transfer-encoding") or "").lower()
        )


class Http1Response:
    """The members of urllib3's response that fetch.py uses."""

    __slots__ = ("_client", "_conn", "_decoder", "_exchange", "_key", "headers", "status")

    def __init__(
        self,
        client: Http1Client,
        key: tuple[str, str, int],
        conn: socket.socket,
        exchange: _Exchange,
    ) -> None:
        self._client = client
        self._key = key
        self._conn: socket.socket | None = conn
        self._exchange = exchange
        self.status = exchange.parser.get_status_code()
        self.headers = exchange.headers
        self._decoder = _decoder_for(exchange.headers.get("content-encoding"))

    def read1(self, amt: int) -> bytes:
        """The next piece of the body, decoded (at most ``amt`` bytes of decoded output
        at a time); b"" at its end. Raises ProtocolError for a body cut off early or
        badly framed, DecodeError for one that does not decode."""
        exchange = self._exchange
        decoder = self._decoder
        while True:
            if decoder is not None and decoder.has_unconsumed_tail:
                out = _decode(decoder, b"", amt)
                if out:
                    return out
            if exchange.body:
                data = b"".join(exchange.body)
                exchange.body.clear()
                if decoder is None:
                    return data
                out = _decode(decoder, data, amt)
                if out:
                    return out
                continue
            if exchange.broken is not None:
                raise exchange.broken
            if exchange.complete:
                if decoder is not None:
                    self._decoder = None
                    return decoder.flush()
                return b""
            self._receive()

    def drain_conn(self) -> None:
        """Read the rest of the body and drop it, so the connection can be reused."""
        exchange = self._exchange
        try:
            while not exchange.complete:
                exchange.body.clear()
                self._receive()
        except (OSError, ProtocolError):
            exchange.keep_alive = False
        exchange.body.clear()

    def close(self) -> None:
        self._exchange.keep_alive = False

    def release_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._client._release(self._key, conn, self._exchange.reusable())

    def _receive(self) -> None:
        exchange = self._exchange
        if exchange.broken is not None:
            raise exchange.broken
        conn = self._conn
        if conn is None:
            raise ProtocolError("the response was already released")
        data = conn.recv(_READ)
        if not data:
            if exchange.ends_at_close():
                exchange.complete = True  # the end of the connection ends the body
                exchange.keep_alive = False
                return
            raise ProtocolError("Connection broken: the body ended before its declared end")
        _feed(exchange, data)


class Http1Client:
    """Thread-safe GET and HEAD requests with kept-alive connections, ``maxsize`` idle per
    origin."""

    def __init__(self, addresses_for: AddressesFor, headers: dict[str, str], maxsize: int) -> None:
        self._addresses_for = addresses_for
        # Host first, as http.client sends it; the session's headers after it.
        self._header_lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._maxsize = maxsize
        self._idle: dict[tuple[str, str, int], deque[socket.socket]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    def handles(self, method: str, scheme: str, host: str) -> bool:
        return method in _METHODS and scheme in _DEFAULT_PORTS and bool(host) and host.isascii()

    def request(
        self, method: str, scheme: str, host: str, port: int | None, target: str, timeout: float
    ) -> Http1Response:
        """Send ``method target`` to ``scheme://host:port`` and read the answer's head; the
        body (for a GET) is read from the response as the caller asks for it."""
        if _UNSAFE_TARGET.search(target):
            raise ProtocolError(f"URL can't contain control characters: {target!r}")
        port = port or _DEFAULT_PORTS[scheme]
        key = (scheme, host, port)
        host_header = host if ":" not in host else f"[{host}]"
        if port != _DEFAULT_PORTS[scheme]:
            host_header = f"{host_header}:{port}"
        request = f"{method} {target} HTTP/1.1\r\nHost: {host_header}\r\n{self._header_lines}\r\n"
        conn = self._idle_conn(key) or self._connect(key, timeout)
        try:
            conn.settimeout(timeout)
            attach_current(conn)  # a pooled socket joins this response's watch
            conn.sendall(request.encode("ascii"))
            exchange = self._read_head(conn, head_only=method == "HEAD")
        except BaseException:
            _close(conn)
            raise
        return Http1Response(self, key, conn, exchange)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                _close(conn)

    def _read_head(self, conn: socket.socket, *, head_only: bool) -> _Exchange:
        exchange = _Exchange(head_only)
        size = 0
        while not exchange.head_done:
            data = conn.recv(_READ)
            if not data:
                raise ConnectionResetError("the server closed the connection without an answer")
            size += len(data)
            if size > MAX_HEAD_BYTES:
                raise ProtocolError(f"response head longer than {MAX_HEAD_BYTES} bytes")
            _feed(exchange, data)
        return exchange

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


def _feed(exchange: _Exchange, data: bytes) -> None:
    """Parse ``data``; a malformed head raises ProtocolError at once, a malformed body once
    the pieces before the error have been read (as urllib3 reports it: while reading)."""
    try:
        exchange.parser.feed_data(data)
    except httptools.HttpParserError as exc:
        cause = exc.__context__
        error = cause if isinstance(cause, ProtocolError) else None
        error = error or ProtocolError(f"malformed response: {exc}")
        if not exchange.head_done:
            raise error from None
        exchange.broken = error
        exchange.keep_alive = False


def _decode(decoder: ContentDecoder, data: bytes, amt: int) -> bytes:
    try:
        return decoder.decompress(data, max_length=amt)
    except (OSError, zlib.error) as exc:  # what urllib3 turns into DecodeError too
        raise DecodeError(f"the body does not decode as its Content-Encoding says: {exc}") from exc


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
