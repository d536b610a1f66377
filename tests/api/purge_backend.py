"""A frontend-cache backend for tests: records the URLs it is asked to purge."""

from __future__ import annotations

from wagtail.contrib.frontend_cache.backends.base import BaseBackend

PURGED: list[str] = []


class RecordingPurgeBackend(BaseBackend):
    def purge(self, url: str) -> None:
        PURGED.append(url)
