"""Typed listings (`?type=pages.ArticlePage`) through Wagtail's serializers with every related
row loaded in bulk: for every query shape and for pages with odd data, each listed field is what
the page's own detail answer shows, and the listing never shows a private page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

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


def assert_items_match_detail(client, url: str) -> int:
    """Every item of the listing at `url` (when it answers 200) shows, field by field, what the
    page's detail answer with the same `fields` and `rich_text_format` shows; returns the
    number of items checked."""
    response = client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code, response.content[:300])
    if response.status_code != 200:
        return 0
    asked = parse_qs(urlsplit(url).query)
    same = {name: asked[name][0] for name in ("fields", "rich_text_format") if name in asked}
    checked = 0
    for item in response.json()["items"]:
        if "id" not in item:
            continue
        shown = client.get(f"{API}/pages/{item['id']}/", same)
        assert shown.status_code == 200, (item["id"], shown.content[:300])
        detail = shown.json()
        for name, value in item.items():
            if name == "meta":
                for meta_name, meta_value in value.items():
                    assert detail["meta"][meta_name] == meta_value, (url, item["id"], meta_name)
            else:
                assert detail[name] == value, (url, item["id"], name)
        checked += 1
    return checked


def assert_same(client, urls: list[str]) -> None:
    checked = sum(assert_items_match_detail(client, url) for url in urls)
    assert checked > 0


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


def test_every_shape_and_type_is_the_same_on_the_demo_site(client, demo_site):
    assert_same(client, shapes())


def test_odd_pages_are_the_same(client, odd_pages, services_index):
    urls = shapes() + [
        f"{API}/pages/?type=pages.ServicePage&fields=*&child_of={services_index.pk}",
        f"{API}/pages/?type=pages.ArticlePage&fields=*&descendant_of={demo_site_pk()}",
        f"{API}/pages/?type=pages.ArticlePage&fields=tags&slug=%C3%A9tirements-doux",
    ]
    assert_same(client, urls)
    listed = client.get(f"{API}/pages/?type=pages.ArticlePage&fields=*&limit=100").json()
    assert odd_pages.pk not in {item["id"] for item in listed["items"]}
    tagged = next(item for item in listed["items"] if item["meta"]["slug"] == "étirements-doux")
    assert tagged["tags"] == ["Zebra", "apple", "équilibre", "ünïcode"]
    by_slug = {item["meta"]["slug"]: item for item in listed["items"]}
    assert by_slug["decorative"]["hero_image"]["alt"] == ""
    assert by_slug["private-image"]["hero_image"] is None
    assert by_slug["shared"]["seo"]["canonical_url"] == "https://example.com/elsewhere/"
    assert by_slug["shared"]["seo"]["image"]["id"] == by_slug["shared"]["social_image"]["id"]
    assert by_slug["no-images"]["seo"]["image"] is None
    services = client.get(f"{API}/pages/?type=pages.ServicePage&fields=*&limit=100").json()
    service = {item["meta"]["slug"]: item for item in services["items"]}
    assert service["cta-public"]["call_to_action"]["page"]["title"] == "Public target"
    assert service["cta-private"]["call_to_action"]["page"] is None
    assert service["cta-private"]["call_to_action"]["url"] == "https://x.org/"
    assert service["cta-draft"]["call_to_action"]["page"] is None
    assert service["cta-url"]["call_to_action"]["url"] == "https://example.com/book/"
    assert service["no-session"]["session_length"] == ""
    assert {"private-target", "draft-target"}.isdisjoint(service)


def demo_site_pk() -> int:
    from pages.models import HomePage

    return HomePage.objects.get().pk


def test_cached_answers_are_the_same(client, odd_pages, settings):
    """With the response cache on, view counts are placeholders filled in when served."""
    settings.API_RESPONSE_CACHE = True
    assert_same(
        client,
        [f"{API}/pages/?type={page_type}&fields=*" for page_type in TYPES + OTHER_TYPES],
    )


def test_an_alias_shows_what_it_is_an_alias_of(client, odd_pages, services_index):
    from pages.models import ServicePage

    original = ServicePage.objects.get(slug="cta-public")
    original.create_alias(parent=services_index, update_slug="cta-public-alias")
    url = f"{API}/pages/?type=pages.ServicePage&fields=*&limit=100"
    assert_same(client, [url])
    items = client.get(url).json()["items"]
    alias = next(item for item in items if item["meta"]["slug"] == "cta-public-alias")
    assert alias["meta"]["alias_of"]["id"] == original.pk
