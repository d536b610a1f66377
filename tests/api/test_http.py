"""HTTP behaviour: read-only, CORS, caching headers and conditional requests."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api.conftest import API

pytestmark = pytest.mark.django_db

ENDPOINTS = ["pages/", "images/", "documents/", "redirects/"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_for_anonymous_clients(client, demo_site, endpoint, method):
    response = getattr(client, method)(
        f"{API}/{endpoint}", data={}, content_type="application/json"
    )
    assert response.status_code == 405
    assert "message" in response.json()
    assert "no-store" in response["Cache-Control"]


def test_read_only_detail(client, ims_page):
    response = client.delete(f"{API}/pages/{ims_page.pk}/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_cors_closed_by_default(client, demo_site):
    response = client.get(f"{API}/pages/", HTTP_ORIGIN="https://app.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example"])
def test_cors_allows_listed_origins_only(client, ims_page):
    allowed = client.get(f"{API}/pages/{ims_page.pk}/", HTTP_ORIGIN="https://app.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example"
    assert "origin" in allowed["Vary"].lower()  # shared caches keep one copy per origin
    other = client.get(f"{API}/pages/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        f"{API}/pages/",
        HTTP_ORIGIN="https://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example"
    assert "GET" in preflight["Access-Control-Allow-Methods"]


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example"])
def test_cors_is_limited_to_the_api(client, demo_site):
    response = client.get("/", HTTP_ORIGIN="https://app.example")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(
    "path", ["pages/", "pages/?type=pages.ArticlePage&fields=*", "images/", "redirects/"]
)
def test_public_responses_are_cacheable(client, demo_site, path):
    response = client.get(f"{API}/{path}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["ETag"].startswith('"')


@override_settings(API_CACHE_MAX_AGE=300)
def test_max_age_comes_from_settings(client, demo_site):
    assert client.get(f"{API}/pages/")["Cache-Control"] == "public, max-age=300"


def test_errors_are_not_stored(client, demo_site):
    assert client.get(f"{API}/pages/?limit=abc")["Cache-Control"] == "no-store"
    assert client.get(f"{API}/pages/999999/")["Cache-Control"] == "no-store"


def test_detail_etag_last_modified_and_304(client, ims_page):
    url = f"{API}/pages/{ims_page.pk}/"
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    ims_page.refresh_from_db()
    assert last_modified == _http_date(ims_page.last_published_at)
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Cache-Control"] == "public, max-age=60"
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110): a stale ETag gets the full body.
    both = client.get(url, HTTP_IF_NONE_MATCH='"stale"', HTTP_IF_MODIFIED_SINCE=last_modified)
    assert both.status_code == 200


def test_publishing_changes_etag_and_last_modified(client, ims_page):
    url = f"{API}/pages/{ims_page.pk}/"
    before = client.get(url)
    ims_page.title = "IMS, explained again"
    ims_page.save_revision().publish()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["title"] == "IMS, explained again"
    assert after["ETag"] != before["ETag"]


def test_listing_conditional_request(client, demo_site):
    first = client.get(f"{API}/pages/")
    assert client.get(f"{API}/pages/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_head_requests(client, ims_page):
    response = client.head(f"{API}/pages/{ims_page.pk}/")
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]


def _http_date(moment) -> str:
    from django.utils.http import http_date

    return http_date(int(moment.timestamp()))
