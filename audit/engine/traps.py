"""Crawl traps: URL spaces that never end, each given a small budget of URLs.

A calendar's ``?month=N``, pagination past the last page, sort and filter facets, paths
that repeat (``/a/b/a/b/...``, from relative links on a page that answers any path) and
session ids in URLs all produce new URLs forever. Each such pattern may add
``trap_budget`` URLs to the crawl; the rest are counted and not followed, so a trap
cannot eat the page limit the rest of the site needs.

A query pattern is one set of parameter names on one path, so filter facets (``?colour=``,
``?colour=&size=``, ``?size=&sort=``, ...) make a new pattern for every combination: k facets,
2^k - 1 budgets. All the query patterns of one path therefore share a second budget,
FACET_BUDGET_FACTOR times the first: enough for pagination plus a few filters, not for
every combination.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

# Query parameters (lower case) that carry a session id: every visit makes new URLs.
SESSION_PARAMS = frozenset(
    {"sid", "sessionid", "session_id", "session", "phpsessid", "jsessionid", "aspsessionid"}
)
TrapKey = tuple[str, ...]
FACET_BUDGET_FACTOR = 2


@dataclass(frozen=True, slots=True)
class TrapPattern:
    key: TrapKey
    kind: str  # "query", "facets", "repeating-path" or "session-id"
    description: str


@dataclass(slots=True)
class TrapRecord:
    """A pattern that reached its budget: where the crawl entered it, what it left out."""

    pattern: TrapPattern
    entered_from: str | None  # the page whose link first led into the pattern
    example: str  # a URL not followed
    followed: int  # URLs of the pattern crawled before it was cut
    refused: set[str] = field(default_factory=set)  # URLs of the pattern not followed


def _repeated_block(segments: list[str]) -> list[str] | None:
    """A block of segments that follows itself (``a/b/a/b``), or one segment three times."""
    count = len(segments)
    for size in range(1, count // 2 + 1):
        for start in range(count - 2 * size + 1):
            block = segments[start : start + size]
            if block != segments[start + size : start + 2 * size]:
                continue
            if size > 1 or segments[start + 2 : start + 3] == block:
                return block
    return None


def trap_pattern(url: str) -> TrapPattern | None:
    """The endless-URL pattern ``url`` belongs to, or None for an ordinary URL."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    names = sorted({name.lower() for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    session = [n for n in names if n in SESSION_PARAMS]
    if session or ";jsessionid=" in parts.path.lower():
        shown = session[0] if session else "jsessionid"
        return TrapPattern(
            ("session-id", origin), "session-id", f"session ids in URLs ({shown}=…) on {origin}"
        )
    block = _repeated_block([s for s in parts.path.split("/") if s])
    if block is not None:
        shown = "/".join(block)
        return TrapPattern(
            ("repeating-path", origin, shown),
            "repeating-path",
            f"paths that repeat {shown}/{shown}/… on {origin}",
        )
    if names:
        path = parts.path or "/"
        shown = "&".join(f"{n}=…" for n in names)
        return TrapPattern(
            ("query", origin, path, *names),
            "query",
            f"{origin}{path}?{shown} with ever-changing values",
        )
    return None


def _facets_of(pattern: TrapPattern) -> TrapPattern:
    """The pattern of every query on the path of a "query" pattern."""
    _kind, origin, path, *_names = pattern.key
    return TrapPattern(
        ("facets", origin, path),
        "facets",
        f"{origin}{path} with ever-changing combinations of query parameters",
    )


class TrapGuard:
    """Counts the URLs each pattern added; refuses those past ``budget``."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._used: dict[TrapKey, int] = {}
        self._entered_from: dict[TrapKey, str | None] = {}
        self.traps: dict[TrapKey, TrapRecord] = {}

    def admit(self, url: str, source: str | None) -> bool:
        """True if ``url`` may be crawled; False (and recorded) when its pattern is spent."""
        pattern = trap_pattern(url)
        if pattern is None:
            return True
        key = pattern.key
        used = self._used.get(key, 0)
        if used >= self.budget:
            return self._refuse(pattern, url, source)
        if pattern.kind == "query":
            facets = _facets_of(pattern)
            facets_used = self._used.get(facets.key, 0)
            if facets_used >= self.budget * FACET_BUDGET_FACTOR:
                return self._refuse(facets, url, source)
            self._used[facets.key] = facets_used + 1
            self._entered_from.setdefault(facets.key, source)
        self._used[key] = used + 1
        self._entered_from.setdefault(key, source)
        return True

    def _refuse(self, pattern: TrapPattern, url: str, source: str | None) -> bool:
        key = pattern.key
        record = self.traps.get(key)
        if record is None:
            entered = self._entered_from.get(key, source)
            record = self.traps[key] = TrapRecord(pattern, entered, url, self._used.get(key, 0))
        record.refused.add(url)
        return False

    def refused(self) -> set[str]:
        """Every URL not followed because its pattern had spent its budget."""
        return {url for record in self.traps.values() for url in record.refused}
