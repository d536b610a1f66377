"""Webhook settings, with defaults in code: the one place to read them.

Override keys in Django settings, e.g. ``WEBHOOKS = {"RETRY_SCHEDULE": [1, 5]}``. An unknown
key or a bad value stops with a one-line ``ImproperlyConfigured``. Re-read whenever the
WEBHOOKS object changes (``override_settings`` in tests).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from cms.settings_reader import cached_setting

SETTING_NAME = "WEBHOOKS"


@dataclass(frozen=True)
class WebhookSettings:
    # Seconds to wait before each retry after a failed attempt; one attempt plus one per entry.
    RETRY_SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000)
    # Each wait is multiplied by a random factor in [1 - JITTER, 1 + JITTER], so endpoints that
    # failed together do not all come back at the same instant.
    JITTER: float = 0.2
    # One attempt's whole budget (connect, send, headers and the first bytes of the answer).
    TIMEOUT: float = 10.0
    # An endpoint whose deliveries have failed without a success for this long is disabled.
    DISABLE_AFTER_DAYS: float = 5.0
    # Events and delivery rows older than this are pruned (`manage.py webhooks prune`).
    RETENTION_DAYS: float = 30.0
    # A payload larger than this is cut down (a move's list of descendants) or refused.
    MAX_PAYLOAD_BYTES: int = 64 * 1024
    # How much of each answer the delivery log keeps.
    RESPONSE_EXCERPT_BYTES: int = 2048
    # The catch-up feed's page size.
    FEED_PAGE_SIZE: int = 100


KNOWN_KEYS = frozenset(f.name for f in dataclasses.fields(WebhookSettings))


def check_settings(app_configs=None, **kwargs) -> list[checks.Error]:
    try:
        webhook_settings()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="webhooks.E001")]
    return []


def _number(key: str, value: Any, *, minimum: float, whole: bool = False) -> float:
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        what = "a whole number" if whole else "a number"
        raise ImproperlyConfigured(f"{SETTING_NAME}[{key!r}] must be {what} >= {minimum:g}.")
    return value


def parse_settings(raw: object) -> WebhookSettings:
    overrides = raw or {}
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured(f"{SETTING_NAME} must be a dict, not {type(raw).__name__}.")
    unknown = set(overrides) - KNOWN_KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"{SETTING_NAME} has unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"known: {', '.join(sorted(KNOWN_KEYS))}."
        )
    values: dict[str, Any] = {}
    for key, value in overrides.items():
        if key == "RETRY_SCHEDULE":
            if not isinstance(value, list | tuple) or len(value) > 20:
                raise ImproperlyConfigured(
                    f"{SETTING_NAME}['RETRY_SCHEDULE'] must be a list of at most 20 waits in "
                    "seconds, e.g. [5, 300, 1800]."
                )
            waits = tuple(_number(key, wait, minimum=0) for wait in value)
            if list(waits) != sorted(waits):
                raise ImproperlyConfigured(
                    f"{SETTING_NAME}['RETRY_SCHEDULE'] must not decrease: {list(value)!r}."
                )
            values[key] = waits
        elif key == "JITTER":
            if _number(key, value, minimum=0) >= 1:
                raise ImproperlyConfigured(f"{SETTING_NAME}['JITTER'] must be below 1.")
            values[key] = float(value)
        elif key in ("MAX_PAYLOAD_BYTES", "RESPONSE_EXCERPT_BYTES", "FEED_PAGE_SIZE"):
            values[key] = int(_number(key, value, minimum=1, whole=True))
        else:
            values[key] = float(_number(key, value, minimum=0.001))
    return WebhookSettings(**values)


def webhook_setting(name: str) -> Any:
    if name not in KNOWN_KEYS:
        raise KeyError(f"unknown webhook setting {name!r}")
    return getattr(webhook_settings(), name)


# The effective settings: the defaults above, overridden key by key by WEBHOOKS.
webhook_settings = cached_setting(SETTING_NAME, parse_settings)
