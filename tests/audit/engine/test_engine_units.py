"""Units with no server: URL normalisation, scope, address guard, robots, sitemaps, decoding,
parsing and selectors."""

from __future__ import annotations

import gzip
import pickle
import random
import socket
from dataclasses import fields

import pytest
from bs4 import BeautifulSoup

from audit.engine import InvalidConfig, InvalidStartURL, UnsafeTarget, parse_html
from audit.engine.checks import TargetStatus, Triples
from audit.engine.config import EngineConfig
from audit.engine.crawl import Crawler
from audit.engine.decode import decode_html
from audit.engine.facts import Hop
from audit.engine.fetch import looks_binary, parse_retry_after
from audit.engine.linkcheck import StatusResult, from_wire, to_wire
from audit.engine.parse.text import count_words
from audit.engine.robots import parse_robots
from audit.engine.sitemaps import sitemap_locations
from audit.engine.urls import AddressGuard, Scope, normalize_url, validate_start_url

STRIP = ("utm_*", "gclid")


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("HTTP://Example.ORG:80/a#frag", "http://example.org/a"),
        ("https://example.org:443", "https://example.org/"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("http://example.org/a/./b/../c", "http://example.org/a/c"),
        ("http://example.org/%7euser/%2fx%2F", "http://example.org/~user/%2Fx%2F"),
        ("http://example.org/caf\u00e9 menu", "http://example.org/caf%C3%A9%20menu"),
        ("http://example.org/100%", "http://example.org/100%25"),
        ("http://example.org/?utm_source=x&id=3&gclid=9", "http://example.org/?id=3"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("mailto:someone@example.org", None),
        ("javascript:void(0)", None),
        ("ftp://example.org/", None),
    ],
)
def test_normalize_url(raw: str, normal: str | None) -> None:
    assert normalize_url(raw, STRIP) == normal


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "no start URL"),
        ("example.org", "has no scheme"),
        ("ftp://example.org/", r"is not http\(s\)"),
        ("http://", "no valid host"),
        ("http://example.org:99999/", "no valid host"),
    ],
)
def test_invalid_start_urls_say_what_to_do(url: str, message: str) -> None:
    with pytest.raises(InvalidStartURL, match=message):
        validate_start_url(url)


def test_scope_same_host_and_scheme_plus_extra_hosts() -> None:
    scope = Scope(
        "https://clinic.example/", extra_hosts=("blog.clinic.example",), exclude=("/admin",)
    )
    assert scope.is_internal("https://clinic.example/x")
    assert scope.is_internal("https://blog.clinic.example/post")
    assert not scope.is_internal("http://clinic.example/x")  # other scheme
    assert not scope.is_internal("https://evil.example/")
    assert not scope.wanted("https://clinic.example/admin/")


def _fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, str]) -> None:
    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list:
        if host not in table:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_public_start_cannot_reach_private_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(
        monkeypatch,
        {
            "clinic.example": "93.184.216.34",
            "intranet.example": "10.0.0.5",
            "127.0.0.1": "127.0.0.1",
        },
    )
    guard = AddressGuard("clinic.example")
    assert not guard.allow_private
    assert guard.allowed("clinic.example")
    assert not guard.allowed("intranet.example")
    assert not guard.allowed("127.0.0.1")
    with pytest.raises(UnsafeTarget):
        Crawler("https://clinic.example/", EngineConfig(extra_hosts=("intranet.example",)))


def test_private_start_may_crawl_private_addresses() -> None:
    guard = AddressGuard("127.0.0.1:8000")
    assert guard.allow_private and guard.allowed("127.0.0.1:8000")


def test_unresolvable_start_host(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {})
    with pytest.raises(InvalidStartURL, match="cannot resolve"):
        Crawler("https://nowhere.example/")


def test_invalid_config_values() -> None:
    with pytest.raises(InvalidConfig):
        EngineConfig(max_pages=0)
    with pytest.raises(InvalidConfig, match="include pattern .* cannot be used"):
        EngineConfig(include=("([",))


def test_robots_longest_match_wildcards_and_agent_groups() -> None:
    text = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: clinic-cms-audit\nDisallow: /private/\nAllow: /private/ok$\n"
        "Disallow: /*.pdf$\nSitemap: https://x.example/s.xml\n"
    )
    rules = parse_robots(text, "clinic-cms-audit")
    assert rules.allowed("https://x.example/")
    assert not rules.allowed("https://x.example/private/a")
    assert rules.allowed("https://x.example/private/ok")
    assert not rules.allowed("https://x.example/files/a.pdf")
    assert rules.allowed("https://x.example/files/a.pdf?x=1")
    assert rules.sitemaps == ["https://x.example/s.xml"]
    other = parse_robots(text, "otherbot")
    assert not other.allowed("https://x.example/")


