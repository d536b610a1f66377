"""Patterns people give the engine (include/exclude regexes, query-parameter globs), matched
in time linear in the text.

Python's ``re`` backtracks: ``(a+)+$`` against ``/aaaa…a!/`` takes time exponential in the
URL's length, and a pattern from a schedule, the crawl options or the command line runs on
every URL a crawl meets, where no deadline or cancel check can interrupt it. RE2 (the
google-re2 package) guarantees linear time for any pattern, so a pattern cannot stall a
worker; what RE2 cannot run that way (backreferences, lookaround) it refuses when the pattern
is checked, which is when a config is made: before a run starts and when a form is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import re2

from .errors import InvalidConfig

# Long enough for any real include/exclude rule; bounds what one pattern costs per URL.
MAX_PATTERN_LENGTH = 1000
SYNTAX_HINT = "use an RE2 regular expression (no backreferences or lookaround), e.g. ^/blog/"

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason is raised to the caller, not logged by the C++ side
_OPTIONS.never_capture = True  # only "does it match" is asked


def regex_problem(pattern: object, what: str = "pattern") -> str | None:
    """One line saying why ``pattern`` cannot be used as a URL regex, or None when it can."""
    if not isinstance(pattern, str):
        return f"{what} must be text, got {pattern!r}"
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"{what} {pattern[:40]!r}… is longer than {MAX_PATTERN_LENGTH} characters"
    try:
        _compile(pattern)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        return f"{what} {pattern!r} cannot be used ({reason}): {SYNTAX_HINT}"
    return None


def glob_problem(glob: object, what: str = "pattern") -> str | None:
    """One line saying why ``glob`` cannot be used as a name glob, or None when it can."""
    if not isinstance(glob, str) or not glob:
        return f"{what} must be a non-empty text such as utm_*, got {glob!r}"
    if len(glob) > MAX_PATTERN_LENGTH:
        return f"{what} {glob[:40]!r}… is longer than {MAX_PATTERN_LENGTH} characters"
    return None


class URLPatterns:
    """Any of several regexes, searched anywhere in a URL (as ``re.search`` would)."""

    def __init__(self, patterns: Iterable[str], what: str = "pattern") -> None:
        self.patterns = tuple(patterns)
        for pattern in self.patterns:
            if problem := regex_problem(pattern, what):
                raise InvalidConfig(problem)
        self._compiled = [_compile(pattern) for pattern in self.patterns]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def search(self, url: str) -> bool:
        """True if any pattern matches somewhere in ``url``."""
        return any(compiled.search(url) is not None for compiled in self._compiled)


@lru_cache(maxsize=64)
def glob_matcher(globs: tuple[str, ...]) -> Any:
    """One RE2 regex that matches a whole name when any glob does (``*`` any run of
    characters, ``?`` one character, everything else literal); None for no globs.
    Use its ``fullmatch(name)``."""
    if not globs:
        return None
    for glob in globs:
        if problem := glob_problem(glob):
            raise InvalidConfig(problem)
    return _compile("|".join(_glob_regex(glob) for glob in globs))


def _glob_regex(glob: str) -> str:
    parts = []
    for char in glob:
        parts.append(".*" if char == "*" else "." if char == "?" else re2.escape(char))
    return f"(?:{''.join(parts)})"


@lru_cache(maxsize=256)
def _compile(pattern: str) -> Any:  # a compiled RE2 regex (its class is private)
    return re2.compile(pattern, _OPTIONS)
