"""Typed listings are serialised by hand (pages/api/listing.py); the answer is byte for byte
what Wagtail's serializers give, for every query shape and for pages with odd data, and a
listing the hand-written path does not serve (search, an alias) goes to the serializers."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from pages.api import listing
from tests.api.conftest import API

pytestmark = pytest.mark.django_db

SHAPES = [
    "fields=*",
    "",  # default fields
    "fields=-title,-slug",
    "fields=title,view_count",
    "fields=_,hero_image,social_image,seo",
    "fields=*,-seo,-breadcrumbs",
    "fields=hero_image(url)",  # nested fields of an image: a 400 both ways
    "fields=*&order=-date",
    "fields=*&order=title",
    "fields=*&order=-first_published_at",
    "fields=*&search=neck",  # search results: the serializers' path
    "fields=*&limit=2&offset=1",
    "fields=*&limit=1",
    "fields=*&limit=0",
    "fields=*&offset=500",  # past the end
    "fields=*&limit=1000",  # 400
    "fields=*&offset=x",  # 400
    "fields=*&rich_text_format=db_html",
    "fields=*&author=Bench%20Writer",
    "fields=nope",  # 400
]
TYPES = ["pages.ArticlePage", "pages.ServicePage"]
# Each other page type, in a few shapes.
OTHER_TYPES = ["pages.HomePage", "pages.ArticleIndexPage", "pages.ServiceIndexPage"]


def shapes() -> list[str]:
    return [f"{API}/pages/?type={page_type}&{shape}" for page_type in TYPES for shape in SHAPES] + [
        f"{API}/pages/?type={page_type}&{shape}"
        for page_type in OTHER_TYPES
        for shape in ("fields=*", "")
    ]


@pytest.fixture(autouse=True)
def computed_answers(settings):
    settings.API_RESPONSE_CACHE = False


@pytest.fixture
def served_by(monkeypatch):
    """Counts the listings the hand-written path served."""
    served = []
    for_view = listing.TypedListing.for_view.__func__

    def counting(cls, view, queryset):
        plan = for_view(cls, view, queryset)
        if plan is not None:
            served.append(view.request.get_full_path())
        return plan

    monkeypatch.setattr(listing.TypedListing, "for_view", classmethod(counting))
    return served


def both_ways(client, url: str, monkeypatch) -> tuple[tuple, tuple]:
    """(status, body) from the hand-written path, then from the serializers."""
    cache.clear()
    fast = client.get(url)
    with monkeypatch.context() as patch:
        patch.setattr(listing.TypedListing, "for_view", classmethod(lambda cls, v, q: None))
        cache.clear()
        slow = client.get(url)
    return (fast.status_code, fast.content), (slow.status_code, slow.content)


def assert_same(client, monkeypatch, urls: list[str]) -> None:
    for url in urls:
        fast, slow = both_ways(client, url, monkeypatch)
        assert fast == slow, url


@pytest.fixture
def odd_pages(demo_site, make_service, articles_index, services_index):
    """Pages whose data takes every branch: no hero image, a decorative one, a private
    image, a sharing image, empty SEO fields with a long introduction, a canonical URL, tags
    (unicode too), unicode titles and slugs, calls to action to public, private and draft
    pages, a private page (never listed)."""
    from pages.models import ArticlePage, ClinicImage

    images = list(ClinicImage.objects.order_by("pk"))
    private_collection = Collection.get_first_root_node().add_child(name="Private")
    CollectionViewRestriction.objects.create(
        collection=private_collection, restriction_type="password", password="pw"
    )
    hidden_image = ClinicImage.objects.create(
        title="Hidden", file=images[0].file.name, width=10, height=10, collection=private_collection
    )

    def article(slug: str, **fields):
        page = ArticlePage(
            title=fields.pop("title", slug.replace("-", " ").capitalize()),
            slug=slug,
            introduction=fields.pop("introduction", f"<p>About {slug}.</p>"),
            author=fields.pop("author", "Bench Writer"),
            date=fields.pop("date", "2026-01-02"),
            body=[],
            **fields,
        )
        articles_index.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    long_intro = "<p>" + " ".join(["Stretching <b>daily</b> helps &amp; heals."] * 12) + "</p>"
    article("no-images", seo_title="", search_description="", introduction=long_intro)
    article("decorative", hero_image=images[0], hero_image_decorative=True, hero_image_alt="x")
    article("private-image", hero_image=hidden_image, hero_image_alt="Hidden")
    article(
        "shared",
        hero_image=images[1],
        hero_image_alt="Hero",
        social_image=images[2],
        canonical_url="https://example.com/elsewhere/",
        seo_title="Shared title",
        search_description="Shared description",
    )
    tagged = article("étirements-doux", title="Étirements doux — guide ✓")
    tagged.tags.add("équilibre", "Zebra", "apple", "ünïcode")
    tagged.save_revision().publish()
    private = article("private-article")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    draft_target = make_service("draft-target", publish=False)
    private_target = make_service("private-target")
    PageViewRestriction.objects.create(
        page=private_target, restriction_type="password", password="p"
    )
    public_target = make_service("public-target")
    make_service("cta-public", cta_label="Book", cta_text="Now", cta_page=public_target)
    make_service("cta-private", cta_label="Book", cta_page=private_target, cta_url="https://x.org/")
    make_service("cta-draft", cta_text="Text only", cta_page=draft_target)
    make_service("cta-url", cta_label="Go", cta_url="https://example.com/book/")
    make_service("no-session", session_minutes_min=None, session_minutes_max=None)
    make_service("one-session", session_minutes_min=30, session_minutes_max=30)
    make_service("range-session", session_minutes_min=30, session_minutes_max=45)
    return private


def test_every_shape_and_type_is_the_same_on_the_demo_site(client, monkeypatch, demo_site):
    assert_same(client, monkeypatch, shapes())


def test_odd_pages_are_the_same(client, monkeypatch, odd_pages, services_index, served_by):
    urls = shapes() + [
        f"{API}/pages/?type=pages.ServicePage&fields=*&child_of={services_index.pk}",
        f"{API}/pages/?type=pages.ArticlePage&fields=*&descendant_of={demo_site_pk()}",
        f"{API}/pages/?type=pages.ArticlePage&fields=tags&slug=%C3%A9tirements-doux",
    ]
    assert_same(client, monkeypatch, urls)
    listed = client.get(f"{API}/pages/?type=pages.ArticlePage&fields=*&limit=100").json()
    assert odd_pages.pk not in {item["id"] for item in listed["items"]}
    tagged = next(item for item in listed["items"] if item["meta"]["slug"] == "étirements-doux")
    assert tagged["tags"] == ["Zebra", "apple", "équilibre", "ünïcode"]
    # The hand-written path served every shape it knows (not search, not a 400).
    assert any("fields=*" in url for url in served_by)
    assert not any("search=" in url for url in served_by)


def demo_site_pk() -> int:
    from pages.models import HomePage

    return HomePage.objects.get().pk


def test_cached_answers_are_the_same(client, monkeypatch, odd_pages, settings):
    """With the response cache on, view counts are placeholders filled in when served."""
    settings.API_RESPONSE_CACHE = True
    assert_same(
        client,
        monkeypatch,
        [f"{API}/pages/?type={page_type}&fields=*" for page_type in TYPES + OTHER_TYPES],
    )


def test_an_alias_goes_to_the_serializers(client, monkeypatch, odd_pages, services_index):
    from pages.models import ServicePage

    original = ServicePage.objects.get(slug="cta-public")
    original.create_alias(parent=services_index, update_slug="cta-public-alias")
    url = f"{API}/pages/?type=pages.ServicePage&fields=*&limit=100"
    assert_same(client, monkeypatch, [url])
    items = client.get(url).json()["items"]
    alias = next(item for item in items if item["meta"]["slug"] == "cta-public-alias")
    assert alias["meta"]["alias_of"]["id"] == original.pk


def test_page_urls_are_wagtails(rf, client, monkeypatch, odd_pages, demo_site):
    from rest_framework.request import Request
    from wagtail.models import Page, Site

    # A second site on the same pages: Wagtail picks by request only for an HttpRequest.
    Site.objects.create(hostname="other.example", port=8080, root_page=demo_site)
    Site.clear_site_root_paths_cache()
    for request in (rf.get("/api/v2/pages/", HTTP_HOST="other.example:8080"), None):
        for asked in (request, Request(request) if request is not None else None):
            memo: dict = {}
            for page in Page.objects.all():
                expected = page.get_full_url(asked)
                assert listing.page_url(page.url_path, asked, memo) == expected, page.url_path
    assert_same(client, monkeypatch, [f"{API}/pages/?type=pages.ArticlePage&fields=*"])


def test_rows_read_by_the_orm_when_the_select_cannot_be_extended(client, monkeypatch, odd_pages):
    monkeypatch.setattr(listing, "_row_query", lambda db, model, names: None)
    monkeypatch.setattr(listing, "_ROW_QUERIES", {})
    assert_same(client, monkeypatch, [f"{API}/pages/?type=pages.ServicePage&fields=*&limit=50"])
