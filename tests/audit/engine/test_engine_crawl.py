"""End-to-end crawls of the fixture site on a real 127.0.0.1 server."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from fixture_site import FixtureSite

from audit.engine import USER_AGENT, AuditResult, EngineConfig, PageReport, audit_site
from audit.engine.config import SiteProfile
from audit.engine.crawl import RobotsDisallowed
from audit.engine.errors import FetchError


@pytest.fixture(scope="module")
def full(site: FixtureSite) -> AuditResult:
    """One full crawl shared by the assertions below (the calendar trap excluded)."""
    config = EngineConfig(
        timeout=2.0,
        backoff=0.05,
        retry_after_cap=0.2,
        parse_workers=0,
        exclude=(r"/calendar",),
        thresholds=__import__("audit.engine", fromlist=["Thresholds"]).Thresholds(
            slow_response_ms=500
        ),
        profile=SiteProfile(views_expected=True),  # a clinic's site, as the CMS audits its own
    )
    return audit_site(site.url("/"), config)


def checks_on(result: AuditResult, site: FixtureSite, path: str) -> Counter[str]:
    page = result.page(site.url(path))
    assert page is not None, f"{path} was not reported"
    # The timing checks depend on machine load; they are asserted on /d/slow only.
    return Counter(
        f.check for f in page.findings if f.check not in TIMING_CHECKS or path == "/d/slow"
    )


# Findings that depend on how fast the machine answered, not on the page.
TIMING_CHECKS = frozenset({"slow-response", "slow-first-load"})


# path -> the findings that page must have (exactly these ids, with counts)
EXPECTED = {
    "/": {"sitemap-missing-page": 1},  # the fixture sitemap lists a few pages only
    "/about": {},
    "/services/back-pain": {},
    "/blog/good-article": {},
    "/d/no-title": {"title-missing": 1},
    "/d/two-titles": {"title-multiple": 1},
    "/d/long-title": {"title-too-long": 1},
    "/d/short-title": {"title-too-short": 1},
    "/d/dup-title-1": {"title-duplicate": 1},
    "/d/dup-title-2": {"title-duplicate": 1},
    "/d/no-desc": {"meta-description-missing": 1},
    "/d/long-desc": {"meta-description-too-long": 1},
    "/d/short-desc": {"meta-description-too-short": 1},
    "/d/dup-desc-1": {"meta-description-duplicate": 1},
    "/d/dup-desc-2": {"meta-description-duplicate": 1},
    "/d/no-h1": {"h1-missing": 1},
    "/d/two-h1": {"h1-multiple": 1},
    "/d/heading-skip": {"heading-order": 1},
    # Image files the fixture does not serve are requested and found missing: img-broken.
    "/d/empty-heading": {"heading-empty": 1, "img-broken": 1},
    "/d/images": {
        "img-broken": 13,
        "img-alt-missing": 3,
        "img-alt-filename": 1,
        "img-alt-generic": 1,
        "img-alt-too-long": 1,
    },
    "/d/links": {
        "link-text-generic": 1,
        "img-broken": 1,
        "link-empty": 2,
        "link-uncrawlable": 2,
        "link-broken": 2,
        "link-to-redirect": 1,
        "redirect-chain": 1,
        "redirect-loop": 1,
    },
    "/d/no-lang": {"lang-missing": 1},
    "/d/bad-jsonld": {"structured-data-invalid": 1},
    "/d/thin-article": {"thin-content": 1},
    "/d/service-no-views": {"view-count-missing": 1},
    "/d/slow": {"slow-response": 1},
    "/d/huge": {"page-too-large": 1},
    "/d/binary": {},
    "/d/no-canonical": {"canonical-missing": 1},
    "/d/canonical-relative": {"canonical-invalid": 1},
    "/d/canonical-multiple": {"canonical-invalid": 1},
    "/d/canonical-to-404": {"canonical-invalid": 1},
    "/d/noindex-meta": {"noindex": 1},
    "/d/noindex-header": {"noindex": 1},
    "/d/noindex-not-in-sitemap": {},
    "/d/missing": {"status-4xx": 1},
    "/d/server-error": {"status-5xx": 1},
    "/d/flaky-503": {},
    "/d/drop-once": {},
    "/orphan": {"orphan-page": 1},
    "/private/secret": {"robots-blocked": 1},
    "/enc/cp1252-header": {},
    "/enc/cp1252-meta": {},
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_each_fixture_page_has_exactly_its_findings(
    full: AuditResult, site: FixtureSite, path: str
) -> None:
    assert checks_on(full, site, path) == Counter(EXPECTED[path])


def test_broken_link_findings_name_target_selector_and_snippet(
    full: AuditResult, site: FixtureSite
) -> None:
    page = full.page(site.url("/d/links"))
    assert page is not None
    broken = {f.selector: f for f in page.findings if f.check == "link-broken"}
    assert set(broken) == {"#to-404", "#to-500"}
    assert "/d/missing" in broken["#to-404"].message and "404" in broken["#to-404"].message
    assert broken["#to-500"].snippet.startswith('<a id="to-500" href="/d/server-error">')
    chain = next(f for f in page.findings if f.check == "redirect-chain")
    assert chain.selector == "#to-chain"
    assert "3 redirects" in chain.message and "/r/chain-3 (307)" in chain.message
    loop = next(f for f in page.findings if f.check == "redirect-loop")
    assert "/r/loop-b (301)" in loop.message


def test_redirects_are_recorded_hop_by_hop(full: AuditResult, site: FixtureSite) -> None:
    stub = full.page(site.url("/r/chain-1"))
    assert stub is not None
    assert [(h.url, h.status) for h in stub.redirects] == [
        (site.url("/r/chain-1"), 302),
        (site.url("/r/chain-2"), 301),
        (site.url("/r/chain-3"), 307),
    ]
    assert stub.final_url == site.url("/services/back-pain")
    loop = full.page(site.url("/r/loop-a"))
    assert loop is not None and loop.error == "redirect-loop"


def test_every_url_is_fetched_once(full: AuditResult, site: FixtureSite) -> None:
    urls = [p.url for p in full.pages]
    assert len(urls) == len(set(urls))
    # /about?utm_source=... is the same page as /about once tracking params are stripped.
    assert site.url("/about?utm_source=newsletter") not in urls


def test_sitemap_index_and_gzipped_child_are_read(full: AuditResult, site: FixtureSite) -> None:
    assert full.stats["sitemap_files"] == 3
    assert full.stats["sitemap_urls"] == 9
    assert full.page(site.url("/orphan")) is not None  # only the sitemap knows it


def test_robots_disallowed_page_is_never_requested(full: AuditResult, site: FixtureSite) -> None:
    assert site.count("/private/secret") == 0
    page = full.page(site.url("/private/secret"))
    assert page is not None and page.status is None


def test_user_agent_is_sent(full: AuditResult, site: FixtureSite) -> None:
    assert USER_AGENT in site.user_agents
    assert USER_AGENT.startswith("clinic-cms-audit/")


def test_out_of_scope_links_are_not_followed(full: AuditResult) -> None:
    assert all(p.url.startswith("http://127.0.0.1:") for p in full.pages)


def test_encodings_are_decoded(full: AuditResult, site: FixtureSite) -> None:
    from fixture_site import CP1252_TEXT, SJIS_TEXT

    assert full.page(site.url("/enc/cp1252-header")).title == CP1252_TEXT  # type: ignore[union-attr]
    assert full.page(site.url("/enc/cp1252-meta")).title == CP1252_TEXT + " (meta)"  # type: ignore[union-attr]
    assert full.page(site.url("/enc/sjis-header")).title == SJIS_TEXT[:20]  # type: ignore[union-attr]
    # No charset in header or markup: charset_normalizer has to work it out.
    assert full.page(site.url("/enc/sjis-detect")).title == SJIS_TEXT[1:21]  # type: ignore[union-attr]


def test_malformed_html_is_recovered(full: AuditResult, site: FixtureSite) -> None:
    page = full.page(site.url("/enc/malformed"))
    assert page is not None
    assert page.title == "Malformed but readable page – Riverside Physio"
    assert page.h1 == "Recovered heading"


def test_binary_served_as_html_is_not_parsed(full: AuditResult, site: FixtureSite) -> None:
    page = full.page(site.url("/d/binary"))
    assert page is not None and page.status == 200
    assert page.title is None and page.word_count == 0 and page.findings == []


def test_huge_page_is_cut_at_the_byte_cap(full: AuditResult, site: FixtureSite) -> None:
    page = full.page(site.url("/d/huge"))
    assert page is not None and page.bytes > 5_000_000
    assert page.title is not None  # the part that was read is still audited


def test_views_are_extracted_from_each_source(full: AuditResult, site: FixtureSite) -> None:
    assert full.page(site.url("/services/back-pain")).views == 321  # type: ignore[union-attr]
    assert full.page(site.url("/blog/good-article")).views == 77  # type: ignore[union-attr]
    assert full.page(site.url("/d/thin-article")).views == 42  # type: ignore[union-attr]
    assert full.page(site.url("/d/service-no-views")).views is None  # type: ignore[union-attr]


def test_retries_recover_from_503_and_dropped_connections(
    full: AuditResult, site: FixtureSite
) -> None:
    assert full.page(site.url("/d/flaky-503")).status == 200  # type: ignore[union-attr]
    assert full.page(site.url("/d/drop-once")).status == 200  # type: ignore[union-attr]
    assert site.count("/d/flaky-503") == 2


def test_stats_describe_the_run(full: AuditResult) -> None:
    stats = full.stats
    assert stats["crawl_complete"] is True and stats["stopped_early"] is False
    assert stats["robots_disallowed"] == 1
    assert stats["findings_by_severity"]["error"] > 0
    assert stats["pages_reported"] == len(full.pages)


# -- limits, scope and control ---------------------------------------------------------------


def test_calendar_trap_ends_at_max_pages(site: FixtureSite, fast_config: EngineConfig) -> None:
    config = fast_config.replace(max_pages=25, exclude=(), use_sitemaps=False)
    result = audit_site(site.url("/calendar?month=2024-01"), config)
    assert result.stats["pages_fetched"] == 25
    assert result.stats["crawl_complete"] is False
    assert result.stats["dropped_by_limits"] > 0
    # Limits make orphan detection unreliable, so it is skipped.
    assert not any(f.check == "orphan-page" for _, f in result.findings())


def test_links_beyond_the_limit_are_still_status_checked(
    site: FixtureSite, fast_config: EngineConfig
) -> None:
    config = fast_config.replace(max_depth=0, use_sitemaps=False)
    result = audit_site(site.url("/d/links"), config)
    assert [p.url for p in result.pages] == [site.url("/d/links")]
    checks = Counter(f.check for f in result.pages[0].findings)
    assert checks["link-broken"] == 2 and checks["redirect-loop"] == 1
    assert result.stats["links_checked"] >= 6


def test_head_falls_back_to_get(site: FixtureSite, fast_config: EngineConfig) -> None:
    from audit.engine.fetch import Fetcher

    site.reset_counts()
    fetched = Fetcher(fast_config).status_of(site.url("/d/head-405"))
    assert fetched.status == 200
    assert site.methods[("HEAD", "/d/head-405")] == 1
    assert site.methods[("GET", "/d/head-405")] == 1


def test_redirect_hops_are_capped(site: FixtureSite, fast_config: EngineConfig) -> None:
    from audit.engine.fetch import Fetcher

    fetched = Fetcher(fast_config).fetch(site.url("/r/long-0"))
    assert fetched.error == "too-many-redirects"
    assert len(fetched.hops) == 10


def test_retry_after_is_capped_and_retries_are_bounded(
    site: FixtureSite, fast_config: EngineConfig
) -> None:
    from audit.engine.deadline import StopSignal
    from audit.engine.fetch import Fetcher

    class RecordingStop(StopSignal):
        """The run's stop signal, recording how long each wait between tries asked for."""

        def __init__(self) -> None:
            super().__init__()
            self.waits: list[float] = []

        def wait(self, seconds: float) -> bool:
            self.waits.append(seconds)
            return super().wait(seconds)

    site.reset_counts()
    stop = RecordingStop()
    fetcher = Fetcher(fast_config, stop=stop)
    fetched = fetcher.fetch(site.url("/d/always-429"))
    assert fetched.status == 429
    assert site.count("/d/always-429") == fast_config.retries + 1
    # Retry-After: 100 on every answer; each wait between tries was capped.
    assert len(stop.waits) == fast_config.retries
    assert all(wait <= fast_config.retry_after_cap for wait in stop.waits)


