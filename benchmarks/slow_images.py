"""Wall time of a crawl's image checks against a slow server (20-120 ms per image).

    .venv/bin/python benchmarks/slow_images.py

Status checks travel between processes in batches (audit/engine/workers.py); this shows
that a slow answer does not hold the others back: 120 pages with 5 images each, every
image answer delayed 20-120 ms (fixed per URL), 600 checks by two worker processes.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES, IMAGES = 120, 5


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        if self.path.startswith("/img/"):
            time.sleep(random.Random(self.path).uniform(0.02, 0.12))
            data, kind = b"x" * 100, "image/png"
        elif self.path == "/robots.txt":
            data, kind = b"User-agent: *\n", "text/plain"
        else:
            n = 0 if self.path == "/" else int(self.path.strip("/").split(".")[0])
            links = "".join(f'<a href="/{k}.html">Page {k}</a>' for k in range(PAGES))
            images = "".join(
                f'<img src="/img/{n}-{k}.png" alt="x" width="1" height="1">' for k in range(IMAGES)
            )
            html = f"<!doctype html><html lang=en><title>Page {n}</title><body>{links}{images}"
            data, kind = html.encode(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


def main() -> None:
    from audit.engine import EngineConfig
    from audit.engine.crawl import Crawler

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    took: list[float] = []
    check_images = Crawler._check_images

    def timed(crawler: Crawler) -> None:
        started = time.monotonic()
        check_images(crawler)
        took.append(time.monotonic() - started)

    Crawler._check_images = timed  # type: ignore[method-assign]
    config = EngineConfig(
        max_pages=PAGES + 10, parse_workers=2, use_sitemaps=False, max_link_checks=PAGES * IMAGES
    )
    try:
        result = Crawler(f"http://127.0.0.1:{server.server_port}/", config).run()
    finally:
        server.shutdown()
    print(
        f"{len(result.pages)} pages, {result.stats.get('images_checked')} images checked "
        f"in {took[0]:.2f} s"
    )


if __name__ == "__main__":
    main()
