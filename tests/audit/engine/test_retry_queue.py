"""Issue 25 item 2: no page lost to a slow start. A page whose fetch timed out or whose
connection was dropped is fetched again later in the run with a longer timeout, the pages
only it links to are found, and a run that still misses pages says so in a typed field."""

from __future__ import annotations

import pytest
from trust_server import TrustSite, page

from audit.engine import Completeness, EngineConfig, audit_site
from audit.engine.cli import EXIT_PAGES_NOT_FETCHED, main
from audit.engine.results import completeness_from_stats

# The shortest timeout the engine accepts; the server's slow answers take 2 s: a timeout at
# first, in time for a later attempt (3 x the timeout). Each request gets one try, so the
# retry queue is what saves a page.
COLD = EngineConfig(
    timeout=1.0, retries=0, parse_workers=0, use_sitemaps=False, concurrency=4, check_links=False
)


def cold_site() -> TrustSite:
    """Home links /a, /b and /c; /a and /b each link a page nothing else links."""
    routes = {
        "/": lambda q: page("Home", "/a", "/b", "/c"),
        "/a": lambda q: page("Treatments", "/a-only"),
        "/b": lambda q: page("Team", "/b-only"),
        "/c": lambda q: page("Contact"),
        "/a-only": lambda q: page("Sports injuries"),
        "/b-only": lambda q: page("Our physiotherapists"),
    }
    site = TrustSite(routes, slow_seconds=2.0)
    site.slow_first["/a"] = 1  # its first answer comes after the timeout
    site.drop_first["/b"] = 1  # its first connection is closed unanswered
    return site


@pytest.mark.parametrize("workers", [0, 2])
def test_pages_that_failed_on_a_cold_server_are_fetched_later_with_their_links(
    workers: int,
) -> None:
    with cold_site() as site:
        result = audit_site(site.url("/"), COLD.replace(parse_workers=workers))
        hits = dict(site.hits)
    expected = ["/", "/a", "/a-only", "/b", "/b-only", "/c"]
    assert sorted(p.url for p in result.pages) == sorted(site.url(p) for p in expected)
    assert all(p.status == 200 and p.error is None for p in result.pages)
    assert hits["/a"] == 2 and hits["/b"] == 2 and hits["/c"] == 1
    assert result.stats["pages_retried"] == 2 and result.stats["pages_recovered"] == 2
    assert result.complete and result.crawl_completeness is Completeness.COMPLETE
    # Judged on the later, warm answer: the timed-out first try is not a slow-response.
    assert not [f for p, f in result.findings() if f.check in ("slow-response", "fetch-failed")]


def test_a_start_page_that_fails_at_first_is_tried_again_at_once() -> None:
    with cold_site() as site:
        site.drop_first["/"] = 1
        result = audit_site(site.url("/"), COLD)
    assert result.start_error is None
    assert len(result.pages) == 6


def test_a_page_that_never_answers_leaves_the_run_pages_not_fetched(tmp_path) -> None:
    with cold_site() as site:
        site.slow_seconds = 4.0  # longer than a later attempt's timeout too
        site.always_slow.add("/b")
        result = audit_site(site.url("/"), COLD)
        hits = dict(site.hits)
    assert hits["/b"] == 2  # tried once more, and no more (page_retries=1)
    assert result.crawl_completeness is Completeness.PAGES_NOT_FETCHED
    assert result.stats["completeness"] == "pages-not-fetched"
    assert result.pages_not_fetched == 1 and result.stats["pages_not_fetched"] == 1
    assert site.url("/b-only") not in {p.url for p in result.pages}
    line = result.completeness()
    assert line.startswith("1 of 5 pages could not be fetched")
    assert "the score is based on 4 of 5 pages" in line
    # The same line from the stored stats (the admin and the e-mail show it).
    assert completeness_from_stats(result.stats) == line


def test_the_command_line_can_fail_on_pages_not_fetched(tmp_path) -> None:
    with cold_site() as site:
        site.slow_seconds = 4.0
        site.always_slow.add("/c")
        args = [site.url("/"), "--timeout", "1", "--retries", "0", "--workers", "0", "-q"]
        args += ["--no-sitemaps", "--fail-on", "never", "-o", str(tmp_path / "r.json")]
        assert main([*args, "--fail-on-unfetched"]) == EXIT_PAGES_NOT_FETCHED


def test_the_retry_queue_is_capped_per_run() -> None:
    with cold_site() as site:
        site.slow_first["/c"] = 1
        result = audit_site(site.url("/"), COLD.replace(page_retry_max=1))
        hits = dict(site.hits)
    assert result.stats["pages_retried"] == 1
    # Of /a, /b and /c (each failing once), one was fetched again.
    assert sorted(hits[p] for p in ("/a", "/b", "/c")) == [1, 1, 2]
    assert result.pages_not_fetched == 2
