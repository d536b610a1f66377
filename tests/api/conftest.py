"""Fixtures for the headless API tests: a JSON GET helper and builders for extra pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from wagtail.rich_text import RichText

API = "/api/v2"


@pytest.fixture
def get_json(client) -> Callable:
    """GET an API URL, check the status, return the decoded JSON body."""

    def get(url: str, status: int = 200, **headers):
        response = client.get(url, **headers)
        assert response.status_code == status, (url, response.status_code, response.content)
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        return response.json()

    return get


@pytest.fixture
def services_index(demo_site):
    from pages.models import ServiceIndexPage

    return ServiceIndexPage.objects.get()


@pytest.fixture
def articles_index(demo_site):
    from pages.models import ArticleIndexPage

    return ArticleIndexPage.objects.get()


@pytest.fixture
def make_service(services_index) -> Callable:
    """Add a service page under the services index; published unless `publish=False`."""
    from pages.models import ServicePage

    def make(slug: str, *, title: str = "", body=None, publish: bool = True, parent=None, **fields):
        page = ServicePage(
            title=title or slug.replace("-", " ").capitalize(),
            slug=slug,
            introduction=fields.pop("introduction", f"<p>About {slug}.</p>"),
            body=body if body is not None else [("paragraph", RichText(f"<p>{slug} text</p>"))],
            live=publish,
            **fields,
        )
        (parent or services_index).add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        return page

    return make


@pytest.fixture
def ims_page(demo_site):
    from pages.models import ServicePage

    return ServicePage.objects.get(slug="ims")
