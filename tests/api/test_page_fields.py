"""Field by field: what each page type and each body block gives a front end."""

from __future__ import annotations

import pytest
from wagtail.rich_text import RichText

from tests.api.conftest import API

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"  # WAGTAILAPI_BASE_URL and the demo Site in tests
RENDITIONS = {"thumbnail": (400, 300), "medium": (800, None), "large": (1600, None)}


def detail(get_json, page):
    return get_json(f"{API}/pages/{page.pk}/")


def crumb_titles(data) -> list[str]:
    return [crumb["title"] for crumb in data["breadcrumbs"]]


def own_view_count(page) -> int:
    """The total the view-counting code holds for the page."""
    from pageviews.service import view_total

    return view_total(page.pk)


def assert_image(value, image, *, alt: str, decorative: bool) -> None:
    assert value["id"] == image.pk
    # Full size as a rendition: originals are never served (tests/cms/test_private_media.py).
    assert value["url"] == BASE + image.get_rendition("original").url
    assert (value["width"], value["height"]) == (image.width, image.height)
    assert value["alt"] == alt
    assert value["decorative"] is decorative
    assert set(value["renditions"]) == set(RENDITIONS)
    for name, (width, height) in RENDITIONS.items():
        rendition = value["renditions"][name]
        assert rendition["url"].startswith(BASE + "/media/images/")
        assert rendition["width"] == min(width, image.width)
        if height:
            assert rendition["height"] == height


def test_service_page_fields(get_json, ims_page):
    data = detail(get_json, ims_page)
    assert data["id"] == ims_page.pk
    assert data["title"] == ims_page.title
    meta = data["meta"]
    assert meta["type"] == "pages.ServicePage"
    assert meta["html_url"] == f"{BASE}/services/ims/"
    assert meta["detail_url"] == f"{BASE}/api/v2/pages/{ims_page.pk}/"
    assert meta["slug"] == "ims"
    assert meta["seo_title"] == "IMS dry needling for chronic muscle tension in Vancouver"
    assert meta["search_description"] == ims_page.search_description
    assert meta["first_published_at"] and meta["last_published_at"]
    assert meta["parent"]["title"] == "Services"
    assert data["introduction"] == ims_page.introduction
    assert data["session_minutes_min"] == 15
    assert data["session_minutes_max"] == 45
    assert data["session_length"] == "15–45 minutes"
    assert (
        data["who_it_helps"][0] == "People with neck, back or shoulder pain that has lasted months"
    )
    assert len(data["who_it_helps"]) == 4
    assert_image(
        data["hero_image"], ims_page.hero_image, alt=ims_page.hero_image_alt, decorative=False
    )
    assert data["call_to_action"]["button_label"] == ims_page.cta_label
    assert data["call_to_action"]["text"] == ims_page.cta_text
    assert data["call_to_action"]["url"] == ims_page.cta_url
    assert data["call_to_action"]["page"] is None
    assert data["canonical_url"] == ""
    assert data["social_image"] is None
    assert data["seo"] == {
        "title": ims_page.seo_title,
        "description": ims_page.search_description,
        "canonical_url": f"{BASE}/services/ims/",
        "image": data["hero_image"],  # no social image: the hero image is shared
    }
    assert crumb_titles(data) == [
        "Physiotherapy for pain and movement in Vancouver",
        "Services",
        ims_page.title,
    ]
    assert data["breadcrumbs"][1]["meta"]["html_url"] == f"{BASE}/services/"
    assert data["view_count"] == own_view_count(ims_page)
    assert [block["type"] for block in data["body"]][:2] == ["heading", "paragraph"]


def test_article_page_fields(get_json, demo_site):
    from pages.models import ArticlePage

    article = ArticlePage.objects.get(slug="desk-habits-neck-shoulder-tension")
    article.tags.set(["posture", "desk work"])
    article.canonical_url = "https://partner.example/desk-habits/"
    article.social_image = article.hero_image or _any_image()
    article.save_revision().publish()
    data = detail(get_json, article)
    assert data["meta"]["type"] == "pages.ArticlePage"
    assert data["author"] == "Priya Raman, physiotherapist"
    assert data["date"] == "2026-09-14"
    assert data["tags"] == ["desk work", "posture"]
    assert data["introduction"] == article.introduction
    assert data["canonical_url"] == "https://partner.example/desk-habits/"
    assert data["seo"]["canonical_url"] == "https://partner.example/desk-habits/"
    image = article.social_image
    assert_image(data["social_image"], image, alt=image.default_alt_text, decorative=False)
    assert data["seo"]["image"] == data["social_image"]
    assert crumb_titles(data)[1:] == ["Articles", article.title]
    assert data["view_count"] == own_view_count(article)
    assert data["body"]


