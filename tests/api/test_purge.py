"""Publishing purges the page's HTML and API URLs from the frontend cache, when one is set up.
The API URLs are purged once the publish has committed (pages.events), so these tests run the
on-commit callbacks of their (test-wrapped) transaction."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api import purge_backend

pytestmark = pytest.mark.django_db

RECORDER = {"recorder": {"BACKEND": "tests.api.purge_backend.RecordingPurgeBackend"}}
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def purged():
    purge_backend.PURGED.clear()
    yield purge_backend.PURGED
    purge_backend.PURGED.clear()


@override_settings(WAGTAILFRONTENDCACHE=RECORDER)
def test_publish_purges_html_and_api_urls(ims_page, purged, django_capture_on_commit_callbacks):
    ims_page.title = "IMS, updated"
    with django_capture_on_commit_callbacks(execute=True):
        ims_page.save_revision().publish()
    assert set(purged) >= {
        f"{BASE}/services/ims/",  # Wagtail's own hook (wagtail.contrib.frontend_cache)
        f"{BASE}/api/v2/pages/{ims_page.pk}/",
        f"{BASE}/api/v2/pages/",
        f"{BASE}/api/v2/pages/find/?html_path=%2Fservices%2Fims%2F",
    }


@override_settings(WAGTAILFRONTENDCACHE=RECORDER)
def test_unpublish_purges_too(ims_page, purged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ims_page.unpublish()
    assert f"{BASE}/api/v2/pages/{ims_page.pk}/" in purged


@override_settings(WAGTAILFRONTENDCACHE=RECORDER)
def test_api_urls_are_not_purged_before_the_publish_commits(ims_page, purged):
    # The test's transaction never commits: a purge now would let a reader cache the old page.
    ims_page.save_revision().publish()
    assert f"{BASE}/api/v2/pages/{ims_page.pk}/" not in purged


def test_nothing_is_purged_without_a_backend(ims_page, purged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ims_page.save_revision().publish()
    assert purged == []
