"""Hostile markup: odd numbers, huge and deep structures, broken bytes. A page never turns
into an internal error; malformed values are ignored or reported, and parsing stays fast."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import audit.engine.parse as parse_package
from audit.engine import EngineConfig, audit_site
from audit.engine.analyse import analyse
from audit.engine.facts import PageFacts
from audit.engine.fetch import FetchResult
from audit.engine.parse import parse_html
from audit.engine.parse.document import Document

URL = "http://127.0.0.1:9/page"
MB = 1_000_000
# Every numeric attribute the parser reads gets each of these.
ODD_NUMBERS = [
    "\u00b2",  # superscript two: str.isdigit() is true, int() fails
    "\u0663",  # Arabic-Indic three: a real decimal digit
    "\uff19\uff19",  # full-width digits
    "9" * 5000,  # past int()'s 4,300-digit limit
    "-1",
    "1e3",
    "0x10",
    "3.5",
    "NaN",
    "Infinity",
    "",
    " 7 ",
    "1,2,3",
    "\x00",
]


def page(head: str = "", body: str = "") -> str:
    return (
        f"<!doctype html><html lang=en><head><title>Hostile</title>{head}</head>"
        f"<body>{body}</body></html>"
    )


def jsonld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


def _count(value: str) -> str:
    return json.dumps({"interactionStatistic": {"userInteractionCount": value}})


HOSTILE: dict[str, str | bytes] = {
    **{
        f"aria-level={value!r:.20}": page(body=f'<div role="heading" aria-level="{value}">Hi</div>')
        for value in ODD_NUMBERS
    },
    **{
        f"data-views={value!r:.20}": page(body=f'<p data-views="{value}">x</p>')
        for value in ODD_NUMBERS
    },
    **{f"json-ld count={value!r:.20}": page(head=jsonld(_count(value))) for value in ODD_NUMBERS},
    **{
        f"json-ld number {raw}": page(
            head=jsonld('{"interactionStatistic": {"userInteractionCount": ' + raw + "}}")
        )
        for raw in ("1e400", "-1e400", "NaN", "Infinity", "-Infinity", "9" * 5000, "1" + "0" * 30)
    },
    "text views: a long run of digits": page(body="<p>" + "9" * 200_000 + " viewers</p>"),
    "text views: long thousands groups": page(body="<p>" + "123," * 100_000 + "</p>"),
    "text views: huge count": page(body="<p>" + "9" * 5000 + " views</p>"),
    "json-ld arrays 10,000 deep": page(head=jsonld("[" * 10_000 + "]" * 10_000)),
    "json-ld objects 10,000 deep": page(head=jsonld('{"a":' * 10_000 + "1" + "}" * 10_000)),
    "json-ld 900 deep, parses": page(
        head=jsonld('{"@type": "Article", "a":' * 900 + "1" + "}" * 900)
    ),
    "json-ld odd types": page(head=jsonld('{"@type": [5, null, {"x": 1}], "@graph": [[[]]]}')),
    "elements 10,000 deep": page(body="<div>" * 10_000 + "deep" + "</div>" * 10_000),
    "heading over 10,000 spans": page(body="<h1>" + "<span>" * 10_000 + "title</h1>"),
    "link over 10,000 spans": page(body='<a href="/x">' + "<b>" * 10_000 + "x</a>"),
    "10,000 nested navs": page(body="<nav>" * 10_000 + "<h2>n</h2>"),
    "10,000 nested role=heading": page(body='<div role="heading">' * 10_000 + "x"),
    "unclosed everything": (
        "<html><head><title>x<body><a href='/x'><h1><img src='/i'><p><table><tr><td"
    ),
    "NUL bytes": page(body="<p>a\x00b</p><a href='/x\x00y'>\x00</a>").encode() + b"\x00" * 1000,
    "invalid UTF-8": b"<html><head><title>\xff\xfe\xc3\x28</title></head><body><h1>\xe2\x82</h1>"
    + b"<a href='/\xf0\x28\x8c\x28'>\xc0\xaf</a></body></html>",
    "UTF-16 BOM then garbage": b"\xff\xfe<\x00h\x00\xd8\x00",
    "1 MB href": page(body=f'<a href="/{"x" * MB}">long</a>'),
    "1 MB class on every kind": page(
        body="".join(
            f'<{tag} class="{"c" * MB}" {extra}>t</{tag}>'
            for tag, extra in (("a", "href=/a"), ("h2", ""), ("img", "src=/i"), ("p", ""))
        )
    ),
    "1 MB alt": page(body=f'<img src="/i" alt="{"a" * MB}">'),
    "1 MB id": page(body=f'<h2 id="{"i" * MB}">t</h2>'),
    "1 MB aria-labelledby of one id": page(
        body='<p id="l">'
        + "word " * 20_000
        + "</p>"
        + "".join(f'<a href="/{i}" aria-labelledby="{"l " * 100_000}"></a>' for i in range(20))
    ),
    "1 MB meta description": page(head=f'<meta name="description" content="{"d" * MB}">'),
    "1 MB JSON-LD string": page(head=jsonld(json.dumps({"@type": "Article", "x": "s" * MB}))),
    "100,000 attributes": page(
        body="<a href=/x " + " ".join(f'a{i}=">"' for i in range(100_000)) + ">x</a>"
    ),
    "100,000 attributes, unquoted": page(
        body="<a href=/x " + " ".join(f"a{i}" for i in range(100_000)) + ">x</a>"
    ),
    "bad IPv6 in base, img and link": page(
        head='<base href="http://[oops/">',
        body='<img src="http://[::1/i"><a href="http://[nope/">x</a><a href="/ok">ok</a>',
    ),
    "odd tags and ids": page(body='<foo:bar id="1 2"><a[b] href=/x id="">x</a[b]></foo:bar>'),
}


def _analyse(document: str | bytes) -> tuple[object, float]:
    body = document if isinstance(document, bytes) else document.encode("utf-8", "surrogatepass")
    fetched = FetchResult(
        url=URL,
        final_url=URL,
        status=200,
        content_type="text/html",
        body=body,
        bytes=len(body),
        is_html=True,
    )
    # CPU seconds, not wall time: a bound on the work done, whatever else the machine runs.
    began = time.process_time()
    report, _summary = analyse(fetched, EngineConfig(), None)
    return report, time.process_time() - began


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_markup_is_analysed_not_an_error(name: str) -> None:
    report, took = _analyse(HOSTILE[name])
    assert report.error is None, report.error
    # Generous for a shared machine; the slowest case takes ~0.2 s alone.
    assert took < 3.0, f"{name}: {took:.2f} s"


def test_odd_numbers_are_ignored_not_misread() -> None:
    facts = parse_html(page(body='<div role="heading" aria-level="\u00b2">Hi</div>'), URL)
    assert [h.level for h in facts.headings] == [2]  # ARIA's default level
    facts = parse_html(page(body=f'<p data-views="{"9" * 5000}">x</p>'), URL)
    assert facts.views is None and facts.views_source is None
    facts = parse_html(page(body='<p data-views="1,204">x</p>'), URL)
    assert (facts.views, facts.views_source) == (1204, "data-views")
    facts = parse_html(
        page(head=jsonld('{"interactionStatistic": {"userInteractionCount": 1e400}}')), URL
    )
    assert facts.views is None


def test_too_deep_json_ld_is_a_finding() -> None:
    report, _took = _analyse(page(head=jsonld("[" * 10_000 + "]" * 10_000)))
    found = [f for f in report.findings if f.check == "structured-data-invalid"]
    assert len(found) == 1 and "too deeply" in found[0].message


def test_a_100000_link_page_is_linear_and_capped() -> None:
    links = "".join(f'<a href="/p/{i}">Page {i}</a>' for i in range(100_000))
    report, took = _analyse(page(body=links))
    assert report.error is None
    # ~0.9 s of CPU alone (0.5 s before 200,000 nodes were copied from the HTML5 tree into
    # lxml); the bound leaves room for a loaded machine. Minutes when selectors rescanned
    # every sibling.
    assert took < 8.0, took
    assert [f.check for f in report.findings].count("links-capped") == 1
    facts = parse_html(page(body=links), URL, max_links=300)
    assert (len(facts.links), facts.links_total) == (300, 100_000)
    for index in (0, 150, 299):  # the kept links still have selectors to their own element
        assert facts.links[index].selector == f"html > body > a:nth-of-type({index + 1})"


def test_a_parse_failure_is_its_own_error_not_internal(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # No markup still makes the parser fail, so a failing extractor stands in for a bug.
    def broken(doc: Document, facts: PageFacts) -> None:
        raise ValueError("synthetic extractor bug")

    monkeypatch.setattr(parse_package, "EXTRACTORS", (*parse_package.EXTRACTORS, broken))
    with caplog.at_level(logging.ERROR, logger="audit.engine.analyse"):
        report, _took = _analyse(page(body="<h1>x</h1>"))
    assert report.error == "parse-failed: ValueError: synthetic extractor bug"
    assert report.findings == []  # no half-parsed page reaches the content checks
    assert "parsing http://127.0.0.1:9/page failed" in caplog.text


class _OnePage(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture
def hostile_start() -> Iterator[str]:
    handler = type(
        "Handler",
        (_OnePage,),
        {
            "body": page(
                head=jsonld("[" * 10_000 + "]" * 10_000),
                body='<div role="heading" aria-level="\u00b2">Hi</div>'
                f'<p data-views="{"9" * 5000}">x</p><a href="http://[bad/">x</a>',
            ).encode()
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_hostile_start_page_is_audited_not_reported_unreachable(hostile_start: str) -> None:
    result = audit_site(
        hostile_start, EngineConfig(use_sitemaps=False, parse_workers=0, timeout=5.0)
    )
    assert result.stats.get("start_error") is None
    (start,) = [p for p in result.pages if p.url == hostile_start]
    assert start.error is None
    assert "structured-data-invalid" in {f.check for f in start.findings}
