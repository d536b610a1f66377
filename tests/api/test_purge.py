"""Publishing purges the page's HTML and API URLs from the frontend cache, when one is set up."""

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
def test_publish_purges_html_and_api_urls(ims_page, purged):
    ims_page.title = "IMS, updated"
    ims_page.save_revision().publish()
    assert set(purged) >= {
        f"{BASE}/services/ims/",  # Wagtail's own hook (wagtail.contrib.frontend_cache)
        f"{BASE}/api/v2/pages/{ims_page.pk}/",
        f"{BASE}/api/v2/pages/",
        f"{BASE}/api/v2/pages/find/?html_path=%2Fservices%2Fims%2F",
    }


@override_settings(WAGTAILFRONTENDCACHE=RECORDER)
def test_unpublish_purges_too(ims_page, purged):
    ims_page.unpublish()
    assert f"{BASE}/api/v2/pages/{ims_page.pk}/" in purged


def test_nothing_is_purged_without_a_backend(ims_page, purged):
    ims_page.save_revision().publish()
    assert purged == []