def test_sitemap_parsing_gzip_index_and_text() -> None:
    ns = b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    urlset = b"<urlset " + ns + b"><url><loc> https://a.example/1 </loc></url></urlset>"
    assert list(sitemap_locations(gzip.compress(urlset), 10_000)) == [
        ("urlset", "https://a.example/1")
    ]
    index = (
        b"<sitemapindex " + ns + b"><sitemap><loc>https://a.example/s.xml</loc></sitemap>"
        b"</sitemapindex>"
    )
    assert list(sitemap_locations(index, 10_000)) == [("index", "https://a.example/s.xml")]
    assert list(sitemap_locations(b"https://a.example/x\nhttps://a.example/y\n", 100)) == [
        ("text", "https://a.example/x"),
        ("text", "https://a.example/y"),
    ]


def test_sitemap_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000)
    assert list(sitemap_locations(bomb, 1000)) == []


def test_sitemap_entities_are_not_expanded() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>https://a.example/&e;</loc></url></urlset>'
    locs = [loc for _kind, loc in sitemap_locations(evil, 10_000)]
    assert all("root:" not in loc for loc in locs)


@pytest.mark.parametrize(
    ("body", "ctype", "text", "codec"),
    [
        ("Café".encode("cp1252"), "text/html; charset=windows-1252", "Café", "cp1252"),
        (b'<meta charset="iso-8859-1">Caf\xe9', None, '<meta charset="iso-8859-1">Café', "cp1252"),
        ("\ufeffÖl".encode(), "text/html; charset=latin-1", "Öl", "utf-8"),  # BOM wins
        (b"plain ascii", None, "plain ascii", "utf-8"),
    ],
)
def test_decode_order(body: bytes, ctype: str | None, text: str, codec: str) -> None:
    assert decode_html(body, ctype) == (text, codec)


def test_decode_never_raises_on_garbage() -> None:
    text, _codec = decode_html(bytes(range(256)) * 4, "text/html; charset=utf-8")
    assert "\ufffd" in text


def test_binary_sniffing_and_retry_after() -> None:
    assert looks_binary(b"\x89PNG\r\n") and looks_binary(b"abc\x00def")
    assert not looks_binary(b"<!doctype html>")
    assert parse_retry_after("5", cap=30) == 5 and parse_retry_after("500", cap=30) == 30
    assert parse_retry_after("soon", cap=30) is None


SAMPLE = """<!doctype html><html lang="en"><head><title> Knee   pain </title>
<meta name="description" content="Desc"><meta name="robots" content="noindex">
<link rel="canonical" href="https://c.example/knee"><base href="https://c.example/sub/">
<meta property="og:type" content="article"></head><body class="x">
<nav><h2>Menu</h2><a href="/">Home</a><a href="/">Home</a></nav>
<main><h1 id="t">Knee <em>pain</em></h1><p>One two three four.</p>
<div><p><a href="rel" id="dup">A</a></p><p><a href="rel2" id="dup">B</a></p></div>
<a href="#top" aria-labelledby="lbl x"></a><span id="lbl">Back to top</span>
<img src="k.jpg" alt="Knee"><svg><title>Not the page title</title></svg>
<o:p>office</o:p><div id="1st"><a href="/q">digits id</a></div></main>
<footer><h3>Footer</h3><script>var words = "not counted";</script></footer></body></html>"""


def test_parse_extracts_facts() -> None:
    facts = parse_html(SAMPLE, "https://c.example/knee")
    assert facts.titles == ["Knee pain"]
    assert facts.descriptions == ["Desc"] and facts.noindex
    assert facts.canonicals == ["https://c.example/knee"]
    assert facts.lang == "en" and facts.page_type == "article"
    assert [(h.level, h.text, h.in_chrome) for h in facts.headings] == [
        (2, "Menu", True),
        (1, "Knee pain", False),
        (3, "Footer", True),
    ]
    urls = [link.url for link in facts.links]
    assert "https://c.example/sub/rel" in urls  # <base href> applies
    assert facts.links[-2].text == "Back to top"  # aria-labelledby
    assert facts.images[0].src == "https://c.example/sub/k.jpg"
    # nav, header, footer, script are not main text
    words = "Knee pain One two three four A B Back to top office digits id"
    assert facts.word_count == len(words.split())


def test_main_word_count_skips_chrome_and_invisible_text_but_keeps_their_tails() -> None:
    html = """<html><body>one<header>h1 h2<nav>n1 n2</nav>h3</header>two three
    <main>four<script>s1 s2</script>five<noscript>x</noscript><template>t</template>
    <p>six<b>seven</b></p><svg><text>svg words</text></svg>eight</main>
    <footer>f1<nav>n3</nav></footer>nine</body></html>"""
    facts = parse_html(html, "https://c.example/")
    assert facts.word_count == 9  # one .. nine; a tag splits words ("six", "seven")


