"""A stand-in for the static front end: a loopback server whose pages sit at other paths than
the CMS's (so only their ``cms-page-id`` meta tag can map them) and share a header image
without alt text (a template fault); /about.html names no CMS page. ``pages`` may be changed
while it serves (a later deploy)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from wagtail.models import Page

from tests.fixture_server import LoopbackServer, QuietHandler

HEADER = '<header><img src="/logo.png" width="10" height="10"></header>'


def front_end_pages(ids: dict[str, int]) -> dict[str, str]:
    def page(title: str, body: str, page_id: int | None, description: str = "") -> str:
        meta = f'<meta name="cms-page-id" content="{page_id}">' if page_id else ""
        desc = f'<meta name="description" content="{description}">' if description else ""
        return (
            f"<!doctype html><html lang=en><head><title>{title}</title>{meta}{desc}"
            f"</head><body>{HEADER}<main><h1>{title}</h1>{body}</main></body></html>"
        )

    long_text = " ".join(["Clinic words about treatment and care."] * 60)
    described = "A description long enough for the check that wants one of a decent length here."
    links = '<a href="/s/ims.html">IMS</a> <a href="/a/one.html">Article</a> '
    links += '<a href="/about.html">About</a>'
    return {
        "/": page("Home of the clinic test", links + long_text, ids["home"], described),
        # No description on this page alone: a finding of the page, blamed on it.
        "/s/ims.html": page("IMS treatment at the clinic", long_text, ids["ims"]),
        "/a/one.html": page("An article of the clinic", long_text, ids["article"], described),
        # The front end's own page: no CMS page behind it.
        "/about.html": page("About this front end site", long_text, None, described),
        "/logo.png": "",
    }


@pytest.fixture
def front_end(live_demo_site):
    live = Page.objects.live()
    ids = {
        "home": live.get(depth=2).pk,
        "ims": live.get(slug="ims").pk,
        "article": live.filter(url_path__contains="/articles/").exclude(slug="articles")[0].pk,
    }
    pages = front_end_pages(ids)
    ids["pages"] = pages  # type: ignore[assignment]  (the test may change what is served)

    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            if self.path == "/logo.png":
                self.send_body(200, b"\x89PNG\r\n\x1a\n", "image/png")
            elif self.path in pages:
                self.send_body(200, pages[self.path].encode())
            else:
                self.send_body(404, b"<!doctype html><title>Not found</title>")

    with LoopbackServer(Handler) as server:
        settings = {
            "AUDIT_AFTER_PUBLISH": False,
            "FRONTEND_URL": server.url(),
            # Parse in threads, fail fast (a deploy's run takes the site's options).
            "CRAWL_OPTIONS": {"parse_workers": 0, "timeout": 5.0, "retries": 0},
        }
        with override_settings(SEO_AUDIT=settings):
            yield server, ids
