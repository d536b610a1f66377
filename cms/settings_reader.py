"""One reader for the apps' validated settings dicts (SEO_AUDIT, PAGE_VIEWS, WEBHOOKS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

Parsed = TypeVar("Parsed")


def cached_setting(name: str, parse: Callable[[object], Parsed]) -> Callable[[], Parsed]:
    """A function that returns ``parse(settings.<name>)``, parsed again only when the settings
    object itself changes (``override_settings`` swaps it), so hot paths do no validation."""
    last: list[tuple[object, Parsed]] = []

    def read() -> Parsed:
        raw = getattr(settings, name, None)
        if last and last[0][0] is raw:
            return last[0][1]
        parsed = parse(raw)
        last[:] = [(raw, parsed)]
        return parsed

    return read
