"""A hostile HTTP server on 127.0.0.1: bodies that trickle or never end, headers that
never finish, a first answer that stalls, and an oversized robots.txt.

Raw sockets, so it can misbehave in ways http.server will not. Every stream is bounded:
each connection gives up after ``stream_seconds`` and the whole server shuts itself down
after ``lifetime`` seconds, so a test that fails cannot leave it running.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Callable

from tests.fixture_server import LoopbackServer

PAGE = (
    "<!doctype html><html lang=en><head><title>Hostile fixture home page for tests</title>"
    "</head><body><h1>Home</h1>"
    '<a href="/slow-body">slow</a> <a href="/endless-chunked">endless</a> '
    '<a href="/endless-headers">headers</a> <a href="/plain">plain</a></body></html>'
)


class HostileServer:
    def __init__(
        self,
        *,
        lifetime: float = 60.0,
        stream_seconds: float = 30.0,
        robots: bytes | None = None,
        robots_trickle: bytes | None = None,
        redirect_to: str | None = None,
    ) -> None:
        self.lifetime = lifetime
        self.stream_seconds = stream_seconds
        self.robots = robots
        self.robots_trickle = robots_trickle  # robots.txt start, then a byte at a time
        self.redirect_to = redirect_to  # where /redirect points
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers
        self.lock = threading.Lock()
        self._stalled_once: set[str] = set()
        # Streams the client hung up on before they ended: (path, pieces sent). A stream that
        # ran to its end means the client waited for the server instead of its own deadline.
        self.cut_by_client: list[tuple[str, int]] = []
        self.ran_to_end: list[str] = []
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner._serve(self.request)

        self._server = LoopbackServer(Handler, lifetime=lifetime, raw=True)
        self.closing = self._server.closing
        self.port = self._server.port
        self.base = self._server.base

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p, _ in self.requests if p == path)

    def __enter__(self) -> HostileServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.stop()

    # -- one connection ------------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(5)
        with contextlib.suppress(OSError):
            while not self.closing.is_set():
                request = _read_head(sock)
                if request is None:
                    return
                method, path, headers = request
                with self.lock:
                    self.requests.append((method, path, headers))
                if not self._answer(sock, method, path):
                    return

    def _answer(self, sock: socket.socket, method: str, path: str) -> bool:
        """Send the response for ``path``; False when the connection must close."""
        if path == "/robots.txt" and self.robots_trickle is not None:
            # The file starts, then stalls mid-line until the deadline cuts it off.
            sock.sendall(_head("200 OK", "text/plain", 10_000) + self.robots_trickle)
            self._trickle(sock, lambda: sock.sendall(b"#"), 0.3, path)
            return False
        if path == "/robots.txt":
            body = self.robots if self.robots is not None else b""
            status = "200 OK" if self.robots is not None else "404 Not Found"
            sock.sendall(_head(status, "text/plain", len(body)) + body)
            return True
        if path == "/redirect" and self.redirect_to:
            sock.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: "
                + self.redirect_to.encode()
                + b"\r\nContent-Length: 0\r\n\r\n"
            )
            return True
        if path == "/slow-body":
            sock.sendall(_head("200 OK", "text/html", 10_000) + b"<html><title>")
            self._trickle(sock, lambda: sock.sendall(b"x"), 1.0, path)
            return False
        if path == "/endless-chunked":
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"<p>more and more text, never an end</p>"
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            self._trickle(sock, lambda: sock.sendall(frame), 0.05, path)
            return False
        if path == "/endless-headers":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            count = iter(range(10**9))
            pad = lambda: sock.sendall(f"X-Pad: {next(count)}\r\n".encode())  # noqa: E731
            self._trickle(sock, pad, 0.5, path)
            return False
        if path == "/stall-once":
            # The first request gets no answer at all; the next one a page.
            with self.lock:
                first = path not in self._stalled_once
                self._stalled_once.add(path)
            if first:
                self.closing.wait(min(3.0, self.stream_seconds))
                return False
        body = PAGE.encode() if path in ("/", "/stall-once") else b"<html><title>Plain</title>"
        if method == "HEAD":
            sock.sendall(_head("200 OK", "text/html", len(body)))
        else:
            sock.sendall(_head("200 OK", "text/html", len(body)) + body)
        return True

    def _trickle(
        self, sock: socket.socket, send: Callable[[], None], every: float, path: str
    ) -> None:
        """Call ``send`` every ``every`` seconds until the peer goes, the stream's time is
        up or the server closes; records which of the three ended it."""
        ends = time.monotonic() + self.stream_seconds
        sent = 0
        while time.monotonic() < ends and not self.closing.wait(every):
            try:
                send()
            except OSError:
                with self.lock:
                    self.cut_by_client.append((path, sent))
                return
            sent += 1
        if not self.closing.is_set():
            with self.lock:
                self.ran_to_end.append(path)

    def hung_up_on(self, path: str, *, wait: float = 15.0) -> list[int]:
        """Pieces sent on each ``path`` stream before the client hung up, once every request
        for ``path`` has ended one way or the other (the server notices a hang-up at its next
        send, so this waits up to ``wait`` seconds for that)."""
        deadline = time.monotonic() + wait
        while True:
            with self.lock:
                cut = [sent for name, sent in self.cut_by_client if name == path]
                ended = len(cut) + self.ran_to_end.count(path)
                requested = sum(1 for _, name, _ in self.requests if name == path)
            if ended >= requested or time.monotonic() > deadline:
                return cut
            time.sleep(0.05)


def _head(status: str, content_type: str, length: int) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _read_head(sock: socket.socket) -> tuple[str, str, dict[str, str]] | None:
    """Request line and headers (at most 64 KiB), or None when the client went away."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            return None
        if not chunk or len(data) > 65536:
            return None
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, path, headers
