"""Which User-Agents are not human readers: a maintained list plus our additions.

The list is the crawler-user-agents package (the community list of crawler, tool and library
User-Agent patterns, updated with its releases): upgrading it is how new crawlers stop being
counted. OUR_ADDITIONS is the one place for what it lacks (lower case, matched anywhere in the
lower-cased User-Agent, each with who sends it); a site adds its own regexes with
PAGE_VIEWS["EXTRA_BOT_PATTERNS"].

Every pattern is matched with RE2 as one combined regex: time linear in the User-Agent, which
the client chooses, and one pass over it for all ~1,500 patterns. Decisions are also cached per
User-Agent string, since real traffic repeats a small set of them.
"""

from __future__ import annotations

from functools import lru_cache

import re2
from crawleruseragents import CRAWLER_USER_AGENTS_DATA

from pageviews.conf import ViewCountSettings

# Substrings the maintained list does not know (checked in tests/pageviews/test_bot_rules.py).
OUR_ADDITIONS: tuple[str, ...] = (
    # Our own SEO auditor: clinic-cms-audit/<version> (+https://github.com/clinic-cms/clinic-cms)
    "clinic-cms-audit",
    # Performance tools that load the page like a browser (the list has Chrome-Lighthouse and
    # GTmetrix): PageSpeed Insights' "Google Page Speed Insights", WebPageTest's "PTST/<ver>".
    "google page speed insights",
    "ptst/",
    # Generic self-descriptions.
    "crawl",
    "spider",
    "archiver",
    # SEO, monitoring and test tools whose User-Agents the list does not match.
    "siteimprove",
    "lumar",
    "lighthouse",
    "headless",
    "webdriver",
    "cypress",
    # HTTP libraries and command-line clients.
    "httpie",
    "apache-httpclient",
    "httpclient",
    "lwp::",
    "undici",
    "guzzlehttp",
    "postmanruntime",
    "insomnia",
    "winhttp",
    "libcurl",
    "curl/",
)
# Additions that need more than a substring; RE2 syntax (no lookaround).
OUR_ADDITION_REGEXES: tuple[str, ...] = (
    # "…bot", "bot/2.1", "bot-linkexpanding" — but "cubot" is a phone brand, not a robot.
    r"(?:^.?|[^c].|.[^u])bot(?:\b|[/_-])",
    r"scrap(?:er|y)",
    r"\bcurl\b",
    r"\bwget\b",
    r"\bjava/",
    r"\baxios/",
)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.never_capture = True
# The combined list needs more than RE2's default 8 MB to run on its fast (DFA) path.
_OPTIONS.max_mem = 64 << 20
# Case-sensitive, as the list's authors write its patterns (e.g. "Googlebot\/").
_MAINTAINED = re2.compile(
    "|".join(entry["pattern"] for entry in CRAWLER_USER_AGENTS_DATA), _OPTIONS
)
_ADDITIONS = re2.compile(
    "|".join([*(re2.escape(token) for token in OUR_ADDITIONS), *OUR_ADDITION_REGEXES]), _OPTIONS
)
CACHED_USER_AGENTS = 4096


def is_bot(user_agent: str, config: ViewCountSettings) -> bool:
    """True for a crawler, tool or other non-human client (an empty User-Agent included)."""
    if not user_agent:
        return True
    if config.REQUIRE_BROWSER_UA and not user_agent.startswith(("Mozilla/", "Opera/")):
        # Every current browser's User-Agent starts like this; tools that don't pretend don't.
        return True
    if matches_bot_patterns(user_agent):
        return True
    return (
        config.extra_bot_regex is not None and config.extra_bot_regex.search(user_agent) is not None
    )


@lru_cache(maxsize=CACHED_USER_AGENTS)
def matches_bot_patterns(user_agent: str) -> bool:
    """True if the maintained list or one of our additions matches the User-Agent."""
    return (
        _MAINTAINED.search(user_agent) is not None
        or _ADDITIONS.search(user_agent.lower()) is not None
    )
