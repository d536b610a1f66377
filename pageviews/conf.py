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

from cms.settings_reader import (
    Refused,
    boolean,
    cached_setting,
    option,
    parse_overrides,
    strings,
    text,
    whole,
)

SETTING_NAME = "PAGE_VIEWS"


@dataclass(frozen=True)
class ViewCountSettings:
    ENABLED: bool = option(True, boolean)
    DEDUP_WINDOW: int = option(30 * 60, whole(0))
    EXCLUDE_PATHS: tuple[str, ...] = option((), strings)
    COUNT_EDITORS: bool = option(False, boolean)
    REQUIRE_BROWSER_UA: bool = option(True, boolean)
    EXTRA_BOT_PATTERNS: tuple[str, ...] = option((), strings)
    CACHE_ALIAS: str = option("default", text())
    CLIENT_IP_HEADER: str = option("", text())
    # The cap is checked with one cache key per allowed view: keep the key count per request
    # small.
    ADDRESS_CAP: int = option(10, whole(0, 1000))
    ADDRESS_CAP_WINDOW: int = option(30 * 60, whole(0))
    BEACON_RATE_LIMIT: int = option(60, whole(0))
    BEACON_RATE_WINDOW: int = option(60, whole(0))
    ASYNC_COMMIT: bool = option(True, boolean)
    extra_bot_regex: Any = field(default=None, compare=False, init=False)  # compiled RE2

    def __post_init__(self) -> None:
        if self.EXTRA_BOT_PATTERNS:
            object.__setattr__(self, "extra_bot_regex", _bot_regex(self.EXTRA_BOT_PATTERNS))


def _bot_regex(patterns: tuple[str, ...]) -> Any:
    # RE2: these run on every request's User-Agent, which the client chooses, so they must
    # run in linear time (Python's re backtracks; see audit/engine/patterns.py).
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    options.case_sensitive = False
    try:
        return re2.compile("|".join(f"(?:{p})" for p in patterns), options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise Refused(
            f"['EXTRA_BOT_PATTERNS'] is not a valid RE2 regex ({reason}): "
            "write it without backreferences or lookaround"
        ) from None


def _parse(raw: object) -> ViewCountSettings:
    return parse_overrides(ViewCountSettings, raw, name=SETTING_NAME)


# The effective settings: defaults above, overridden key by key by PAGE_VIEWS.
view_count_settings = cached_setting(SETTING_NAME, _parse)
