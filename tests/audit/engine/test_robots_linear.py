"""robots.txt costs bounded time and memory, whatever the file says."""

from __future__ import annotations

import random
import re
import tracemalloc
from collections.abc import Callable, Iterator

import pytest
from hostile_server import HostileServer

from audit.engine import EngineConfig
from audit.engine.fetch import Fetcher
from audit.engine.policy import CrawlPolicy
from audit.engine.robots import (
    MAX_RULES,
    ROBOTS_MAX_BYTES,
    RobotsRule,
    RobotsRules,
    parse_robots,
)
from audit.engine.urls import AddressGuard, Scope

TOKEN = "clinic-cms-audit"
BACKTRACKING = "/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"


class _CountingTarget(str):
    """A URL path that counts the characters each search scans: the matcher's work, measured
    without a clock."""

    scanned = 0

    def find(self, sub: str, start: int = 0, *rest: int) -> int:  # type: ignore[override]
        _CountingTarget.scanned += len(self) - start
        return super().find(sub, start, *rest)


def test_a_backtracking_rule_answers_in_linear_time() -> None:
    """The regular expression this rule became took minutes on one URL."""
    rules = parse_robots(f"User-agent: *\nDisallow: {BACKTRACKING}\n", TOKEN)
    (rule,) = rules.rules
    for length in (40, 400, 4000):
        target = _CountingTarget("/" + "a" * length)
        _CountingTarget.scanned = 0
        assert not rule.matches(target)  # no "b": the rule does not match
        # Each piece between "*"s is searched for once: at most one pass over the path each.
        assert _CountingTarget.scanned <= len(rule.pieces) * len(target)
        assert rules.allowed("https://clinic.example" + target)
    assert not rules.allowed("https://clinic.example/" + "a" * 30 + "b")


def _measured(work: Callable[[], RobotsRules]) -> tuple[RobotsRules, int]:
    """The result and its peak of Python memory (a second run, under tracemalloc)."""
    result = work()
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def _as_regex(path: str) -> re.Pattern[str]:
    """What the rule means, as the old matcher spelt it: fine for short random inputs."""
    anchored = path.endswith("$")
    body = path[:-1] if anchored else path
    return re.compile(".*".join(re.escape(p) for p in body.split("*")) + ("$" if anchored else ""))


def test_wildcard_matching_means_what_it_meant() -> None:
    rng = random.Random(9309)
    for _ in range(5000):
        path = "/" + "".join(rng.choice("ab*/") for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.3:
            path += "$"
        target = "/" + "".join(rng.choice("ab/") for _ in range(rng.randint(0, 8)))
        expected = _as_regex(path).match(target) is not None
        assert RobotsRule.of(False, path).matches(target) == expected, (path, target)


def test_a_huge_robots_txt_is_read_up_to_500_kib_and_10000_rules() -> None:
    lines = [f"Disallow: /private/{i}/*/page$\nAllow: /p{i}\n" for i in range(300_000)]
    text = "User-agent: *\n" + "".join(lines)  # about 11 MB
    rules, peak = _measured(lambda: parse_robots(text, TOKEN))
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert len(rules.rules) == MAX_RULES
    assert not rules.allowed("https://clinic.example/private/7/x/page")


def test_rules_past_500_kib_are_ignored_and_a_cut_line_is_dropped() -> None:
    head = "User-agent: *\nDisallow: /first\n"
    padding = "# " + "x" * 200 + "\n"
    text = head + padding * ((ROBOTS_MAX_BYTES - len(head)) // len(padding))
    cut = "Disallow: /private-but-cut-off\n"
    edge = ROBOTS_MAX_BYTES - len(text) - 5  # the 500 KiB boundary falls inside this rule
    text = text + "#" * edge + "\n" + cut + "Disallow: /after\n"
    rules = parse_robots(text, TOKEN)
    assert not rules.allowed("https://clinic.example/first")
    assert rules.allowed("https://clinic.example/priv")  # not "Disallow: /priv"
    assert rules.allowed("https://clinic.example/after")


@pytest.fixture
def big_robots() -> Iterator[HostileServer]:
    lines = b"".join(
        b"Disallow: /private/%d/*/page$\nAllow: /p%d\n" % (i, i) for i in range(260_000)
    )
    with HostileServer(lifetime=30, robots=b"User-agent: *\n" + lines) as server:
        yield server


def test_a_10_mb_robots_txt_is_fetched_only_in_part(big_robots: HostileServer) -> None:
    start = big_robots.url("/")
    guard = AddressGuard("127.0.0.1")
    fetcher = Fetcher(EngineConfig(timeout=5.0), guard=guard)

    def read_robots() -> RobotsRules:
        policy = CrawlPolicy(Scope(start), guard, ignore_robots=False)
        policy.fetcher = fetcher
        return policy.robots_for(start)

    try:
        rules, peak = _measured(read_robots)
    finally:
        fetcher.close()
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert rules.status == 200 and 0 < len(rules.rules) <= MAX_RULES
    assert not rules.allowed(big_robots.url("/private/3/x/page"))


def test_a_robots_txt_cut_off_by_its_deadline_loses_only_its_last_line() -> None:
    """Kept, the half-sent "Allow: /pages-publi" would open up what "Disallow: /p" shuts."""
    start = b"User-agent: *\nDisallow: /p\nAllow: /pages-publi"
    with HostileServer(lifetime=30, robots_trickle=start) as server:
        guard = AddressGuard("127.0.0.1")
        policy = CrawlPolicy(Scope(server.url("/")), guard, ignore_robots=False)
        policy.fetcher = fetcher = Fetcher(EngineConfig(timeout=1.0, retries=0), guard=guard)
        try:
            rules = policy.robots_for(server.url("/"))
        finally:
            fetcher.close()
    assert rules.status == 200
    assert not rules.allowed(server.url("/pages-publication"))
    assert not rules.allowed(server.url("/private"))
