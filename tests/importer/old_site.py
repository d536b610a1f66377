"""A fixture "old site" on 127.0.0.1: a page-builder (Wix-like) blog and service pages, and a
plain HTML site, both written for these tests. ``OldSite.routes`` can be changed by a test to
make a page fail, an image too large or not an image.
"""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

Route = Callable[[], tuple[int, str, bytes]]


def picture(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=70)
    return out.getvalue()


ORIGINAL_SIZE = (800, 600)
PLACEHOLDER_SIZE = (147, 98)
FOREARM_ID = "a1b2c3_forearm"
CAMERA_ID = "d4e5f6_camera"
NOALT_ID = "0a9b8c_noalt"
NECK_ID = "77aa11_neck"
IMAGES = {
    FOREARM_ID: (180, 120, 90),
    CAMERA_ID: (60, 120, 200),
    NOALT_ID: (40, 160, 80),
    NECK_ID: (200, 200, 60),
}


def wix_image(image_id: str, alt: str | None) -> str:
    """A figure the way the page builder serves it: a blurred transform URL in the <img>."""
    file = f"{image_id}~mv2.jpg"
    info = json.dumps({"containerId": image_id, "imageData": {"uri": file, "width": 800}})
    alt_attr = "" if alt is None else f' alt="{alt}"'
    return (
        f'<div data-hook="rcv-block-image"><figure data-hook="figure-IMAGE">'
        f"<wow-image data-image-info='{info}'>"
        f'<img src="/media/{file}/v1/fill/w_147,h_98,al_c,q_20,blur_2/{file}"{alt_attr}>'
        f"</wow-image></figure></div>"
    )


