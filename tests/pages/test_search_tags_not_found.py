"""Public readers: the site search, tag links with their listing, and the site's own 404 page
under DEBUG (as `make run` has it) and production settings."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from pages.models import ArticlePage


def html_of(response) -> HTMLParser:
    return HTMLParser(response.content.decode())


def robots_meta(doc: HTMLParser) -> str:
    node = doc.css_first('meta[name="robots"]')
    return node.attributes.get("content", "") if node else ""


def test_every_page_has_a_labelled_search_box_in_the_header(client, demo_site):
    doc = html_of(client.get("/"))
    form = doc.css_first("header form[role=search]")
    assert form is not None and form.attributes["action"] == "/search/"
    field = form.css_first("input[type=search]")
    label = form.css_first(f'label[for="{field.attributes["id"]}"]')
    assert field.attributes["name"] == "q" and label.text() == "Search the site"


def test_search_finds_articles_and_services_by_their_words(client, demo_site):
    response = client.get("/search/", {"q": "shoulder"})
    assert response.status_code == 200
    doc = html_of(response)
    assert [h.text() for h in doc.css("h1")] == ["Search results for “shoulder”"]
    assert robots_meta(doc) == "noindex"
    titles = [a.text() for a in doc.css(".search-results h2 a")]
    assert "Five desk habits that ease neck and shoulder tension" in titles
    assert "Physiotherapy after surgery: hip, knee and shoulder" in titles
    count = doc.css_first(".search-count").text()
    assert count == f"{len(titles)} results"


def test_search_without_words_shows_the_form_and_nothing_matching_says_so(client, demo_site):
    empty = html_of(client.get("/search/"))
    assert [h.text() for h in empty.css("h1")] == ["Search"]
    assert empty.css_first(".search-results") is None and empty.css_first(".search-count") is None
    nothing = html_of(client.get("/search/", {"q": "zzqxv"}))
    assert nothing.css_first(".search-count").text() == "0 results"
    assert "Nothing matched" in nothing.body.text()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "knee " * 2000},  # a pasted essay
        {"q": "shoulder", "page": "x" * 50},
        {"q": "shoulder", "page": "-3"},
        {"q": "shoulder", "page": "99999999999999999999999"},
        {"q": "\x00<script>alert(1)</script>"},  # a NUL ended SQLite's query parse (a 500)
        {"q": 'knee" OR "'},
    ],
)
def test_hostile_search_queries_get_a_page_not_an_error(client, demo_site, params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    heading = html_of(response).css_first("h1").text()
    assert len(heading) < 260  # the query is cut before it reaches the backend and the page


def test_search_results_are_kept_out_of_search_engines(client, demo_site):
    assert "Disallow: /search/" in client.get("/robots.txt").content.decode().splitlines()


def test_article_tags_link_to_a_listing_of_that_tag(client, demo_site):
    article = ArticlePage.objects.get(slug="desk-habits-neck-shoulder-tension")
    doc = html_of(client.get(article.url))
    links = {a.text(): a.attributes["href"] for a in doc.css(".tag-list a")}
    assert links == {
        "desk work": "/articles/?tag=desk-work",
        "neck pain": "/articles/?tag=neck-pain",
        "posture": "/articles/?tag=posture",
    }
    listing = client.get(links["neck pain"])
    assert listing.status_code == 200
    page = html_of(listing)
    assert [h.text() for h in page.css("h1")] == ["Articles tagged “neck pain”"]
    assert [a.text() for a in page.css(".card-title a")] == [article.title]
    canonical = page.css_first('link[rel="canonical"]').attributes["href"]
    assert canonical.endswith("/articles/?tag=neck-pain")
    title = page.css_first("title").text()
    assert title.startswith("Articles tagged “neck pain” | ")
    description = page.css_first('meta[name="description"]').attributes["content"]
    assert "neck pain" in description


def test_the_full_listing_is_unchanged_and_an_unknown_tag_is_not_found(client, demo_site):
    full = html_of(client.get("/articles/"))
    assert [h.text() for h in full.css("h1")] == ["Articles"]
    assert len(full.css(".card-title a")) == ArticlePage.objects.live().count()
    missing = client.get("/articles/", {"tag": "no-such-tag"})
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()


@pytest.mark.parametrize("debug", [True, False], ids=["make-run", "production"])
def test_a_missing_page_gets_the_sites_own_404_page(client, demo_site, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    doc = html_of(response)
    assert [h.text() for h in doc.css("h1")] == ["Page not found"]
    assert doc.css_first("header form[role=search]") is not None  # in the site's layout
    assert robots_meta(doc) == "noindex"
    assert not re.search(r"Using the URLconf|technical_404", response.content.decode())


def test_the_admin_keeps_its_own_not_found_answer_under_debug(admin_client, demo_site):
    with override_settings(DEBUG=True):
        response = admin_client.get("/admin/pages/987654/edit/")
    assert response.status_code == 404
    assert html_of(response).css_first("header form[role=search]") is None  # Wagtail's page
