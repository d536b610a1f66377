"""What an old page says about itself (author, date, view count) is read from any site, not
only Wix markup, into the page's fields, and the lines that said it are not imported as body
text (issue 26); and the HTML is parsed as a browser parses it (issue 23: BeautifulSoup on
html5lib). Each page below is shaped like a different kind of old site, in our own words."""

from __future__ import annotations

import datetime
import json

import pytest

from importer.convert import Kind, convert_page
from tests.importer.old_site import MORE, PARA

URL = "https://old.example/blog/knee-after-skiing"


def _page(head: str, article: str) -> str:
    return (
        f"<!DOCTYPE html><html lang=en><head><title>Knee after skiing | Old Clinic</title>{head}"
        f"</head><body><header><nav><a href='/'>Home</a></nav></header><article>"
        f"<h1>Your knee after a ski fall</h1>{article}<p>{PARA}</p><h2>Exercises</h2>"
        f"<p>{MORE}</p></article><aside class='sidebar'><h2>Popular</h2>"
        "<p>Most read this week</p><p>999 views</p><p>By Someone Else</p></aside></body></html>"
    )


def _ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


WORDPRESS = _page(
    _ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "name": "Old Clinic"},
                {
                    "@type": "BlogPosting",
                    "headline": "Your knee after a ski fall",
                    "author": {"@type": "Person", "name": "Sam Reid"},
                    "datePublished": "2023-04-18T09:00:00+00:00",
                    "interactionStatistic": {
                        "@type": "InteractionCounter",
                        "interactionType": "https://schema.org/ViewAction",
                        "userInteractionCount": 5210,
                    },
                },
            ],
        }
    ),
    "<p class='byline'>By Sam Reid · 4 min read</p>",
)
MICRODATA = _page(
    "",
    "<div class='meta'><span itemprop='author'>Priya Nair</span> "
    "<time itemprop='datePublished' datetime='2022-11-03'>3 November 2022</time></div>"
    "<div class='entry-meta'><span>2.3k views</span></div>",
)
GERMAN = _page(
    "",
    "<p class='post-info'>Von Anna Schmidt | 12.03.2024</p><p><span>1.234 Aufrufe</span></p>",
)
FRENCH = _page(
    "<meta name='author' content='Julie Martin'>",
    "<p><time datetime='2021-06-30'>30 juin 2021</time></p><p>2 345 vues</p>",
)
PLAIN_LINES = _page(
    "",
    "<p>Written by Lee Park, physiotherapist</p><p>Posted on March 3rd, 2024</p><p>3,456 views</p>",
)


@pytest.mark.parametrize(
    ("html", "author", "date", "views", "gone"),
    [
        (WORDPRESS, "Sam Reid", datetime.date(2023, 4, 18), 5210, ["By Sam Reid", "min read"]),
        (MICRODATA, "Priya Nair", datetime.date(2022, 11, 3), 2300, ["Priya Nair", "2.3k"]),
        (GERMAN, "Anna Schmidt", datetime.date(2024, 3, 12), 1234, ["Von Anna", "Aufrufe"]),
        (FRENCH, "Julie Martin", datetime.date(2021, 6, 30), 2345, ["juin", "vues"]),
        (PLAIN_LINES, "Lee Park", datetime.date(2024, 3, 3), 3456, ["Written by", "Posted on"]),
    ],
    ids=["json-ld", "microdata", "german", "french", "plain-lines"],
)
def test_author_date_and_views_go_in_fields_not_the_body(html, author, date, views, gone):
    page, _ = convert_page(html, URL)
    assert page.kind is Kind.ARTICLE
    assert (page.author, page.date, page.views) == (author, date, views)
    body = " ".join(b.html + b.text for b in page.blocks)
    for text in gone:
        assert text not in body
    assert "999 views" not in body and "Someone Else" not in body  # the sidebar's, dropped
    assert body.count("Intramuscular stimulation") == 1  # the article text is all there
    assert not [p for p in page.problems if "author" in p or "date" in p]


def test_lines_that_only_look_like_metadata_stay_in_the_body():
    html = _page(
        "",
        "<p>By appointment only</p><p>Come in 2024 for a check-up.</p>"
        "<p>Over 1,000 people visit us each year.</p>",
    )
    page, _ = convert_page(html, URL)
    body = " ".join(b.html for b in page.blocks)
    assert "By appointment only" in body
    assert "Come in 2024 for a check-up." in body
    assert "Over 1,000 people visit us each year." in body
    assert (page.author, page.date, page.views) == ("", None, None)
    assert "no publication date was found: set the article date" in page.problems
    assert "no author was found: set the article's author" in page.problems


def test_text_a_browser_shows_is_imported_where_the_browser_puts_it():
    """A stray line inside a table is shown above it by browsers (HTML5's foster
    parenting); an HTML4 parser dropped it."""
    html = (
        "<!DOCTYPE html><html><body><main><h1>Prices</h1>"
        f"<p>{PARA}</p><table>Prices changed in May.<tr><td>First visit</td>"
        f"<td>60 minutes</td></tr></table><p>{MORE}</p></main></body></html>"
    )
    page, _ = convert_page(html, "https://old.example/services/prices")
    body = " ".join(b.html for b in page.blocks)
    assert "<p>Prices changed in May.</p><p>First visit · 60 minutes</p>" in body
