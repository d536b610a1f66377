"""Issue 25: a page slow only on its first request (a cache filling, a server warming up
after a start) gets a `slow-first-load` notice, not a slow-response warning and not nothing;
and a cold run and a warm run of the same site find the same defects, apart from timings."""

from __future__ import annotations

import pytest
from trust_server import TrustSite, page

from audit.engine import AuditResult, EngineConfig, Thresholds, audit_site
from audit.engine.checks import check_info

TIMING_CHECKS = {"slow-response", "slow-first-load"}
CONFIG = EngineConfig(
    timeout=1.0,
    retries=0,
    parse_workers=0,
    use_sitemaps=False,
    concurrency=4,
    thresholds=Thresholds(slow_response_ms=150),
)


def found(result: AuditResult, *checks: str) -> dict[str, list[str]]:
    """check -> sorted paths of the pages with that finding."""
    by_check: dict[str, list[str]] = {}
    start = result.start_url.rstrip("/")
    for report, finding in result.findings():
        if not checks or finding.check in checks:
            by_check.setdefault(finding.check, []).append(report.url.removeprefix(start))
    return {check: sorted(paths) for check, paths in by_check.items()}


def defects(result: AuditResult) -> set[tuple[str, str, str]]:
    """Every finding apart from timings: (page, check, selector)."""
    return {
        (report.url, finding.check, finding.selector)
        for report, finding in result.findings()
        if finding.check not in TIMING_CHECKS
    }


def test_slow_first_load_is_a_registered_notice():
    check = check_info("slow-first-load")
    assert check is not None and check.severity == "notice" and check.scope == "site"
    assert check.title and "warm" in check.fix.lower()


def test_a_page_slow_only_the_first_time_gets_the_notice_not_slow_response():
    routes = {
        "/": lambda q: page("Home", "/cold", "/slow"),
        "/cold": lambda q: page("Cold"),  # slow once (a cache filling), then fast
        "/slow": lambda q: page("Slow"),  # slow every time
    }
    with TrustSite(routes, slow_seconds=0.3) as site:
        site.slow_first["/cold"] = 1
        site.always_slow.add("/slow")
        result = audit_site(site.url("/"), CONFIG.replace(timeout=2.0))
    assert found(result, *TIMING_CHECKS) == {
        "slow-first-load": ["/cold"],
        "slow-response": ["/slow"],
    }
    notice = next(f for p, f in result.findings() if f.check == "slow-first-load")
    assert notice.severity == "notice"
    assert "on the first request" in notice.message and "limit 150 ms" in notice.message


def test_a_page_that_timed_out_at_first_and_answered_later_gets_the_notice():
    routes = {"/": lambda q: page("Home", "/a", "/c"), "/a": lambda q: page("A"), "/c": page}
    routes["/c"] = lambda q: page("C")
    with TrustSite(routes, slow_seconds=2.0) as site:
        site.slow_first["/a"] = 1  # its first answer comes after the timeout
        result = audit_site(site.url("/"), CONFIG)
    assert found(result, *TIMING_CHECKS, "fetch-failed") == {"slow-first-load": ["/a"]}
    notice = next(f for p, f in result.findings() if f.check == "slow-first-load")
    assert "No answer to the first request (timeout" in notice.message


def warming_site() -> TrustSite:
    """A clinic site whose pages /a and /b each link a page nothing else links."""
    routes = {
        "/": lambda q: page("Home", "/a", "/b", "/c", "/d", "/e"),
        "/a": lambda q: page("Treatments", "/a-only"),
        "/b": lambda q: page("Team", "/b-only", "/missing"),
        "/c": lambda q: page("Contact"),
        "/d": lambda q: page("Prices", "/c"),
        "/e": lambda q: page("Opening hours"),
        "/a-only": lambda q: page("Sports injuries"),
        "/b-only": lambda q: page("Our physiotherapists", "/"),
    }
    return TrustSite(routes)


@pytest.mark.parametrize(
    ("slow_seconds", "workers"),
    [(0.3, 0), (2.0, 0), (2.0, 2)],
    ids=["slow-first-answers", "timed-out-first-answers", "timed-out-in-worker-processes"],
)
def test_a_cold_run_and_a_warm_run_find_the_same_defects(slow_seconds, workers):
    config = CONFIG.replace(parse_workers=workers)
    with warming_site() as site:
        site.slow_seconds = slow_seconds
        site.slow_start = 6  # the server's first 6 requests are slow: it is warming up
        cold = audit_site(site.url("/"), config)
        warm = audit_site(site.url("/"), config)  # the same server, now warm
    assert sorted(p.url for p in cold.pages) == sorted(p.url for p in warm.pages)
    assert len(cold.pages) == 9  # 8 pages and the broken /missing
    assert defects(cold) == defects(warm)
    assert cold.crawl_completeness == warm.crawl_completeness == "complete"
    # The cold run says which pages were slow at first, and nothing worse.
    cold_timings = found(cold, *TIMING_CHECKS, "fetch-failed")
    assert set(cold_timings) == {"slow-first-load"}, cold_timings
    assert len(cold_timings["slow-first-load"]) >= 3
    assert found(warm, *TIMING_CHECKS, "fetch-failed") == {}
