"""Small things public readers and admin users meet (issue 26): counts as text, no Gravatar."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.utils import translation

from pages.models import ServicePage
from pageviews.models import PageViewCount

pytestmark = pytest.mark.django_db


def test_view_count_has_its_thousands_separator_in_the_text(demo_site, client):
    ims = ServicePage.objects.get(slug="ims")
    PageViewCount.objects.filter(page=ims).delete()
    PageViewCount.objects.create(page=ims, date=datetime.date(2026, 1, 5), count=2026)
    response = client.get(ims.url)
    count = BeautifulSoup(response.content, "lxml").select_one(".view-count")
    assert count.get_text() == "2,026 views"
    assert count["data-views"] == "2026"


def test_grouped_number_follows_the_active_language():
    from pages.templatetags.clinic_tags import grouped_number

    with override_settings(USE_THOUSAND_SEPARATOR=False), translation.override("de"):
        assert grouped_number(2026) == "2.026"
    with translation.override("en-gb"):
        assert grouped_number(2026) == "2,026"


def test_admin_avatars_are_initials_not_gravatar(demo_site, admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert b"gravatar.com" not in response.content


def test_article_tags_are_a_list_without_a_stray_comma(demo_site, client):
    from pages.models import ArticlePage

    article = ArticlePage.objects.live().first()
    article.tags.add("posture", "running")
    article.save_revision().publish()
    soup = BeautifulSoup(client.get(article.url).content, "lxml")
    items = [li.get_text() for li in soup.select(".tags li.tag")]
    assert {"posture", "running"} <= set(items)
    assert "," not in soup.select_one(".tags").get_text()
