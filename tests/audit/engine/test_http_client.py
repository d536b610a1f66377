"""The Fetcher's HTTP client (requests' adapter on urllib3, transport.py) for pages, link and
image checks: kept-alive connections, malformed and hostile answers, deadlines, TLS.
Servers on 127.0.0.1 only."""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_server import HostileServer

from audit.engine import EngineConfig
from audit.engine.errors import FetchError
from audit.engine.fetch import Fetcher
from audit.engine.version import AUDIT_HEADER

OK = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1234\r\n\r\n"


class CannedServer:
    """Answers every request with ``answer`` (or ``answer(request)``); records requests and
    connections. ``close_after`` hangs up after each answer, ``reset_after`` resets the
    connection (TCP RST) instead."""

    def __init__(
        self,
        answer: bytes | Callable[[bytes], bytes],
        *,
        close_after: bool = False,
        reset_after: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.answer = answer
        self.close_after = close_after or reset_after
        self.reset_after = reset_after
        self.tls = tls
        self.connections = 0
        self.requests: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self._sock.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            conn.settimeout(5)
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                request, data = data.split(b"\r\n\r\n", 1)
                self.requests.append(request)
                answer = self.answer
                conn.sendall(answer if isinstance(answer, bytes) else answer(request))
                if self.reset_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                if self.close_after:
                    time.sleep(0.05)  # the answer is read before the hang-up (or reset)
                    return
        except OSError:
            return
        finally:
            conn.close()


@pytest.fixture
def canned() -> Iterator[list[CannedServer]]:
    servers: list[CannedServer] = []
    yield servers
    for server in servers:
        server.close()


def serve(servers: list[CannedServer], answer: bytes, **options: object) -> CannedServer:
    server = CannedServer(answer, **options)  # type: ignore[arg-type]
    servers.append(server)
    return server


def quick(**changes: object) -> EngineConfig:
    return EngineConfig(timeout=1.0, retries=0, backoff=0.05).replace(**changes)


def _results(
    request: Callable[[Fetcher, str], object], url: str, config: EngineConfig | None, times: int
) -> list[object]:
    fetcher = Fetcher(config or quick())
    try:
        return [request(fetcher, url) for _ in range(times)]
    finally:
        fetcher.close()


def head(url: str, config: EngineConfig | None = None, times: int = 1) -> list[object]:
    """Link-check requests (HEAD, GET where HEAD is refused), on one Fetcher."""
    return _results(Fetcher.status_of, url, config, times)


def test_heads_share_one_kept_alive_connection(canned: list[CannedServer]) -> None:
    server = serve(canned, OK)
    results = head(server.url("/img/a.png?v=2"), times=3)
    assert [(r.status, r.content_type, r.bytes, r.error) for r in results] == [  # type: ignore[attr-defined]
        (200, "image/png", 1234, None)
    ] * 3
    assert server.connections == 1
    lines = server.requests[0].decode().split("\r\n")
    assert lines[0] == "HEAD /img/a.png?v=2 HTTP/1.1"
    assert lines[1] == f"Host: 127.0.0.1:{server.port}"
    assert f"{AUDIT_HEADER}: 1" in lines


def test_a_connection_the_server_closed_is_not_reused(canned: list[CannedServer]) -> None:
    # No "Connection: close": the server just hangs up after each answer.
    server = serve(canned, OK, close_after=True)
    fetcher = Fetcher(quick())
    try:
        first = fetcher.status_of(server.url("/a.png"))
        time.sleep(0.1)  # the server's FIN has arrived: the idle connection reads EOF
        second = fetcher.status_of(server.url("/b.png"))
    finally:
        fetcher.close()
    assert (first.status, second.status, second.error) == (200, 200, None)
    assert server.connections == 2


def test_connection_close_and_an_unframed_answer_are_not_kept(canned: list[CannedServer]) -> None:
    closing = serve(canned, b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\n")
    unframed = serve(canned, b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n")
    for server in (closing, unframed):
        assert [r.status for r in head(server.url("/"), times=2)] == [200, 200]  # type: ignore[attr-defined]
        assert server.connections == 2


def test_interim_answers_repeated_headers_and_redirects(canned: list[CannedServer]) -> None:
    target = serve(
        canned,
        b"HTTP/1.1 100 Continue\r\nX-Robots-Tag: interim\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
        b"X-Robots-Tag: noindex\r\nx-robots-tag:  nofollow\r\nContent-Length: 0\r\n\r\n",
    )
    moved = serve(
        canned,
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: " + target.url("/new.png").encode() + b"\r\n"
        b"Content-Length: 0\r\n\r\n",
    )
    [result] = head(moved.url("/old.png"))
    assert [(hop.url, hop.status) for hop in result.hops] == [(moved.url("/old.png"), 301)]  # type: ignore[attr-defined]
    assert (result.final_url, result.status) == (target.url("/new.png"), 200)  # type: ignore[attr-defined]
    # The final answer's headers, repeated ones joined; the interim answer's are skipped.
    assert result.x_robots_tag == "noindex, nofollow"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 2OO OK\r\n\r\n",  # not a status line
        b"SSH-2.0-OpenSSH_9.2\r\n\r\n",  # not HTTP at all
        b"HTTP/1.1 200 OK\r\nContent-Le",  # cut off mid-header
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nnot a header\r\n\r\n",
    ],
)
def test_malformed_answers_are_connection_errors(canned: list[CannedServer], answer: bytes) -> None:
    server = serve(canned, answer, close_after=True)
    [result] = head(server.url("/x.png"))
    assert result.error in (FetchError.CONNECTION_FAILED, FetchError.CONNECTION_RESET)  # type: ignore[attr-defined]
    assert result.status is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\n" + b"X-Pad: 1\r\n" * 101 + b"\r\n",  # over 100 header lines
        b"HTTP/1.1 200 OK\r\nX-Pad: " + b"x" * 70_000 + b"\r\n\r\n",  # a line over 64 KiB
        b"HTTP/1.1 200 " + b"O" * 70_000 + b"\r\n\r\n",  # a status line over 64 KiB
    ],
)
def test_oversized_heads_say_headers_too_large(canned: list[CannedServer], answer: bytes) -> None:
    """Issue 24 case 9: these were reported as a "connection error"."""
    server = serve(canned, answer, close_after=True)
    [page] = get(server.url("/"))
    [link] = head(server.url("/x.png"))
    for result in (page, link):
        assert (result.error, result.status) == (FetchError.HEADERS_TOO_LARGE, None)  # type: ignore[attr-defined]
    assert FetchError.HEADERS_TOO_LARGE.message == "response headers too large"


