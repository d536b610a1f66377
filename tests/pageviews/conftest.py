"""Fixtures of the view-count tests: a clean cache (de-duplication, the per-address cap and the
beacon's rate limit live there) and the IMS service page of the demo site."""

import pytest
from django.core.cache import cache

from pages.models import ServicePage


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ims(demo_site) -> ServicePage:
    return ServicePage.objects.get(slug="ims")
