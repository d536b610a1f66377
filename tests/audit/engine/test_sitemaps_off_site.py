"""Sitemaps as search engines read them (issue 25, and issue 24 case 9), on real servers:

- robots.txt naming a sitemap on another port: a ``sitemap-off-site`` finding with the URL,
  and the sitemap still read when that host is in scope (it was dropped silently);
- a sitemap whose URLs use another host or port: compared by path, so
  ``sitemap-missing-page`` still names the pages it leaves out (it was skipped);
- a sitemap cut at a cap: a site-level ``sitemap-truncated`` finding naming the sitemap and
  the limit (it was only a counter in the stats).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest

from audit.engine import AuditResult, EngineConfig, audit_site
from tests.fixture_server import LoopbackServer, QuietHandler

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
CONFIG = EngineConfig(timeout=3.0, parse_workers=0, check_links=False)


def urlset(urls: list[str]) -> bytes:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset {NS}>{locs}</urlset>'.encode()


def html(title: str, links: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><title>{title} at the riverside clinic</title>'
        f"</head><body><h1>{title}</h1>{links}<p>Our own words about {title}.</p></body></html>"
    ).encode()


PAGES = {
    "/": html("Home", '<a href="/treatments">Treatments</a><a href="/team">Team</a>'),
    "/treatments": html("Treatments"),
    "/team": html("Team"),
}


class Site:
    """The site (``main``) and a second server on another port (``other``). What each
    serves is set per test: ``robots``, ``sitemaps`` (path -> body) on either."""

    def __init__(self) -> None:
        self.robots: dict[str, bytes] = {}
        self.files: dict[str, dict[str, bytes]] = {"main": {}, "other": {}}
        self.main = LoopbackServer(self._handler("main"), lifetime=120)
        self.other = LoopbackServer(self._handler("other"), lifetime=120)

    def _handler(self, name: str) -> type[QuietHandler]:
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path
                if path == "/robots.txt" and name in site.robots:
                    self.send_body(200, site.robots[name], "text/plain")
                elif path in site.files[name]:
                    self.send_body(200, site.files[name][path], "application/xml")
                elif name == "main" and path in PAGES:
                    self.send_body(200, PAGES[path])
                else:
                    self.send_body(404, b"not here", "text/plain")

            do_HEAD = do_GET

        return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    fixture = Site()
    with fixture.main, fixture.other:
        yield fixture


def findings(result: AuditResult, check: str) -> list[str]:
    return [f.message for _, f in result.findings() if f.check == check]


def test_a_robots_sitemap_on_another_port_is_reported_and_read_when_in_scope(site) -> None:
    other_sitemap = site.other.url("/sitemap.xml")
    site.robots["main"] = f"User-agent: *\nAllow: /\nSitemap: {other_sitemap}\n".encode()
    site.files["other"]["/sitemap.xml"] = urlset([site.main.url("/"), site.main.url("/team")])

    alone = audit_site(site.main.url("/"), CONFIG)
    (message,) = findings(alone, "sitemap-off-site")
    assert other_sitemap in message and "not read" in message
    assert alone.stats["sitemap_files"] == 0

    other_host = site.other.base.removeprefix("http://")
    in_scope = audit_site(site.main.url("/"), CONFIG.replace(extra_hosts=(other_host,)))
    (message,) = findings(in_scope, "sitemap-off-site")
    assert other_sitemap in message and "read, as its host is in the audit's scope" in message
    assert in_scope.stats["sitemap_files"] == 1
    (missing,) = findings(in_scope, "sitemap-missing-page")
    assert site.main.url("/treatments") in missing and site.main.url("/team") not in missing


def test_a_sitemap_listing_another_port_is_compared_by_path(site) -> None:
    site.robots["main"] = f"Sitemap: {site.main.url('/sitemap.xml')}\n".encode()
    # built with the wrong base URL (a dev server's port): every URL on the other port
    site.files["main"]["/sitemap.xml"] = urlset([site.other.url("/"), site.other.url("/team")])

    result = audit_site(site.main.url("/"), CONFIG)
    (out_of_scope,) = findings(result, "sitemap-out-of-scope")
    assert site.other.url("/team") in out_of_scope
    (missing,) = findings(result, "sitemap-missing-page")
    assert missing.startswith("1 indexable page ")
    assert site.main.url("/treatments") in missing
    assert site.main.url("/team") not in missing


def test_a_sitemap_cut_at_its_cap_is_a_site_finding_naming_it(site) -> None:
    sitemap = site.main.url("/sitemap.xml.gz")
    site.robots["main"] = f"Sitemap: {sitemap}\n".encode()
    padding = [site.main.url(f"/page-{n}") for n in range(2_000)]
    site.files["main"]["/sitemap.xml.gz"] = gzip.compress(urlset([site.main.url("/"), *padding]))

    result = audit_site(site.main.url("/"), CONFIG.replace(sitemap_max_bytes=4096, max_pages=5))
    (message,) = findings(result, "sitemap-truncated")
    assert sitemap in message and "sitemap_max_bytes (4096 bytes) once decompressed" in message
    assert result.page(site.main.url("/")) is not None

    capped = audit_site(site.main.url("/"), CONFIG.replace(max_sitemap_urls=3, max_pages=5))
    (message,) = findings(capped, "sitemap-truncated")
    assert sitemap in message and "max_sitemap_urls (3 URLs)" in message
