"""Every selector a finding can carry finds exactly its element in Chromium.

The engine builds selectors from its own parse of the page; they are only useful if the
browser, which builds its tree by the WHATWG rules, finds the same element with them. The
corpus is markup real sites serve: responsive images, templates, tables with stray content,
unclosed tags, inline SVG, noscript fallbacks and page-builder div soup.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from audit.engine.parse import parse_html
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS

PAGE_URL = "http://127.0.0.1:9/blog/post"  # never fetched: every request is aborted

pytestmark = BROWSER_MARKS

CORPUS: dict[str, str] = {
    "picture with several sources": """<!doctype html><html><body><main>
<picture><source media="(min-width: 900px)" srcset="/w/wide.webp" type="image/webp">
<source srcset="/w/narrow.webp" type="image/webp"><img src="/w/fallback.jpg" alt="Knee"></picture>
<picture><source srcset="/w/b.avif"><img src="/w/b.jpg" alt="Back"></picture>
<p>After the pictures <a href="/next">next</a></p>
<video controls><source src="/v.mp4"><track src="/v.vtt"><a href="/v.mp4">download</a></video>
<audio><source src="/a.mp3"></audio><img src="/w/after.jpg" alt="After">
</main></body></html>""",
    "template content is not in the page": """<!doctype html><html><body>
<template id="card"><h2>Card title</h2><img src="/t.jpg"><a href="/t">t</a></template>
<h1>Real title</h1><template><div><img src="/t2.jpg"></div></template>
<img src="/real.jpg" alt="Real"><a href="/real">real</a></body></html>""",
    "table with stray content": """<!doctype html><html><body><h1>Prices</h1>
<table class="prices">Our prices<h2>Sessions</h2><img src="/stray.png" alt="stray">
<tr><td><a href="/book">Book</a></td><td>45</td></tr>
<a href="/stray-link">stray link</a>
<tr><th><h3>Massage</h3></th><td><img src="/m.png" alt="m"></td></tr>
<script type="application/ld+json">{"@type": "Offer"}</script></table>
<table><tbody><tr><td><table><tr><td><a href="/inner">inner</a></td></tr></table>
<a href="/after-inner">after</a></td></tr></tbody></table></body></html>""",
    "unclosed tags everywhere": """<!doctype html><html><head><title>Soup</title><body>
<p>First para <a href="/one">one</a>
<div><p>Second <a href="/two">two</a><ul><li><a href="/li1">li1</a><li><a href="/li2">li2</a>
</ul><h2>Heading after an open p<h3>nested heading</h3>
<p><a href="/outer">outer <a href="/inner-a">inner</a> rest</a>
<b><i>bold italic</b> italic <a href="/misnested">mis</a></i>
<dl><dt>term<dd><a href="/dd">dd</a><dt>two</dl>
<p>Break<wbr>word <embed src="/e.swf"> <a href="/after-embed">ae</a>
<image src="/old-tag.png" alt="old tag"></div>""",
    "inline svg and foreign content": """<!doctype html><html><body>
<svg viewBox="0 0 10 10"><title>Logo</title><a href="/svg-link"><circle r="4"/></a>
<image href="/in-svg.png"/><foreignObject><div><a href="/fo">fo</a><img src="/fo.png"></div>
</foreignObject></svg><a href="/after-svg">after</a>
<svg><p>breaks out of svg</p><a href="/broken-out">out</a></svg><h2>After svg</h2>
<math><mi>x</mi></math><img src="/after-math.png" alt="m"></body></html>""",
    "noscript fallbacks": """<!doctype html><html><head><title>Lazy</title>
<noscript><img src="/pixel.gif" height="1" width="1"></noscript>
<link rel="canonical" href="/lazy">
<script type="application/ld+json">{"@type": "WebPage"}</script></head><body>
<img class="lazy" data-src="/big.jpg" src="/placeholder.gif" alt="Physio">
<noscript><img src="/big.jpg" alt="Physio"><a href="/ns">ns</a></noscript>
<a href="/after-ns">after</a><h1>Lazy images</h1></body></html>""",
    "page-builder div soup": """<!doctype html><html><body>
<div id="wrapper"><div class="row"><div class="col"><div class="module" id="dup">
<div class="module-inner"><h2 id="dup">Services</h2><div class="et_pb_text">
<div><span><a href="/s1">S1</a></span></div><div><span><a href="/s2">S2</a></span>
<div class="row"><div class="col"><img src="/i1.jpg" alt="1"><img src="/i2.jpg" alt="2">
</div></div></div><center><font size="2"><a href="/font">font</a></font></center>
<x-widget><a href="/custom">custom</a></x-widget><form><table><tr><td>
<a href="/form-table">ft</a></td></tr></table></form><button><a href="/in-button">b</a>
<div><a href="/after-button">ab</a></div></button>
<select><option>One<a href="/in-select">sel</a></option></select><a href="/end">end</a>
<div role="heading" aria-level="3">Role heading</div>
<p><div><a href="/p-div">pd</a></div></p></div></div></div></div></div></body></html>""",
    "odd names and deep nesting": "<!doctype html><html><body>"
    + '<foo:bar><a href="/ns-tag">n</a></foo:bar><a[b] href="/bracket">b</a[b]>'
    + '<div class="a" data-x="1" "quoted"=2><a href="/odd-attr">o</a></div>'
    + "<section>" * 40
    + '<a href="/deep">deep</a><img src="/deep.png" alt="d">'
    + "</section>" * 40
    + "</body></html>",
}

# Elements the engine indexes; template content is not in the document, so not counted.
COUNT_LINKS = "document.querySelectorAll('a[href], area[href]').length"
COUNT_IMAGES = "document.querySelectorAll('img').length"
MATCHES = """
selector => Array.from(document.querySelectorAll(selector)).map(e => ({
    tag: e.localName, href: e.getAttribute('href'), src: e.getAttribute('src'),
    text: e.textContent.replace(/\\s+/g, ' ').trim()
}))
"""


@pytest.fixture(scope="module")
def browser_page():
    # Imported here: Playwright is a dev dependency only the browser tests need.
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())  # nothing leaves the machine
            yield page
        finally:
            browser.close()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_selector_finds_its_element_in_chromium(browser_page, name: str) -> None:
    html = CORPUS[name]
    facts = parse_html(html, PAGE_URL)
    browser_page.set_content(html)
    assert len(facts.links) == browser_page.evaluate(COUNT_LINKS)
    assert len(facts.images) == browser_page.evaluate(COUNT_IMAGES)
    for link in facts.links:
        found = browser_page.evaluate(MATCHES, link.selector)
        assert [f["href"] for f in found] == [link.raw_href], (link.selector, found)
    for image in facts.images:
        found = browser_page.evaluate(MATCHES, image.selector)
        assert len(found) == 1 and found[0]["tag"] == "img", (image.selector, found)
        assert urljoin(PAGE_URL, found[0]["src"] or "") == image.src, (image.selector, found)
    for block in facts.json_ld:
        found = browser_page.evaluate(MATCHES, block.selector)
        assert [f["tag"] for f in found] == ["script"], (block.selector, found)
    for heading in facts.headings:
        found = browser_page.evaluate(MATCHES, heading.selector)
        assert len(found) == 1, (heading.selector, found)
        assert found[0]["text"] == heading.text, (heading.selector, found)
