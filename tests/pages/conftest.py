"""Fixtures of the page tests: a clean cache (view de-duplication and rate limits live there)
and the IMS service page of the demo site."""

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
