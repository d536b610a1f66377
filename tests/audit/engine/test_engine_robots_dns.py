"""robots.txt Crawl-delay and failure statuses, robots-hidden links, DNS pinning and
worker-process failure, each against real servers on loopback addresses."""

from __future__ import annotations

import os
import pickle
import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

import audit.engine.urls as urls_module
from audit.engine import EngineConfig, audit_site
from audit.engine.crawl import Crawler, RobotsDisallowed
from audit.engine.downloader import ProcessDownloader
from audit.engine.fetch import Fetcher
from audit.engine.robots import parse_robots, rules_from_response
from audit.engine.urls import AddressGuard
from audit.engine.workers import WorkerPool
from tests.fixture_server import LoopbackServer, QuietHandler


class MiniSite:
    """Serves fixed routes {path: (status, body)} and records every request."""

    def __init__(
        self, routes: dict[str, tuple[int, str]], address: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Host)
        self.arrivals: list[float] = []  # time.monotonic() as each request arrived
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._serve(head=False)

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def _serve(self, head: bool) -> None:
                site.requests.append((self.command, self.path, self.headers.get("Host")))
                site.arrivals.append(time.monotonic())
                status, body = site.routes.get(self.path, (404, "<title>missing</title>"))
                data = body.encode()
                self.send_response(status)
                kind = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not head:
                    self.wfile.write(data)

        self.server = LoopbackServer(Handler, address=address, port=port).start()
        self.port = self.server.port

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def close(self) -> None:
        self.server.stop()


def page(title: str, *links: str) -> str:
    anchors = "".join(f'<a href="{href}">{href}</a>' for href in links)
    return f"<!doctype html><html lang=en><title>{title}</title><body>{anchors}</body></html>"


@pytest.fixture
def quick() -> EngineConfig:
    return EngineConfig(
        timeout=2.0, backoff=0.01, parse_workers=0, use_sitemaps=False, check_links=False
    )


@pytest.fixture
def mini() -> Iterator[list[MiniSite]]:
    sites: list[MiniSite] = []
    yield sites
    for site in sites:
        site.close()


def serve(mini: list[MiniSite], routes: dict[str, tuple[int, str]], **kw: object) -> MiniSite:
    site = MiniSite(routes, **kw)  # type: ignore[arg-type]
    mini.append(site)
    return site


# -- robots.txt rules ----------------------------------------------------------------------


def test_crawl_delay_is_read_from_our_group_else_from_star() -> None:
    text = (
        "User-agent: *\nCrawl-delay: 7\nDisallow: /x\n\n"
        "User-agent: clinic-cms-audit\nCrawl-delay: 1.5\nDisallow: /y\n"
    )
    assert parse_robots(text, "clinic-cms-audit").crawl_delay == 1.5
    assert parse_robots(text, "otherbot").crawl_delay == 7
    assert parse_robots("User-agent: *\nCrawl-delay: soon\n", "x").crawl_delay is None
    assert parse_robots("User-agent: *\nDisallow: /\n", "x").crawl_delay is None


def test_robots_status_meaning() -> None:
    url = "https://x.example/page"
    assert rules_from_response(200, b"User-agent: *\nDisallow: /page", "bot").allowed(url) is False
    for status in (500, 503, 429):
        rules = rules_from_response(status, b"", "bot")
        assert rules.disallow_all and not rules.allowed(url)
    for status in (401, 403, 404, 410, None):
        rules = rules_from_response(status, b"User-agent: *\nDisallow: /", "bot")
        assert not rules.disallow_all and rules.allowed(url)


