"""The extractors read lexbor's tree directly; the facts are those of the lxml copy of the same
tree (which the engine still reads for documents nested deeper than Chromium nests, or holding
characters XML refuses): comments that split text, attributes without values, tags and
attribute names XML cannot hold, hidden content, view counters, templates."""

from __future__ import annotations

import dataclasses

import pytest

from audit.engine.parse import document, parse_html

URL = "https://c.example/dir/page"

CASES = {
    "comments split words and names": (
        "<title>Ti<!--x-->tle</title><body><p>one<!--a-->two <b>three</b><!--b--> four</p>"
        '<a href="/a">li<!--c-->nk <img alt="pic"> te<?pi?>xt</a></body>'
    ),
    "attributes without values": (
        '<body><h2 hidden>gone</h2><p aria-hidden="true">x y</p><h3>kept</h3>'
        '<a href="/b" aria-hidden>hidden link</a><img src="/i.jpg" tabindex></body>'
    ),
    "tags and names XML cannot hold": (
        '<body><foo:bar id="1 2" @click="go" :href="x"><a[b] href="/x" id="">x</a[b]>'
        '<a href="/y" x-on:click="z">y</a></foo:bar><h2 xml:lang="en">h</h2></body>'
    ),
    "an odd tag met only as an ancestor": '<body><foo:bar><a href="/z">z</a></foo:bar></body>',
    "hidden, chrome and invisible text": (
        '<body>one<header>h1 h2<nav>n1 n2</nav>h3</header>two <div style="display:none">'
        "no no</div><main>four<script>s1</script>five<noscript>x</noscript>"
        "<template><a href='/t'>t</a></template><svg><title>svg</title><text>w</text></svg>"
        '<p>six<b>seven</b></p></main><footer>f1</footer><span hidden="until-found">found'
        "</span></body>"
    ),
    "names": (
        '<body><span id="l1">Label <!--x-->one</span><span id="l2" hidden>two</span>'
        '<a href="/n" aria-labelledby="l1 l2 l1">x</a><a href="/m"><span aria-label="Al">'
        'z</span><img title="t"><script>no</script> tail</a><h2 role="heading">'
        '<div role="heading" aria-level="4">inner</div></h2></body>'
    ),
    "view counters in text": (
        '<body><main><div class="post"><p>1,234 <!--x-->views</p></div>'
        '<aside><p>99 views</p></aside><ul><li class="i">5 views</li><li class="i">6 views'
        "</li></ul></main></body>"
    ),
    "selectors among siblings": (
        '<body><div><p>a</p><p><a href="/1">1</a></p><span><a href="/2">2</a>'
        '<a href="/3">3</a><i></i><a href="/4">4</a></span></div><div id="d"><ul>'
        '<li><a href="/5">5</a></li><li><a href="/6">6</a></li></ul></div>'
        '<my-el><my-el><img src="/m.png"></my-el></my-el></body>'
    ),
    "ids unique and repeated, on the root too": (
        '<html id="r"><body><p id="x"><a href="/a">a</a></p><p id="x"><a href="/b">b</a></p>'
        '<a id="9n" href="/c">c</a><div><a href="/d">d</a><img src="/i.png"></div></body></html>'
    ),
    "head": (
        '<html lang="fr"><head><meta name="description" content="d"><meta name="robots" '
        'content="noindex"><meta property="og:title" content="o"><link rel="canonical" '
        'href="/c"><base href="/base/"><script type="application/ld+json">{"@type": '
        '"Article", "interactionStatistic": {"userInteractionCount": 7}}</script></head>'
        '<body><a href="rel">r</a></body></html>'
    ),
}


def _facts(html: str) -> dict:
    return dataclasses.asdict(parse_html(html, URL))


@pytest.mark.parametrize("name", CASES)
def test_lexbor_facts_are_the_lxml_copys(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    html = CASES[name]
    assert isinstance(document.parse_tree(html), document.LexborTree)
    read_from_lexbor = _facts(html)
    monkeypatch.setattr(document, "_lexbor_tree", lambda _source: None)  # the copy, as before
    assert isinstance(document.parse_tree(html), document.ParsedTree)
    assert read_from_lexbor == _facts(html)


@pytest.mark.parametrize("name", CASES)
def test_small_documents_selectors_are_the_selector_builders(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # LexborSelectors (documents of up to NODE_SELECTORS_MAX elements) against SelectorBuilder
    # on the same lexbor tree (larger documents).
    html = CASES[name]
    by_node_ids = _facts(html)
    monkeypatch.setattr(document, "NODE_SELECTORS_MAX", 0)
    assert by_node_ids == _facts(html)


def test_documents_nested_deeper_than_chromium_nests_are_read_from_the_capped_copy() -> None:
    deep = "<body>" + "<div>" * 520 + 'x<a href="/d">d</a>' + "</div>" * 520 + "</body>"
    assert isinstance(document.parse_tree(deep), document.ParsedTree)
    shallow = "<body>" + "<div>" * 500 + 'x<a href="/d">d</a>' + "</div>" * 500 + "</body>"
    assert isinstance(document.parse_tree(shallow), document.LexborTree)


def test_characters_xml_refuses_are_read_from_the_copy_as_before() -> None:
    html = '<body><p title="a\x0cb">a\x01b</p><a href="/x">l\x1fk</a></body>'
    assert isinstance(document.parse_tree(html), document.ParsedTree)
    assert parse_html(html, URL).links[0].text == "l\ufffdk"


def test_names_xml_cannot_hold_on_the_root_are_no_error() -> None:
    # The copy's root element took lexbor's attributes unchecked: <html xml:lang="en">, common
    # in XHTML-era pages, raised ValueError ("Invalid attribute name").
    facts = parse_html('<html xml:lang="en" lang="en"><body><a href="/x">x</a></body>', URL)
    assert facts.lang == "en"
    assert [link.text for link in facts.links] == ["x"]


def test_a_parsed_page_leaves_no_garbage_cycles() -> None:
    """Every page's tree is freed when its facts are made, not at the next full collection:
    a cycle per page kept ~50 MB more per worker process of a 10,000-page crawl."""
    import gc

    html = "<title>T</title><body><main><h1>A</h1><a href='/x'>x</a><img src=i.png></main>"
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            parse_html(html, URL)
        assert gc.collect() == 0
    finally:
        gc.enable()
