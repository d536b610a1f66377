import pytest
from bs4 import BeautifulSoup

from pages.models import ArticlePage, ServicePage

pytestmark = pytest.mark.django_db


def test_sitemap_lists_every_live_page(demo_site, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locs = {loc.get_text() for loc in BeautifulSoup(response.content, "xml").find_all("loc")}
    for page in [*ServicePage.objects.all(), *ArticlePage.objects.all()]:
        assert page.get_full_url() in locs
    # The nine pages and a listing per article tag (seven in the demo).
    assert len(locs) == 9 + 7
    assert any(loc.endswith("/articles/?tag=neck-pain") for loc in locs)


def test_sitemap_leaves_out_unpublished_pages(demo_site, client):
    page = ArticlePage.objects.get(slug="ims-or-massage")
    page.unpublish()
    locs = BeautifulSoup(client.get("/sitemap.xml").content, "xml").find_all("loc")
    locs = {loc.get_text() for loc in locs}
    assert page.get_full_url() not in locs
    # Its tags are on no other live article, so their listings leave too.
    assert not any(loc.endswith(("?tag=ims", "?tag=muscle-tension")) for loc in locs)


def test_robots_txt_names_the_sitemap_and_hides_admin(client):
    response = client.get("/robots.txt", HTTP_HOST="clinic.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://clinic.example/sitemap.xml" in lines