def _any_image():
    from pages.models import ClinicImage

    return ClinicImage.objects.first()


def test_index_and_home_pages(get_json, demo_site, services_index, articles_index):
    home = detail(get_json, demo_site)
    assert home["meta"]["type"] == "pages.HomePage"
    assert home["meta"]["parent"] is None  # the tree root is not a public page
    assert crumb_titles(home) == [demo_site.title]
    assert home["introduction"].startswith("<p>We help people move")
    assert [block["type"] for block in home["body"]] == ["heading", "paragraph"]
    assert "view_count" not in home
    for index, title in ((services_index, "Services"), (articles_index, "Articles")):
        data = detail(get_json, index)
        assert data["title"] == title
        assert data["introduction"] == index.introduction
        assert data["meta"]["show_in_menus"] is True
        assert data["meta"]["parent"]["id"] == demo_site.pk
        assert crumb_titles(data) == [demo_site.title, title]
        assert data["seo"]["canonical_url"] == index.full_url
        assert "body" not in data and "view_count" not in data


def test_listing_summaries_and_fields_star(get_json, demo_site):
    listing = get_json(f"{API}/pages/")
    assert listing["meta"]["total_count"] == 9
    first = listing["items"][0]
    assert set(first) == {"id", "meta", "title"}
    assert set(first["meta"]) == {"type", "detail_url", "html_url", "slug", "first_published_at"}
    typed = get_json(f"{API}/pages/?type=pages.ServicePage&fields=*")
    assert typed["meta"]["total_count"] == 3
    for item in typed["items"]:
        assert item["meta"]["type"] == "pages.ServicePage"
        # StreamFields are detail-only: a listing is a summary of fixed cost.
        assert "body" not in item and "who_it_helps" not in item
        assert {"introduction", "hero_image", "seo", "breadcrumbs", "view_count"} <= set(item)
    body_in_listing = get_json(f"{API}/pages/?type=pages.ServicePage&fields=body", status=400)
    assert body_in_listing["message"] == "unknown fields: body"


def test_heading_paragraph_quote_and_faq_blocks(get_json, ims_page):
    body = detail(get_json, ims_page)["body"]
    by_type: dict[str, list] = {}
    for block in body:
        assert set(block) == {"type", "value", "id"}
        by_type.setdefault(block["type"], []).append(block["value"])
    assert by_type["heading"][0] == {"level": 2, "text": "What IMS is"}
    assert {"level": 3, "text": "Why we pair it with exercise"} in by_type["heading"]
    assert by_type["paragraph"][0].startswith("<p>IMS is a way of treating muscles")
    quote = by_type["quote"][0]
    assert set(quote) == {"quote", "attribution"}
    assert quote["attribution"] == "A patient who works as a software developer"
    faq = by_type["faq"][0]
    assert faq["items"][0]["question"]
    assert faq["items"][0]["answer"].startswith("<p>")


def test_image_blocks_flatten_alt_caption_and_decorative(get_json, demo_site):
    from pages.models import ArticlePage

    article = ArticlePage.objects.get(slug="ims-or-massage")
    images = [b["value"] for b in detail(get_json, article)["body"] if b["type"] == "image"]
    decorative = [image for image in images if image["decorative"]]
    assert decorative, "the demo article has a decorative image"
    assert all(image["alt"] == "" for image in decorative)
    assert set(decorative[0]) == {
        "id", "url", "width", "height", "alt", "decorative", "caption", "renditions",
    }  # fmt: skip


def test_decorative_image_never_leaks_typed_alt_text(get_json, make_service, demo_site):
    image = _any_image()
    body = [
        (
            "image",
            {
                "image": {"image": image.pk, "alt_text": "typed but hidden", "decorative": True},
                "caption": "A caption",
            },
        ),
        (
            "image",
            {
                "image": {"image": image.pk, "alt_text": "A described photo", "decorative": False},
                "caption": "",
            },
        ),
    ]
    page = make_service("two-images", body=_raw(body))
    first, second = (b["value"] for b in detail(get_json, page)["body"])
    assert_image(first, image, alt="", decorative=True)
    assert first["caption"] == "A caption"
    assert_image(second, image, alt="A described photo", decorative=False)
    assert second["caption"] == ""


