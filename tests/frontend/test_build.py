"""A full build of the front end from the live demo site's API only: every page at the CMS's
address with the CMS's headings, the CMS's alt text (empty when decorative), front-end links in
rich text, the SEO head, a sitemap and robots.txt."""

from __future__ import annotations

import json
import re
from urllib.request import urlopen
from xml.etree import ElementTree

from wagtail.models import Page

from pages.models import ArticlePage, ServicePage
from tests.frontend.pages_html import PageReader


def api(base: str, path: str) -> dict:
    with urlopen(f"{base}/api/v2/{path}", timeout=10) as response:
        return json.load(response)


def cms_html(base: str, path: str) -> str:
    with urlopen(f"{base}{path}", timeout=10) as response:
        return response.read().decode()


def publish_with_link_and_decorative_image(article: ArticlePage, target: Page) -> None:
    """The article's body gains a paragraph linking to `target` and a decorative image."""
    image_id = ServicePage.objects.get(slug="ims").hero_image_id
    body = list(article.body.raw_data)
    body.append(
        {"type": "paragraph", "value": f'<p>Read <a linktype="page" id="{target.pk}">this</a>.</p>'}
    )
    body.append(
        {
            "type": "image",
            "value": {
                "image": {"image": image_id, "alt_text": "", "decorative": True},
                "caption": "",
            },
        }
    )
    article.body = body
    article.save_revision().publish()


def test_full_build_matches_the_cms_site(front_end):
    base = front_end.cms_url
    article = ArticlePage.objects.get(slug="ims-or-massage")
    ims = ServicePage.objects.get(slug="ims")
    publish_with_link_and_decorative_image(article, ims)

    summary = front_end.build("--full")

    listing = api(base, "pages/?limit=100")["items"]
    paths = {item["id"]: item["meta"]["html_url"].removeprefix(base) for item in listing}
    assert sorted(summary["rendered"]) == sorted(paths.values())
    for page_id, path in paths.items():
        built = PageReader(front_end.html(path))
        served = PageReader(cms_html(base, path))
        assert built.meta["cms-page-id"] == str(page_id)
        assert built.headings == served.headings, path
        assert built.canonical == f"{front_end.url}{path}"
        assert built.meta["og:url"] == built.canonical
        detail = api(base, f"pages/{page_id}/")
        assert built.meta["description"] == detail["seo"]["description"]
        assert re.search(
            rf"<title>{re.escape(detail['seo']['title'].replace('&', '&amp;'))}</title>",
            front_end.html(path),
        )
        # No link of a page's own content points at the CMS; media stays there.
        assert not [link for link in built.links if link.startswith(base)], path

    # Alt text: the hero's from the CMS, and "" for the decorative body image.
    ims_page = PageReader(front_end.html("/services/ims/"))
    ims_detail = api(base, f"pages/{ims.pk}/")
    hero = ims_page.picture_images[0]
    assert hero["alt"] == ims_detail["hero_image"]["alt"] != ""
    assert hero["src"] == ims_detail["hero_image"]["renditions"]["medium"]["url"]
    article_page = PageReader(front_end.html(paths[article.pk]))
    assert [img["alt"] for img in article_page.picture_images][-1] == ""
    assert "/services/ims/" in article_page.links
    assert article_page.links.count("/services/ims/") == 1  # the rich text link, resolved

    # JSON-LD from the API's fields: the page and its breadcrumbs on the front end's URLs.
    ld = json.loads(
        re.search(
            r'<script type="application/ld\+json">(.*?)</script>', front_end.html("/services/ims/")
        )[1]
    )
    node, crumbs = ld["@graph"]
    assert node["url"] == f"{front_end.url}/services/ims/"
    assert node["interactionStatistic"]["userInteractionCount"] == ims_detail["view_count"]
    assert [item["item"] for item in crumbs["itemListElement"]] == [
        f"{front_end.url}/",
        f"{front_end.url}/services/",
        f"{front_end.url}/services/ims/",
    ]
    # The view count, with the beacon the reader's browser posts to.
    assert f'data-beacon="{base}/api/v2/pages/{ims.pk}/view/"' in front_end.html("/services/ims/")

    sitemap = ElementTree.fromstring((front_end.dist / "sitemap.xml").read_bytes())
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {loc.text for loc in sitemap.findall("s:url/s:loc", namespace)}
    assert locations == {f"{front_end.url}{path}" for path in paths.values()}
    robots = (front_end.dist / "robots.txt").read_text()
    assert f"Sitemap: {front_end.url}/sitemap.xml" in robots


def test_a_rebuild_without_changes_writes_no_page(front_end):
    front_end.build("--full")
    again = front_end.build()
    assert again["rendered"] == [] and again["removed"] == []