def wix_page(title: str, date: str, body: str, footer: str, *, head_title: str = "") -> str:
    recent = (
        '<aside data-hook="recent-posts"><h2>Recent posts</h2>'
        '<a href="/post/desk-neck-stretches">Stretches for a stiff neck</a>'
        "<span>105 views</span><span>4 comments</span></aside>"
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{head_title or title} | Harbour Physio</title>
<meta name="description" content="A physiotherapist explains {title.lower()[:60]} in plain words.">
</head><body>
<a href="#main">top of page</a>
<header><nav><a href="/">Home</a> <a href="/blog">Blog</a>
<a href="/services/dry-needling">Dry needling</a></nav></header>
<main id="main"><article>
<h1 data-hook="post-title">{title}</h1>
<div><span data-hook="user-name">Dana Ortiz</span>
<span data-hook="time-ago" title="{date}">3 days ago</span></div>
<div data-hook="post-description"><div class="rcv-block-wrapper">{body}</div></div>
<div data-hook="like-button">Like</div>
<div data-hook="share-bar"><a href="https://facebook.invalid/share">Share</a></div>
<div data-hook="post-footer">{footer}</div>
</article>{recent}</main>
<footer><p>Harbour Physio, 12 Quay Street</p></footer>
<a href="#top">bottom of page</a>
</body></html>"""


PARA = (
    "Intramuscular stimulation uses a very fine needle to reach a tight band deep in a muscle. "
    "When the needle finds the band, the muscle often twitches and then lets go, and many "
    "people feel the ache ease within a day or two."
)
MORE = (
    "We always start with an assessment of how you move, because the sore spot is not "
    "always where the trouble began, and a plan that fits your week works better than one "
    "that does not."
)

POST_IMS = wix_page(
    "How IMS eases a forearm that will not relax",
    "Jun 11, 2024",
    f"""<div data-hook="rcv-block1"><p><span>{PARA}</span></p></div>
<div data-hook="rcv-block2"><h2>What happens in a session</h2></div>
<p>{MORE} Read <a href="/post/desk-neck-stretches">our neck stretches</a> too, or
<strong>book</strong> a visit at <a href="https://example.org/book">our booking page</a>.</p>
{wix_image(FOREARM_ID, "Physiotherapist placing a fine needle in a patient's forearm")}
<h3>Does it hurt?</h3>
<p>Most people feel a short cramp, like a muscle that has worked hard. It fades quickly.</p>
<ul><li>Wear loose sleeves</li><li>Drink water <em>afterwards</em></li></ul>
{wix_image(CAMERA_ID, "IMG_20240611_093012.png")}
<blockquote>It felt strange for a second and then my arm was looser than it had been in
months.<cite>A patient</cite></blockquote>
{wix_image(NOALT_ID, None)}
<p>{PARA}</p>""",
    '<span data-hook="views-info">23 views</span><span>0 comments</span>',
    head_title="IMS for a tight forearm: what to expect",
)

POST_NECK = wix_page(
    "Stretches for a stiff neck",
    "Mar 2, 2024",
    f"""<p>{MORE}</p><h2>Three stretches</h2><h4>Chin tucks</h4>
<p>Sit tall, draw your chin straight back and hold for five slow breaths. {PARA}</p>
{wix_image(NECK_ID, "Woman at a desk gently tilting her head to stretch her neck")}
<p>Go back to <a href="/post/ims-forearm">the IMS article</a> if the ache stays.</p>""",
    "<span>1,204 views</span><span>2 comments</span>",
)

POST_DUPLICATE = wix_page(
    "What is IMS & how does it work for chronic muscle tension?",
    "Jan 5, 2024",
    f"<p>{PARA}</p><p>{MORE}</p>",
    "<span>9 views</span>",
)

SERVICE = f"""<!DOCTYPE html><html lang="en"><head><title>Dry needling | Harbour Physio</title>
<meta name="description" content="Dry needling at Harbour Physio: what it treats and how a
session goes."></head><body><a href="#main">top of page</a>
<header><nav><a href="/">Home</a> <a href="/blog">Blog</a></nav></header>
<main id="main"><h1>Dry needling</h1><p>{PARA}</p><h2>Who it helps</h2><p>{MORE}</p>
<table><tr><th>Session</th><th>Length</th></tr><tr><td>First visit</td><td>60 minutes</td></tr>
</table><iframe src="https://video.example.org/embed/abc"></iframe></main>
<footer>Harbour Physio</footer><a href="#top">bottom of page</a></body></html>"""

BLOG = """<!DOCTYPE html><html><head><title>Blog | Harbour Physio</title></head><body>
<main><div data-hook="post-list">
<div data-hook="post-list-item"><a href="/post/ims-forearm">How IMS eases a forearm</a>
<span>23 views</span></div>
<div data-hook="post-list-item"><a href="/post/desk-neck-stretches">Stiff neck</a>
<span>1,204 views</span></div>
<div data-hook="post-list-item"><a href="/post/what-is-ims">What is IMS</a></div>
</div></main></body></html>"""

HOME = """<!DOCTYPE html><html><head><title>Harbour Physio</title></head><body>
<nav><a href="/blog">Blog</a> <a href="/services/dry-needling">Dry needling</a></nav>
<main><h1>Welcome</h1><p>Physiotherapy by the harbour.</p></main></body></html>"""


PLAIN_ARTICLE = f"""<!DOCTYPE html><html lang="en"><head>
<title>Winter running tips - Plain Clinic</title>
<meta name="description" content="How to keep running through the cold months without
picking up an injury."><meta property="og:type" content="article"></head><body>
<header><nav><a href="/">Home</a><a href="/news/winter-running">News</a></nav></header>
<div class="layout"><aside class="sidebar"><h2>Popular</h2><p>Most read: 999 views</p></aside>
<article><h1>Winter running tips</h1><time datetime="2023-12-01">1 December 2023</time>
<a rel="author" href="/team/lee">Lee Park, physiotherapist</a>
<p>{MORE}</p><h2>Warm up indoors</h2><p>{PARA}</p>
<figure><img src="/img/runner.png" alt="Runner stretching a calf against a wall before a run">
<figcaption>A calf stretch before heading out</figcaption></figure>
<footer class="post-footer">41 views</footer></article></div>
<footer>Plain Clinic</footer></body></html>"""

PLAIN_SERVICE = f"""<!DOCTYPE html><html><head><title>Hydrotherapy - Plain Clinic</title></head>
<body><nav><a href="/">Home</a></nav><main><h1>Hydrotherapy</h1><p>{PARA}</p>
<h2>What to bring</h2><p>{MORE}</p></main></body></html>"""


@dataclass
class OldSite:
    """A real HTTP server on 127.0.0.1 serving ``routes`` (path -> (status, type, body))."""

    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                path = self.path.split("?", 1)[0]
                site.hits[path] += 1
                status, ctype, body = site.routes.get(path, (404, "text/html", b"not here"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_HEAD(self) -> None:  # noqa: N802 (http.server API)
                self.send_response(405)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OldSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def page(self, path: str, html: str, status: int = 200) -> None:
        self.routes[path] = (status, "text/html; charset=utf-8", html.encode())

    def sitemap(self, paths: list[str]) -> None:
        urls = "".join(f"<url><loc>{self.base}{p}</loc></url>" for p in paths)
        xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        self.routes["/sitemap.xml"] = (200, "application/xml", xml.encode())
        robots = f"User-agent: *\nAllow: /\nSitemap: {self.base}/sitemap.xml\n"
        self.routes["/robots.txt"] = (200, "text/plain", robots.encode())


def wix_site() -> OldSite:
    site = OldSite()
    site.page("/", HOME)
    site.page("/blog", BLOG)
    site.page("/post/ims-forearm", POST_IMS)
    site.page("/post/desk-neck-stretches", POST_NECK)
    site.page("/post/what-is-ims", POST_DUPLICATE)
    site.page("/services/dry-needling", SERVICE)
    for image_id, colour in IMAGES.items():
        file = f"{image_id}~mv2.jpg"
        site.routes[f"/media/{file}"] = (200, "image/jpeg", picture(*ORIGINAL_SIZE, colour))
        small = picture(*PLACEHOLDER_SIZE, colour)
        site.routes[f"/media/{file}/v1/fill/w_147,h_98,al_c,q_20,blur_2/{file}"] = (
            200,
            "image/jpeg",
            small,
        )
    site.sitemap(["/", "/blog", "/post/ims-forearm", "/services/dry-needling"])
    return site


def plain_site() -> OldSite:
    site = OldSite()
    site.page("/", HOME)
    site.page("/news/winter-running", PLAIN_ARTICLE)
    site.page("/services/hydrotherapy.html", PLAIN_SERVICE)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 90, 160)).save(out, "PNG")
    site.routes["/img/runner.png"] = (200, "image/png", out.getvalue())
    site.sitemap(["/news/winter-running", "/services/hydrotherapy.html"])
    return site
