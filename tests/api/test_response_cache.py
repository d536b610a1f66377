"""Page JSON cached per content version: served without recomputing, replaced at once by every
kind of change that alters it, and never by a reader's view."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction

from pages.api.conf import api_setting
from pages.api.middleware import NotModifiedMiddleware
from pages.api.response_cache import REQUEST_ATTRIBUTE, ResponseCache
from pages.models import ArticlePage, ClinicImage, ClinicSettings
from pages.render_cache import generation, invalidate
from pageviews.service import increment, view_total
from tests.api.conftest import API

pytestmark = pytest.mark.django_db
VIEW_COUNT_MAX_AGE = api_setting("API_VIEW_COUNT_MAX_AGE")


def detail_url(page) -> str:
    return f"{API}/pages/{page.pk}/"


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


@pytest.fixture
def article(demo_site):
    return ArticlePage.objects.get(slug="ims-or-massage")


def test_a_repeat_request_costs_no_query_and_gives_the_same_bytes(client, article):
    first, cold_queries = get(client, detail_url(article))
    second, warm_queries = get(client, detail_url(article))
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Vary"] == first["Vary"]
    assert cold_queries > 5
    assert warm_queries == 0  # the view count comes from the short-lived counter cache


def test_a_listing_is_cached_with_its_counts_filled_in(client, article):
    url = f"{API}/pages/?type=pages.ArticlePage&fields=view_count"
    with freeze_time() as clock:
        get(client, url)
        increment(article.pk)
        clock.tick(VIEW_COUNT_MAX_AGE + 1)
        response, queries = get(client, url)
    counts = {item["id"]: item["view_count"] for item in response.json()["items"]}
    assert counts[article.pk] == view_total(article.pk)
    assert all(isinstance(count, int) for count in counts.values())
    assert queries == 1  # every counter expired: one query for all of them


def test_a_conditional_request_gets_a_304_without_queries(client, article):
    etag = client.get(detail_url(article))["ETag"]
    response, queries = get(client, detail_url(article), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert "public" in response["Cache-Control"]
    assert queries == 0


def test_a_conditional_request_reads_only_the_small_validator(client, article):
    """The 304 comes from the validator entry: without the body entry (evicted, say) it is
    still answered at once, with no query and the same headers as the 200."""
    from django.core.cache import cache

    full = client.get(detail_url(article))
    probe = ResponseCache.for_request(RequestFactory().get(detail_url(article)))
    assert cache.get(probe.validator_key) is not None
    cache.delete(probe.key)
    response, queries = get(client, detail_url(article), HTTP_IF_NONE_MATCH=full["ETag"])
    assert response.status_code == 304
    assert queries == 0
    assert response["ETag"] == full["ETag"]
    assert response["Vary"] == full["Vary"]
    assert response["Last-Modified"] == full["Last-Modified"]
    # A stale copy is not 304: the body is computed again and stored again.
    stale, _ = get(client, detail_url(article), HTTP_IF_NONE_MATCH='"old"')
    assert stale.status_code == 200
    assert stale.content == full.content
    assert cache.get(probe.key) is not None


def test_a_repeated_revalidation_reads_only_the_version_and_its_own_entry(client, article):
    """Once worked out, a revalidation's answer is kept beside the version (one round trip on
    Redis): it holds without the validator, until a count it shows expires or the version
    changes."""
    from django.core.cache import cache

    with freeze_time() as clock:
        full = client.get(detail_url(article))
        etag = full["ETag"]
        first, _ = get(client, detail_url(article), HTTP_IF_NONE_MATCH=etag)
        probe = ResponseCache.for_request(RequestFactory().get(detail_url(article)))
        cache.delete(probe.validator_key)
        cache.delete(probe.key)
        again, queries = get(client, detail_url(article), HTTP_IF_NONE_MATCH=etag)
        assert first.status_code == again.status_code == 304 and queries == 0
        assert sorted(again.items()) == sorted(first.items())
        assert client.get(detail_url(article), HTTP_IF_NONE_MATCH='"old"').status_code == 200

        # A count it shows expires: worked out again from the validator and the counters.
        increment(article.pk)
        clock.tick(VIEW_COUNT_MAX_AGE + 1)
        changed = client.get(detail_url(article), HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed.json()["view_count"] == full.json()["view_count"] + 1

        # A new content version: the entry of the old one is not used.
        current = changed["ETag"]
        assert client.get(detail_url(article), HTTP_IF_NONE_MATCH=current).status_code == 304
        invalidate()
        after = client.get(detail_url(article), HTTP_IF_NONE_MATCH=current)
        assert after.status_code == 200 and after["ETag"] != current


def test_a_revalidation_is_answered_before_sessions_auth_and_routing(client, article):
    """NotModifiedMiddleware answers a current copy's revalidation by itself: nothing after it
    in the middleware list runs. A stale copy goes on, with the cache slot for the view."""
    full = client.get(detail_url(article))

    def rest_of_the_stack(request):
        raise AssertionError("the request went past NotModifiedMiddleware")

    middleware = NotModifiedMiddleware(rest_of_the_stack)
    current = RequestFactory().get(detail_url(article), HTTP_IF_NONE_MATCH=full["ETag"])
    with CaptureQueriesContext(connection) as queries:
        response = middleware(current)
    assert response.status_code == 304 and len(queries) == 0
    assert response["ETag"] == full["ETag"]
    assert response["Last-Modified"] == full["Last-Modified"]

    passed_on: list = []
    onward = NotModifiedMiddleware(lambda request: passed_on.append(request) or HttpResponse())
    stale = RequestFactory().get(detail_url(article), HTTP_IF_NONE_MATCH='"old"')
    onward(stale)
    assert passed_on == [stale]
    assert getattr(stale, REQUEST_ATTRIBUTE).conditional_checked
    # Not conditional, or not the pages endpoint: passed on untouched.
    for request in (
        RequestFactory().get(detail_url(article)),
        RequestFactory().get("/robots.txt", HTTP_IF_NONE_MATCH=full["ETag"]),
    ):
        onward(request)
        assert passed_on[-1] is request and not hasattr(request, REQUEST_ATTRIBUTE)
    # Through the whole stack, the stale copy gets the body again.
    assert client.get(detail_url(article), HTTP_IF_NONE_MATCH='"old"').content == full.content


def test_views_do_not_invalidate_and_show_within_the_counter_lifetime(client, article):
    with freeze_time() as clock:
        before = client.get(detail_url(article))
        version = generation()
        for _ in range(3):
            increment(article.pk)
        clock.tick(VIEW_COUNT_MAX_AGE - 1)
        still = client.get(detail_url(article), HTTP_IF_NONE_MATCH=before["ETag"])
        assert still.status_code == 304  # within the documented staleness
        clock.tick(2)
        after = client.get(detail_url(article), HTTP_IF_NONE_MATCH=before["ETag"])
    assert generation() == version
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.json()["view_count"] == before.json()["view_count"] + 3


def test_a_view_count_placeholder_cannot_be_forged_by_page_text(client, make_service):
    # Shaped like a placeholder, but without this entry's random marker.
    title = "clinic-view-count-0123456789abcdef0123456789abcdef:1"
    page = make_service("forged", title=title)
    client.get(detail_url(page))
    assert client.get(detail_url(page)).json()["title"] == title


def test_query_order_does_not_matter_but_the_accept_header_does(client, demo_site):
    one = client.get(f"{API}/pages/?limit=2&offset=1")
    other, queries = get(client, f"{API}/pages/?offset=1&limit=2")
    assert other.content == one.content and queries == 0
    refused = client.get(f"{API}/pages/?limit=2&offset=1", HTTP_ACCEPT="text/html")
    assert refused.status_code == 406


def test_search_and_preview_are_not_cached(client, article):
    url = f"{API}/pages/?search=massage"
    get(client, url)
    _, queries = get(client, url)
    assert queries > 0


def test_errors_are_not_cached(client, demo_site):
    bad = client.get(f"{API}/pages/?limit=nope")
    assert bad.status_code == 400
    assert "no-store" in bad["Cache-Control"]
    assert client.get(f"{API}/pages/?limit=nope").status_code == 400


def test_an_answer_computed_across_a_change_is_never_served(rf, client, article):
    """The entry is kept under the version read before computing, so a publish that lands
    while a slow request computes its answer cannot leave the old content behind."""
    request = rf.get(detail_url(article))
    slot = ResponseCache.for_request(request)
    invalidate()  # an editor publishes while the answer is being computed
    slot.store(HttpResponse(b'{"stale": true}', content_type="application/json"))
    assert "stale" not in client.get(detail_url(article)).json()


# -- every kind of change shows on the next request --------------------------------------------


def test_publishing_a_change_shows_in_detail_and_listing(client, article):
    listing_url = f"{API}/pages/?type=pages.ArticlePage&fields=title"
    client.get(detail_url(article))
    client.get(listing_url)
    article.title = "Retitled article"
    article.save_revision().publish()
    assert client.get(detail_url(article)).json()["title"] == "Retitled article"
    titles = [item["title"] for item in client.get(listing_url).json()["items"]]
    assert "Retitled article" in titles


def test_publishing_a_page_changes_the_breadcrumbs_of_its_children(client, article, demo_site):
    index = article.get_parent().specific
    client.get(detail_url(article))
    index.title = "Clinic journal"
    index.save_revision().publish()
    crumbs = [crumb["title"] for crumb in client.get(detail_url(article)).json()["breadcrumbs"]]
    assert "Clinic journal" in crumbs


def test_moving_a_page_changes_its_urls(client, make_service, services_index, article):
    page = make_service("moving")
    before = client.get(detail_url(page)).json()
    page.move(article.get_parent(), pos="last-child")
    after = client.get(detail_url(page)).json()
    assert before["meta"]["html_url"].endswith("/services/moving/")
    assert after["meta"]["html_url"].endswith("/articles/moving/")


def test_unpublishing_and_deleting_remove_the_page(client, make_service):
    page = make_service("short-lived")
    listing_url = f"{API}/pages/?type=pages.ServicePage"
    assert page.pk in [item["id"] for item in client.get(listing_url).json()["items"]]
    client.get(detail_url(page))
    page.unpublish()
    assert client.get(detail_url(page)).status_code == 404
    assert page.pk not in [item["id"] for item in client.get(listing_url).json()["items"]]
    other = make_service("deleted")
    client.get(detail_url(other))
    Page.objects.get(pk=other.pk).delete()
    assert client.get(detail_url(other)).status_code == 404


def test_a_new_view_restriction_hides_the_page(client, make_service):
    page = make_service("private-soon")
    client.get(detail_url(page))
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="x")
    assert client.get(detail_url(page)).status_code == 404


def test_changing_an_images_alt_text_shows_where_it_is_used(client, article):
    image = ClinicImage.objects.first()
    article.social_image = image
    article.save_revision().publish()
    client.get(detail_url(article))
    image.description = "A physiotherapist testing knee movement"
    image.save()
    seo_image = client.get(detail_url(article)).json()["seo"]["image"]
    assert seo_image["alt"] == "A physiotherapist testing knee movement"


def test_deleting_renditions_recomputes_the_answer(client, article):
    image = ClinicImage.objects.first()
    article.social_image = image
    article.save_revision().publish()
    etag = client.get(detail_url(article))["ETag"]
    assert image.renditions.exists()
    image.renditions.all().delete()
    response = client.get(detail_url(article), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert image.renditions.exists()  # made again for the new answer


@pytest.mark.parametrize("change", ["clinic settings", "redirect"])
def test_settings_and_redirect_changes_replace_the_version(client, article, change):
    """No page field shows them today, but they are part of what a front end renders with
    a page, so its cached copy must be revalidated."""
    response = client.get(detail_url(article))
    if change == "clinic settings":
        clinic = ClinicSettings.objects.get()
        clinic.name = "Renamed clinic"
        clinic.save()
    else:
        Redirect.objects.create(old_path="/old-articles", redirect_page=article)
    again = client.get(detail_url(article), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != response["ETag"]
