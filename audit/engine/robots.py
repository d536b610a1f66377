"""robots.txt parsing and matching (RFC 9309: longest match wins, Allow wins ties).

Matching is linear in the URL for each rule (no regular expressions, which backtrack
exponentially on rules like ``/*a*a*a*a*b``), and the file is read up to 500 KiB and
10,000 rules, as Google does, so a hostile robots.txt costs bounded time and memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .urls import _fix_escapes

ROBOTS_MAX_BYTES = 500 * 1024  # the part of robots.txt that is read; the rest is ignored
MAX_RULES = 10_000  # Allow/Disallow lines kept, over all groups


@dataclass(frozen=True, slots=True)
class RobotsRule:
    allow: bool
    path: str  # normalised; its length decides which rule wins
    pieces: tuple[str, ...]  # the path split at "*"
    anchored: bool  # the path ended with "$"

    @classmethod
    def of(cls, allow: bool, path: str) -> RobotsRule:
        anchored = path.endswith("$")
        return cls(allow, path, tuple((path[:-1] if anchored else path).split("*")), anchored)

    def matches(self, target: str) -> bool:
        """Greedy leftmost matching of the pieces between "*"s: O(len(target) * len(path))."""
        first, *rest = self.pieces
        if not target.startswith(first):
            return False
        if not rest:
            return target == first if self.anchored else True
        position = len(first)
        *middle, last = rest
        for piece in middle:
            found = target.find(piece, position)
            if found < 0:
                return False
            position = found + len(piece)
        if self.anchored:
            return target.endswith(last) and len(target) - len(last) >= position
        return target.find(last, position) >= 0


@dataclass
class RobotsRules:
    """Rules that apply to one user-agent token, plus every Sitemap line in the file."""

    rules: list[RobotsRule] = field(default_factory=list)
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
        for rule in self.rules:
            length = len(rule.path)
            if (length > best_len or (length == best_len and rule.allow)) and rule.matches(target):
                best_len, best_allow = length, rule.allow
        return best_allow


def parse_robots(text: str, token: str, status: int | None = 200) -> RobotsRules:
    """Rules of the group naming ``token`` (case-insensitive prefix), else of ``*``."""
    groups: list[tuple[list[str], list[tuple[bool, str]], list[float]]] = []
    sitemaps: list[str] = []
    agents: list[str] = []
    rules: list[tuple[bool, str]] = []
    delays: list[float] = []
    in_rules = False
    kept = 0
    if len(text) > ROBOTS_MAX_BYTES:
        text = _whole_lines(text[:ROBOTS_MAX_BYTES])
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
            if agents and value and kept < MAX_RULES:
                kept += 1
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
    # Paths are matched in their normalised percent-encoded form, like our URLs.
    compiled = [
        RobotsRule.of(allow, _fix_escapes(path, "!$&'()*+,;=:@/?$")) for allow, path in chosen
    ]
    return RobotsRules(rules=compiled, sitemaps=sitemaps, status=status, crawl_delay=crawl_delay)


def _whole_lines(text: str) -> str:
    """A cut-off file without its last, partial line (``Disallow: /pri`` is not a rule)."""
    return text.rpartition("\n")[0]


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 and seconds == seconds else None  # no NaN


def rules_from_response(
    status: int | None, body: bytes | None, token: str, *, cut_short: bool = False
) -> RobotsRules:
    """Rules for a robots.txt fetch outcome, as Google and RFC 9309 read them.

    200: the file's rules. 4xx: no rules (crawl everything). 5xx and 429 (after the
    fetcher's retries): the site is unavailable, so nothing may be crawled. Unreachable
    (no status): no rules, so the start URL's own fetch reports the network error.
    ``cut_short``: the body stopped early (deadline, read error): its last line is dropped.
    """
    if status == 200 and body is not None:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
        if cut_short or len(body) >= ROBOTS_MAX_BYTES:
            text = _whole_lines(text)
        return parse_robots(text, token, status=200)
    if status is not None and (status >= 500 or status == 429):
        return RobotsRules(status=status, disallow_all=True)
    return RobotsRules(status=status)


ALLOW_ALL = RobotsRules()
