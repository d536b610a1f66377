"""The one way tests serve HTTP: a real server on 127.0.0.1, an ephemeral port, daemon threads,
and a lifetime after which it stops by itself, so a failing test cannot leave it running.

Each fixture site (the clinic site full of defects, the endless site, the hostile server…)
brings only its request handler.
"""

from __future__ import annotations

import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A crawler that stops early, or a test that cuts a download short, drops its connections:
# that is expected here, not an error worth a traceback.
_DISCONNECTS = (ConnectionError, TimeoutError)


class _QuietThreadingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], _DISCONNECTS):
            super().handle_error(request, client_address)


class _QuietThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], _DISCONNECTS):
            super().handle_error(request, client_address)


class QuietHandler(BaseHTTPRequestHandler):
    """http.server's handler without its access log on stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (its API)
        pass

    def send_body(self, status: int, body: bytes, content_type: str = "text/html") -> None:
        """One complete response; no body for HEAD."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class LoopbackServer:
    """Serves ``handler`` on 127.0.0.1; ``raw=True`` for a plain TCP handler
    (``socketserver.BaseRequestHandler``) that writes its own bytes."""

    def __init__(
        self,
        handler: type[socketserver.BaseRequestHandler],
        *,
        lifetime: float = 120.0,
        raw: bool = False,
        address: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        server_class = _QuietThreadingTCPServer if raw else _QuietThreadingHTTPServer
        self.server = server_class((address, port), handler)
        self.port: int = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.closing = threading.Event()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    def url(self, path: str = "/") -> str:
        return self.base + path

    def start(self) -> LoopbackServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self.closing.is_set():
            return
        self.closing.set()
        self._timer.cancel()
        if self._thread.is_alive():
            self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
