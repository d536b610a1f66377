"""HEAD requests (link and image checks) go through head.py, not urllib3: kept-alive
connections, malformed and hostile answers, deadlines, TLS. Servers on 127.0.0.1 only."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import HostileServer

from audit.engine import AuditConfig
from audit.engine.errors import FetchError
from audit.engine.fetch import Fetcher
from audit.engine.version import AUDIT_HEADER

OK = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1234\r\n\r\n"


class CannedServer:
    """Answers every request with ``answer``; records requests and connections."""

    def __init__(
        self, answer: bytes, *, close_after: bool = False, tls: ssl.SSLContext | None = None
    ) -> None:
        self.answer = answer
        self.close_after = close_after
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
                conn.sendall(self.answer)
                if self.close_after:
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


def quick(**changes: object) -> AuditConfig:
    return AuditConfig(timeout=1.0, retries=0, backoff=0.05).replace(**changes)


def head(url: str, config: AuditConfig | None = None, times: int = 1) -> list[object]:
    fetcher = Fetcher(config or quick())
    try:
        return [fetcher.status_of(url) for _ in range(times)]
    finally:
        fetcher.close()


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
    target = serve(canned, OK)
    moved = serve(
        canned,
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: " + target.url("/new.png").encode() + b"\r\n"
        b"X-Robots-Tag: noindex\r\nx-robots-tag:  nofollow\r\nContent-Length: 0\r\n\r\n",
    )
    fetcher = Fetcher(quick())
    try:
        response = fetcher._open("HEAD", moved.url("/old.png"))
        assert response.status == 301
        assert response.headers.get("x-robots-tag") == "noindex, nofollow"
        response.release_conn()
        result = fetcher.status_of(moved.url("/old.png"))
    finally:
        fetcher.close()
    assert [(hop.url, hop.status) for hop in result.hops] == [(moved.url("/old.png"), 301)]
    assert (result.final_url, result.status) == (target.url("/new.png"), 200)


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 2OO OK\r\n\r\n",  # not a status line
        b"SSH-2.0-OpenSSH_9.2\r\n\r\n",  # not HTTP at all
        b"HTTP/1.1 200 OK\r\n" + b"X-Pad: 1\r\n" * 101 + b"\r\n",  # http.client's limit
        b"HTTP/1.1 200 OK\r\nX-Pad: " + b"x" * 70_000 + b"\r\n\r\n",  # a head over 64 KiB
        b"HTTP/1.1 200 OK\r\nContent-Le",  # cut off mid-header
    ],
)
def test_malformed_answers_are_connection_errors(canned: list[CannedServer], answer: bytes) -> None:
    server = serve(canned, answer, close_after=True)
    [result] = head(server.url("/x.png"))
    assert result.error in (FetchError.CONNECTION_FAILED, FetchError.CONNECTION_RESET)  # type: ignore[attr-defined]
    assert result.status is None  # type: ignore[attr-defined]


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
        started = time.monotonic()
        [result] = head(hostile.url("/endless-headers"), quick(timeout=1.0))
        elapsed = time.monotonic() - started
    assert result.error is FetchError.DEADLINE  # type: ignore[attr-defined]
    assert elapsed < 3.0 + 1.5


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
        # A certificate nobody vouches for: refused, by HEAD (head.py) and GET (urllib3).
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
