"""A small site whose defects only a browser sees: colours per colour scheme, a heading a
script builds, a broken image, a layout that jumps, a script error, an ARIA reference to
nothing, and a page whose script never lets it finish loading."""

from __future__ import annotations

import base64

from tests.fixture_server import LoopbackServer, QuietHandler

# A 1x1 PNG, for images that do load.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
NAV = '<nav><a href="/">Home</a></nav>'


def page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width">{head}</head>'
        f"<body>{NAV}<main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


PAGES: dict[str, bytes] = {
    "/schemes": page(
        "Colours in two schemes",
        '<p class="light-bad">Booking opens at eight on weekdays.</p>'
        '<p class="dark-bad">Parking is free behind the building.</p>',
        head=(
            "<style>body{background:#fff;color:#111}"
            ".light-bad{color:#c8c8c8}"
            "@media (prefers-color-scheme: dark){body{background:#121212;color:#eee}"
            ".light-bad{color:#eee}.dark-bad{color:#2a2a2a}}</style>"
        ),
    ),
    "/script-heading": page(
        "Opening hours",
        '<div id="slot"></div><script>const h = document.createElement("h2");'
        'h.textContent = "Evening appointments"; document.getElementById("slot").append(h);'
        "</script>",
    ),
    "/broken-image": page(
        "Treatment rooms",
        '<img src="/images/room-gone.png" alt="The larger treatment room" width="40" height="40">'
        '<img src="/images/pixel.png" alt="" width="1" height="1">',
    ),
    "/layout-shift": page(
        "Our team",
        '<div id="top"></div>'
        + "".join(f"<p>Physiotherapist number {n} works here on most days.</p>" for n in range(30))
        + "<script>setTimeout(() => { const d = document.getElementById('top');"
        "d.style.height = '500px'; d.textContent = 'Late banner'; }, 150);</script>",
    ),
    "/console-error": page(
        "Prices",
        "<p>Prices are listed at the desk.</p><script>priceTable.render();</script>",
    ),
    "/aria": page(
        "Contact form",
        '<form><input type="text" name="who" aria-labelledby="who-label-gone"></form>',
    ),
    "/agreement": page(
        "Exercises",
        '<img src="/images/pixel.png" width="1" height="1"><h2></h2><a href="/aria"></a>'
        "<h4>Stretches to do at home</h4>",
    ),
    # Themes by script on load, as many sites do: no media query in the CSS, and switching
    # the scheme under the loaded page changes nothing; only a fresh load in dark shows
    # the dim note.
    "/script-theme": page(
        "Your first visit",
        '<p class="note">Bring comfortable clothes to the first session.</p>',
        head=(
            "<style>body{background:#fff;color:#111}"
            "html.dark body{background:#121212;color:#eee}html.dark .note{color:#303030}</style>"
            "<script>if (window.matchMedia('(prefers-color-scheme: dark)').matches)"
            " document.documentElement.classList.add('dark');</script>"
        ),
    ),
    # No dark styles and no script of its own: one load, in light, is what every reader gets.
    "/light-only": page("Directions", "<p>Take the second door on the left.</p>"),
    "/hang": page("Never loads", "<p>Waiting.</p><script>for (;;) {}</script>"),
}
INDEX = page(
    "Clinic",
    "<ul>" + "".join(f'<li><a href="{path}">{path[1:]}</a></li>' for path in PAGES) + "</ul>",
)


class BrowserSiteHandler(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/":
            self.send_body(200, INDEX)
        elif self.path in PAGES:
            self.send_body(200, PAGES[self.path])
        elif self.path.startswith("/elsewhere?port="):
            # an image on another host of the local network, which a public audit may not load
            port = int(self.path.rpartition("=")[2])
            img = f'<img src="http://localhost:{port}/spy.png" alt="A map" width="9" height="9">'
            self.send_body(200, page("Directions", img))
        elif self.path == "/images/pixel.png":
            self.send_body(200, PIXEL, "image/png")
        elif self.path == "/robots.txt":
            self.send_body(200, b"User-agent: *\nAllow: /\n", "text/plain")
        else:
            self.send_body(404, b"not here", "text/plain")

    do_HEAD = do_GET


def browser_site(lifetime: float = 120.0) -> LoopbackServer:
    return LoopbackServer(BrowserSiteHandler, lifetime=lifetime)