def test_include_and_exclude_patterns(site: FixtureSite, fast_config: EngineConfig) -> None:
    config = fast_config.replace(
        include=(r"/d/(no|two)-",), exclude=(r"two-h1",), use_sitemaps=False
    )
    result = audit_site(site.url("/defects"), config)
    paths = {p.url.removeprefix(site.base) for p in result.pages}
    assert "/d/no-title" in paths and "/d/two-titles" in paths
    assert "/d/two-h1" not in paths and "/d/images" not in paths


def test_max_depth(site: FixtureSite, fast_config: EngineConfig) -> None:
    config = fast_config.replace(max_depth=1, use_sitemaps=False, check_links=False)
    result = audit_site(site.url("/"), config)
    depths = {p.url.removeprefix(site.base): p.depth for p in result.pages}
    assert depths["/defects"] == 1
    assert "/d/no-title" not in depths  # depth 2


def test_single_page_audits_exactly_one_url(site: FixtureSite, fast_config: EngineConfig) -> None:
    site.reset_counts()
    config = fast_config.replace(single_page=True, check_links=False)
    result = audit_site(site.url("/d/short-title"), config)
    assert [p.url for p in result.pages] == [site.url("/d/short-title")]
    assert [f.check for f in result.pages[0].findings] == ["title-too-short"]
    assert site.count("/sitemap_index.xml") == 0 and site.count("/about") == 0


