"""The browser pass: after the crawl, render the HTML pages in Chromium and add what readers
would meet (axe-core in light and dark schemes, rendering and lab checks) to the same page
reports, so every report format shows it."""

from __future__ import annotations

import asyncio
import importlib.metadata
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..deadline import StopSignal
from ..errors import AuditError
from ..results import SEVERITY_RANK, PageReport
from ..urls import AddressGuard, host_of
from .agreement import merge_with_static
from .checks import AXE_REVIEW_PREFIX, browser_finding, rendered_findings
from .observations import RenderedPage
from .pool import AXE_VERSION, BrowserPool, BrowserUnavailable, chromium_problem
from .sample import choose_pages

DARK_SKIPPED_KEPT = 50  # pages named in stats["dark_skipped"]; the note counts them all
# axe's contrast rules: counted per colour scheme in the run's stats
CONTRAST_CHECKS = frozenset({"axe/color-contrast", "axe/color-contrast-enhanced"})
# progress(pages rendered, pages to render): the crawl's callback shape, for the pass
BrowserProgressFn = Callable[[int, int], None]

if TYPE_CHECKING:
    from ..config import EngineConfig
    from ..results import AuditResult


def run_browser_pass(
    result: AuditResult,
    cfg: EngineConfig,
    stop: StopSignal,
    progress: BrowserProgressFn | None = None,
) -> dict[str, Any]:
    """Render the crawled pages (or ``cfg.browser_sample`` of them), add the findings to their
    reports, and record the pass in ``result.stats["browser"]`` (also returned).

    ``progress(done, to_render)``: 0 of N as the pass starts, then as each page is rendered
    or given up on (a page that failed after its retry is done too: it will not be tried again).

    Never raises for a page or a browser that fails: a page that cannot be rendered gets a
    ``browser/failed`` finding, a Chromium that cannot start one on the start page; the run's
    cancel and time budget end the pass, keeping what was rendered.
    """
    pages = choose_pages(result.pages, cfg.browser_sample)
    stats = _run_pass(pages, cfg, stop, progress=progress)
    if stats["stopped_early"] and result.stop_reason is None:
        # a cancel or the time budget during the pass: the run's report is partial too
        result.stop_reason = stop.reason
        result.stats["stopped_early"] = True
        result.stats["stop_reason"] = result.stop_reason
    result.stats["browser"] = stats
    result.stats["findings_by_severity"] = result.counts_by_severity()
    result.stats["findings_by_check"] = result.counts_by_check()
    return stats


def browser_check_html(
    report: PageReport, html: str, cfg: EngineConfig, stop: StopSignal | None = None
) -> dict[str, Any]:
    """Render ``html`` in Chromium as if the server at ``report.url`` had sent it, and add the
    browser findings to ``report``, merged with its static findings as in a run.

    For a document no server has yet (a CMS draft): the page gets its real URL, so its
    images, styles and scripts load from the real site, under ``cfg``'s address rules. Never
    raises for Chromium: a missing or crashing one is a ``browser/failed`` finding and the
    returned stats' ``error``.
    """
    url = report.final_url or report.url
    return _run_pass([report], cfg, stop or StopSignal(), served={url: html})


