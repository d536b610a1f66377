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
# A listing whose items show everything (introductions with links, tags, images, calls to
# action, aliases): the count and the page, renditions, link targets, ancestors, tags, view
# counts, alias targets' rows at most; none of them per item.
FULL_LISTING_MAX_QUERIES = 8


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


LISTINGS = [
    f"{API}/pages/?type=pages.ServicePage&fields=*&limit=100",
    f"{API}/pages/?type=pages.ArticlePage&fields=*&limit=100",
    f"{API}/pages/?fields=*&limit=100",
    f"{API}/pages/?limit=100",
    f"{API}/pages/?search=extra&fields=*&limit=100",
    f"{API}/images/?fields=*&limit=100",
]


def more_pages(make_service, articles_index, services_index, numbers: range) -> None:
    """Services, articles and images numbered `numbers`, each with everything a listing item
    shows: hero and sharing images, a call to action to a page, an introduction with a link,
    tags; the first two services get an alias."""
    from pages.models import ArticlePage, ClinicImage

    images = list(ClinicImage.objects.order_by("pk"))
    for n in numbers:
        image = images[n % len(images)]
        service = make_service(
            f"extra-{n}",
            hero_image=image,
            hero_image_alt=f"Photo {n}",
            social_image=images[(n + 1) % len(images)],
            cta_label="Book",
            cta_page=services_index,
        )
        article = ArticlePage(
            title=f"Extra article {n}",
            slug=f"extra-article-{n}",
            introduction=f'<p>See <a linktype="page" id="{service.pk}">extra</a> {n}.</p>',
            author="Bench Writer",
            date="2026-01-02",
            hero_image=image,
            hero_image_alt=f"Photo {n}",
            body=[],
        )
        articles_index.add_child(instance=article)
        article.tags.add(f"tag-{n}", "shared")
        article.save_revision().publish()
        if n < 2:
            service.create_alias(parent=services_index, update_slug=f"extra-alias-{n}")
        ClinicImage.objects.create(
            title=f"Extra image {n}", file=image.file.name, width=10, height=10
        )


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_query_count_does_not_grow_with_items(
    client,
    demo_site,
    make_service,
    articles_index,
    services_index,
    url,
    django_assert_max_num_queries,
):
    more_pages(make_service, articles_index, services_index, range(3))
    client.get(url)  # renditions made, render cache filled
    with CaptureQueriesContext(connection) as few:
        few_items = len(client.get(url).json()["items"])
    more_pages(make_service, articles_index, services_index, range(3, 15))
    client.get(url)  # renditions of the new images made
    with django_assert_max_num_queries(FULL_LISTING_MAX_QUERIES) as many:
        many_items = len(client.get(url).json()["items"])
    assert many_items >= few_items + 12, (url, few_items, many_items)
    assert len(many) == len(few), (url, [q["sql"] for q in many.captured_queries])


@pytest.mark.parametrize("query", ["?fields=*&limit=20", "?type=pages.ArticlePage&fields=*"])
def test_listing_query_bound(client, demo_site, query, django_assert_max_num_queries):
    client.get(f"{API}/pages/{query}")
    with django_assert_max_num_queries(LISTING_MAX_QUERIES):
        assert client.get(f"{API}/pages/{query}").status_code == 200