def test_answers_http_client_reads_are_read_too(canned: list[CannedServer]) -> None:
    server = serve(canned, b"HTTP/1.0 200 OK\nContent-Type: image/gif\nContent-Length: 7\n\n")
    [result] = head(server.url("/x.gif"))
    assert (result.status, result.content_type, result.bytes) == (200, "image/gif", 7)  # type: ignore[attr-defined]


def test_refused_head_falls_back_to_get(canned: list[CannedServer]) -> None:
    server = serve(canned, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
    [result] = head(server.url("/x.png"))
    assert [r.split(b" ", 1)[0] for r in server.requests] == [b"HEAD", b"GET"]
    assert result.status == 405  # type: ignore[attr-defined]


def test_a_head_whose_headers_never_end_is_cut_at_its_deadline() -> None:
    with HostileServer(lifetime=30, stream_seconds=20) as hostile:
        [result] = head(hostile.url("/endless-headers"), quick(timeout=1.0))
        # The client hung up while the headers were still coming: its deadline ended it.
        assert len(hostile.hung_up_on("/endless-headers")) == 1
        assert hostile.ran_to_end == []
    assert result.error is FetchError.DEADLINE  # type: ignore[attr-defined]


def test_refused_and_unresolvable_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        [refused] = head(f"http://127.0.0.1:{unused.getsockname()[1]}/x.png")
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if host == "nowhere.test":  # answered here: no query leaves the machine
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    [unknown] = head("http://nowhere.test/x.png")
    assert refused.error is FetchError.CONNECTION_REFUSED  # type: ignore[attr-defined]
    assert unknown.error is FetchError.DNS  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for "localhost" (key and certificate in one file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    pem = folder / "localhost.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )
    pem.write_bytes((folder / "key.pem").read_bytes() + (folder / "cert.pem").read_bytes())
    return pem


def test_tls_is_verified_as_for_other_requests(
    canned: list[CannedServer], certificate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate)
    server = serve(canned, OK, tls=tls)
    url = server.url("/x.png", host="localhost")
    fetcher = Fetcher(quick())
    try:
        # A certificate nobody vouches for: refused, for HEAD and GET alike.
        untrusted = fetcher.status_of(url), fetcher.fetch(url, want_body="none")
    finally:
        fetcher.close()
    assert [r.error for r in untrusted] == [FetchError.TLS, FetchError.TLS]
    # The same certificate among the trusted ones: accepted, with the host name checked.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    results = head(url, times=2)
    assert [(r.status, r.error) for r in results] == [(200, None)] * 2  # type: ignore[attr-defined]
    [wrong_name] = head(server.url("/x.png", host="127.0.0.1"))
    assert wrong_name.error is FetchError.TLS  # type: ignore[attr-defined]


# -- GET: the body, framed by http.client --------------------------------------------------------

PAGE = (
    b"<!doctype html><title>Knee clinic</title><h1>Knee pain</h1>" + b"<p>Rest and move.</p>" * 40
)


def html_answer(body: bytes, *extra: bytes, status: bytes = b"200 OK") -> bytes:
    headers = b"".join(line + b"\r\n" for line in extra)
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
        + headers
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def chunked(body: bytes, size: int = 100) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def get(url: str, config: EngineConfig | None = None, times: int = 1) -> list[object]:
    """Page requests (GET, body read), on one Fetcher."""
    return _results(Fetcher.fetch, url, config, times)


def test_gets_share_one_kept_alive_connection(canned: list[CannedServer]) -> None:
    server = serve(canned, html_answer(PAGE))
    results = get(server.url("/knee?x=1"), times=3)
    assert [(r.status, r.body, r.bytes, r.error, r.is_html) for r in results] == [  # type: ignore[attr-defined]
        (200, PAGE, len(PAGE), None, True)
    ] * 3
    assert server.connections == 1
    lines = server.requests[0].decode().split("\r\n")
    assert lines[0] == "GET /knee?x=1 HTTP/1.1"
    assert "Accept-Encoding: gzip, deflate" in lines


def test_chunked_and_close_delimited_bodies(canned: list[CannedServer]) -> None:
    chunked_server = serve(
        canned,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunked(PAGE),
    )
    # HTTP/1.0 without a length: the body ends when the server hangs up.
    until_close = serve(
        canned, b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE, close_after=True
    )
    assert [r.body for r in get(chunked_server.url("/"), times=2)] == [PAGE, PAGE]  # type: ignore[attr-defined]
    assert chunked_server.connections == 1
    assert [r.body for r in get(until_close.url("/"), times=2)] == [PAGE, PAGE]  # type: ignore[attr-defined]
    assert until_close.connections == 2


def test_answers_old_servers_send_are_read_as_http_client_reads_them(
    canned: list[CannedServer],
) -> None:
    # Chunked and a Content-Length: the length is ignored, and the connection not reused.
    both = serve(
        canned,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunked(PAGE),
    )
    # Blanks after a chunk size.
    spaced = serve(
        canned,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunked(PAGE).replace(b"\r\n", b" \r\n", 1),
    )
    # An interim answer first (skipped, as http.client skips it), then the page.
    interim = serve(
        canned,
        b"HTTP/1.1 100 Continue\r\nX-Robots-Tag: interim\r\n\r\n"
        + html_answer(PAGE, b"X-Robots-Tag: noindex"),
    )
    assert [r.body for r in get(both.url("/"), times=2)] == [PAGE, PAGE]  # type: ignore[attr-defined]
    assert both.connections == 2
    assert [r.body for r in get(spaced.url("/"))] == [PAGE]  # type: ignore[attr-defined]
    results = get(interim.url("/"), times=2)
    assert [(r.body, r.x_robots_tag) for r in results] == [(PAGE, "noindex")] * 2  # type: ignore[attr-defined]
    assert interim.connections == 1


@pytest.mark.parametrize(
    "encoding, encode",
    [
        (b"gzip", gzip.compress),
        (b"x-gzip", gzip.compress),
        (b"deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        (b"deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        (b"gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ],
)
def test_compressed_bodies_are_decoded(
    canned: list[CannedServer], encoding: bytes, encode: Callable[[bytes], bytes]
) -> None:
    server = serve(canned, html_answer(encode(PAGE), b"Content-Encoding: " + encoding))
    [result] = get(server.url("/"))
    assert (result.body, result.bytes, result.error) == (PAGE, len(PAGE), None)  # type: ignore[attr-defined]


def test_a_compressed_bomb_stops_at_the_cap(canned: list[CannedServer]) -> None:
    bomb = gzip.compress(b"<html><p>" + b"a" * 50_000_000)  # ~50 KB that inflates to 50 MB
    server = serve(canned, html_answer(bomb, b"Content-Encoding: gzip"))
    tracemalloc.start()
    try:
        [result] = get(server.url("/"), quick(max_bytes=200_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.truncated and result.error is None  # type: ignore[attr-defined]
    assert len(result.body) == 200_000  # type: ignore[attr-defined]
    # Decoded a piece at a time, never the whole 50 MB at once.
    assert peak < 10_000_000, f"peak {peak / 1e6:.0f} MB"


def test_a_body_that_does_not_decode_is_a_body_read_error(canned: list[CannedServer]) -> None:
    server = serve(canned, html_answer(b"<html>not gzip at all</html>", b"Content-Encoding: gzip"))
    [result] = get(server.url("/"))
    assert result.error is FetchError.BODY_READ  # type: ignore[attr-defined]


@pytest.mark.parametrize("reset", [False, True])
def test_a_body_cut_off_early_is_a_body_read_error(canned: list[CannedServer], reset: bool) -> None:
    # Says 10,000 bytes, sends 40, then hangs up (or resets the connection).
    answer = html_answer(b"x" * 10_000)[: -10_000 + 40]
    server = serve(canned, answer, close_after=not reset, reset_after=reset)
    [result] = get(server.url("/"))
    assert result.error is FetchError.BODY_READ  # type: ignore[attr-defined]
    assert server.connections == 1


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\nnot a chunk size\r\n0\r\n\r\n",
        b"5\r\n<html>too long for its size\r\n0\r\n\r\n",
    ],
)
def test_malformed_chunks_are_a_body_read_error(canned: list[CannedServer], body: bytes) -> None:
    server = serve(
        canned,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
    )
    [result] = get(server.url("/"))
    assert result.error is FetchError.BODY_READ  # type: ignore[attr-defined]


def test_a_body_over_the_cap_is_truncated_and_its_connection_dropped(
    canned: list[CannedServer],
) -> None:
    server = serve(canned, html_answer(PAGE * 20))
    results = get(server.url("/"), quick(max_bytes=5_000), times=2)
    assert [(r.truncated, len(r.body), r.error) for r in results] == [(True, 5_000, None)] * 2  # type: ignore[attr-defined]
    assert server.connections == 2  # the rest of a cut body is never read: no reuse


@pytest.mark.parametrize("stray", [b"surprise", b"s" * 100_000])
def test_bytes_past_the_answer_never_answer_the_next_request(
    canned: list[CannedServer], stray: bytes
) -> None:
    extra = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(stray), stray)
    server = serve(canned, html_answer(PAGE) + extra)
    results = get(server.url("/"), times=2)
    assert [r.body for r in results] == [PAGE, PAGE]  # type: ignore[attr-defined]
    # What was read with the answer is dropped with it; more waiting on the socket drops
    # the connection.
    assert server.connections == (2 if len(stray) > 65536 else 1)


def test_redirect_bodies_are_drained_and_no_body_answers_end_at_their_head(
    canned: list[CannedServer],
) -> None:
    def answer(request: bytes) -> bytes:
        path = request.split(b" ")[1]
        if path == b"/old":
            return html_answer(b"<p>Moved to /new</p>", b"Location: /new", status=b"301 Moved")
        if path == b"/empty":  # 204 and 304 have no body, whatever their headers say
            return b"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
        return html_answer(PAGE)

    server = serve(canned, answer)
    fetcher = Fetcher(quick())
    try:
        moved = fetcher.fetch(server.url("/old"))
        empty = fetcher.fetch(server.url("/empty"))
        again = fetcher.fetch(server.url("/new"))
    finally:
        fetcher.close()
    assert (moved.final_url, moved.status, moved.body) == (server.url("/new"), 200, PAGE)
    assert [(h.url, h.status) for h in moved.hops] == [(server.url("/old"), 301)]
    assert (empty.status, empty.body, empty.error) == (204, None, None)
    assert again.body == PAGE
    assert server.connections == 1


def test_bodies_over_tls_are_read_and_their_connection_kept(
    canned: list[CannedServer], certificate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate)
    chunked_server = serve(
        canned,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunked(PAGE),
        tls=tls,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    results = get(chunked_server.url("/", host="localhost"), times=2)
    assert [(r.status, r.body, r.error) for r in results] == [(200, PAGE, None)] * 2  # type: ignore[attr-defined]
    assert chunked_server.connections == 1
