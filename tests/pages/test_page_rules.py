import pytest
from wagtail.models import Page

from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    HomePage,
    ServiceIndexPage,
    ServicePage,
)

pytestmark = pytest.mark.django_db


def test_home_page_sits_at_the_root_only():
    root = Page.get_first_root_node()
    assert HomePage.can_create_at(root)
    assert not ServicePage.can_create_at(root)
    assert not ArticlePage.can_create_at(root)


def test_services_and_articles_go_only_in_their_index(demo_site):
    services = ServiceIndexPage.objects.get()
    articles = ArticleIndexPage.objects.get()
    assert ServicePage.can_create_at(services)
    assert not ServicePage.can_create_at(articles)
    assert not ServicePage.can_create_at(demo_site)
    assert ArticlePage.can_create_at(articles)
    assert not ArticlePage.can_create_at(services)
    assert not ArticlePage.can_create_at(demo_site)


def test_indexes_are_single_and_under_home(demo_site):
    # max_count=1: the demo already has one of each, so no second one can be created.
    assert not ServiceIndexPage.can_create_at(demo_site)
    assert not ArticleIndexPage.can_create_at(demo_site)
    assert ServiceIndexPage.allowed_parent_page_models() == [HomePage]
    assert not HomePage.can_create_at(demo_site)


def test_leaf_pages_take_no_children(demo_site):
    ims = ServicePage.objects.get(slug="ims")
    assert ims.allowed_subpage_models() == []
    article = ArticlePage.objects.first()
    assert article.allowed_subpage_models() == []
