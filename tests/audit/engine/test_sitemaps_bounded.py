"""Sitemaps are read incrementally: huge files, huge indexes and bombs stay within the caps,
the memory bound and the caller's should_stop, and say why they were cut short."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from audit.engine import EngineConfig
from audit.engine.fetch import Fetcher
from audit.engine.sitemaps import STOPPED, collect, sitemap_locations

ROOT = Path(__file__).resolve().parents[3]
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
MILLION = 1_000_000


@cache
def million_urls_gz(base: str) -> bytes:
    """A urlset of a million page URLs, gzipped (a few MB), built in pieces on first use."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(f'<?xml version="1.0"?><urlset {NS}>'.encode())]
    for start in range(0, MILLION, 10_000):
        rows = "".join(
            f"<url><loc>{base}/p/{i}</loc><lastmod>2026-01-01</lastmod></url>"
            for i in range(start, start + 10_000)
        )
        parts.append(packer.compress(rows.encode()))
    parts.append(packer.compress(b"</urlset>") + packer.flush())
    return b"".join(parts)


class SitemapServer:
    """127.0.0.1 server: /big-N.xml.gz (a million URLs each), /index-60.xml (sixty of
    them), /index-many.xml (200 small sitemaps), /small-N.xml, /bomb.xml.gz."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def body(self, path: str) -> bytes | None:
        if path.startswith("/big-"):
            return million_urls_gz(self.base)
        if path == "/index-60.xml":
            return _index([f"{self.base}/big-{k}.xml.gz" for k in range(60)])
        if path == "/index-many.xml":
            return _index([f"{self.base}/small-{k}.xml" for k in range(200)])
        if path.startswith("/small-"):
            k = path.removeprefix("/small-").removesuffix(".xml")
            return _urlset([f"{self.base}/s{k}/{i}" for i in range(3)])
        if path == "/bomb.xml.gz":
            return gzip.compress(f"<urlset {NS}>".encode() + b" " * 20_000_000)
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = site.body(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for start in range(0, len(body), 65536):
                        self.wfile.write(body[start : start + 65536])
                except ConnectionError:
                    pass  # the client stopped reading: fine

        return Handler


def _index(locations: list[str]) -> bytes:
    rows = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locations)
    return f"<sitemapindex {NS}>{rows}</sitemapindex>".encode()


def _urlset(locations: list[str]) -> bytes:
    rows = "".join(f"<url><loc>{loc}</loc></url>" for loc in locations)
    return f"<urlset {NS}>{rows}</urlset>".encode()


@pytest.fixture(scope="module")
def sitemaps() -> Iterator[SitemapServer]:
    server = SitemapServer()
    yield server
    server.stop()


def _everything(url: str) -> bool:
    return True


# Run in a fresh process, so the peak RSS is the sitemap's alone. VmHWM, not ru_maxrss: Linux
# carries ru_maxrss across exec, so a child of a large test process would report the parent's.
PEAK_MB = (
    "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024"
)
COLLECT = """
import json, sys
from audit.engine import EngineConfig
from audit.engine.fetch import Fetcher
from audit.engine.sitemaps import collect
config = EngineConfig(timeout=30.0)
found = collect(Fetcher(config), [sys.argv[1]], config, lambda url: True)
print(json.dumps({
    "urls": len(found.urls), "truncated": found.truncated, "errors": found.errors,
    "peak_mb": PEAK_MB,
}))
""".replace("PEAK_MB", PEAK_MB)
# Every <loc> of the file, past the protocol's 50 MB (it is 80 MB unzipped): the reading
# itself, without the per-URL normalising a crawl adds.
READ_ALL = """
import json, sys
from audit.engine.sitemaps import sitemap_locations
body = open(sys.argv[1], "rb").read()
count = sum(1 for _ in sitemap_locations(body, 200_000_000))
print(json.dumps({
    "urls": count, "peak_mb": PEAK_MB,
}))
""".replace("PEAK_MB", PEAK_MB)


def _child(script: str, argument: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", script, argument],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return json.loads(out)


def test_million_url_sitemap_is_streamed_within_300_mb(
    sitemaps: SitemapServer, tmp_path: Path
) -> None:
    body = million_urls_gz(sitemaps.base)  # built here, not while the child process waits
    capped = _child(COLLECT, sitemaps.base + "/big-0.xml.gz")
    assert capped["urls"] == 100_000 and capped["errors"] == []
    assert capped["truncated"].endswith(
        ".xml.gz takes the sitemaps past max_sitemap_urls (100000 URLs); the rest were not read"
    )
    assert capped["peak_mb"] < 300, capped
    (tmp_path / "big.xml.gz").write_bytes(body)
    whole = _child(READ_ALL, str(tmp_path / "big.xml.gz"))
    assert whole["urls"] == MILLION and whole["peak_mb"] < 300, whole


def test_index_of_sixty_million_url_sitemaps_stops_when_told(sitemaps: SitemapServer) -> None:
    million_urls_gz(sitemaps.base)
    config = EngineConfig(timeout=30.0, max_sitemap_urls=MILLION, max_sitemaps=100)
    asked: list[None] = []

    def stop_after_twenty_questions() -> bool:
        asked.append(None)
        return len(asked) > 20

    found = collect(
        Fetcher(config),
        [sitemaps.base + "/index-60.xml"],
        config,
        _everything,
        should_stop=stop_after_twenty_questions,
    )
    assert found.truncated == STOPPED
    # Asked between chunks, not only between files: it stopped inside the first file.
    assert len(asked) == 21
    assert 0 < len(found.urls) < MILLION


def test_too_many_sitemap_files_is_reported(sitemaps: SitemapServer) -> None:
    config = EngineConfig(max_sitemaps=5)
    found = collect(Fetcher(config), [sitemaps.base + "/index-many.xml"], config, _everything)
    assert len(found.files) == 5 and len(found.urls) == 4 * 3
    assert found.truncated == "more than max_sitemaps (5) sitemap files"


def test_too_many_urls_is_reported(sitemaps: SitemapServer) -> None:
    config = EngineConfig(max_sitemap_urls=7)
    found = collect(Fetcher(config), [sitemaps.base + "/index-many.xml"], config, _everything)
    assert len(found.urls) == 7
    assert "takes the sitemaps past max_sitemap_urls (7 URLs)" in found.truncated


def test_gzip_bomb_is_cut_at_the_byte_cap_and_said(sitemaps: SitemapServer) -> None:
    config = EngineConfig(sitemap_max_bytes=1_000_000)
    found = collect(Fetcher(config), [sitemaps.base + "/bomb.xml.gz"], config, _everything)
    assert (
        found.urls == []
        and "bomb.xml.gz is larger than sitemap_max_bytes (1000000 bytes) once decompressed"
        in (found.truncated)
    )


def test_complete_sitemaps_are_not_marked_truncated(sitemaps: SitemapServer) -> None:
    config = EngineConfig()
    found = collect(Fetcher(config), [sitemaps.base + "/small-1.xml"], config, _everything)
    assert len(found.urls) == 3 and found.truncated is None and found.errors == []


@pytest.mark.parametrize(
    "body",
    [
        b"<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2",
        b"<urlset><url><loc>https://a.example/1</loc></url></urlset>\x00\xff<<<garbage",
        b"\xef\xbb\xbf<urlset><url><loc>https://a.example/1</loc><loc>https://a.example/2</loc>",
        b"<urlset><url><loc>https://a.example/1</loc></url>" + b"<url>" * 50_000 + b"<loc>x</loc>",
    ],
)
def test_malformed_sitemaps_keep_what_can_be_read(body: bytes) -> None:
    locations = [loc for _kind, loc in sitemap_locations(body, 10_000_000)]
    assert "https://a.example/1" in locations