def test_crawl_delay_spaces_requests_and_is_reported(
    mini: list[MiniSite], quick: EngineConfig
) -> None:
    site = serve(
        mini,
        {
            "/robots.txt": (200, "User-agent: clinic-cms-audit\nCrawl-delay: 0.2\n"),
            "/": (200, page("Home", "/a", "/b")),
            "/a": (200, page("A")),
            "/b": (200, page("B")),
        },
    )
    result = audit_site(site.url("/"), quick)
    assert sorted(site.paths()) == ["/", "/a", "/b", "/robots.txt"]
    assert result.stats["crawl_delay"] == 0.2
    assert result.stats["delay_s"] == 0.2
    assert result.stats["worker_processes"] == 0
    # Four requests spaced by the delay as the server saw them. Sends are 0.2 s apart; an
    # arrival is stamped by a server thread, so a loaded machine can stamp one late and make
    # the next gap look shorter: the bound allows for that, and undelayed requests arrive
    # within milliseconds of each other, far below it.
    gaps = [b - a for a, b in zip(site.arrivals, site.arrivals[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.15, gaps


def test_crawl_delay_is_capped_and_ignored_with_ignore_robots(
    mini: list[MiniSite], quick: EngineConfig
) -> None:
    site = serve(
        mini,
        {
            "/robots.txt": (200, "User-agent: *\nCrawl-delay: 100\n"),
            "/": (200, page("Home")),
        },
    )
    capped = audit_site(site.url("/"), quick.replace(max_crawl_delay=0.05))
    assert capped.stats["crawl_delay"] == 100
    assert capped.stats["delay_s"] == 0.05
    ignored = audit_site(site.url("/"), quick.replace(ignore_robots=True))
    assert ignored.stats["crawl_delay"] is None
    assert ignored.stats["delay_s"] == 0


def test_robots_5xx_means_disallow_all(mini: list[MiniSite], quick: EngineConfig) -> None:
    site = serve(
        mini,
        {"/robots.txt": (503, "down"), "/": (200, page("Home", "/a")), "/a": (200, page("A"))},
    )
    with pytest.raises(RobotsDisallowed, match="answered HTTP 503"):
        audit_site(site.url("/"), quick.replace(retries=1))
    # robots.txt was asked twice (one retry); no page was requested
    assert site.paths() == ["/robots.txt", "/robots.txt"]
    result = audit_site(site.url("/"), quick.replace(retries=0, ignore_robots=True))
    assert result.page(site.url("/a")).status == 200  # type: ignore[union-attr]


def test_robots_4xx_means_allow_all(mini: list[MiniSite], quick: EngineConfig) -> None:
    site = serve(
        mini,
        {"/robots.txt": (403, "no"), "/": (200, page("Home", "/a")), "/a": (200, page("A"))},
    )
    result = audit_site(site.url("/"), quick)
    assert result.stats["robots_txt_status"] == 403
    assert result.stats["robots_txt_unavailable"] == []
    assert result.page(site.url("/a")).status == 200  # type: ignore[union-attr]


def test_links_hidden_by_robots_are_counted_not_requested(
    mini: list[MiniSite], quick: EngineConfig
) -> None:
    site = serve(
        mini,
        {
            "/robots.txt": (200, "User-agent: *\nDisallow: /private/\n"),
            "/": (200, page("Home", "/private/a", "/private/b", "/ok", "/private/a")),
            "/ok": (200, page("OK", "/private/b", "/private/c")),
        },
    )
    result = audit_site(site.url("/"), quick.replace(check_links=True))
    assert not [p for p in site.paths() if p.startswith("/private/")]
    assert result.stats["robots_disallowed"] == 3
    assert result.stats["links_robots_disallowed"] == 3


# -- DNS pinning ---------------------------------------------------------------------------


def _two_servers_on_one_port(mini: list[MiniSite]) -> tuple[MiniSite, MiniSite]:
    """A "public" site on 127.0.0.2 and an "internal" service on 127.0.0.1, same port."""
    for _ in range(20):
        public = serve(
            mini,
            {"/": (200, page("Public site", "/next")), "/next": (200, page("Next"))},
            address="127.0.0.2",
        )
        try:
            internal = serve(mini, {"/": (200, page("Internal secret"))}, port=public.port)
        except OSError:
            continue  # that port is taken on 127.0.0.1: try another
        return public, internal
    pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """rebind.test answers 127.0.0.2 (treated as public) once, then 127.0.0.1 (private)."""
    real = socket.getaddrinfo
    calls = {"rebind.test": 0}

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if host == "rebind.test":
            calls[host] += 1
            address = "127.0.0.2" if calls[host] == 1 else "127.0.0.1"
            port = args[0] if args and isinstance(args[0], int) else 0
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    real_is_public = urls_module.is_public_address

    def is_public(address: str) -> bool:
        return address == "127.0.0.2" or real_is_public(address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(urls_module, "is_public_address", is_public)
    yield calls


def test_connections_use_the_vetted_address_not_a_second_dns_answer(
    mini: list[MiniSite], quick: EngineConfig, rebinding_dns: dict[str, int]
) -> None:
    public, internal = _two_servers_on_one_port(mini)
    start = f"http://rebind.test:{public.port}/"
    result = audit_site(start, quick)
    assert rebinding_dns["rebind.test"] == 1  # resolved once, by the guard
    assert result.pages[0].title == "Public site"
    assert result.page(f"http://rebind.test:{public.port}/next").status == 200  # type: ignore[union-attr]
    assert internal.requests == []
    # Host header (virtual hosting) still names the site, not the address
    assert {host for _, _, host in public.requests} == {f"rebind.test:{public.port}"}
    # Without pinning, the second answer would have reached the internal service:
    assert "Internal secret" in requests.get(start, timeout=2).text


def test_head_checks_use_the_vetted_address_too(
    mini: list[MiniSite], quick: EngineConfig, rebinding_dns: dict[str, int]
) -> None:
    """Link and image checks (HEAD) are pinned like page fetches."""
    public, internal = _two_servers_on_one_port(mini)
    url = f"http://rebind.test:{public.port}/next"
    fetcher = Fetcher(quick, guard=AddressGuard(f"rebind.test:{public.port}"))
    try:
        results = [fetcher.status_of(url) for _ in range(2)]
    finally:
        fetcher.close()
    assert rebinding_dns["rebind.test"] == 1  # resolved once, by the guard
    assert [(r.status, r.error) for r in results] == [(200, None)] * 2
    assert internal.requests == []
    assert public.requests == [("HEAD", "/next", f"rebind.test:{public.port}")] * 2


def test_guard_sends_its_vetted_addresses_to_worker_processes(
    rebinding_dns: dict[str, int],
) -> None:
    guard = AddressGuard("rebind.test")
    assert not guard.allow_private
    assert guard.pinned("rebind.test") == ("127.0.0.2",)
    copy = pickle.loads(pickle.dumps(guard))
    # no new lookup (which would now answer the private address)
    assert copy.pinned("rebind.test") == ("127.0.0.2",)
    assert rebinding_dns["rebind.test"] == 1


# -- worker processes ----------------------------------------------------------------------


def _worker_pool(crawler: Crawler) -> WorkerPool | None:
    """The worker processes the crawl loop is using now, if any."""
    downloader = crawler._downloader
    return downloader.pool if isinstance(downloader, ProcessDownloader) else None


def test_crawl_survives_a_worker_process_dying(mini: list[MiniSite], quick: EngineConfig) -> None:
    paths = [f"/p{i}" for i in range(60)]
    routes = {"/": (200, page("Home", *paths))}
    routes.update({p: (200, page(f"Page {p}")) for p in paths})
    site = serve(mini, routes)
    killed: list[int] = []
    crawler: Crawler

    def on_page(report: object) -> None:
        pool = _worker_pool(crawler)
        if pool is not None and not killed:
            killed.append(pool.processes[0].pid or 0)
            os.kill(killed[0], signal.SIGKILL)

    crawler = Crawler(site.url("/"), quick.replace(parse_workers=2), on_page=on_page)
    result = crawler.run()
    assert killed, "no worker process was running"
    assert result.stats["worker_processes"] == 2
    assert {p.url for p in result.pages} == {site.url(p) for p in ["/", *paths]}
    assert all(p.status == 200 for p in result.pages)


def _image_site(mini: list[MiniSite], routes: dict[str, tuple[int, str]] | None = None) -> MiniSite:
    """Home links 30 pages; each shows two images of its own that answer 404."""
    paths = [f"/p{i}" for i in range(30)]
    routes = {} if routes is None else routes
    routes["/"] = (200, page("Home", *paths))
    for i, path in enumerate(paths):
        imgs = "".join(f'<img src="/img/{i}-{k}.jpg" alt="Room {k}">' for k in range(2))
        routes[path] = (200, page(f"Page {i}").replace("</body>", imgs + "</body>"))
    return serve(mini, routes)  # type: ignore[arg-type]


def _image_heads(site: MiniSite) -> list[str]:
    return [path for method, path, _ in site.requests if path.startswith("/img/")]


def test_images_are_checked_by_the_worker_processes(
    mini: list[MiniSite], quick: EngineConfig
) -> None:
    site = _image_site(mini)
    # No slow-response re-measuring: on a loaded machine "/" can look slow, and this process
    # would fetch it again.
    config = quick.replace(parse_workers=2, check_links=True, slow_remeasure=0)
    crawler = Crawler(site.url("/"), config)
    result = crawler.run()
    assert result.stats["worker_processes"] == 2
    assert result.stats["images_checked"] == 60
    broken = [f for p in result.pages for f in p.findings if f.check == "img-broken"]
    assert len(broken) == 60
    # Each image requested once, and not by this process: it fetched robots.txt and "/".
    assert sorted(_image_heads(site)) == sorted(
        f"/img/{i}-{k}.jpg" for i in range(30) for k in (0, 1)
    )
    assert crawler.fetcher.requests_sent == 2
    assert result.stats["requests"] == len(site.requests)


def test_image_checks_queue_in_the_workers_but_keep_to_the_concurrency(
    mini: list[MiniSite], quick: EngineConfig
) -> None:
    """More checks wait in the workers than requests may be in flight (Crawler._check_window):
    the server still never sees more than ``concurrency`` requests at once."""
    lock = threading.Lock()
    at_once = {"now": 0, "peak": 0}

    class CountingRoutes(dict):  # type: ignore[type-arg]
        """Routes whose images answer after 20 ms, counting the requests in progress."""

        def get(self, path: str, default: object = None) -> object:
            if path.startswith("/img/"):
                with lock:
                    at_once["now"] += 1
                    at_once["peak"] = max(at_once["peak"], at_once["now"])
                time.sleep(0.02)
                with lock:
                    at_once["now"] -= 1
            return super().get(path, default)

    site = _image_site(mini, CountingRoutes())
    config = quick.replace(parse_workers=2, check_links=True, slow_remeasure=0, concurrency=4)
    result = Crawler(site.url("/"), config).run()
    assert result.stats["images_checked"] == 60
    assert 2 <= at_once["peak"] <= 4, at_once


def test_image_checks_finish_in_this_process_when_a_worker_dies(
    mini: list[MiniSite], quick: EngineConfig
) -> None:
    killed: list[int] = []
    crawler: Crawler

    class KillOnFirstImage(dict):  # type: ignore[type-arg]
        """Routes that kill a worker process when the first image is requested."""

        def get(self, path: str, default: object = None) -> object:
            pool = _worker_pool(crawler)
            if path.startswith("/img/") and pool is not None and not killed:
                killed.append(pool.processes[0].pid or 0)
                os.kill(killed[0], signal.SIGKILL)
            return super().get(path, default)

    site = _image_site(mini, KillOnFirstImage())
    crawler = Crawler(site.url("/"), quick.replace(parse_workers=2, check_links=True))
    result = crawler.run()
    assert killed, "no worker process was checking images"
    assert result.stats["images_checked"] == 60 and result.stats["images_unchecked"] == 0
    broken = {f.message for p in result.pages for f in p.findings if f.check == "img-broken"}
    assert len(broken) == 60
    assert set(_image_heads(site)) == {f"/img/{i}-{k}.jpg" for i in range(30) for k in (0, 1)}
