"""Fixtures shared by every test package: the demo site, in the test database or served live."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from pages.demo.loader import load_demo_content
from pages.models import HomePage
from tests import demo_snapshot


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker) -> list[demo_snapshot.TableRows]:
    """The demo content's rows, built once per test session (see tests/demo_snapshot.py)."""

    def build() -> None:
        ensure_wagtail_roots()
        load_demo_content()
        # Render every page once and read the API as a front-end build does, so the image
        # renditions the templates and the API ask for exist in the copy. Otherwise the first
        # crawl or build of a live test creates them from several server threads at once,
        # which SQLite's shared in-memory test database cannot take ("cannot start a
        # transaction within a transaction").
        client = Client()
        pages = Page.objects.live().filter(depth__gt=1).specific()
        cards = "type=pages.ServicePage&fields=introduction,session_length,hero_image"
        urls = [page.url for page in pages]
        urls += [f"/api/v2/pages/{page.pk}/?rich_text_format=html" for page in pages]
        urls += ["/api/v2/pages/?limit=100", f"/api/v2/pages/?{cards}&limit=100"]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

    with django_db_blocker.unblock():
        return demo_snapshot.capture(build)


def _copy_demo(rows: list[demo_snapshot.TableRows], *, full: bool = False) -> None:
    demo_snapshot.restore(rows, full=full)
    # Loading the demo publishes pages, which drops the render cache; a copy must too.
    cache.clear()


@pytest.fixture
def demo_site(demo_rows, db):
    """The demo content in the test database; returns the home page."""
    _copy_demo(demo_rows)
    return HomePage.objects.get()


def ensure_wagtail_roots() -> None:
    """Recreate the rows Wagtail's migrations make (locale, root page, root collection):
    the flush after an earlier transactional test deletes them, and the demo loader needs them."""
    # The flush also recreates content types under new ids: drop the stale cached ones.
    ContentType.objects.clear_cache()
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )


@pytest.fixture
def wagtail_roots(transactional_db):
    ensure_wagtail_roots()


@pytest.fixture
def live_demo_site(demo_rows, transactional_db, live_server):
    """The demo site served by `live_server`, with the Site record matching its host and port
    so canonical links, sitemaps and JSON-LD point at the server under test."""
    _copy_demo(demo_rows, full=True)
    parts = urlsplit(live_server.url)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = parts.hostname, parts.port
    site.save()  # save(), not update(): its signal drops Wagtail's cached site root paths
    Site.clear_site_root_paths_cache()
    return live_server
