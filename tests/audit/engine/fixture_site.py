"""A real HTTP server on 127.0.0.1 serving a small clinic site full of known defects.

Every path documents the finding it should produce; tests assert on those. Counters let
retry tests see how often a path was hit.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.fixture_server import LoopbackServer, QuietHandler

WORDS = (
    "Our physiotherapists assess your movement, explain what is going on and build a plan "
    "with exercises you can do at home between sessions so that recovery keeps going. "
)
LONG_TEXT = WORDS * 12  # about 290 words: enough for article and service pages
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def html_response(text: str, status: int = 200, **headers: str) -> Response:
    headers.setdefault("Content-Type", "text/html; charset=utf-8")
    return Response(status, text.encode("utf-8"), headers)


class FixtureSite:
    """Routes are plain functions of (site, query) -> Response."""

    def __init__(self, slow_seconds: float = 0.3, huge_bytes: int = 6_000_000) -> None:
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.hits: Counter[str] = Counter()
        self.methods: Counter[tuple[str, str]] = Counter()
        self.user_agents: set[str] = set()
        self._lock = threading.Lock()
        self._server = LoopbackServer(_handler_for(self), lifetime=600)
        self.base = self._server.base

    def start(self) -> FixtureSite:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        with self._lock:
            return self.hits[path]

    def reset_counts(self) -> None:
        with self._lock:
            self.hits.clear()
            self.methods.clear()

    def record(self, method: str, path: str, user_agent: str) -> int:
        with self._lock:
            self.hits[path] += 1
            self.methods[(method, path)] += 1
            self.user_agents.add(user_agent)
            return self.hits[path]

    # -- page template --------------------------------------------------------------------

    def page(
        self,
        path: str,
        *,
        title: str | None = "auto",
        description: str | None = "auto",
        h1: str | None = "auto",
        body: str = "",
        lang: str | None = "en",
        canonical: str | None = "self",
        head: str = "",
        body_attrs: str = "",
    ) -> str:
        slug = path.strip("/").replace("/", " ").replace("-", " ") or "home"
        if title == "auto":
            title = f"{slug.title()[:25]} – Riverside Physiotherapy Clinic"
        if description == "auto":
            description = (
                f"Riverside Physiotherapy Clinic: {slug} – opening hours, prices and how to "
                "book an appointment online."
            )
        if h1 == "auto":
            h1 = slug.title()
        parts = ["<!doctype html>", f'<html lang="{lang}">' if lang else "<html>", "<head>"]
        parts.append('<meta charset="utf-8">')
        if title is not None:
            parts.append(f"<title>{escape(title)}</title>")
        if description is not None:
            parts.append(f'<meta name="description" content="{escape(description)}">')
        parts.append(  # a share card, as sites have
            f'<meta property="og:title" content="{escape(slug.title())}">'
            f'<meta property="og:description" content="About {escape(slug)}">'
            f'<meta property="og:image" content="{self.base}/static/share.jpg">'
        )
        if canonical == "self":
            parts.append(f'<link rel="canonical" href="{self.base}{path}">')
        elif canonical is not None:
            parts.append(canonical)
        parts.append(head)
        parts.append(f"</head><body {body_attrs}>")
        # Site chrome: headings here must not count for h1/heading-order checks.
        parts.append(
            '<header><a href="/" id="logo"><img src="/static/logo.svg" alt="Riverside Physio"></a>'
            "</header>"
            '<nav aria-label="Main"><h5>Menu</h5><ul>'
            '<li><a href="/">Home</a></li><li><a href="/about">About us</a></li>'
            '<li><a href="/services/back-pain">Back pain treatment</a></li></ul></nav>'
        )
        parts.append("<main>")
        if h1 is not None:
            parts.append(f"<h1>{escape(h1)}</h1>")
        parts.append(body)
        parts.append("</main>")
        parts.append(
            "<footer><h4>Contact</h4><p>12 River Road</p>"
            '<a href="/about#contact">Contact the clinic</a></footer>'
        )
        parts.append("</body></html>")
        return "".join(parts)


def _handler_for(site: FixtureSite) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve(head=False)

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def _serve(self, head: bool) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            hit = site.record(self.command, path, self.headers.get("User-Agent", ""))
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            route = ROUTES.get(path)
            if path == "/d/drop-once" and hit == 1:
                # A fault only a socket can produce: close without any response.
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if path == "/d/huge":
                self._huge(head)
                return
            if route is None:
                response = html_response(
                    site.page(path, title="Page not found – Riverside Physio", h1="Not found"),
                    404,
                )
            else:
                response = route(site, query, hit, self.command)
            if response.delay:
                time.sleep(response.delay)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if not head:
                self.wfile.write(response.body)

        def _huge(self, head: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(site.huge_bytes))
            self.end_headers()
            if head:
                return
            start = site.page("/d/huge", body="")[: -len("</main></body></html>")].encode()
            filler = b"<p>" + b"x" * 1000 + b"</p>\n"
            sent = 0
            try:
                self.wfile.write(start)
                sent += len(start)
                while sent + len(filler) <= site.huge_bytes:
                    self.wfile.write(filler)
                    sent += len(filler)
                self.wfile.write(b" " * (site.huge_bytes - sent))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler stops reading at its byte cap

    return Handler


Route = Callable[[FixtureSite, dict[str, str], int, str], Response]
ROUTES: dict[str, Route] = {}


def route(path: str) -> Callable[[Route], Route]:
    def decorate(func: Route) -> Route:
        ROUTES[path] = func
        return func

    return decorate


def simple(path: str, **kwargs: object) -> None:
    """A route rendering the page template with keyword overrides."""

    def render(site: FixtureSite, query: dict[str, str], hit: int, method: str) -> Response:
        return html_response(site.page(path, **kwargs))  # type: ignore[arg-type]

    ROUTES[path] = render


# -- robots and sitemaps -------------------------------------------------------------------


@route("/robots.txt")
def robots(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    text = (
        "# fixture robots\nUser-agent: *\nDisallow: /private/\n\n"
        f"Sitemap: {site.base}/sitemap_index.xml\n"
    )
    return Response(200, text.encode(), {"Content-Type": "text/plain"})


def _urlset(site: FixtureSite, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{site.base}{p}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


SITEMAP_PAGES = [
    "/",
    "/about",
    "/services/back-pain",
    "/d/noindex-meta",
    "/d/noindex-header",
    "/private/secret",
    "/orphan",
]
SITEMAP_BLOG = ["/blog/good-article", "/d/thin-article"]


@route("/sitemap_index.xml")
def sitemap_index(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.base}/sitemap-pages.xml</loc></sitemap>"
        f"<sitemap><loc>{site.base}/sitemap-blog.xml.gz</loc></sitemap>"
        "</sitemapindex>"
    )
    return Response(200, body.encode(), {"Content-Type": "application/xml"})


@route("/sitemap-pages.xml")
def sitemap_pages(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    return Response(200, _urlset(site, SITEMAP_PAGES), {"Content-Type": "application/xml"})


@route("/sitemap-blog.xml.gz")
def sitemap_blog(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    body = gzip.compress(_urlset(site, SITEMAP_BLOG))
    return Response(200, body, {"Content-Type": "application/gzip"})


# -- clean pages -----------------------------------------------------------------------------


@route("/")
def home(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    body = (
        "<p>Welcome to the clinic.</p>"
        '<a href="/blog/good-article">Five stretches for a stiff lower back</a>'
        '<a href="/defects">All test pages of this fixture</a>'
        '<a href="https://other.example/">A partner clinic on another host</a>'
        '<a href="mailto:desk@example.org">Email the front desk</a>'
    )
    return html_response(site.page("/", h1="Riverside Physiotherapy Clinic", body=body))


simple("/about", body=f"<h2 id=contact>Contact</h2><p>{WORDS}</p>")
simple(
    "/services/back-pain",
    body=f"<p data-views='321'>321 views</p><p>{LONG_TEXT}</p>",
    head='<script type="application/ld+json">{"@type": "Service", "name": "Back pain"}</script>',
)
simple(
    "/blog/good-article",
    body=f"<p class=meta>77 views</p><h2>Why stretch</h2><p>{LONG_TEXT}</p><h3>How often</h3>"
    "<p>Daily.</p>",
    head=(
        '<script type="application/ld+json">'
        + json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "BlogPosting",
                "headline": "Five stretches",
                "interactionStatistic": {
                    "@type": "InteractionCounter",
                    "interactionType": "https://schema.org/ReadAction",
                    "userInteractionCount": 77,
                },
            }
        )
        + "</script>"
    ),
)
simple("/orphan", body="<p>Nobody links here, but the sitemap lists it.</p>")
simple("/private/secret", body="<p>Disallowed by robots.txt.</p>")

DEFECT_PAGES = [
    "/d/no-title",
    "/d/two-titles",
    "/d/long-title",
    "/d/short-title",
    "/d/dup-title-1",
    "/d/dup-title-2",
    "/d/no-desc",
    "/d/long-desc",
    "/d/short-desc",
    "/d/dup-desc-1",
    "/d/dup-desc-2",
    "/d/no-h1",
    "/d/two-h1",
    "/d/heading-skip",
    "/d/empty-heading",
    "/d/images",
    "/d/links",
    "/d/no-lang",
    "/d/bad-jsonld",
    "/d/thin-article",
    "/d/service-no-views",
    "/d/slow",
    "/d/huge",
    "/d/binary",
    "/d/no-canonical",
    "/d/canonical-relative",
    "/d/canonical-multiple",
    "/d/canonical-to-404",
    "/d/noindex-meta",
    "/d/noindex-header",
    "/d/noindex-not-in-sitemap",
    "/d/server-error",
    "/d/flaky-503",
    "/d/drop-once",
    "/enc/cp1252-header",
    "/enc/cp1252-meta",
    "/enc/sjis-header",
    "/enc/sjis-detect",
    "/enc/malformed",
    "/calendar?month=2024-01",
    "/private/secret",
]


@route("/defects")
def defects(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    links = "".join(f'<li><a href="{p}">Test page {escape(p)}</a></li>' for p in DEFECT_PAGES)
    return html_response(site.page("/defects", body=f"<ul>{links}</ul>"))


# -- one defect per page ---------------------------------------------------------------------

simple("/d/no-title", title=None)
ROUTES["/d/two-titles"] = lambda site, q, hit, m: html_response(
    site.page("/d/two-titles", head="<title>A second title added by a plugin</title>")
)
simple("/d/long-title", title="Back pain, neck pain, sports injuries and more: " * 3 + "the list")
simple("/d/short-title", title="Physio")
simple("/d/dup-title-1", title="Same title on two different pages of the site")
simple("/d/dup-title-2", title="Same title on two different pages of the site")
simple("/d/no-desc", description=None)
simple("/d/long-desc", description="Physiotherapy for every kind of pain. " * 8)
simple("/d/short-desc", description="Physio clinic.")
_DUP_DESC = (
    "This description is shared by two pages of the site, which makes both weaker in search."
)
simple("/d/dup-desc-1", description=_DUP_DESC)
simple("/d/dup-desc-2", description=_DUP_DESC)
simple("/d/no-h1", h1=None, body="<h2>Only an h2 here</h2>")
simple("/d/two-h1", body="<h1 id=second-h1>Another h1</h1>")
simple(
    "/d/heading-skip", body="<h2>Fine</h2><h4 id=skipped>Skipped h3</h4><h2>Back up is fine</h2>"
)
simple("/d/empty-heading", body="<h2 class=spacer>  </h2><h2><img src=x.png alt='Icon label'></h2>")
simple(
    "/d/images",
    body=(
        '<img id=no-alt src="/img/knee.jpg">'
        '<img id=space-alt src="/img/a.jpg" alt="  ">'
        '<img id=filename-alt src="/img/IMG_4321.jpg" alt="IMG_4321.jpg">'
        '<img id=generic-alt src="/img/b.jpg" alt="Photo">'
        f'<img id=long-alt src="/img/c.jpg" alt="{"A physiotherapist stretching " * 5}">'
        # Decorative or otherwise named: none of these is a finding.
        '<img id=empty-alt src="/img/line.png" alt="">'
        '<img id=presentation src="/img/line.png" role="presentation">'
        '<img id=hidden src="/img/line.png" aria-hidden="true">'
        '<img id=labelled src="/img/d.jpg" aria-labelledby="cap">'
        "<p id=cap>Therapist testing knee flexion</p>"
        '<img id=titled src="/img/e.jpg" title="Treatment room">'
        '<img id=aria-label src="/img/f.jpg" aria-label="Reception desk">'
        '<img id=good src="/img/g.jpg" alt="Physiotherapist guiding a shoulder exercise">'
        # role=presentation is cancelled by focusability: this one IS a finding.
        '<img id=focusable-presentation src="/img/h.jpg" role="presentation" tabindex="0">'
    ),
)
simple(
    "/d/links",
    body=(
        '<a id=generic href="/services/back-pain">Read more</a>'
        '<a id=empty href="/about"></a>'
        '<a id=icon-only href="/about"><img src="/i.svg" alt=""></a>'
        '<a id=js href="javascript:void(0)">Open booking form</a>'
        '<a id=empty-href href="">Back to top</a>'
        '<a id=to-404 href="/d/missing">Our old prices page</a>'
        '<a id=to-500 href="/d/server-error">Insurance information</a>'
        '<a id=to-redirect href="/r/once">Opening hours</a>'
        '<a id=to-chain href="/r/chain-1">Treatment prices</a>'
        '<a id=to-loop href="/r/loop-a">Book an appointment</a>'
        '<a id=labelled href="/about" aria-label="About the clinic team">More</a>'
        '<a id=with-utm href="/about?utm_source=newsletter">About us (tracked)</a>'
    ),
)
simple("/d/no-lang", lang=None)
simple(
    "/d/bad-jsonld",
    head='<script type="application/ld+json">{"@type": "Organization", "name": }</script>',
)
simple(
    "/d/thin-article",
    body="<p class=meta>42 views</p><p>Short post with very little text.</p>",
    head='<script type="application/ld+json">{"@type": "BlogPosting"}</script>',
)
simple("/d/service-no-views", body=f"<p>{LONG_TEXT}</p>", body_attrs='class="service-page"')


@route("/d/slow")
def slow(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    response = html_response(site.page("/d/slow"))
    response.delay = site.slow_seconds
    return response


@route("/d/binary")
def binary(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    return Response(200, PNG, {"Content-Type": "text/html"})


simple("/d/no-canonical", canonical=None)
simple("/d/canonical-relative", canonical='<link rel="canonical" href="/d/canonical-relative">')
simple(
    "/d/canonical-multiple",
    canonical='<link rel="canonical" href="http://127.0.0.1/a"><link rel="canonical" href="http://127.0.0.1/b">',
)


@route("/d/canonical-to-404")
def canonical_404(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    link = f'<link rel="canonical" href="{site.base}/d/gone-canonical">'
    return html_response(site.page("/d/canonical-to-404", canonical=link))


simple("/d/noindex-meta", head='<meta name="robots" content="noindex, follow">')
simple("/d/noindex-not-in-sitemap", head='<meta name="robots" content="noindex">')


@route("/d/noindex-header")
def noindex_header(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    return html_response(site.page("/d/noindex-header"), **{"X-Robots-Tag": "noindex"})


@route("/d/server-error")
def server_error(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    return html_response("<h1>Internal error</h1>", 500)


@route("/d/flaky-503")
def flaky(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    if hit == 1:
        return Response(503, b"busy", {"Retry-After": "1", "Content-Type": "text/plain"})
    return html_response(site.page("/d/flaky-503"))


@route("/d/drop-once")
def drop_once(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    return html_response(site.page("/d/drop-once"))


@route("/d/head-405")
def head_405(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    if method == "HEAD":
        return Response(405, b"", {"Allow": "GET"})
    return html_response(site.page("/d/head-405"))


@route("/d/always-429")
def always_429(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    return Response(429, b"slow down", {"Retry-After": "100", "Content-Type": "text/plain"})


# -- redirects -------------------------------------------------------------------------------


def _redirect(location: str, status: int = 301) -> Route:
    return lambda site, q, hit, m: Response(status, b"", {"Location": location})


ROUTES["/r/once"] = _redirect("/about", 301)
ROUTES["/r/chain-1"] = _redirect("/r/chain-2", 302)
ROUTES["/r/chain-2"] = _redirect("/r/chain-3", 301)
ROUTES["/r/chain-3"] = _redirect("/services/back-pain", 307)
ROUTES["/r/loop-a"] = _redirect("/r/loop-b")
ROUTES["/r/loop-b"] = _redirect("/r/loop-a")
ROUTES["/r/to-private"] = _redirect("http://10.0.0.1/admin")
for _n in range(15):
    ROUTES[f"/r/long-{_n}"] = _redirect(f"/r/long-{_n + 1}")
ROUTES["/r/long-15"] = _redirect("/about")

# -- encodings ---------------------------------------------------------------------------------

CP1252_TEXT = "Café crème – naïve “quotes” résumé"
SJIS_TEXT = "理学療法クリニックへようこそ。腰痛と肩こりの治療を行っています。"


def _encoded(path: str, title: str, encoding: str, meta: bool, header: bool) -> Route:
    def render(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
        html = site.page(path, title=title, body=f"<p>{title}</p>")
        html = html.replace(
            '<meta charset="utf-8">', f'<meta charset="{encoding}">' if meta else ""
        )
        if encoding == "shift_jis":
            html = html.replace("</main>", f"<p>{SJIS_TEXT * 20}</p></main>")
        ctype = f"text/html; charset={encoding}" if header else "text/html"
        return Response(200, html.encode(encoding, "xmlcharrefreplace"), {"Content-Type": ctype})

    return render


ROUTES["/enc/cp1252-header"] = _encoded(
    "/enc/cp1252-header", CP1252_TEXT, "windows-1252", meta=False, header=True
)
ROUTES["/enc/cp1252-meta"] = _encoded(
    "/enc/cp1252-meta", CP1252_TEXT + " (meta)", "windows-1252", meta=True, header=False
)
ROUTES["/enc/sjis-header"] = _encoded(
    "/enc/sjis-header", SJIS_TEXT[:20], "shift_jis", meta=False, header=True
)
ROUTES["/enc/sjis-detect"] = _encoded(
    "/enc/sjis-detect", SJIS_TEXT[1:21], "shift_jis", meta=False, header=False
)


@route("/enc/malformed")
def malformed(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    body = (
        "<html lang=en><head><title>Malformed but readable page – Riverside Physio</title>"
        '<meta name=description content="A page with broken markup that browsers still show, '
        'to prove the parser recovers from it.">'
        "<body><div><p>Unclosed paragraph<div></span></div></div></div>"
        "<h1>Recovered <b>heading</h1><a href=/about>About<a href=/>Home</a>"
        "<table><tr><td>cell</table><img src=x.jpg alt=Reception desk>"
    )
    return Response(200, body.encode(), {"Content-Type": "text/html"})


# -- the endless calendar link trap -----------------------------------------------------------


@route("/calendar")
def calendar(site: FixtureSite, q: dict[str, str], hit: int, method: str) -> Response:
    year, month = (int(x) for x in q.get("month", "2024-01").split("-"))
    nxt = (year + (month == 12), month % 12 + 1)
    prv = (year - (month == 1), (month - 2) % 12 + 1)
    body = (
        f'<a href="/calendar?month={nxt[0]}-{nxt[1]:02d}">Next month</a>'
        f'<a href="/calendar?month={prv[0]}-{prv[1]:02d}">Previous month</a>'
    )
    return html_response(
        site.page(
            "/calendar",
            title=f"Clinic calendar {year}-{month:02d} – Riverside Physio",
            description=f"Appointments calendar for {year}-{month:02d}: pick a free slot and "
            "book a physiotherapy session online.",
            canonical=None,
            body=body,
        )
    )


# The logo every page shows: it loads, so only the image defects above are findings.
ROUTES["/static/logo.svg"] = lambda site, q, hit, m: Response(
    200, b'<svg xmlns="http://www.w3.org/2000/svg"/>', {"Content-Type": "image/svg+xml"}
)
# The share picture every page names in og:image: it loads too.
ROUTES["/static/share.jpg"] = lambda site, q, hit, m: Response(
    200, b"\xff\xd8\xff\xe0" + bytes(64), {"Content-Type": "image/jpeg"}
)