def test_rich_text_internal_links_resolve_to_urls(get_json, make_service, ims_page, demo_site):
    from wagtail.models import Page

    link = f'<p>See <a linktype="page" id="{ims_page.pk}">IMS</a> and <a linktype="page" id="999999">gone</a>.</p>'  # noqa: E501
    page = make_service(
        "linking",
        body=[("paragraph", RichText(link)), ("paragraph", RichText(link))],
        introduction=f'<p>Read <a linktype="page" id="{ims_page.pk}">about IMS</a>.</p>',
    )
    data = detail(get_json, page)
    expected = '<p>See <a href="/services/ims/">IMS</a> and <a>gone</a>.</p>'
    assert [block["value"] for block in data["body"]] == [expected, expected]
    assert data["introduction"] == '<p>Read <a href="/services/ims/">about IMS</a>.</p>'
    assert "linktype" not in str(data)
    db_html = get_json(f"{API}/pages/{page.pk}/?rich_text_format=db_html")
    assert db_html["body"][0]["value"] == link
    assert Page.objects.filter(pk=999999).count() == 0


def test_call_to_action_block_points_at_public_pages_only(get_json, make_service, ims_page):
    from wagtail.models import PageViewRestriction

    hidden = make_service("members-only")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    body = _raw(
        [
            (
                "call_to_action",
                {"text": "Go", "button_label": "IMS", "page": ims_page.pk, "url": ""},
            ),  # noqa: E501
            (
                "call_to_action",
                {"text": "Go", "button_label": "Out", "page": None, "url": "https://ex.example/"},
            ),  # noqa: E501
            (
                "call_to_action",
                {"text": "Go", "button_label": "Hidden", "page": hidden.pk, "url": ""},
            ),  # noqa: E501
        ]
    )
    page = make_service("ctas", body=body)
    first, second, third = (b["value"] for b in detail(get_json, page)["body"])
    assert first["url"] == f"{BASE}/services/ims/"
    assert first["page"]["id"] == ims_page.pk
    assert first["page"]["meta"]["type"] == "pages.ServicePage"
    assert second == {
        "text": "Go",
        "button_label": "Out",
        "url": "https://ex.example/",
        "page": None,
    }  # noqa: E501
    assert third["page"] is None and third["url"] == ""


def _raw(blocks: list[tuple[str, object]]) -> list[dict]:
    """Raw StreamField data, the form the database stores."""
    return [{"type": block_type, "value": value} for block_type, value in blocks]


def test_view_count_follows_recorded_views(get_json, ims_page, demo_site):
    from pages.models import ArticlePage
    from pageviews.service import increment, view_total

    article = ArticlePage.objects.get(slug="ims-or-massage")
    before = view_total(article.pk)
    for _ in range(3):
        increment(article.pk)
    assert get_json(f"{API}/pages/{article.pk}/")["view_count"] == before + 3
    listing = get_json(f"{API}/pages/?type=pages.ArticlePage&fields=view_count")
    counts = {item["id"]: item["view_count"] for item in listing["items"]}
    assert counts[article.pk] == before + 3
    assert all(isinstance(count, int) for count in counts.values())


def test_detail_urls_follow_the_script_prefix_of_each_request(get_json, demo_site, settings):
    """Detail URLs are reversed once per endpoint and script prefix, then reused: a site
    mounted under a prefix, then at the root, each gets its own. (Computed answers: the test
    client keeps request.path unprefixed, so the response cache would mix the two.)"""
    from django.test.utils import override_script_prefix
    from django.urls import reverse

    settings.API_RESPONSE_CACHE = False
    url = f"{API}/pages/?fields=breadcrumbs&type=pages.ServicePage"
    with override_script_prefix("/cms/"):
        prefixed = get_json(url)["items"]
    plain = get_json(url)["items"]
    assert prefixed and len(prefixed) == len(plain)
    for with_prefix, without in zip(prefixed, plain, strict=True):
        path = reverse("wagtailapi:pages:detail", args=(without["id"],))
        assert without["meta"]["detail_url"] == f"{BASE}{path}"
        assert with_prefix["meta"]["detail_url"] == f"{BASE}/cms{path}"
        crumbs = [crumb["meta"]["detail_url"] for crumb in with_prefix["breadcrumbs"]]
        assert crumbs and all(crumb.startswith(f"{BASE}/cms{API}/pages/") for crumb in crumbs)
