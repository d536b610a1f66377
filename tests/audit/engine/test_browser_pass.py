"""The browser pass on real Chromium: what readers see that the server's HTML does not show.

One crawl of the browser fixture site (one pool of contexts) serves most tests; the hang and
the deadline each run one page. Skipped, with the reason, where Debian's chromium is missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_crash import CrashSiteHandler, crash_site
from browser_site import browser_site, page

from audit.engine import AuditResult, EngineConfig, Finding, PageReport, audit_site, check_html
from audit.engine.browser import browser_check_html
from audit.engine.browser.agreement import merge_with_static
from audit.engine.browser.checks import axe_findings, rendered_findings
from audit.engine.browser.observations import RenderedPage
from audit.engine.browser.sample import choose_pages
from tests.chromium import CHROMIUM, needs_chromium
from tests.fixture_server import LoopbackServer, QuietHandler

REPO = Path(__file__).parents[3]
# Generous per-page limit: the machine is shared and axe runs twice per page.
BROWSER_CONFIG = EngineConfig(
    browser=True,
    parse_workers=0,
    timeout=3.0,
    check_links=False,
    browser_page_timeout=20.0,
    browser_settle=0.6,
)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with browser_site(lifetime=300) as running:
        yield running


@pytest.fixture(scope="module")
def crawled(server: LoopbackServer) -> AuditResult:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin")
    return audit_site(server.url("/"), BROWSER_CONFIG.replace(exclude=(r"/hang",)))


def findings_on(result: AuditResult, server: LoopbackServer, path: str) -> list[Finding]:
    report = result.page(server.url(path))
    assert report is not None, f"{path} was not crawled"
    return report.findings


def checks_on(result: AuditResult, server: LoopbackServer, path: str) -> list[str]:
    return [f.check for f in findings_on(result, server, path)]


# -- on real Chromium ------------------------------------------------------------------


@pytest.mark.browser
@needs_chromium
class TestOneCrawl:
    def test_contrast_fails_in_light_and_in_dark_scheme_only(self, crawled, server) -> None:
        contrast = {
            f.selector: f
            for f in findings_on(crawled, server, "/schemes")
            if f.check == "axe/color-contrast"
        }
        assert contrast[".light-bad"].severity == "error"
        assert "(light scheme)" in contrast[".light-bad"].message
        assert "(dark scheme)" in contrast[".dark-bad"].message
        assert "Parking is free" in contrast[".dark-bad"].snippet

    def test_a_site_that_themes_by_script_on_load_is_checked_in_dark(self, crawled, server) -> None:
        """A fresh load under the dark scheme (issue 25): switching the scheme under the
        loaded page never re-ran the page's theme script, so this contrast went unseen."""
        (contrast,) = [
            f
            for f in findings_on(crawled, server, "/script-theme")
            if f.check == "axe/color-contrast" and "comfortable clothes" in f.snippet
        ]
        assert contrast.schemes == ("dark",)
        assert "(dark scheme)" in contrast.message
        assert crawled.stats["browser"]["contrast_by_scheme"]["dark"] >= 2

    def test_a_page_with_no_dark_styles_is_loaded_once_and_the_notes_say_so(
        self, crawled, server
    ) -> None:
        stats = crawled.stats["browser"]
        assert server.url("/light-only") in stats["dark_skipped"]
        assert server.url("/script-theme") not in stats["dark_skipped"]
        assert server.url("/schemes") not in stats["dark_skipped"]
        skipped = len(stats["dark_skipped"])
        assert stats["dark_loads"] + skipped == stats["pages_rendered"]
        assert any(f"on {skipped} of" in note for note in stats["notes"]), stats["notes"]
        # no script of its own: no Total Blocking Time finding, whatever the lab measured
        assert "browser/tbt-high" not in checks_on(crawled, server, "/light-only")

    def test_a_heading_only_a_script_builds(self, crawled, server) -> None:
        built = [
            f
            for f in findings_on(crawled, server, "/script-heading")
            if f.check == "browser/script-only-content"
        ]
        assert [f.message for f in built] == ["heading added by a script: Evening appointments"]
        assert built[0].selector == "#slot > h2"
        assert "browser/script-only-content" not in checks_on(crawled, server, "/schemes")

    def test_a_broken_image_and_not_the_one_that_loads(self, crawled, server) -> None:
        failed = [
            f.message
            for f in findings_on(crawled, server, "/broken-image")
            if f.check == "browser/failed-request"
        ]
        assert failed == [f"image failed (HTTP 404): {server.url('/images/room-gone.png')}"]
        # the 404 is reported once, not again as the console's "Failed to load resource"
        assert "browser/console-error" not in checks_on(crawled, server, "/broken-image")

    def test_a_layout_shift(self, crawled, server) -> None:
        assert "browser/cls-high" in checks_on(crawled, server, "/layout-shift")
        assert "browser/cls-high" not in checks_on(crawled, server, "/schemes")

    def test_a_console_error(self, crawled, server) -> None:
        errors = [
            f.message
            for f in findings_on(crawled, server, "/console-error")
            if f.check == "browser/console-error"
        ]
        assert errors == ["console error: priceTable is not defined"]

    def test_an_aria_reference_to_a_missing_id(self, crawled, server) -> None:
        found = {f.check: f for f in findings_on(crawled, server, "/aria")}
        review = found["axe-review/aria-valid-attr-value"]
        assert review.severity == "notice"
        assert review.message.startswith("needs review: ")
        assert "who-label-gone" in review.snippet
        assert found["axe/label"].severity == "error"
        assert crawled.stats["browser"]["review_findings"] >= 1

    def test_static_and_browser_findings_agree(self, crawled, server) -> None:
        findings = findings_on(crawled, server, "/agreement")
        checks = [f.check for f in findings]
        pairs = {
            "img-alt-missing": "axe/image-alt",
            "heading-empty": "axe/empty-heading",
            "link-empty": "axe/link-name",
            "heading-order": "axe/heading-order",  # one defect, one finding (issue 25)
        }
        for static, axe in pairs.items():
            assert checks.count(static) == 1, static
            assert axe not in checks
            (found,) = [f for f in findings if f.check == static]
            assert found.sources == ("static", axe), found
            assert found.selector and found.snippet
        stats = crawled.stats["browser"]
        assert stats["agreed_with_static"] >= 4
        assert stats["disagreements"] == []

    def test_the_run_records_versions_counts_and_lab_data(self, crawled, server) -> None:
        stats = crawled.stats["browser"]
        assert stats["axe_core_version"] == "4.14.1"
        assert stats["chromium_version"].split(".")[0].isdigit()
        assert stats["pages_rendered"] == stats["pages_planned"] == 10  # all but /hang
        assert stats["pages_failed"] == 0 and stats["error"] is None
        assert stats["peak_rss_mb"] > 0
        lab = stats["lab"][server.url("/layout-shift")]
        assert lab["cls"] > 0.1 and lab["lcp_ms"] > 0 and lab["bytes"] > 0
        assert stats["bytes_by_type"]["img"] > 0 and stats["bytes_by_type"]["document"] > 0
        # the run's totals include the browser's findings
        assert crawled.stats["findings_by_check"]["axe/color-contrast"] >= 2