def test_callbacks_progress_and_per_page(site: FixtureSite, fast_config: EngineConfig) -> None:
    progress: list[tuple[int, int]] = []
    pages: list[PageReport] = []
    config = fast_config.replace(max_pages=10)
    result = audit_site(
        site.url("/"), config, progress=lambda d, k: progress.append((d, k)), on_page=pages.append
    )
    assert {p.url for p in pages} == {p.url for p in result.pages if p.error != "not fetched"}
    assert progress[-1][0] == len(pages)
    assert all(done <= known for done, known in progress)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_cancel_stops_between_pages_and_keeps_results(
    site: FixtureSite, fast_config: EngineConfig
) -> None:
    seen: list[PageReport] = []
    stop = threading.Event()

    def on_page(report: PageReport) -> None:
        seen.append(report)
        if len(seen) >= 3:
            stop.set()

    config = fast_config.replace(concurrency=1, exclude=())
    result = audit_site(
        site.url("/calendar?month=2030-01"), config, on_page=on_page, should_cancel=stop.is_set
    )
    assert result.stats["stop_reason"] == "cancelled" and result.stats["stopped_early"]
    assert 3 <= len(result.pages) <= 5


def test_time_budget_stops_early_with_partial_report(
    site: FixtureSite, fast_config: EngineConfig
) -> None:
    config = fast_config.replace(time_budget=1, concurrency=1, exclude=(), delay=0.1)
    result = audit_site(site.url("/calendar?month=2040-01"), config)
    assert result.stats["stop_reason"] == "time-budget"
    assert 1 <= len(result.pages) < 20


