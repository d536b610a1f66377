"""robots.txt parsing and matching (RFC 9309: longest match wins, Allow wins ties)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .urls import _fix_escapes


@dataclass
class RobotsRules:
    """Rules that apply to one user-agent token, plus every Sitemap line in the file."""

    rules: list[tuple[bool, str, re.Pattern[str]]] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    status: int | None = None  # HTTP status of robots.txt; None when not fetched
    crawl_delay: float | None = None  # seconds, from Crawl-delay in our group
    # robots.txt answered 5xx or 429: nothing may be crawled (as Google does).
    disallow_all: bool = False

    def allowed(self, url: str) -> bool:
        if self.disallow_all:
            return False
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        best_len = -1
        best_allow = True
        for allow, raw, pattern in self.rules:
            if pattern.match(target):
                length = len(raw)
                if length > best_len or (length == best_len and allow):
                    best_len, best_allow = length, allow
        return best_allow


def _compile(path: str) -> re.Pattern[str]:
    anchored = path.endswith("$")
    body = path[:-1] if anchored else path
    regex = ".*".join(re.escape(piece) for piece in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def parse_robots(text: str, token: str, status: int | None = 200) -> RobotsRules:
    """Rules of the group naming ``token`` (case-insensitive prefix), else of ``*``."""
    groups: list[tuple[list[str], list[tuple[bool, str]], list[float]]] = []
    sitemaps: list[str] = []
    agents: list[str] = []
    rules: list[tuple[bool, str]] = []
    delays: list[float] = []
    in_rules = False
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules:
                groups.append((agents, rules, delays))
                agents, rules, delays, in_rules = [], [], [], False
            agents.append(value.lower())
        elif key in ("allow", "disallow"):
            in_rules = True
            if agents and value:
                rules.append((key == "allow", value))
        elif key == "crawl-delay":
            in_rules = True
            delay = _seconds(value)
            if agents and delay is not None:
                delays.append(delay)
        elif key == "sitemap" and value:
            sitemaps.append(value)
    if agents:
        groups.append((agents, rules, delays))

    token = token.lower()
    specific = [
        (r, d) for a, r, d in groups if any(token.startswith(agent) for agent in a if agent != "*")
    ]
    mine = specific or [(r, d) for a, r, d in groups if "*" in a]
    chosen = [rule for r, _ in mine for rule in r]
    crawl_delay = max((delay for _, d in mine for delay in d), default=None)
    compiled = []
    for allow, path in chosen:
        # Paths are matched in their normalised percent-encoded form, like our URLs.
        normal = _fix_escapes(path, "!$&'()*+,;=:@/?$")
        compiled.append((allow, normal, _compile(normal)))
    return RobotsRules(rules=compiled, sitemaps=sitemaps, status=status, crawl_delay=crawl_delay)


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 and seconds == seconds else None  # no NaN


def rules_from_response(status: int | None, body: bytes | None, token: str) -> RobotsRules:
    """Rules for a robots.txt fetch outcome, as Google and RFC 9309 read them.

    200: the file's rules. 4xx: no rules (crawl everything). 5xx and 429 (after the
    fetcher's retries): the site is unavailable, so nothing may be crawled. Unreachable
    (no status): no rules, so the start URL's own fetch reports the network error.
    """
    if status == 200 and body is not None:
        return parse_robots(body.decode("utf-8", "replace"), token, status=200)
    if status is not None and (status >= 500 or status == 429):
        return RobotsRules(status=status, disallow_all=True)
    return RobotsRules(status=status)


ALLOW_ALL = RobotsRules()
