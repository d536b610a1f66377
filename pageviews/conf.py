"""View counting settings: defaults here, overrides in Django settings as `PAGE_VIEWS = {...}`.

    PAGE_VIEWS = {
        "ENABLED": True,             # False stops recording (counts are still shown)
        "DEDUP_WINDOW": 1800,        # seconds repeat views by one reader are ignored; 0 = off
        "EXCLUDE_PATHS": [],         # public path prefixes never counted, e.g. ["/thank-you/"]
        "COUNT_EDITORS": False,      # True also counts logged-in users who can edit the page
        "REQUIRE_BROWSER_UA": True,  # only User-Agents starting "Mozilla/" or "Opera/" count
        "EXTRA_BOT_PATTERNS": [],    # RE2 regexes added to pageviews.bots' rules
        "CACHE_ALIAS": "default",    # cache for de-duplication, the daily salt and rate limits
        "CLIENT_IP_HEADER": "",      # e.g. "X-Forwarded-For" behind a reverse proxy
        "ADDRESS_CAP": 10,           # counted views of a page per client address per window,
                                     # whatever the User-Agent (0-1000; 0 = no cap)
        "ADDRESS_CAP_WINDOW": 1800,  # seconds; 0 = no cap
        "BEACON_RATE_LIMIT": 60,     # beacon requests per client per window; 0 = unlimited
        "BEACON_RATE_WINDOW": 60,    # seconds
        "ASYNC_COMMIT": True,        # PostgreSQL: don't wait for the WAL flush of an increment
    }

CACHE_ALIAS must name a cache shared by every server process (Redis or Django's database
cache) in production: with the default per-process memory cache each gunicorn worker keeps its
own de-duplication keys and salt, so a reader whose requests land on two workers is counted twice
and the beacon's rate limit is per worker.

ASYNC_COMMIT (PostgreSQL only) commits each increment with synchronous_commit off, so a page
view does not wait for the disk flush: a PostgreSQL crash could forget views recorded in the
last fraction of a second (nothing else; other data is unaffected). Set False to wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2
from django.core.exceptions import ImproperlyConfigured

from cms.settings_reader import cached_setting

SETTING_NAME = "PAGE_VIEWS"


@dataclass(frozen=True)
class ViewCountSettings:
    ENABLED: bool = True
    DEDUP_WINDOW: int = 30 * 60
    EXCLUDE_PATHS: tuple[str, ...] = ()
    COUNT_EDITORS: bool = False
    REQUIRE_BROWSER_UA: bool = True
    EXTRA_BOT_PATTERNS: tuple[str, ...] = ()
    CACHE_ALIAS: str = "default"
    CLIENT_IP_HEADER: str = ""
    ADDRESS_CAP: int = 10
    ADDRESS_CAP_WINDOW: int = 30 * 60
    BEACON_RATE_LIMIT: int = 60
    BEACON_RATE_WINDOW: int = 60
    ASYNC_COMMIT: bool = True
    extra_bot_regex: Any = field(default=None, compare=False)  # compiled RE2 (see _parse)


_BOOL_KEYS = {"ENABLED", "COUNT_EDITORS", "REQUIRE_BROWSER_UA", "ASYNC_COMMIT"}
_INT_KEYS = {
    "DEDUP_WINDOW",
    "ADDRESS_CAP",
    "ADDRESS_CAP_WINDOW",
    "BEACON_RATE_LIMIT",
    "BEACON_RATE_WINDOW",
}
_LIST_KEYS = {"EXCLUDE_PATHS", "EXTRA_BOT_PATTERNS"}
_STR_KEYS = {"CACHE_ALIAS", "CLIENT_IP_HEADER"}
KNOWN_KEYS = _BOOL_KEYS | _INT_KEYS | _LIST_KEYS | _STR_KEYS
# The cap is checked with one cache key per allowed view: keep the key count per request small.
_INT_MAXIMUMS = {"ADDRESS_CAP": 1000}


def _parse(raw: object) -> ViewCountSettings:
    overrides = raw or {}
    if not isinstance(overrides, dict):
        kind = type(overrides).__name__
        raise ImproperlyConfigured(f"{SETTING_NAME} must be a dict, not {kind}.")
    unknown = sorted(set(overrides) - KNOWN_KEYS)
    if unknown:
        raise ImproperlyConfigured(
            f"{SETTING_NAME} has unknown key(s) {', '.join(unknown)}; "
            f"known keys: {', '.join(sorted(KNOWN_KEYS))}."
        )
    values = {}
    for key, value in overrides.items():
        values[key] = _checked(key, value)
    extra = values.get("EXTRA_BOT_PATTERNS", ())
    regex = None
    if extra:
        # RE2: these run on every request's User-Agent, which the client chooses, so they must
        # run in linear time (Python's re backtracks; see audit/engine/patterns.py).
        options = re2.Options()
        options.log_errors = False
        options.never_capture = True
        options.case_sensitive = False
        try:
            regex = re2.compile("|".join(f"(?:{p})" for p in extra), options)
        except re2.error as exc:
            reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
            raise ImproperlyConfigured(
                f"{SETTING_NAME}['EXTRA_BOT_PATTERNS'] is not a valid RE2 regex ({reason}): "
                "write it without backreferences or lookaround."
            ) from None
    return ViewCountSettings(**values, extra_bot_regex=regex)


def _checked(key: str, value):
    where = f"{SETTING_NAME}[{key!r}]"
    if key in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise ImproperlyConfigured(f"{where} must be True or False, not {value!r}.")
        return value
    if key in _INT_KEYS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ImproperlyConfigured(f"{where} must be a whole number >= 0, not {value!r}.")
        if key in _INT_MAXIMUMS and value > _INT_MAXIMUMS[key]:
            raise ImproperlyConfigured(
                f"{where} must be at most {_INT_MAXIMUMS[key]}, not {value!r}."
            )
        return value
    if key in _LIST_KEYS:
        if isinstance(value, str) or not all(isinstance(item, str) for item in value):
            raise ImproperlyConfigured(f"{where} must be a list of strings, not {value!r}.")
        return tuple(value)
    if not isinstance(value, str):
        raise ImproperlyConfigured(f"{where} must be a string, not {value!r}.")
    return value


# The effective settings: defaults above, overridden key by key by PAGE_VIEWS.
view_count_settings = cached_setting(SETTING_NAME, _parse)
