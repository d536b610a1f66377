"""Bad input gets a 400 (or 404 for what does not exist) with a one-line JSON message."""

from __future__ import annotations

import pytest

from tests.api.conftest import API

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"

BAD_REQUESTS = [
    ("pages/?type=pages.NoSuchPage", "type doesn't exist"),
    ("pages/?type=pages.ClinicImage", "type doesn't exist"),
    ("pages/?type=nonsense", "type doesn't exist"),
    ("pages/?fields=nonexistent", "unknown fields: nonexistent"),
    ("pages/?type=pages.ServicePage&fields=title,nope", "unknown fields: nope"),
    ("pages/?fields=title(id)", "'title' does not support nested fields"),
    ("pages/?fields=(", "fields error"),
    ("pages/?limit=101", "limit cannot be higher than 100"),
    ("pages/?limit=-1", "limit must be a positive integer"),
    ("pages/?limit=abc", "limit must be a positive integer"),
    ("pages/?offset=abc", "offset must be a positive integer"),
    (f"pages/?offset={HUGE}", "offset cannot be higher than"),
    ("pages/?order=nope", "cannot order by 'nope' (unknown field)"),
    ("pages/?order=random&offset=5", "random ordering with offset is not supported"),
    ("pages/?child_of=abc", "child_of must be a positive integer"),
    ("pages/?child_of=999999", "parent page doesn't exist"),
    (f"pages/?child_of={HUGE}", "child_of is too large"),
    (f"pages/?descendant_of={HUGE}", "descendant_of is too large"),
    ("pages/?ancestor_of=-3", "ancestor_of must be a positive integer"),
    ("pages/?child_of=root&descendant_of=root", "filtering by descendant_of with child_of"),
    ("pages/?child_of=1", "parent page doesn't exist"),  # the tree root is not public
    ("pages/?id=abc", "field filter error"),
    (f"pages/?id={HUGE}", "id is too large"),
    ("pages/?slug=a%00b", "null character"),
    ("pages/?search=a%00b", "null character"),
    ("pages/?search=x&search_operator=xor", "search_operator must be 'and' or 'or'"),
    ("pages/?unknown_param=1", "query parameter is not an operation or a recognised field"),
    ("pages/?type=pages.ArticlePage&date=yesterday", "'yesterday' is not a valid value for date"),
    ("pages/?type=pages.ArticlePage&date=2026-13-45", "is not a valid value for date"),
    ("pages/?first_published_at=soon", "is not a valid value for first_published_at"),
    ("pages/?show_in_menus=perhaps", "field filter error"),
    ("pages/?type=pages.ServicePage&session_minutes_min=ten", "not a valid value"),
    (f"pages/?type=pages.ServicePage&session_minutes_min={HUGE}", "out of range"),
    ("pages/?type=pages.ServicePage&hero_image=abc", "not a valid value for hero_image"),
    ("pages/?rich_text_format=xml", "rich_text_format must be one of"),
    ("pages/?site=localhost:notaport", "expected a number"),
    ("pages/?type=pages.ArticlePage&tags=x&search=y", "filtering by tag with a search query"),
    ("pages/find/?id=abc", "id must be a positive integer"),
    ("pages/find/?html_path=/a%00b/", "null character"),
    ("images/?width=wide", "not a valid value for width"),
    ("images/?limit=1000", "limit cannot be higher than 100"),
    ("images/?fields=nope", "unknown fields: nope"),
    ("documents/?order=nope", "cannot order by 'nope'"),
    ("redirects/?fields=nope", "unknown fields: nope"),
]


@pytest.mark.parametrize(("path", "message"), BAD_REQUESTS)
def test_bad_input_is_a_400_with_a_json_message(client, demo_site, path, message):
    response = client.get(f"{API}/{path}")
    assert response.status_code == 400, (path, response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"message"}
    assert message in body["message"]
    assert "\n" not in body["message"]


NOT_FOUND = [
    "pages/999999/",
    f"pages/{HUGE}/",
    "images/999999/",
    "documents/999999/",
    "redirects/999999/",
    "pages/find/?html_path=/nowhere/",
    "pages/?site=unknown.example",
    "page_preview/?content_type=pages.servicepage&token=abc",  # preview is off by default
]


@pytest.mark.parametrize("path", NOT_FOUND)
def test_missing_things_are_a_404_with_a_json_message(client, demo_site, path):
    response = client.get(f"{API}/{path}")
    assert response.status_code == 404, (path, response.content[:300])
    assert set(response.json()) == {"message"}
