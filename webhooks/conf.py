"""Webhook settings, with defaults in code: the one place to read them.

Override keys in Django settings, e.g. ``WEBHOOKS = {"RETRY_SCHEDULE": [1, 5]}``. An unknown
key or a bad value stops with a one-line ``ImproperlyConfigured``. Re-read whenever the
WEBHOOKS object changes (``override_settings`` in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from cms.settings_reader import (
    Refused,
    cached_setting,
    known_keys,
    number,
    option,
    parse_overrides,
    whole,
)

SETTING_NAME = "WEBHOOKS"


def _waits(value: Any) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) > 20:
        raise Refused("must be a list of at most 20 waits in seconds, e.g. [5, 300, 1800]")
    waits = tuple(number(0)(wait) for wait in value)
    if list(waits) != sorted(waits):
        raise Refused(f"must not decrease: {list(value)!r}")
    return waits


@dataclass(frozen=True)
class WebhookSettings:
    # Seconds to wait before each retry after a failed attempt; one attempt plus one per entry.
    RETRY_SCHEDULE: tuple[float, ...] = option((5, 300, 1800, 7200, 18000, 36000), _waits)
    # Each wait is multiplied by a random factor in [1 - JITTER, 1 + JITTER], so endpoints that
    # failed together do not all come back at the same instant.
    JITTER: float = option(0.2, number(0, below=1))
    # One attempt's whole budget (connect, send, headers and the first bytes of the answer).
    TIMEOUT: float = option(10.0, number(0.001))
    # An endpoint whose deliveries have failed without a success for this long is disabled.
    DISABLE_AFTER_DAYS: float = option(5.0, number(0.001))
    # Events and delivery rows older than this are pruned (`manage.py webhooks prune`).
    RETENTION_DAYS: float = option(30.0, number(0.001))
    # A payload larger than this is cut down (a move's list of descendants) or refused.
    MAX_PAYLOAD_BYTES: int = option(64 * 1024, whole(1))
    # How much of each answer the delivery log keeps.
    RESPONSE_EXCERPT_BYTES: int = option(2048, whole(1))
    # The catch-up feed's page size.
    FEED_PAGE_SIZE: int = option(100, whole(1))


KNOWN_KEYS = known_keys(WebhookSettings)


def check_settings(app_configs=None, **kwargs) -> list[checks.Error]:
    try:
        webhook_settings()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="webhooks.E001")]
    return []


def parse_settings(raw: object) -> WebhookSettings:
    return parse_overrides(WebhookSettings, raw, name=SETTING_NAME)


def webhook_setting(name: str) -> Any:
    if name not in KNOWN_KEYS:
        raise KeyError(f"unknown webhook setting {name!r}")
    return getattr(webhook_settings(), name)


# The effective settings: the defaults above, overridden key by key by WEBHOOKS.
webhook_settings = cached_setting(SETTING_NAME, parse_settings)
