"""What a crawl may request: scope, the private-address guard and robots.txt rules.

One object holds the three so the main process and the worker processes apply the same
rules (a worker gets a copy with the robots.txt files already read).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

from .fetch import Fetcher
from .robots import ROBOTS_MAX_BYTES, RobotsRules, rules_from_response
from .urls import AddressGuard, Scope, host_of
from .version import UA_TOKEN

log = logging.getLogger(__name__)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class CrawlPolicy:
    def __init__(self, scope: Scope, guard: AddressGuard, *, ignore_robots: bool) -> None:
        self.scope = scope
        self.guard = guard
        self.ignore_robots = ignore_robots
        self.robots: dict[str, RobotsRules] = {}
        self.fetcher: Fetcher | None = None  # set by the owner; fetches robots.txt files
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        with self._lock:
            robots = dict(self.robots)
        return {
            "scope": self.scope,
            "guard": self.guard,
            "ignore_robots": self.ignore_robots,
            "robots": robots,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.fetcher = None
        self._lock = threading.Lock()

    def robots_for(self, url: str) -> RobotsRules:
        """robots.txt rules of the URL's origin, fetched once per origin."""
        origin = origin_of(url)
        with self._lock:
            rules = self.robots.get(origin)
        if rules is not None:
            return rules
        if self.fetcher is None:
            raise RuntimeError("CrawlPolicy.fetcher is not set")
        fetched = self.fetcher.fetch(
            origin + "/robots.txt", want_body="any", max_bytes=ROBOTS_MAX_BYTES
        )
        cut_short = fetched.error is not None
        rules = rules_from_response(fetched.status, fetched.body, UA_TOKEN, cut_short=cut_short)
        if rules.disallow_all and not self.ignore_robots:
            log.warning(
                "%s/robots.txt answered %s: nothing on %s is crawled", origin, rules.status, origin
            )
        with self._lock:
            return self.robots.setdefault(origin, rules)

    def robots_allows(self, url: str) -> bool:
        return self.ignore_robots or self.robots_for(url).allowed(url)

    def unavailable_robots(self) -> list[str]:
        """Origins whose robots.txt answered 5xx/429, so nothing there was crawled."""
        with self._lock:
            return sorted(o for o, r in self.robots.items() if r.disallow_all)

    def refusal(self, url: str) -> str | None:
        """Why a redirect target may not be requested, or None."""
        if not self.scope.is_internal(url):
            return "out-of-scope"
        if not self.guard.allowed(host_of(url)):
            return "private-address"
        # robots.txt itself is never subject to robots.txt (a redirecting robots.txt
        # would otherwise ask for its own rules while fetching them).
        if urlsplit(url).path != "/robots.txt" and not self.robots_allows(url):
            return "robots"
        return None

    def scope_origins(self) -> list[str]:
        return [f"{scheme}://{host}" for scheme in self.scope.schemes for host in self.scope.hosts]
