"""API settings: defaults here, overrides as top-level Django settings of the same name.

    API_CACHE_MAX_AGE = 60                   # seconds browsers and shared caches may reuse
                                             # a public API response; 0 = revalidate each time
    API_IMAGE_RENDITIONS = {"thumbnail": "fill-400x300", ...}  # name -> Wagtail filter spec
    HEADLESS_PREVIEW_URL = ""                # front end receiving previews; "" = Wagtail's own
    HEADLESS_PREVIEW_TOKEN_MAX_AGE = 86400   # seconds a preview token stays valid
    API_RESPONSE_CACHE = True                # page listing/detail kept per content version
                                             # (pages/api/response_cache.py); False = off
    API_VIEW_COUNT_MAX_AGE = 10              # seconds a view count shown may lag behind

A setting named ``API_...`` or ``HEADLESS_PREVIEW_...`` that is not one of these (a typo such
as ``API_CACHE_MAXAGE``) or a value of the wrong kind stops with a one-line
``ImproperlyConfigured`` naming the setting and what it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from cms.settings_reader import (
    Refused,
    boolean,
    known_keys,
    option,
    parse_overrides,
    web_url,
    whole,
)

PREFIXES = ("API_", "HEADLESS_PREVIEW_")


def _renditions(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and isinstance(spec, str) and spec for name, spec in value.items()
    ):
        raise Refused(
            f'must map names to Wagtail filter specs, e.g. {{"thumbnail": "fill-400x300"}}, '
            f"not {value!r}"
        )
    return value


@dataclass(frozen=True)
class ApiSettings:
    API_CACHE_MAX_AGE: int = option(60, whole(0, unit="of seconds"))
    API_IMAGE_RENDITIONS: dict[str, str] = option(
        {"thumbnail": "fill-400x300", "medium": "width-800", "large": "width-1600"}, _renditions
    )
    HEADLESS_PREVIEW_URL: str = option("", web_url("https://front.example/preview/"))
    HEADLESS_PREVIEW_TOKEN_MAX_AGE: int = option(24 * 60 * 60, whole(1, unit="of seconds"))
    API_RESPONSE_CACHE: bool = option(True, boolean)
    API_VIEW_COUNT_MAX_AGE: int = option(10, whole(1, unit="of seconds"))


KNOWN_KEYS = tuple(sorted(known_keys(ApiSettings)))
_UNSET = object()

# The settings as last parsed; None until first read and after a change. Requests do no
# reading or validation: six getattr calls on Django's lazy settings, most of them missing
# names (an AttributeError each), are a visible share of a cached 304's work.
_parsed: ApiSettings | None = None


def api_settings() -> ApiSettings:
    """The effective API settings: the defaults above, overridden by Django settings."""
    global _parsed
    if _parsed is None:
        _parsed = _read()
    return _parsed


@receiver(setting_changed)
def _forget_parsed(*, setting: str, **kwargs: Any) -> None:
    # override_settings and pytest-django's ``settings`` fixture send this for each name
    # they change, an unknown ``API_...`` name (a typo to report) included.
    global _parsed
    if setting.startswith(PREFIXES):
        _parsed = None


def _read() -> ApiSettings:
    # Top-level names, not one dict: so a typo is any unknown name with the prefixes.
    unknown = sorted(
        name
        for name in dir(settings)
        if name.startswith(PREFIXES) and name.isupper() and name not in KNOWN_KEYS
    )
    if unknown:
        raise ImproperlyConfigured(
            f"unknown API setting(s) {', '.join(unknown)}; known: {', '.join(KNOWN_KEYS)}."
        )
    present = {key: getattr(settings, key, _UNSET) for key in KNOWN_KEYS}
    overrides = {key: value for key, value in present.items() if value is not _UNSET}
    return parse_overrides(ApiSettings, overrides, name="API settings", where=str)


def check_settings(app_configs=None, **kwargs) -> list[checks.Error]:
    """System check (``manage.py check``, runserver, migrate): the API settings are valid."""
    try:
        api_settings()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="pages.E001")]
    return []


def api_setting(name: str) -> Any:
    return getattr(api_settings(), name)


def headless_preview_url() -> str:
    """The configured front-end preview URL with a trailing slash, or "" when preview is off."""
    url = api_settings().HEADLESS_PREVIEW_URL.strip()
    return url.rstrip("/") + "/" if url else ""