def test_count_words_splits_as_str_split_does() -> None:
    # ASCII text is counted from bytes; str.split() also splits on \x1c-\x1f and, beyond
    # ASCII, on e.g. U+00A0 and U+3000: each count must be the same as split's.
    alphabet = "ab .,\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x00\x7f\x85\xa0\u3000é"
    rng = random.Random(7)
    samples = ["", " ", "a", " a ", "one  two\tthree\n", "\x1ca\x1fb"]
    samples += ["".join(rng.choices(alphabet, k=rng.randint(0, 16))) for _ in range(5000)]
    for text in samples:
        assert count_words(text) == len(text.split()), repr(text)


def test_triples_keep_records_flat_and_share_interned_strings() -> None:
    records = [("https://c.example/a", "nav > a", "<a>A</a>"), ("https://c.example/b", "p > a", "")]
    triples = Triples(records)
    assert list(triples) == records and len(triples) == 2 and triples == records
    assert len(triples.flat) == 6  # one tuple of strings, no tuple per record
    assert pickle.loads(pickle.dumps(triples)) == triples
    # Unpickled strings are fresh copies; interned, two pages share one copy of each.
    first = Triples.interned(pickle.loads(pickle.dumps(triples)))
    second = Triples.interned(pickle.loads(pickle.dumps(records)))
    assert first == second and all(a is b for a, b in zip(first.flat, second.flat, strict=True))
    assert not Triples() and list(Triples()) == []


def test_selectors_find_exactly_their_element() -> None:
    facts = parse_html(SAMPLE, "https://c.example/knee")
    soup = BeautifulSoup(SAMPLE, "lxml")
    elements = [*facts.links, *facts.images, *facts.headings]
    assert len(elements) == 10
    for item in elements:
        found = soup.select(item.selector)
        assert len(found) == 1, item.selector
        expected = BeautifulSoup(item.snippet, "html.parser").find()
        assert (found[0].name, found[0].attrs) == (expected.name, expected.attrs), item.selector
    assert facts.headings[1].selector == "#t"
    assert "#dup" not in {link.selector for link in facts.links}  # duplicated id: not unique


NESTED_IDS = """<html><body><x-card id="1a"><a href="/a">A</a><a href="/b">B</a></x-card>
<div id="outer"><section><p id="inner"><a href="/c">C</a></p><p><a href="/d">D</a></p></section>
<div id="outer"><a href="/e">E</a></div></div><table><tr><td><a href="/f">F</a></td>
<td><a href="/g">G</a></td></tr></table><foo:bar><a href="/h">H</a></foo:bar></body></html>"""


@pytest.mark.parametrize("url", ["https://c.example/one", "https://c.example/two"])
def test_selectors_start_from_the_nearest_unique_id_and_survive_odd_tags(url: str) -> None:
    # Parsed twice (two URLs): the second parse is served from the path-to-CSS cache.
    facts = parse_html(NESTED_IDS, url)
    soup = BeautifulSoup(NESTED_IDS, "html5lib")  # a WHATWG tree, as browsers build
    selectors = {link.raw_href: link.selector for link in facts.links}
    assert selectors["/a"] == "#\\31 a > a:nth-of-type(1)"
    assert selectors["/c"] == "#inner > a"
    # "outer" is not unique, so the path runs from the root.
    assert selectors["/d"].startswith("html > body > div > section > p:nth-of-type(2)")
    for link in facts.links:
        found = soup.select(link.selector)
        assert len(found) == 1 and found[0]["href"] == link.raw_href, link.selector


def test_snippets_are_short() -> None:
    html = f'<html><body><a href="/x" class="{"c" * 500}">{"t" * 500}</a></body></html>'
    (link,) = parse_html(html, "https://c.example/").links
    assert len(link.snippet) <= 200


def test_empty_and_garbage_documents_do_not_crash() -> None:
    assert parse_html("", "https://c.example/").titles == []
    assert parse_html("\x00\x01 <<<>>>", "https://c.example/").links == []
    assert parse_html(
        '<?xml version="1.0" encoding="utf-8"?><html><title>X</title></html>', "https://c.example/"
    ).titles == ["X"]


def test_a_status_result_survives_the_trip_from_a_worker_process() -> None:
    """Status checks travel as plain tuples (linkcheck.to_wire): every field of
    TargetStatus, a new one included, must come back as it went."""
    values = {
        "status": 301,
        "hops": [Hop("https://c.example/a", 301)],
        "final_url": "https://c.example/b",
        "error": "redirect-loop",
        "content_type": "image/png",
        "bytes": 1234,
        "bytes_at_least": True,
    }
    assert set(values) == {f.name for f in fields(TargetStatus)} - {"url"}
    sent = StatusResult(
        "https://c.example/a", TargetStatus("https://c.example/a", **values), 3, 1.5
    )
    wire = pickle.loads(pickle.dumps(to_wire(sent)))
    assert from_wire(wire) == sent
    stopped = StatusResult("https://c.example/x", None, 0, None)
    assert from_wire(pickle.loads(pickle.dumps(to_wire(stopped)))) == stopped
