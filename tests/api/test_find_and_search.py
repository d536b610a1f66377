"""`find/?html_path=` for every public URL and `?search=` on the database search backend."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.api.conftest import API

pytestmark = pytest.mark.django_db


def test_html_path_finds_every_public_page(client, get_json, demo_site):
    items = get_json(f"{API}/pages/?limit=100")["items"]
    assert len(items) == 9
    for item in items:
        path = urlsplit(item["meta"]["html_url"]).path
        response = client.get(f"{API}/pages/find/", {"html_path": path, "fields": "title"})
        assert response.status_code == 302, path
        target = urlsplit(response["Location"])
        assert target.path == f"/api/v2/pages/{item['id']}/"
        assert target.query == "fields=title"  # other parameters are kept, html_path is not
        assert get_json(f"{target.path}?{target.query}")["title"] == item["title"]


def test_html_path_without_slashes_and_unknown_paths(client, get_json, ims_page):
    response = client.get(f"{API}/pages/find/?html_path=services/ims")
    assert response["Location"].endswith(f"/api/v2/pages/{ims_page.pk}/?")
    assert get_json(f"{API}/pages/find/?html_path=/no/such/page/", status=404) == {
        "message": "not found"
    }


def test_search_finds_demo_content(get_json, ims_page):
    found = get_json(f"{API}/pages/?search=needle")["items"]
    assert ims_page.pk in {item["id"] for item in found}
    typed = get_json(f"{API}/pages/?type=pages.ArticlePage&search=massage&fields=title")
    assert any("massage" in item["title"].lower() for item in typed["items"])
    assert get_json(f"{API}/pages/?search=qwertyuiopasdf")["items"] == []


def test_search_sees_a_newly_published_page(get_json, make_service):
    page = make_service("hydrotherapy", title="Hydrotherapy in a warm pool")
    assert [item["id"] for item in get_json(f"{API}/pages/?search=hydrotherapy")["items"]] == [
        page.pk
    ]


def test_search_with_operator_and_order(get_json, demo_site):
    both = get_json(f"{API}/pages/?search=IMS%20massage&search_operator=and")["items"]
    either = get_json(f"{API}/pages/?search=IMS%20massage&search_operator=or")["items"]
    assert 0 < len(both) <= len(either)
    ordered = get_json(f"{API}/pages/?search=physiotherapy&order=title&fields=title")["items"]
    titles = [item["title"] for item in ordered]
    assert titles == sorted(titles)
