"""Facts a report can be trusted on: hidden content, the page's own view count, page types,
Open Graph and the site profile."""

from __future__ import annotations

from audit.engine.parse import parse_html
from audit.engine.single import check_html

URL = "https://example.test/post"


def _ids(html: str) -> set[str]:
    return {f.check for f in check_html(html, URL).findings}


def test_hidden_text_is_no_heading_name() -> None:
    # axe-core's empty-heading rule: hidden text inside the heading names nothing.
    facts = parse_html(
        '<html><body><h1><div style="display:none">Not Ok</div></h1>'
        "<h2><span hidden>gone</span><span aria-hidden=true>icon</span>Shown</h2>"
        '<h3><span style="color:red; visibility : hidden !important">x</span></h3>'
        '<h4><span style="display:none;display:inline">Later rule wins</span></h4>'
        "</body></html>",
        URL,
    )
    assert [h.text for h in facts.headings] == ["", "Shown", "", "Later rule wins"]


def test_hidden_heading_is_not_in_the_outline() -> None:
    facts = parse_html(
        "<html><body><h1>Visible</h1><div hidden><h1>Old title</h1></div>"
        '<h1 style="display: none">Also hidden</h1></body></html>',
        URL,
    )
    assert [h.text for h in facts.h1s] == ["Visible"]


def test_hidden_text_is_no_alt_name_or_main_text() -> None:
    facts = parse_html(
        "<html><body><main><p>one two three</p>"
        '<div style="display:none"><p>four five six seven</p></div>'
        '<p aria-hidden="true">eight</p><p hidden>nine ten</p>'
        '<a href="/x"><span style="visibility:hidden">Secret</span>Go</a>'
        '<span hidden="until-found">found by search</span>'
        '<div style="display:none"><img src="/a.png"></div></main></body></html>',
        URL,
    )
    assert facts.word_count == 7  # one two three, Go, found by search
    assert [link.text for link in facts.links] == ["Go"]
    (image,) = facts.images
    assert image.aria_hidden  # hidden: no alt text needed
    assert "img-alt-missing" not in _ids(
        '<html><body><div style="display:none"><img src="/a.png"></div></body></html>'
    )
