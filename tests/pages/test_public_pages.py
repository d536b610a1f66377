import json

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Site

from pages.models import ArticlePage, ClinicSettings, ServicePage

pytestmark = pytest.mark.django_db

IMS_URL = "/services/ims/"


def get_soup(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "lxml")


def content_headings(page: BeautifulSoup) -> list[int]:
    """Heading levels outside nav and footer, in document order."""
    levels = []
    for tag in page.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        if tag.find_parent(["nav", "footer"]) is None:
            levels.append(int(tag.name[1]))
    return levels


def test_ims_page_has_one_h1_and_ordered_headings(demo_site, client):
    page = get_soup(client, IMS_URL)
    assert [h.get_text() for h in page.find_all("h1")] == [
        "What is IMS & how does it work for chronic muscle tension?"
    ]
    levels = content_headings(page)
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    h2s = [h.get_text() for h in page.find_all("h2")]
    for expected in [
        "What IMS is",
        "How it works",
        "What a session feels like",
        "How long treatment takes",
    ]:
        assert expected in h2s


def test_ims_page_shows_the_forearm_photo_with_meaningful_alt(demo_site, client):
    page = get_soup(client, IMS_URL)
    alts = [img.get("alt") for img in page.find_all("img")]
    assert all(alt is not None for alt in alts)
    forearm = [alt for alt in alts if "forearm" in alt]
    assert len(forearm) == 1  # the hero; the body shows the treatment room, not the same photo
    hero = page.find("img", class_="hero-image")
    assert hero["width"] and hero["height"] and hero["srcset"]


def test_ims_page_head_tags(demo_site, client):
    ims = ServicePage.objects.get(slug="ims")
    page = get_soup(client, IMS_URL)
    assert page.html["lang"] == "en-GB"
    title = page.title.get_text()
    assert title.startswith(ims.seo_title) and 30 <= len(title) <= 60
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert description == ims.search_description and 70 <= len(description) <= 160
    canonical = page.find_all("link", rel="canonical")
    assert len(canonical) == 1 and canonical[0]["href"] == ims.get_full_url()
    assert page.find("meta", property="og:title")["content"] == ims.seo_title
    assert page.find("meta", property="og:image")["content"].startswith("http")


def test_a_page_without_a_picture_shares_the_clinic_share_image(demo_site, client):
    clinic = ClinicSettings.objects.get()
    share = clinic.share_image.get_rendition("fill-1200x630").url
    page = get_soup(client, "/services/")  # the services index has no picture of its own
    assert page.find("meta", property="og:image")["content"].endswith(share)
    # Without one, such a page has no og:image (og-missing in the audit), never a broken one.
    clinic.share_image = None
    clinic.save()
    assert get_soup(client, "/services/").find("meta", property="og:image") is None
    # The IMS page keeps its own picture either way.
    own = get_soup(client, IMS_URL).find("meta", property="og:image")["content"]
    assert not own.endswith(share)


def test_ims_page_json_ld(demo_site, client):
    page = get_soup(client, IMS_URL)
    scripts = page.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    graph = json.loads(scripts[0].string)["@graph"]
    types = {node["@type"]: node for node in graph}
    assert types["MedicalBusiness"]["name"] == "Northside Physio"
    assert types["MedicalBusiness"]["address"]["addressLocality"] == "Vancouver"
    assert types["MedicalWebPage"]["name"].startswith("What is IMS")
    crumbs = types["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert crumbs[-1]["item"].endswith(IMS_URL)


def test_article_json_ld_is_an_article_with_author(demo_site, client):
    article = ArticlePage.objects.get(slug="ims-or-massage")
    page = get_soup(client, article.url)
    graph = json.loads(page.find("script", type="application/ld+json").string)["@graph"]
    node = next(n for n in graph if n["@type"] == "Article")
    assert node["author"]["name"] == article.author
    assert node["datePublished"] == article.date.isoformat()
    assert page.find("meta", property="og:type")["content"] == "article"


def test_decorative_image_in_article_has_empty_alt(demo_site, client):
    page = get_soup(client, "/articles/ims-or-massage/")
    body_images = page.select(".body img")
    assert len(body_images) == 1 and body_images[0]["alt"] == ""


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/services/",
        "/articles/",
        "/services/sports-injury-rehabilitation/",
        "/articles/desk-habits-neck-shoulder-tension/",
    ],
)
def test_every_demo_page_has_one_h1_and_ordered_headings(demo_site, client, url):
    page = get_soup(client, url)
    assert len(page.find_all("h1")) == 1
    levels = content_headings(page)
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (url, levels)
    for img in page.find_all("img"):
        assert img.has_attr("alt")


def test_footer_and_nav_use_no_headings(demo_site, client):
    page = get_soup(client, "/")
    for region in page.find_all(["nav", "footer"]):
        assert region.find(["h1", "h2", "h3", "h4", "h5", "h6"]) is None
    footer = page.find("footer")
    assert "14 Harbour Lane" in footer.get_text()


def test_404_page(demo_site, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = BeautifulSoup(response.content, "lxml")
    assert page.find("h1").get_text() == "Page not found"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    clinic = ClinicSettings.for_site(Site.objects.get(is_default_site=True))
    assert page.title.get_text() == f"Page not found | {clinic.name}"


def test_500_page_renders_without_database():
    from pages.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    page = BeautifulSoup(response.content, "lxml")
    assert page.find("h1").get_text() == "Something went wrong"
    # In the site's layout: its stylesheet and header, with the name from settings.
    assert page.find("link", rel="stylesheet")["href"].endswith("css/site.css")
    assert page.select_one("header .brand").get_text() == "Northside Physio"
    assert page.title.get_text() == "Something went wrong | Northside Physio"


def test_render_queries_do_not_grow_with_body_length(
    demo_site, client, django_assert_max_num_queries
):
    ims = ServicePage.objects.get(slug="ims")
    client.get(ims.url)  # first render creates renditions
    with django_assert_max_num_queries(30) as short_body:
        client.get(ims.url)
    base_queries = len(short_body.captured_queries)

    image_block = next(block for block in ims.body.raw_data if block["type"] == "image")
    extra = [dict(block, id=None) for block in ims.body.raw_data] * 6 + [image_block] * 20
    ims.body = ims.body.raw_data[:] + extra
    ims.save_revision().publish()
    client.get(ims.url)
    with django_assert_max_num_queries(base_queries) as long_body:
        response = client.get(ims.url)
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "lxml").select(".body img").__len__() > 25
    assert len(long_body.captured_queries) <= base_queries