@pytest.mark.browser
@needs_chromium
def test_a_page_that_never_loads_is_contained(server: LoopbackServer) -> None:
    config = BROWSER_CONFIG.replace(single_page=True, browser_page_timeout=3.0)
    result = audit_site(server.url("/hang"), config)
    failed = [f for f in result.pages[0].findings if f.check == "browser/failed"]
    assert [f.message for f in failed] == [
        "not rendered after a retry: the page did not finish within 3.0 s"
    ]
    stats = result.stats["browser"]
    assert (stats["pages_failed"], stats["retries"], stats["stopped_early"]) == (1, 1, False)
    assert result.page(server.url("/hang")).status == 200  # the crawl's own result stands


@pytest.mark.browser
@needs_chromium
def test_the_time_budget_ends_the_pass_wherever_it_is(server: LoopbackServer) -> None:
    config = BROWSER_CONFIG.replace(single_page=True, time_budget=4.0, browser_page_timeout=60)
    # With a 60 s page timeout, only the run's budget can end this pass early.
    result = audit_site(server.url("/hang"), config)
    stats = result.stats["browser"]
    assert stats["stopped_early"] and stats["pages_skipped"] == 1
    assert result.stop_reason == "time-budget" == result.stats["stop_reason"]
    # cut short by the run, not the page's fault
    assert "browser/failed" not in [f.check for f in result.pages[0].findings]


