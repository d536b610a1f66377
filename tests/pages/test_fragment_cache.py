"""The body of a public page rendered once per content version (pages/templatetags/
fragment_cache.py); the view count around it stays fresh and previews never use the cache."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.test import override_settings
from wagtail.models import Collection, CollectionViewRestriction
from wagtail.rich_text import RichText

from pages.models import ClinicImage
from pages.render_cache import generation
from pageviews.service import view_total
from tests.pageviews.view_helpers import BROWSER_UA, IMS_URL, shown_views

pytestmark = pytest.mark.django_db


def get(client, url: str = IMS_URL, address: str = "10.0.0.1"):
    response = client.get(url, HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=address)
    assert response.status_code == 200, url
    return response


def body_text(response) -> str:
    return BeautifulSoup(response.content, "lxml").select_one("div.body").get_text(" ")


def cached_body(page, host: str = "testserver") -> str | None:
    key = make_template_fragment_key("page_body", [page.pk, f"{generation()}:{host}"])
    return cache.get(key)


def test_the_body_is_kept_and_the_view_count_stays_fresh(client, ims):
    first = get(client)
    assert cached_body(ims) is not None
    second = get(client, address="10.0.0.2")  # another reader: counted
    assert body_text(second) == body_text(first)
    assert shown_views(second.content)[0] == shown_views(first.content)[0] + 1
    assert shown_views(second.content)[0] == view_total(ims.pk)


def test_a_published_body_change_shows_at_once(client, ims):
    get(client)
    ims.body = [("paragraph", RichText("<p>Now with a new paragraph about dry needling.</p>"))]
    ims.save_revision().publish()
    assert "new paragraph about dry needling" in body_text(get(client))


def test_an_image_moved_into_a_private_collection_leaves_the_body_at_once(client, ims):
    image = next(child.value["image"] for child in ims.body if child.block_type == "image")
    before = BeautifulSoup(get(client).content, "lxml").select("div.body img")
    assert before
    private = Collection.get_first_root_node().add_child(name="Staff only")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type="password", password="staff"
    )
    stored = ClinicImage.objects.get(pk=image.pk)
    stored.collection = private
    stored.save()
    after = BeautifulSoup(get(client).content, "lxml").select("div.body img")
    assert len(after) == len(before) - 1


@override_settings(ALLOWED_HOSTS=["*"])
def test_each_host_gets_its_own_copy(client, ims):
    get(client)
    client.get(IMS_URL, HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST="other.example")
    assert cached_body(ims) is not None
    assert cached_body(ims, "other.example") is not None


def test_a_preview_shows_the_draft_not_the_cached_body(admin_client, client, ims):
    ims.body = [("paragraph", RichText("<p>Draft wording not yet published.</p>"))]
    revision = ims.save_revision()
    get(client)  # the live body, cached under the current version
    assert cached_body(ims) is not None
    # The revision view renders the draft as a preview (request.is_preview).
    html = admin_client.get(f"/admin/pages/{ims.pk}/revisions/{revision.pk}/view/")
    assert html.status_code == 200
    assert "Draft wording not yet published." in html.content.decode()
    assert "Draft wording not yet published." not in body_text(get(client))


def queries_of(client, **kwargs) -> list[str]:
    """SQL of one page request (an execute wrapper: the request_started signal empties
    connection.queries, which CaptureQueriesContext reads)."""
    from django.db import connection

    statements: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)
    ):
        get(client, **kwargs)
    return statements


def test_a_cached_body_loads_none_of_its_images(client, ims):
    """The body's images and their renditions are loaded inside the fragment, so only when it
    is rendered; before, the page's context loaded them on every request."""
    get(client)
    key = make_template_fragment_key("page_body", [ims.pk, f"{generation()}:testserver"])
    hit = queries_of(client, address="10.0.0.2")
    cache.delete(key)
    miss = queries_of(client, address="10.0.0.3")
    assert cached_body(ims) is not None
    assert [sql for sql in miss if 'FROM "pages_clinicimage"' in sql], "read on a miss"
    assert not [sql for sql in hit if 'FROM "pages_clinicimage"' in sql]
    assert len(hit) < len(miss)
