"""No N+1: page detail costs a fixed number of queries whatever the body holds, and a listing
costs the same however many pages it shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import API

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def computed_answers(settings):
    """Count the queries of computing an answer: from the response cache it costs none, which
    would make every bound below hold whatever the serialisers do."""
    settings.API_RESPONSE_CACHE = False


# Detail (computed, response cache off; the site and the private sections come from the render
# cache, filled by the first request): page, specific page with its images and call-to-action
# target, body images, their renditions, call-to-action block pages, linked pages, ancestors
# (breadcrumbs and parent), view counts. None of these grows with the number of blocks. Before
# the cold-path work (main at 6562487, measured with this file): 12 for detail, 7 for a typed
# listing.
DETAIL_MAX_QUERIES = 8
LISTING_MAX_QUERIES = 5


def big_body(link_targets, images, repeat: int) -> list[dict]:
    """Every block type, `repeat` times, with images throughout and links to every page type
    in each rich text (so small and large bodies link to the same kinds of page)."""
    blocks = []
    for n in range(repeat):
        target = link_targets[n % len(link_targets)]
        image = images[n % len(images)]
        link = " ".join(f'<a linktype="page" id="{t.pk}">link {n}</a>' for t in link_targets)
        blocks += [
            {"type": "heading", "value": {"text": f"Section {n}", "level": "h2"}},
            {"type": "paragraph", "value": f"<p>Paragraph {n} with a {link}.</p>"},
            {
                "type": "image",
                "value": {
                    "image": {"image": image.pk, "alt_text": f"Photo {n}", "decorative": n % 2},
                    "caption": f"Caption {n}",
                },
            },
            {"type": "quote", "value": {"quote": f"Quote {n}", "attribution": "A patient"}},
            {
                "type": "call_to_action",
                "value": {"text": "Book", "button_label": "Book", "page": target.pk, "url": ""},
            },
            {
                "type": "faq",
                "value": {"items": [{"question": f"Q{n}?", "answer": f"<p>A {link}.</p>"}]},
            },
        ]
    return blocks


@pytest.fixture
def pages_with_bodies(make_service, demo_site):
    from wagtail.models import Page

    from pages.models import ClinicImage

    targets = list(Page.objects.live().filter(depth__gt=1))
    images = list(ClinicImage.objects.all())
    small = make_service("small-body", body=big_body(targets, images, 1))
    large = make_service("large-body", body=big_body(targets, images, 40))
    return small, large


def detail_queries(client, page) -> int:
    url = f"{API}/pages/{page.pk}/"
    assert client.get(url).status_code == 200  # first request creates missing renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_detail_query_count_is_bounded(client, pages_with_bodies, django_assert_max_num_queries):
    small, large = pages_with_bodies
    assert len(large.body) == 240
    for page in (small, large):
        client.get(f"{API}/pages/{page.pk}/")  # warm renditions
        with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
            assert client.get(f"{API}/pages/{page.pk}/").status_code == 200
    assert detail_queries(client, large) == detail_queries(client, small)


def test_listing_query_count_does_not_grow_with_pages(client, make_service, demo_site):
    url = f"{API}/pages/?type=pages.ServicePage&fields=*&limit=100"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).json()["items"]) == 3
    for n in range(12):
        make_service(f"extra-{n}")
    client.get(url)  # warm renditions
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()["items"]) == 15
    assert len(many) == len(few) <= LISTING_MAX_QUERIES


@pytest.mark.parametrize("query", ["?fields=*&limit=20", "?type=pages.ArticlePage&fields=*"])
def test_listing_query_bound(client, demo_site, query, django_assert_max_num_queries):
    client.get(f"{API}/pages/{query}")
    with django_assert_max_num_queries(LISTING_MAX_QUERIES):
        assert client.get(f"{API}/pages/{query}").status_code == 200
