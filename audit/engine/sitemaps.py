"""Sitemaps: XML urlsets, sitemap indexes, gzip-compressed files and plain-text lists."""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from .config import AuditConfig
from .fetch import Fetcher
from .urls import normalize_url

_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False
)


@dataclass
class SitemapResult:
    urls: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress at most ``limit`` bytes, so a gzip bomb cannot exhaust memory."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    return inflater.decompress(data, limit)


def parse_sitemap(body: bytes, limit: int) -> tuple[str, list[str]]:
    """("index" | "urlset" | "text", locations) of one sitemap file."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, limit)
    stripped = body.lstrip()
    if stripped.startswith(b"<"):
        try:
            root = etree.fromstring(stripped, _XML_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is not None:
            kind = "index" if etree.QName(root).localname == "sitemapindex" else "urlset"
            locs = [el.text.strip() for el in root.iter("{*}loc", "loc") if el.text]
            return kind, locs
        return "urlset", []
    lines = stripped.decode("utf-8", "replace").splitlines()
    return "text", [line.strip() for line in lines if line.strip().startswith("http")]


def collect(
    fetcher: Fetcher,
    roots: list[str],
    config: AuditConfig,
    in_scope: Callable[[str], bool],
    quiet_missing: frozenset[str] = frozenset(),
) -> SitemapResult:
    """Breadth-first over sitemap indexes; page URLs outside the scope are dropped."""
    result = SitemapResult()
    queue = deque(roots)
    seen: set[str] = set()
    known: set[str] = set()
    while queue and len(seen) < config.max_sitemaps:
        location = queue.popleft()
        if location in seen:
            continue
        seen.add(location)
        fetched = fetcher.fetch(location, want_body="any")
        if fetched.status != 200 or not fetched.body:
            # A guessed /sitemap.xml that does not exist is normal, not an error.
            if not (location in quiet_missing and fetched.status in (404, 410)):
                result.errors.append(f"{location}: {fetched.status or fetched.error}")
            continue
        result.files.append(location)
        kind, locs = parse_sitemap(fetched.body, config.sitemap_max_bytes)
        for loc in locs:
            url = normalize_url(loc, config.strip_query_params)
            if url is None or not in_scope(url):
                continue
            if kind == "index":
                queue.append(url)
            elif url not in known and len(result.urls) < config.max_sitemap_urls:
                known.add(url)
                result.urls.append(url)
    return result
