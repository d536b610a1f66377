"""Sitemaps: XML urlsets, sitemap indexes, gzip-compressed files and plain-text lists.

Each file is read incrementally from its body: gzip through a bounded decompressor, XML
through a parser target that keeps only <loc> texts (no tree), text line by line. Neither
a tree of the file nor a list of all its locations is ever built, so a sitemap of a million
URLs costs little more memory than its body, and the URL, file and byte caps and the
caller's ``should_stop`` are honoured in the middle of a file, not only between files.
"""

from __future__ import annotations

import codecs
import itertools
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from .config import EngineConfig
from .fetch import Fetcher
from .urls import host_of, normalize_url

CHUNK = 64 * 1024  # bytes fed to the parser at a time; should_stop is asked between them
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = codecs.BOM_UTF8
OUT_OF_SCOPE_KEPT = 20  # out-of-scope sitemap URLs named in the report
STOPPED = "stopped (time budget or cancel) before every sitemap was read"


@dataclass
class SitemapResult:
    urls: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Why the sitemaps were not read to the end (a cap, or should_stop); None when they were.
    truncated: str | None = None
    # Page URLs on another host or port (a common misconfiguration): the first few, and
    # how many in all. They are not crawled, but the report names them.
    out_of_scope: list[str] = field(default_factory=list)
    out_of_scope_count: int = 0
    # The paths (and queries) of those URLs, so the site's pages can still be compared with
    # the sitemap as a search engine maps a sitemap built with the wrong base URL: by path.
    # Bounded with the in-scope URLs by max_sitemap_urls.
    out_of_scope_paths: set[str] = field(default_factory=set)
    # Sitemap: lines of robots.txt on another host or port than the site, each with
    # whether it was read (its host is in the audit's scope) or not.
    off_site: list[tuple[str, bool]] = field(default_factory=list)


class _Stop(Exception):
    """Raised inside a file's loop to stop reading it (cap reached or should_stop)."""


def gunzip_chunks(body: bytes, limit: int) -> Iterator[bytes]:
    """Decompressed pieces of ``body``, at most ``limit`` bytes in all (a gzip bomb stops
    there). Input is fed a chunk at a time, so no leftover input is ever copied whole."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    room = limit
    view = memoryview(body)
    for start in range(0, len(body), CHUNK):
        pending: bytes = bytes(view[start : start + CHUNK])
        while pending and room > 0:
            out = inflater.decompress(pending, min(room, CHUNK))
            pending = inflater.unconsumed_tail
            room -= len(out)
            if out:
                yield out
            elif not pending:
                break
        if room <= 0 or inflater.eof:
            return


def body_chunks(body: bytes, limit: int) -> Iterator[bytes]:
    """The file's bytes in pieces: decompressed when gzipped, at most ``limit`` bytes."""
    if body[:2] == _GZIP_MAGIC:
        yield from gunzip_chunks(body, limit)
        return
    view = memoryview(body)
    for start in range(0, min(len(body), limit), CHUNK):
        yield bytes(view[start : min(start + CHUNK, limit)])