def _run_pass(
    pages: list[PageReport],
    cfg: EngineConfig,
    stop: StopSignal,
    served: dict[str, str] | None = None,
    progress: BrowserProgressFn | None = None,
) -> dict[str, Any]:
    clock = time.monotonic()
    stats: dict[str, Any] = {
        "axe_core_version": AXE_VERSION,
        "playwright_version": importlib.metadata.version("playwright"),
        "chromium_version": None,
        "contexts": cfg.browser_contexts,
        "pages_planned": len(pages),
        "pages_rendered": 0,
        "pages_failed": 0,
        "pages_skipped": 0,
        "retries": 0,
        "browser_restarts": 0,
        "review_findings": 0,
        "agreed_with_static": 0,
        "disagreements": [],
        "bytes_by_type": {},  # transferred bytes over all rendered pages, by resource type
        "lab": {},  # url -> {"lcp_ms", "cls", "tbt_ms", "bytes"} for each rendered page
        "dark_loads": 0,  # pages loaded a second time under the dark scheme
        "dark_skipped": [],  # pages with no dark styles at all: not loaded in dark
        # contrast findings (axe's color-contrast rules) per colour scheme they were seen in
        "contrast_by_scheme": {"light": 0, "dark": 0},
        "notes": [],  # one line each, for every report: what the pass did not do, and why
        "peak_rss_mb": None,
        "stopped_early": False,
        "error": None,
    }
    if pages and not stop.stopped():
        try:
            asyncio.run(_render_pages(pages, cfg, stop, stats, served, progress))
        except AuditError as exc:
            stats["error"] = str(exc)
            if not stop.stopped():
                pages[0].findings.append(browser_finding("browser/failed", str(exc)))
    stats["pages_skipped"] = len(pages) - stats["pages_rendered"] - stats["pages_failed"]
    light_only = stats["pages_rendered"] - stats["dark_loads"]
    if light_only > 0:
        stats["notes"].append(
            f"Dark colour scheme not checked on {light_only} of {stats['pages_rendered']} "
            "pages: they have no dark styles (no prefers-color-scheme media query, no "
            "light-dark(), no script reading the scheme), so readers get the light page."
        )
    stats["stopped_early"] = stats["pages_skipped"] > 0 and stop.stopped()
    duration = time.monotonic() - clock
    stats["duration_s"] = round(duration, 3)
    stats["pages_per_second"] = round(stats["pages_rendered"] / duration, 2) if duration else None
    for report in pages:
        report.findings.sort(key=lambda f: SEVERITY_RANK[f.severity])
    return stats


async def _render_pages(
    pages: list[PageReport],
    cfg: EngineConfig,
    stop: StopSignal,
    stats: dict[str, Any],
    served: dict[str, str] | None,
    progress: BrowserProgressFn | None = None,
) -> None:
    problem = chromium_problem(cfg.chromium_path)
    if problem:  # before resolving any host: a missing browser is the one thing to say
        raise BrowserUnavailable(problem)
    by_url = {page.final_url or page.url: page for page in pages}
    guard = AddressGuard(
        host_of(next(iter(by_url))),
        allow_private=cfg.allow_private,
        trusted_hosts=cfg.trusted_hosts,
    )
    pool = BrowserPool(cfg, stop, guard, served)
    finished = 0
    if progress is not None:
        progress(0, len(by_url))  # before Chromium starts, which takes a moment

    def on_page(url: str, outcome: RenderedPage | str) -> None:
        nonlocal finished
        _add_outcome(url, outcome)
        finished += 1
        if progress is not None:
            progress(finished, len(by_url))

    def _add_outcome(url: str, outcome: RenderedPage | str) -> None:
        report = by_url[url]
        if isinstance(outcome, str):
            report.findings.append(
                browser_finding("browser/failed", f"not rendered after a retry: {outcome}")
            )
            return
        stats["lab"][url] = {
            "lcp_ms": None if outcome.lcp_ms is None else round(outcome.lcp_ms),
            "cls": round(outcome.cls, 4),
            "tbt_ms": round(outcome.tbt_ms),
            "bytes": sum(outcome.bytes_by_type.values()),
        }
        if outcome.dark_styles:
            stats["dark_loads"] += 1
        elif len(stats["dark_skipped"]) < DARK_SKIPPED_KEPT:
            stats["dark_skipped"].append(url)
        totals = stats["bytes_by_type"]
        for kind, size in outcome.bytes_by_type.items():
            totals[kind] = totals.get(kind, 0) + size
        found = rendered_findings(outcome, cfg)
        for finding in found:
            if finding.check in CONTRAST_CHECKS:
                for scheme in finding.schemes:
                    stats["contrast_by_scheme"][scheme] += 1
        kept, disagreements = merge_with_static(report.findings, found, url)
        stats["agreed_with_static"] += len(found) - len(kept)
        stats["disagreements"].extend(disagreements)
        stats["review_findings"] += sum(f.check.startswith(AXE_REVIEW_PREFIX) for f in kept)
        report.findings.extend(kept)

    try:
        await pool.start()
        stats["chromium_version"] = pool.chromium_version
        await pool.render_all(list(by_url), on_page)
    finally:
        await pool.close()
        counts = pool.counts
        stats["pages_rendered"] = counts.loaded
        stats["pages_failed"] = counts.failed
        stats["retries"] = counts.retries
        stats["browser_restarts"] = counts.browser_restarts
        peak = pool.rss.peak_bytes
        stats["peak_rss_mb"] = None if peak is None else round(peak / 2**20, 1)
