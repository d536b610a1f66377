"""A finding's link opens the page editor at the field that fixes it (issue 26): its fragment
is an id the Wagtail editor really renders for that page, the hero image's alt text is told
from the body's images, and the editor's own panel links to the field in place."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from pages.models import ArticlePage, ServicePage
from tests.audit.admin.conftest import client_for, page_report, store_run

HERO_IMG = (
    '<img class="hero-image" fetchpriority="high" height="300" '
    'src="/media/images/ims-forearm-treatment.width-480.jpg">'
)
BODY_IMG = '<img decoding="async" loading="lazy" src="/media/images/treatment-room.width-480.jpg">'

# check id, selector, snippet → the editor id its link must open
FINDINGS = [
    ("title-too-long", "head > title", "<title>A title far too long</title>", "id_seo_title"),
    ("meta-description-missing", "head", "", "id_search_description"),
    ("h1-missing", "body", "", "id_title"),
    ("heading-order", "#main h4", "<h4>Aftercare</h4>", "panel-child-content-body-section"),
    ("img-alt-missing", "#main > article > figure > img", HERO_IMG, "id_hero_image_alt"),
    (
        "img-alt-missing",
        "#main > article > div:nth-of-type(2) > figure:nth-of-type(1) > img",
        BODY_IMG,
        "panel-child-content-body-section",
    ),
    ("axe/image-alt", "figure.hero > img", HERO_IMG, "id_hero_image_alt"),
    (
        "link-empty",
        "#main a:nth-of-type(3)",
        '<a href="/x/"></a>',
        "panel-child-content-body-section",
    ),
]


def _run_with_findings(demo_site, pages):
    reports = [
        page_report(
            page.get_full_url(),
            [(check, "error", selector, snippet) for check, selector, snippet, _ in FINDINGS],
            page_type=page.specific_class._meta.model_name,
        )
        for page in pages
    ]
    return store_run(demo_site.get_full_url(), reports)


def editor_ids(client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200
    return set(re.findall(r'\bid="([^"]+)"', response.content.decode()))


def test_report_links_open_the_editor_at_ids_it_renders(demo_site, people):
    pages = [ServicePage.objects.get(slug="ims"), ArticlePage.objects.live().first()]
    run = _run_with_findings(demo_site, pages)
    client = client_for(people["viewer"])
    html = client.get(f"/admin/seo-audits/{run.pk}/?group=check").content.decode()
    links = [a["href"] for a in BeautifulSoup(html, "lxml").select("a.audit-edit-link")]
    assert links, "the report shows no Edit links"
    ids_by_path: dict[str, set[str]] = {}
    for href in links:
        path, _, fragment = href.partition("#")
        assert fragment, f"{href} opens the editor at its top, not at a field"
        if path not in ids_by_path:
            ids_by_path[path] = editor_ids(client, path)
        assert fragment in ids_by_path[path], f"{href}: no element with that id in the editor"
    # Both pages, and every field the findings name, were linked.
    assert {urlsplit(p).path for p in ids_by_path} == {
        f"/admin/pages/{page.pk}/edit/" for page in pages
    }
    assert {href.partition("#")[2] for href in links} == {want for *_, want in FINDINGS}


def test_the_hero_image_is_told_from_the_body_images(demo_site, people):
    run = _run_with_findings(demo_site, [ServicePage.objects.get(slug="ims")])
    html = client_for(people["viewer"]).get(f"/admin/seo-audits/{run.pk}/?group=check")
    soup = BeautifulSoup(html.content.decode(), "lxml")
    by_snippet = {
        row.select_one(".audit-snippet").text: row.select_one("a.audit-edit-link")["href"]
        for row in soup.select('.audit-finding[data-check="img-alt-missing"]')
    }
    assert by_snippet[HERO_IMG].endswith("#id_hero_image_alt")
    assert by_snippet[BODY_IMG].endswith("#panel-child-content-body-section")


def test_the_editor_panel_links_to_the_field_in_place(demo_site, people):
    ims = ServicePage.objects.get(slug="ims")
    _run_with_findings(demo_site, [ims])
    client = client_for(people["viewer"])
    html = client.get(f"/admin/seo-audits/pages/{ims.pk}/findings/").content.decode()
    links = [a["href"] for a in BeautifulSoup(html, "lxml").select("a.audit-field-link")]
    assert "#id_seo_title" in links and "#id_hero_image_alt" in links
    ids = editor_ids(client, f"/admin/pages/{ims.pk}/edit/")
    assert {href[1:] for href in links} <= ids
