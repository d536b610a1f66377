"""User-supplied patterns run in linear time (issue 24, case 2).

``(a+)+$`` is the classic catastrophic pattern: Python's ``re`` tries every way of splitting a
run of a's before giving up on ``/aaa…a!/``, 2**32 ways for the URLs below. RE2 answers each URL
in one pass. The crawl runs in a real ``python -m audit`` process against a real server; the
subprocess timeout only keeps a regression from hanging the suite (the assertions are on what
the crawl found, not on how long it took).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit.engine import EngineConfig, InvalidConfig
from audit.engine.patterns import URLPatterns, glob_matcher
from audit.engine.urls import Scope, normalize_url
from tests.fixture_server import LoopbackServer, QuietHandler

CATASTROPHIC = "(a+)+$"
RUN = "a" * 32
# Each hostile path ends in "!/": `$` fails after every split of the run of a's.
HOSTILE_PATHS = [f"/p/{RUN[:n]}!/" for n in range(28, 33)]
WANTED_PATHS = ["/p/one-a", "/p/two-aa"]  # end in a's: the include pattern matches


class PatternSite(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's API)
        if self.path == "/":
            links = "".join(f'<a href="{p}">x</a>' for p in (*HOSTILE_PATHS, *WANTED_PATHS))
            self.send_body(200, f"<!doctype html><title>Start</title>{links}".encode())
        elif self.path in (*HOSTILE_PATHS, *WANTED_PATHS):
            self.send_body(200, b"<!doctype html><title>A page</title><p>text</p>")
        else:
            self.send_body(404, b"<!doctype html><title>Not found</title>")


def test_a_catastrophic_include_pattern_crawls_in_a_cli_process() -> None:
    with LoopbackServer(PatternSite) as server:
        argv = [server.url("/"), "--include", CATASTROPHIC, "--no-sitemaps", "--no-link-check"]
        argv += ["--workers", "0", "--format", "json", "-q"]
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "audit", *argv],
                capture_output=True,
                text=True,
                timeout=120,  # a guard against a hang, not the measure
                cwd=Path(__file__).parents[3],
            )
        except subprocess.TimeoutExpired:
            pytest.fail("the crawl did not finish: the include pattern backtracked")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    crawled = sorted(page["url"].removeprefix(server.base) for page in report["pages"])
    assert crawled == ["/", *WANTED_PATHS]
    assert report["stats"]["crawl_complete"] is True


def test_scope_answers_hostile_urls_with_hostile_patterns() -> None:
    start = "https://clinic.example/"
    scope = Scope(start, include=(CATASTROPHIC,), exclude=(r"(x+x+)+y",))
    hostile = [f"{start}p/{'a' * n}!/" for n in range(20, 5000, 250)]
    hostile += [f"{start}{'x' * n}" for n in range(20, 5000, 250)]
    assert [scope.wanted(url) for url in hostile] == [False] * len(hostile)
    assert scope.wanted(f"{start}p/{'a' * 4000}") is True


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(\w+)\1", "invalid escape sequence"),  # backreference
        (r"/blog/(?!draft)", "invalid perl operator"),  # lookahead
        ("([", "missing"),
        ("a" * 1001, "longer than 1000 characters"),
    ],
)
def test_config_refuses_what_re2_cannot_run_with_one_line(pattern: str, reason: str) -> None:
    for field in ("include", "exclude"):
        with pytest.raises(InvalidConfig) as caught:
            EngineConfig(**{field: (pattern,)})
        message = str(caught.value)
        assert message.startswith(f"{field} pattern ") and reason in message
        assert "\n" not in message


def test_query_parameter_globs_are_linear_and_keep_their_meaning() -> None:
    strip = ("utm_*", "g?lid", "*" * 50 + "x")
    url = "https://c.example/a?utm_source=n&gclid=1&keep=2&" + "a" * 3000 + "=1"
    assert normalize_url(url, strip) == "https://c.example/a?keep=2&" + "a" * 3000 + "=1"
    matcher = glob_matcher(strip)
    assert matcher.fullmatch("utm_medium") and not matcher.fullmatch("xutm_medium")
    with pytest.raises(InvalidConfig, match="strip_query_params pattern must be"):
        EngineConfig(strip_query_params=("",))


def test_patterns_are_searched_anywhere_like_re_search() -> None:
    patterns = URLPatterns([r"/blog/\d+", r"\.pdf$"])
    assert patterns.search("https://c.example/blog/12/x")
    assert patterns.search("https://c.example/a.pdf")
    assert not patterns.search("https://c.example/a.pdf?x")
    assert not URLPatterns([])