def test_delay_spaces_requests(site: FixtureSite, fast_config: EngineConfig) -> None:
    config = fast_config.replace(delay=0.1, max_pages=4, use_sitemaps=False, check_links=False)
    started = time.monotonic()
    audit_site(site.url("/calendar?month=2050-01"), config)
    # robots.txt + 4 pages = 5 requests, at least 0.1 s apart
    assert time.monotonic() - started >= 0.4


def test_ignore_robots(site: FixtureSite, fast_config: EngineConfig) -> None:
    with pytest.raises(RobotsDisallowed):
        audit_site(site.url("/private/secret"), fast_config.replace(single_page=True))
    result = audit_site(
        site.url("/private/secret"), fast_config.replace(single_page=True, ignore_robots=True)
    )
    assert result.pages[0].status == 200


def test_process_pool_gives_same_findings(
    site: FixtureSite, fast_config: EngineConfig, full: AuditResult
) -> None:
    pooled = audit_site(
        site.url("/"),
        fast_config.replace(parse_workers=2, profile=SiteProfile(views_expected=True)),
    )

    def summary(result: AuditResult) -> dict[str, list[str]]:
        return {
            p.url: sorted(f.check for f in p.findings if f.check not in TIMING_CHECKS)
            for p in result.pages
        }

    expected, got = summary(full), summary(pooled)
    assert {u: got.get(u) for u in expected if got.get(u) != expected[u]} == {}
    assert set(got) == set(expected)


def test_unreachable_start_url_is_reported(fast_config: EngineConfig) -> None:
    with socket_port() as port:
        result = audit_site(f"http://127.0.0.1:{port}/", fast_config.replace(retries=0))
    assert result.start_error is FetchError.CONNECTION_REFUSED
    assert result.stats["start_error"] == "connection-refused"
    assert result.pages[0].status is None


class socket_port:
    """A loopback port with nothing listening on it."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_a_failing_page_does_not_end_the_crawl(
    site: FixtureSite, fast_config: EngineConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.engine.pagejob as pagejob_module

    real = pagejob_module.analyse

    def flaky_analyse(fetched, cfg, scope):  # noqa: ANN001, ANN202
        if fetched.url.endswith("/about"):
            raise RuntimeError("parser bug")
        return real(fetched, cfg, scope)

    monkeypatch.setattr(pagejob_module, "analyse", flaky_analyse)
    result = audit_site(site.url("/"), fast_config.replace(max_pages=5, check_links=False))
    about = result.page(site.url("/about"))
    assert about is not None and about.error == "internal-error: RuntimeError"
    assert result.page(site.url("/")).status == 200  # type: ignore[union-attr]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_finished_crawl_leaves_no_garbage_cycle_holding_its_records(
    site: FixtureSite, fast_config: EngineConfig, workers: int
) -> None:
    """The crawler's page summaries and link targets are freed when audit_site returns, not
    at the next full collection: a cycle through the crawler kept a 10,000-page crawl's
    120,000 records alive into the report rendering. A page whose connection drops makes
    urllib3 keep its exception in a cycle with the frames that fetched the page (/d/drop-once
    here)."""
    import gc

    from audit.engine.checks import PageSummary

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = audit_site(site.url("/"), fast_config.replace(parse_workers=workers))
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, PageSummary)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(result.pages) > 5
    assert result.stats["worker_processes"] == workers
    assert left == []