class _LocCollector:
    """lxml parser target: keeps the text of each <loc>, builds no tree at all (a file of
    entries without <loc>, or of any other elements, cannot grow memory either)."""

    def __init__(self) -> None:
        self.kind: str | None = None  # from the root element: "index" or "urlset"
        self.found: list[str] = []  # read since the caller last emptied it
        self._text: list[str] | None = None  # inside a <loc>: its text so far

    def start(self, tag: str, attrib: object) -> None:
        if self.kind is None:
            self.kind = "index" if _local(tag) == "sitemapindex" else "urlset"
        if _local(tag) == "loc":
            self._text = []

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def end(self, tag: str) -> None:
        if self._text is not None and _local(tag) == "loc":
            location = "".join(self._text).strip()
            if location:
                self.found.append(location)
            self._text = None

    def close(self) -> None:
        return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_locations(chunks: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """(kind, location) for each <loc>, kind "index" under <sitemapindex>, else "urlset"."""
    collector = _LocCollector()
    parser = etree.XMLParser(
        target=collector,
        resolve_entities=False,
        no_network=True,
        recover=True,
        huge_tree=False,
        load_dtd=False,
    )
    for chunk in itertools.chain(chunks, (None,)):  # None: the end, close what is open
        broken = False
        try:
            if chunk is None:
                parser.close()
            else:
                parser.feed(chunk)
        except etree.XMLSyntaxError:
            broken = True  # past repair even in recover mode: keep what was read
        kind = collector.kind or "urlset"
        for location in collector.found:
            yield kind, location
        collector.found.clear()
        if broken:
            return


def _text_locations(chunks: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """("text", line) for each line that starts with http, read a chunk at a time."""
    pending = b""
    for chunk in chunks:
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            text = line.decode("utf-8", "replace").strip()
            if text.startswith("http"):
                yield "text", text
    text = pending.decode("utf-8", "replace").strip()
    if text.startswith("http"):
        yield "text", text


def _locations(chunks: Iterator[bytes]) -> Iterator[tuple[str, str]]:
    first = b""
    for first in chunks:  # the first piece that is not blank says XML or text
        if first.strip():
            break
    rest = itertools.chain((first,), chunks)
    is_xml = first.lstrip().removeprefix(_UTF8_BOM).lstrip()[:1] == b"<"
    return _xml_locations(rest) if is_xml else _text_locations(rest)


def sitemap_locations(body: bytes, limit: int) -> Iterator[tuple[str, str]]:
    """(kind, location) pairs of one sitemap file, kind "index", "urlset" or "text";
    at most ``limit`` bytes of it (decompressed) are read."""
    return _locations(body_chunks(body, limit))


def collect(
    fetcher: Fetcher,
    roots: list[str],
    config: EngineConfig,
    in_scope: Callable[[str], bool],
    quiet_missing: frozenset[str] = frozenset(),
    should_stop: Callable[[], bool] | None = None,
) -> SitemapResult:
    """Breadth-first over sitemap indexes; page URLs outside the scope are dropped.

    Stops early, saying why in ``truncated``, when ``max_sitemap_urls`` URLs are found,
    ``max_sitemaps`` files are read, a file passes ``sitemap_max_bytes`` once
    decompressed, or ``should_stop()`` (the crawl's deadline or cancel) turns true.
    """
    result = SitemapResult()
    stop = should_stop or _never
    queue = deque(dict.fromkeys(roots))
    queued: set[str] = set(queue)
    known: set[str] = set()
    fetches = 0
    while queue:
        if stop():
            result.truncated = STOPPED
            break
        if fetches >= config.max_sitemaps:
            result.truncated = _too_many_files(config)
            break
        location = queue.popleft()
        fetches += 1
        fetched = fetcher.fetch(location, want_body="any")
        if fetched.status != 200 or not fetched.body:
            # A guessed /sitemap.xml that does not exist is normal, not an error.
            if not (location in quiet_missing and fetched.status in (404, 410)):
                result.errors.append(f"{location}: {fetched.status or fetched.error}")
            continue
        result.files.append(location)
        body, fetched.body = fetched.body, None  # one body in memory, not two, at a time
        try:
            cut = _read_file(location, body, config, in_scope, stop, result, queue, queued, known)
        except _Stop:
            break
        if (cut or fetched.truncated) and result.truncated is None:
            unpacked = " once decompressed" if body[:2] == _GZIP_MAGIC else ""
            result.truncated = (
                f"{location} is larger than sitemap_max_bytes ({config.sitemap_max_bytes} "
                f"bytes){unpacked}; the rest of it was not read"
            )
    return result


def _too_many_urls(location: str, config: EngineConfig) -> str:
    return (
        f"{location} takes the sitemaps past max_sitemap_urls ({config.max_sitemap_urls} "
        "URLs); the rest were not read"
    )


def path_of(url: str) -> str:
    """The path and query of ``url``: how a sitemap URL on another host or port is matched
    with the site's own pages."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def off_site_roots(
    roots: list[str], site_url: str, in_scope: Callable[[str], bool]
) -> list[tuple[str, bool]]:
    """(sitemap URL, read or not) for each of ``roots`` on another host or port than
    ``site_url``: read when its host is in the audit's scope, as search engines read a
    sitemap robots.txt names on another host."""
    site = (urlsplit(site_url).scheme, host_of(site_url))
    return [
        (root, in_scope(root)) for root in roots if (urlsplit(root).scheme, host_of(root)) != site
    ]


def _never() -> bool:
    return False


def _too_many_files(config: EngineConfig) -> str:
    return f"more than max_sitemaps ({config.max_sitemaps}) sitemap files"


def _read_file(
    location: str,
    body: bytes,
    config: EngineConfig,
    in_scope: Callable[[str], bool],
    stop: Callable[[], bool],
    result: SitemapResult,
    queue: deque[str],
    queued: set[str],
    known: set[str],
) -> bool:
    """Add one file's page URLs to ``result`` and its child sitemaps to ``queue``.

    True when the file was cut at sitemap_max_bytes. Raises _Stop, with the reason in
    ``result.truncated``, when the URL cap is reached or ``stop()`` turns true.
    """
    read = 0

    def counted(chunks: Iterable[bytes]) -> Iterator[bytes]:
        nonlocal read
        for chunk in chunks:
            if stop():
                result.truncated = STOPPED
                raise _Stop
            read += len(chunk)
            yield chunk

    for kind, loc in _locations(counted(body_chunks(body, config.sitemap_max_bytes))):
        url = normalize_url(loc, config.strip_query_params)
        if url is None:
            continue
        if not in_scope(url):
            if kind != "index":
                result.out_of_scope_count += 1
                if len(result.out_of_scope) < OUT_OF_SCOPE_KEPT:
                    result.out_of_scope.append(url)
                path = path_of(url)
                if path not in result.out_of_scope_paths:
                    if len(result.urls) + len(result.out_of_scope_paths) >= config.max_sitemap_urls:
                        result.truncated = _too_many_urls(location, config)
                        raise _Stop
                    result.out_of_scope_paths.add(path)
            continue
        if kind == "index":
            if url in queued:
                continue
            if len(queued) >= config.max_sitemaps:  # never fetched: not worth remembering
                result.truncated = result.truncated or _too_many_files(config)
                continue
            queued.add(url)
            queue.append(url)
        elif url not in known:
            if len(result.urls) + len(result.out_of_scope_paths) >= config.max_sitemap_urls:
                result.truncated = _too_many_urls(location, config)
                raise _Stop
            known.add(url)
            result.urls.append(url)
    return read >= config.sitemap_max_bytes
