"""Fixtures of the view-count tests: the page tests' clean cache (de-duplication, the
per-address cap and the beacon's rate limit live there) and the demo site's IMS page."""

from tests.pages.conftest import empty_cache, ims

__all__ = ["empty_cache", "ims"]