class CountingHandler(QuietHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).hits += 1
        self.send_body(200, b"", "image/png")


@pytest.mark.browser
@needs_chromium
def test_a_public_audit_browser_may_not_reach_the_local_network(server: LoopbackServer) -> None:
    with LoopbackServer(CountingHandler, lifetime=120) as other:
        config = BROWSER_CONFIG.replace(
            single_page=True, allow_private=False, trusted_hosts=(f"127.0.0.1:{server.port}",)
        )
        result = audit_site(server.url(f"/elsewhere?port={other.port}"), config)
    failed = [f.message for f in result.pages[0].findings if f.check == "browser/failed-request"]
    assert failed == [
        f"image failed (net::ERR_ADDRESS_UNREACHABLE): http://localhost:{other.port}/spy.png"
    ]
    assert CountingHandler.hits == 0


@pytest.mark.browser
@needs_chromium
def test_python_dash_m_audit_with_browser(server: LoopbackServer) -> None:
    argv = [server.url("/"), "--browser", "--browser-sample", "3", "--exclude", "/hang"]
    proc = subprocess.run(
        [sys.executable, "-m", "audit", *argv, "--no-link-check", "--format", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1: findings at error level
    report = json.loads(proc.stdout)
    browser = report["stats"]["browser"]
    assert browser["pages_planned"] == browser["pages_rendered"] == 3
    assert browser["axe_core_version"] == "4.14.1"
    checks = {f["check"] for page in report["pages"] for f in page["findings"]}
    assert any(check.startswith("axe/") for check in checks)


# -- without a browser -----------------------------------------------------------------


def test_a_missing_chromium_is_one_line_before_the_crawl() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "audit", "http://127.0.0.1:9/", "--browser"]
        + ["--chromium", "/nowhere/chromium"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: Chromium not found at /nowhere/chromium: install it (Debian: apt-get install "
        "chromium) or give its path with --chromium / the chromium_path option"
    ]


def test_a_chromium_that_does_not_start_does_not_fail_the_run(server: LoopbackServer) -> None:
    config = BROWSER_CONFIG.replace(single_page=True, chromium_path="/bin/true")
    result = audit_site(server.url("/schemes"), config)
    assert result.pages[0].status == 200  # the crawl's findings stand
    failed = [f.message for f in result.pages[0].findings if f.check == "browser/failed"]
    assert len(failed) == 1 and failed[0].startswith("Chromium at /bin/true did not start: ")
    assert result.stats["browser"]["error"] == failed[0]


def report(url: str, page_type: str | None = None, content_type: str = "text/html") -> PageReport:
    return PageReport(url=url, status=200, content_type=content_type, page_type=page_type)


def test_the_sample_covers_every_kind_of_page_first() -> None:
    pages = [
        report("https://clinic.example/"),
        *(report(f"https://clinic.example/articles/a{n}/", "article") for n in range(6)),
        *(report(f"https://clinic.example/services/s{n}/", "service") for n in range(4)),
        report("https://clinic.example/contact/"),
        report("https://clinic.example/brochure.pdf", content_type="application/pdf"),
    ]
    chosen = [page.url for page in choose_pages(pages, 4)]
    assert chosen == [
        "https://clinic.example/",
        "https://clinic.example/articles/a0/",
        "https://clinic.example/services/s0/",
        "https://clinic.example/contact/",
    ]
    assert len(choose_pages(pages, None)) == 12  # every HTML page, not the PDF


def axe_rule(rule: str, impact: str, selector: str) -> dict:
    return {
        "id": rule,
        "impact": impact,
        "help": f"help for {rule}",
        "nodes": [{"target": [selector], "html": "<x>", "impact": impact, "summary": ""}],
    }


def test_axe_impacts_map_to_severities_and_schemes_merge() -> None:
    light = {"violations": [axe_rule("color-contrast", "serious", ".a")], "incomplete": []}
    dark = {
        "violations": [
            axe_rule("color-contrast", "serious", ".a"),
            axe_rule("region", "moderate", ".b"),
            axe_rule("heading-order", "minor", ".c"),
        ],
        "incomplete": [axe_rule("aria-valid-attr-value", "critical", ".d")],
    }
    page = RenderedPage("https://clinic.example/", "https://clinic.example/", light, dark)
    found = [(f.check, f.severity, f.message) for f in axe_findings(page)]
    assert found == [
        ("axe/color-contrast", "error", "help for color-contrast (light and dark scheme)"),
        ("axe/region", "warning", "help for region (dark scheme)"),
        ("axe/heading-order", "notice", "help for heading-order (dark scheme)"),
        (
            "axe-review/aria-valid-attr-value",
            "notice",
            "needs review: help for aria-valid-attr-value (dark scheme)",
        ),
    ]


def test_browser_only_cases_are_kept_and_disagreements_listed() -> None:
    static = [Finding("img-alt-missing", "error", "static", "main > img", '<img src="a.png">')]
    browser = [
        Finding("axe/image-alt", "error", "axe 1", "img:nth-child(2)", '<img src="b.png">'),
        Finding("axe/image-alt", "error", "axe 2", "img", '<img src="a.png" class="x">'),
    ]
    kept, disagreements = merge_with_static(static, browser, "https://clinic.example/")
    assert [f.message for f in kept] == ["axe 1"]  # another element: e.g. one a script added
    assert static[0].sources == ("static", "axe/image-alt")
    assert static[0].selector == "main > img"
    assert disagreements == [
        {
            "url": "https://clinic.example/",
            "static": "img-alt-missing",
            "static_count": 1,
            "axe": "axe/image-alt",
            "axe_count": 2,
        }
    ]


def test_total_blocking_time_only_where_the_page_runs_scripts_of_its_own() -> None:
    """The first page of a pass measured the browser's own start-up (issue 25): a page with
    no script gets no TBT finding, however long the tasks the lab saw."""
    page = RenderedPage("https://clinic.example/", "https://clinic.example/", tbt_ms=900.0)
    assert "browser/tbt-high" not in [f.check for f in rendered_findings(page, EngineConfig())]
    page.own_scripts = 2
    assert "browser/tbt-high" in [f.check for f in rendered_findings(page, EngineConfig())]


def test_one_defect_found_by_both_passes_is_one_finding_naming_both() -> None:
    """Matched by the declared pair (heading-order <-> axe's heading-order) and the element,
    not by counts: a skip axe sees on another heading stays its own finding."""
    static = [
        Finding(
            "heading-order",
            "warning",
            "<h4> 'Home' follows an <h2>",
            "main > h4",
            "<h4>Home exercises</h4>",
        ),
    ]
    browser = [
        Finding(
            "axe/heading-order",
            "warning",
            "Heading levels should only increase by one",
            "h4",
            '<h4 class="lead">Home exercises</h4>',
        ),
        Finding(
            "axe/heading-order",
            "warning",
            "Heading levels should only increase by one",
            "#late",
            '<h5 id="late">Added by a script</h5>',
        ),
    ]
    kept, _ = merge_with_static(static, browser, "https://clinic.example/")
    assert [f.selector for f in kept] == ["#late"]
    (merged,) = static
    assert merged.check == "heading-order"
    assert merged.sources == ("static", "axe/heading-order")
    assert "heading-order rule" in merged.message
    assert merged.snippet == '<h4 class="lead">Home exercises</h4>'  # the fuller evidence
    assert merged.as_dict()["sources"] == ["static", "axe/heading-order"]


def test_mixed_content_and_disabled_checks() -> None:
    page = RenderedPage("https://clinic.example/", "https://clinic.example/")
    page.insecure_requests = ["http://cdn.example/logo.png", "http://cdn.example/logo.png"]
    page.tbt_ms = 450.0
    page.own_scripts = 1
    found = [f.check for f in rendered_findings(page, EngineConfig())]
    assert found == ["browser/mixed-content", "browser/tbt-high"]
    quiet = EngineConfig(disabled_checks=frozenset({"browser/tbt-high"}))
    assert [f.check for f in rendered_findings(page, quiet)] == ["browser/mixed-content"]


# -- a document no server has (a CMS draft) ----------------------------------------------

DRAFT_HTML = page(
    "Draft: colours and pictures",
    '<p class="faint">Booking opens at eight on weekdays.</p>'
    '<img src="/images/pixel.png" width="1" height="1">'
    '<img src="/images/draft-gone.png" alt="The new waiting room" width="9" height="9">',
    head="<style>.faint{color:#d0d0d0}</style>",
).decode()


@pytest.mark.browser
@needs_chromium
def test_html_checked_in_the_browser_as_if_served_at_its_url(server: LoopbackServer) -> None:
    # The server answers this path with a plain-text 404: the findings below can only come
    # from the HTML handed over, while its images load from the server.
    url = server.url("/news/draft-only/")
    config = BROWSER_CONFIG.replace(single_page=True)
    report = check_html(DRAFT_HTML, url, config=config)
    assert "img-alt-missing" in [f.check for f in report.findings]
    stats = browser_check_html(report, DRAFT_HTML, config)
    assert (stats["pages_rendered"], stats["pages_failed"], stats["error"]) == (1, 0, None)
    found = {(f.check, f.selector) for f in report.findings}
    assert ("axe/color-contrast", "p") in found  # axe names the faint paragraph
    failed = [f.message for f in report.findings if f.check == "browser/failed-request"]
    assert failed == [f"image failed (HTTP 404): {server.url('/images/draft-gone.png')}"]
    # one finding for the missing alt text, the static one (the axe one agreed with it)
    checks = [f.check for f in report.findings]
    assert checks.count("img-alt-missing") == 1 and "axe/image-alt" not in checks
    assert stats["agreed_with_static"] >= 1
    assert stats["lab"][url]["bytes"] > 0


def test_html_check_without_chromium_is_one_finding_and_keeps_the_static_ones() -> None:
    config = BROWSER_CONFIG.replace(single_page=True, chromium_path="/nowhere/chromium")
    report = check_html(DRAFT_HTML, "https://clinic.example/news/draft/", config=config)
    static = [f.check for f in report.findings]
    stats = browser_check_html(report, DRAFT_HTML, config)
    assert stats["error"] == (
        "Chromium not found at /nowhere/chromium: install it (Debian: apt-get install "
        "chromium) or give its path with --chromium / the chromium_path option"
    )
    assert [f.check for f in report.findings if f.check != "browser/failed"] == static
    assert [f.message for f in report.findings if f.check == "browser/failed"] == [stats["error"]]


# -- crashes and hangs, contained per page -----------------------------------------------


@pytest.mark.browser
@needs_chromium
def test_crashes_and_hangs_are_contained_per_page_and_the_run_completes() -> None:
    """Among ordinary pages: a renderer and a whole browser killed under a page (the retry
    renders it), a renderer that dies at every visit and a page that never loads (each a
    browser/failed finding after one retry). Every other page is rendered."""
    with crash_site() as site:
        config = BROWSER_CONFIG.replace(
            browser_contexts=1,  # one context: each kill hits the page being rendered
            browser_page_timeout=6.0,
            include=(r"^/$", "/schemes", "/aria", "/hang", "dies"),
        )
        result = audit_site(site.url("/"), config)
        kills = dict(CrashSiteHandler.kills)
    stats = result.stats["browser"]
    assert result.stop_reason is None and stats["error"] is None
    assert kills["renderer-once"] == 1 and kills["browser-once"] == 1
    assert kills["renderer-always"] >= 2  # the visit and its retry
    failed = {
        page.url.removeprefix(site.url("")): [
            f.message for f in page.findings if f.check == "browser/failed"
        ]
        for page in result.pages
    }
    assert failed.pop("/hang") == [
        "not rendered after a retry: the page did not finish within 6.0 s"
    ]
    (always,) = failed.pop("/renderer-always-dies")
    assert always.startswith("not rendered after a retry: ") and "crashed" in always
    assert all(messages == [] for messages in failed.values()), failed
    assert (stats["pages_planned"], stats["pages_rendered"], stats["pages_failed"]) == (7, 5, 2)
    assert stats["browser_restarts"] >= 1  # the killed browser was replaced
    assert stats["retries"] >= 4  # one per page that crashed or hung
    # the pages after the crashes were checked in full
    schemes = {(f.check, f.selector) for f in findings_on(result, site, "/schemes")}
    assert ("axe/color-contrast", ".light-bad") in schemes
    for path in ("/renderer-dies-once", "/browser-dies-once"):
        assert site.url(path) in stats["lab"], path
