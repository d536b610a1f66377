"""The crawl: start, robots.txt, sitemaps, pages, link checks, site checks, the result.

One loop (``_drive``) does all the fetching after the start page: it takes work from a
source (the frontier's pages, then the link targets, then the images), hands it to the
downloader (downloader.py: worker processes, each with a few fetch threads, so a crawl
uses every core; threads of this process for small crawls, crawls with a delay,
``parse_workers=0`` and after a worker died), and gives each result back to its source.
``CrawlStats`` is the one place that counts. Only per-page facts are kept, never HTML, and
the frontier never grows past max_pages. A page whose fetch timed out or could not connect
goes back to the frontier's retry queue and is fetched again, with a longer timeout, once
the first-time pages are out.

The run stops early on ``should_cancel`` or the time budget, checked by a watchdog that
also cuts short every request in flight (deadline.py), so a stop takes effect in about a
tenth of a second plus the time to close worker processes, wherever the run is.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urljoin

from .checks import (
    FirstLoad,
    PageSummary,
    SiteView,
    TargetStatus,
    Triples,
    run_site_checks,
    urls_of,
)
from .checks.page import slow_response_finding
from .config import EngineConfig
from .deadline import StopSignal
from .downloader import Downloader, ProcessDownloader, Result, ThreadDownloader
from .errors import AuditError, FetchError, UnsafeTarget, fetch_failure
from .fetch import HTML_TYPES, Fetcher
from .frontier import Frontier, PageTask, is_file_url
from .linkcheck import LinkCheckCounts, LinkChecker, StatusResult, link_check_todo
from .pagejob import JobResult, Outcome, PageJob
from .policy import CrawlPolicy
from .results import (
    NOT_FETCHED,
    SEVERITY_RANK,
    AuditResult,
    Completeness,
    Finding,
    PageReport,
    StopReason,
)
from .resume import KeptPage, page_state
from .robots import RobotsRules
from .sitemaps import SitemapResult, collect, off_site_roots
from .throttle import ConcurrencyController
from .urls import AddressGuard, Scope, host_of, normalize_url, validate_start_url
from .version import UA_TOKEN
from .workers import WorkerPool, WorkerSetup, WorkersFailed

ProgressFn = Callable[[int, int], None]
PageFn = Callable[[PageReport], None]
StateFn = Callable[[str, dict[str, Any]], None]
CancelFn = Callable[[], bool]

log = logging.getLogger(__name__)

# Below this many pages a worker process costs more to start than it saves.
POOL_MIN_PAGES = 20
# How long the crawl loop waits for a page before looking at the stop signal again.
WAIT_SECONDS = 0.25
# Why a crawl is incomplete, besides the StopReason values and the frontier's limits.
INCOMPLETE_TRAP = "crawl-trap"
INCOMPLETE_FETCH_FAILURES = "fetch-failures"
INCOMPLETE_LINK_LIMIT = "link-check-limit"
# A page that looked slow under the crawl's concurrency is measured again on its own; the
# slowest this many are, the others keep the figure seen during the crawl.
SLOW_CHECK = "slow-response"
SLOW_REMEASURE_MAX_PAGES = 20


class RobotsDisallowed(AuditError):
    """robots.txt disallows the start URL for our user agent (or is unavailable)."""


@dataclass
class CrawlStats:
    """The one place the run counts as it goes; the report's stats are built from these."""

    pages_fetched: int = 0  # page fetches finished (a page fetched again counts again)
    pages_retried: int = 0  # pages queued for another attempt later in the run
    pages_recovered: int = 0  # of those, pages a later attempt fetched
    other_requests: int = 0  # requests not made by this process's main fetcher
    workers_used: int = 0
    crawl_delay: float | None = None
    sitemaps: dict[str, object] = field(default_factory=dict)
    links: LinkCheckCounts = field(default_factory=LinkCheckCounts)
    images_checked: int = 0
    images_unchecked: int = 0  # beyond link_check_limit, or left when the run stopped

    def page_done(self, result: JobResult, task: PageTask, *, fetches: int, remote: bool) -> None:
        self.pages_fetched += fetches
        if remote or task.attempt:
            self.other_requests += result.requests
        if task.attempt and not result.retry_later:
            self.pages_recovered += 1

    def check_done(self, result: StatusResult, *, remote: bool) -> None:
        if remote:
            self.other_requests += result.requests


class Crawler:
    def __init__(
        self,
        start_url: str,
        config: EngineConfig | None = None,
        *,
        progress: ProgressFn | None = None,
        on_page: PageFn | None = None,
        should_cancel: CancelFn | None = None,
        resume_from: Iterable[KeptPage] = (),
        on_state: StateFn | None = None,
        browser_progress: ProgressFn | None = None,
    ) -> None:
        self.config = cfg = config or EngineConfig()
        self.start_url = validate_start_url(start_url)
        self.progress = progress
        self.browser_progress = browser_progress
        self.on_page = on_page
        self.on_state = on_state
        # Pages an interrupted earlier attempt of this run fetched: taken as they are.
        self._kept: dict[str, KeptPage] = {kept.report.url: kept for kept in resume_from}
        deadline = time.monotonic() + cfg.time_budget if cfg.time_budget is not None else None
        self.stop = StopSignal(should_cancel, deadline)
        self.guard = AddressGuard(
            host_of(self.start_url),
            allow_private=cfg.allow_private,
            trusted_hosts=cfg.trusted_hosts,
        )
        for host in cfg.extra_hosts:
            if not self.guard.allowed(host):
                # Not "a public site's crawl": the start may be a trusted local site.
                raise UnsafeTarget(
                    f"extra host {host!r} resolves to a private or reserved address, which "
                    "this audit may not reach: remove it from extra_hosts, or trust it in "
                    "trusted_hosts (from the CMS: the SEO_AUDIT_ALLOWED_HOSTS setting)"
                )
        self.scope = Scope(self.start_url, cfg.extra_hosts, cfg.include, cfg.exclude)
        self.policy = CrawlPolicy(self.scope, self.guard, ignore_robots=cfg.ignore_robots)
        self.throttle = ConcurrencyController(cfg.concurrency) if cfg.adaptive_concurrency else None
        self.fetcher = Fetcher(
            cfg,
            may_request=self.policy.refusal,
            guard=self.guard,
            stop=self.stop,
            throttle=self.throttle,
        )
        self.policy.fetcher = self.fetcher
        # Not a bound method of the crawler: the job would hold it in a cycle.
        make_fetcher = partial(
            _fetcher_like,
            self.fetcher,
            may_request=self.policy.refusal,
            guard=self.guard,
            stop=self.stop,
        )
        self.job = PageJob(self.fetcher, cfg, self.scope, make_fetcher)
        self.frontier = Frontier(
            self.scope,
            self.policy.robots_allows,
            cfg.page_limit,
            cfg.max_depth,
            cfg.trap_budget,
            retry_limit=cfg.page_retry_max if cfg.page_retries else 0,
        )
        self.abandoned: set[str] = set()  # taken from the queue, cut short by the stop
        # slow-response findings waiting for their page's re-measurement: the page itself
        # goes to on_page (and so to storage) at once, the finding once it is confirmed.
        self._slow_held: list[tuple[PageReport, Finding]] = []
        # Pages slow or unanswered on their first request only (slow-first-load), and why
        # the first attempt of each page queued again failed.
        self.first_loads: dict[str, FirstLoad] = {}
        self._first_failures: dict[str, FetchError] = {}
        self.images: dict[str, TargetStatus] = {}  # image URL -> its answer
        self.stats = CrawlStats()
        self.reports: dict[str, PageReport] = {}
        self.summaries: dict[str, PageSummary] = {}
        self.targets: dict[str, TargetStatus] = {}
        # Worker processes or threads, from the first page after the start to the last
        # image check.
        self._downloader: Downloader | None = None
        self.sitemap_urls: list[str] = []
        self.sitemap_found: SitemapResult | None = None
        self._targets_linked: dict[str, None] | None = None  # filled once the crawl is over

    # -- rules ---------------------------------------------------------------------------

    def robots_for(self, url: str) -> RobotsRules:
        return self.policy.robots_for(url)

    def robots_allows(self, url: str) -> bool:
        return self.policy.robots_allows(url)

    @property
    def stop_reason(self) -> StopReason | None:
        return self.stop.reason

    def _should_stop(self) -> bool:
        return self.stop.stopped()

    # -- one page ------------------------------------------------------------------------

    def _record_job(
        self, result: JobResult, task: PageTask, *, fetches: int = 1, remote: bool = False
    ) -> bool:
        """Keep a finished page's outcomes (or queue it for a later attempt); False for a
        page the stopping run cut short or one to fetch again."""
        if any(o.target.error == FetchError.CANCELLED for o in result.outcomes):
            self.abandoned.add(result.url)
            return False
        self.stats.page_done(result, task, fetches=fetches, remote=remote)
        if remote and self.throttle is not None:
            # Requests of this process's fetchers are observed as they happen; a worker
            # process's are seen here, one per page.
            for outcome in result.outcomes:
                report = outcome.report
                latency = None if report.response_ms is None else report.response_ms / 1000
                self.throttle.observe(latency, failed=fetch_failure(report.error) is not None)
        if self._retry_later(result, task):
            return False
        for outcome in result.outcomes:
            if outcome.redirect_target and not self.frontier.mark_seen(outcome.url):
                continue  # known already: fetched (or queued) under its own URL
            self._record(outcome)
        self._note_first_load(result, task)
        return True

    def _note_first_failure(self, result: JobResult, task: PageTask) -> None:
        if task.attempt == 0 and result.outcomes:
            error = fetch_failure(result.outcomes[0].report.error)
            if error is not None:
                self._first_failures[result.url] = error

    def _note_first_load(self, result: JobResult, task: PageTask) -> None:
        """A page a later attempt fetched after its first one failed: slow on first load."""
        first_error = self._first_failures.pop(result.url, None) if task.attempt else None
        report = self.reports.get(result.url)
        if first_error is None or report is None or report.error is not None:
            return
        if report.response_ms is not None:
            self.first_loads[result.url] = FirstLoad(report.response_ms, first_error=first_error)

    def _record(self, outcome: Outcome) -> None:
        outcome.summary.links = Triples.interned(outcome.summary.links)
        outcome.summary.images = Triples.interned(outcome.summary.images)
        self.targets[outcome.url] = outcome.target
        if self._is_file(outcome):
            return  # a target, not a page: reported on the pages that link to it
        self.reports[outcome.url] = outcome.report
        self.summaries[outcome.url] = outcome.summary
        self._hold_slow_finding(outcome.report)
        if self.on_state is not None:  # first: on_page may store the page at once
            self.on_state(outcome.url, page_state(outcome.summary, outcome.target))
        if self.on_page is not None:
            self.on_page(outcome.report)
        self._offer_links(outcome.url, outcome.summary, outcome.depth)

    def _offer_links(self, url: str, summary: PageSummary, depth: int | None) -> None:
        if self.config.single_page:
            return
        offer = self.frontier.offer
        for link_url in urls_of(summary.links):
            offer(link_url, (depth or 0) + 1, url)

    def _take_kept(self) -> None:
        """Take the kept pages of an interrupted attempt as if just fetched (they are stored
        already, so on_page does not get them), and queue the pages they link to."""
        for url, kept in self._kept.items():
            self.frontier.mark_seen(url)
            self.reports[url] = kept.report
            self.summaries[url] = kept.summary
            self.targets[url] = kept.target
            # The slow-response finding was held for re-measurement, which never came.
            slow = slow_response_finding(kept.report.response_ms, self.config)
            if slow is not None and all(f.check != SLOW_CHECK for f in kept.report.findings):
                self._slow_held.append((kept.report, slow))
        for url, kept in self._kept.items():
            self._offer_links(url, kept.summary, kept.report.depth)
        self._report_progress()

    def _retry_later(self, result: JobResult, task: PageTask) -> bool:
        """Queue a page whose fetch timed out or could not connect for another attempt,
        if it has attempts left and the run has retries left."""
        if not result.retry_later or task.attempt >= self.config.page_retries:
            return False
        if self._should_stop() or not self.frontier.retry(task):
            return False
        self.stats.pages_retried += 1
        self._note_first_failure(result, task)
        return True

    def _hold_slow_finding(self, report: PageReport) -> None:
        """Take a slow-response finding off the page until it is re-measured, so the page
        is stored now and the finding only if the page is still slow when measured alone."""
        slow = next((f for f in report.findings if f.check == SLOW_CHECK), None)
        if slow is not None:
            report.findings.remove(slow)
            self._slow_held.append((report, slow))

    def _is_file(self, outcome: Outcome) -> bool:
        """An answer that is not an HTML document (a PDF, an image) from a URL that did
        not look like a file: a link target, not a page. The start URL is always a page."""
        report = outcome.report
        mime = (report.content_type or "").split(";", 1)[0].strip().lower()
        return (
            outcome.url != self.start_url
            and not report.redirects
            and report.error is None
            and mime not in ("", *HTML_TYPES)
            and not outcome.summary.ok_html
        )

    def _in_flight_limit(self) -> int:
        return self.throttle.limit if self.throttle is not None else self.config.concurrency

    # -- the run -------------------------------------------------------------------------

    def run(self) -> AuditResult:
        started = datetime.now(UTC)
        clock = time.monotonic()
        try:
            start_robots = self._start_robots()
            self._apply_crawl_delay(start_robots)
            self._start()
            self._take_kept()
            if self._start_error() is None:
                self.stats.sitemaps = self._sitemaps(start_robots)
                self._crawl()
                self._check_links()
                self._check_images()
                self._close_downloader()
                self._remeasure_slow()
        finally:
            self._close_downloader()
            self.job.close()
            self.fetcher.close()
        result = self._result(started, time.monotonic() - clock, start_robots)
        if self.config.browser:
            # Imported here: Playwright costs each process (worker processes included)
            # ~10 MB and a crawl without the browser pass never uses it.
            from .browser import run_browser_pass  # noqa: PLC0415

            run_browser_pass(result, self.config, self.stop, progress=self.browser_progress)
        return result

    def _start_robots(self) -> RobotsRules:
        """The start origin's robots.txt; RobotsDisallowed if it keeps us out."""
        rules = self.robots_for(self.start_url)
        if self.config.ignore_robots:
            return rules
        if rules.disallow_all:
            raise RobotsDisallowed(
                f"robots.txt of {self.start_url} answered HTTP {rules.status}, "
                "which means the site may not be crawled now (as search engines read it); "
                "fix robots.txt or use --ignore-robots to audit it anyway"
            )
        if not rules.allowed(self.start_url):
            raise RobotsDisallowed(
                f"robots.txt disallows {self.start_url} for {UA_TOKEN}; "
                "use --ignore-robots to audit it anyway"
            )
        return rules

    def _start(self) -> None:
        """Fetch the start URL; if it redirects to another host or scheme, adopt that site."""
        self.frontier.mark_seen(self.start_url)
        kept = self._kept.get(self.start_url)
        if kept is not None:
            # Fetched by the interrupted attempt: adopt the site it redirected to, as then.
            final = kept.report.final_url
            if final and kept.report.redirects and self.guard.allowed(host_of(final)):
                self.scope.adopt(final)
            return
        fetched = self.fetcher.fetch(self.start_url)
        fetches = 1
        for _ in range(3):
            elsewhere = (
                fetched.error == FetchError.REDIRECT_NOT_FOLLOWED
                and fetched.error_detail == "out-of-scope"
            )
            if not elsewhere or not fetched.final_url:
                break
            target = fetched.final_url
            if not self.guard.allowed(host_of(target)):
                break
            # example.org -> https://www.example.org/: the user means the latter site.
            self.scope.adopt(target)
            fetched = self.fetcher.fetch(self.start_url)
            fetches += 1
        task = PageTask(self.start_url, 0)
        result = self.job.handle(fetched, self.start_url, 0)
        # Nothing else to do before the start page answers: its later attempts come now.
        while result.retry_later and task.attempt < self.config.page_retries:
            if self._should_stop():
                break
            self.stats.pages_retried += 1
            self._note_first_failure(result, task)
            task = task._replace(attempt=task.attempt + 1)
            result = self.job.run(self.start_url, 0, task.attempt)
            fetches += 1
        self._record_job(result, task, fetches=fetches)
        self._report_progress()

    def _start_error(self) -> FetchError | str | None:
        report = self.reports.get(self.start_url)
        if report is None:
            # Not recorded: either the run stopped before it answered, or a bug.
            return None if self.stop_reason is not None else "start URL was not fetched"
        # Redirected or not: a start URL whose redirect was refused (file://, a private
        # address, a loop) or whose target failed gave no page to audit.
        return report.error or None

    def _apply_crawl_delay(self, robots: RobotsRules) -> None:
        """robots.txt Crawl-delay for our user agent is a minimum delay, capped."""
        if self.config.ignore_robots or robots.crawl_delay is None:
            return
        self.stats.crawl_delay = robots.crawl_delay
        self.fetcher.slow_down(min(robots.crawl_delay, self.config.max_crawl_delay))

    def _sitemaps(self, robots: RobotsRules) -> dict[str, object]:
        if not self.config.use_sitemaps or self.config.single_page:
            return {
                "sitemap_files": 0,
                "sitemap_urls": 0,
                "sitemap_errors": [],
                "sitemap_truncated": None,
                "sitemap_out_of_scope": 0,
            }
        roots = [u for u in (normalize_url(s) for s in robots.sitemaps) if u]
        guessed = frozenset()
        if not roots:
            guessed = frozenset({urljoin(self.start_url, "/sitemap.xml")})
            roots = list(guessed)
        found = collect(
            self.fetcher,
            [r for r in roots if self.scope.is_internal(r)],
            self.config,
            self.scope.is_internal,
            quiet_missing=guessed,
            should_stop=self._should_stop,
        )
        found.off_site = off_site_roots(roots, self.start_url, self.scope.is_internal)
        self.sitemap_urls = found.urls
        self.sitemap_found = found
        for url in found.urls:
            self.frontier.offer(url, 1)
        return {
            "sitemap_files": len(found.files),
            "sitemap_urls": len(found.urls),
            "sitemap_errors": found.errors,
            "sitemap_truncated": found.truncated,
            "sitemap_out_of_scope": found.out_of_scope_count,
        }

    def _worker_count(self) -> int:
        if self.fetcher.delay > 0:
            return 0  # the delay is kept by one fetcher; the crawl is delay-bound anyway
        workers = self.config.parse_workers
        if workers is None:
            cpus = os.cpu_count() or 1
            many = self.config.page_limit > POOL_MIN_PAGES and len(self.frontier) > 1
            workers = cpus if many and cpus > 1 else 0
        return workers

    def _crawl(self) -> None:
        workers = self._worker_count()
        if workers > 0 and self.frontier:
            self._downloader = self._start_workers(workers)
        self._drive(_Pages(self))
        # Closing the workers tells them to cut short the pages they were given: a stopped
        # crawl (nothing more to check) keeps none.
        if self._should_stop():
            self._close_downloader()

    def _start_workers(self, workers: int) -> Downloader | None:
        # Workers get the robots.txt rules of every origin in scope, read once here.
        for origin in self.policy.scope_origins():
            self.robots_for(origin + "/")
        threads = max(1, -(-self.config.concurrency // workers))
        setup = WorkerSetup(
            config=self.config, policy=self.policy, threads=threads, deadline=self.stop.deadline
        )
        try:
            pool = WorkerPool(setup, workers)
        except (OSError, AssertionError, RuntimeError) as exc:
            # e.g. called from a daemonic process, which may not have children
            log.warning("cannot start audit worker processes (%s); using threads", exc)
            return None
        self.stats.workers_used = workers
        return ProcessDownloader(pool, self._in_flight_limit, self.config.concurrency)

    def _threads(self) -> Downloader:
        return ThreadDownloader(self.job, self.fetcher, self._in_flight_limit)

    def _close_downloader(self) -> None:
        downloader, self._downloader = self._downloader, None
        if downloader is not None:
            downloader.close()

    def _drive(self, source: _Source) -> None:
        """The crawl loop: keep the downloader's window full from ``source`` and give each
        result back to it, until the source is empty or the run stops. A worker process
        that dies hands its work to threads of this process."""
        if self._downloader is None:
            self._downloader = self._threads()
        in_flight: dict[str, PageTask | str] = {}
        while (source or in_flight) and not self._should_stop():
            downloader = self._downloader
            room = downloader.window(checks=source.checks) - len(in_flight)
            tasks = source.take(room) if room > 0 else []
            try:
                if tasks:
                    # In flight before they are sent: a worker that dies while they are being
                    # sent fails the submit, and they are put back with the rest.
                    in_flight.update((_key(task), task) for task in tasks)
                    downloader.submit(tasks)
                # Every result at hand before the next submit: the tasks that replace them
                # go in one message to each worker.
                results = downloader.results(WAIT_SECONDS)
            except WorkersFailed as exc:
                log.warning("%s; carrying on in this process", exc)
                source.put_back(in_flight.values())
                in_flight.clear()
                downloader.close()
                self._downloader = self._threads()
                continue
            self._deliver(source, results, in_flight, remote=downloader.remote)
        # Stopping: what finishes as the requests are cut short is kept; the rest is not.
        self._deliver(source, self._downloader.drain(), in_flight, remote=self._downloader.remote)
        source.abandon(in_flight.values())

    @staticmethod
    def _deliver(
        source: _Source,
        results: list[Result],
        in_flight: dict[str, PageTask | str],
        *,
        remote: bool,
    ) -> None:
        for result in results:
            task = in_flight.pop(result.url, None)
            if task is not None:
                source.done(result, task, remote=remote)
        source.delivered()

    def _statuses(self, urls: list[str]) -> dict[str, TargetStatus | None]:
        """Status of each URL (None where the run stopped first), checked by the downloader."""
        checks = _Checks(self, urls)
        self._drive(checks)
        return checks.found

    def _link_checker(self) -> LinkChecker:
        """Checks link targets and images, through the crawl loop."""
        return LinkChecker(self.robots_allows, self.config.link_check_limit, self._statuses)

    def _report_progress(self) -> None:
        if self.progress is not None:
            self.progress(len(self.reports), len(self.frontier.seen))

    def _check_links(self) -> None:
        """Status of every internal link target (and canonical) that was not crawled."""
        if not self.config.check_links or self._should_stop():
            return
        wanted = link_check_todo(self._link_targets(), self.summaries, self.targets, self.scope)
        # Files the sitemap lists (never queued as pages) are targets too: sitemap-url-not-ok
        # must know whether they answer, linked from a page or not.
        for url in self.sitemap_urls:
            if url not in self.targets and is_file_url(url):
                wanted.setdefault(url, None)
        if self.frontier.traps is not None:
            for url in self.frontier.traps.refused():
                wanted.pop(url, None)  # a trap's URLs past its budget are not requested at all
        found, self.stats.links = self._link_checker().run(wanted, self.frontier.robots_skipped)
        self.targets.update(found)

    def _check_images(self) -> None:
        """Request every internal image (and og:image) once: status, type and size."""
        if not self.config.check_links or self._should_stop():
            return
        wanted: dict[str, None] = {}
        for summary in self.summaries.values():
            wanted.update(dict.fromkeys(urls_of(summary.images)))
            wanted.update(dict.fromkeys(summary.og_images))
        known = {url: self.targets[url] for url in wanted if url in self.targets}
        todo = {url: None for url in wanted if url not in known}
        found, counts = self._link_checker().run(todo, self.frontier.robots_skipped)
        self.images = {**known, **found}
        self.stats.images_checked = counts.checked
        self.stats.images_unchecked = counts.unchecked

    def _remeasure_slow(self) -> None:
        """Measure each page that looked slow again, alone and a few times in a row: keep
        its finding (with the figures) only when the median is over the threshold."""
        times = self.config.slow_remeasure
        if times == 0:
            return
        limit = self.config.thresholds.slow_response_ms
        slowest = sorted(self._slow_held, key=lambda held: -(held[0].response_ms or 0))
        dropped: set[int] = set()
        for report, slow in slowest[:SLOW_REMEASURE_MAX_PAGES]:
            measured = []
            for _ in range(times):
                fetched = self.fetcher.fetch(report.final_url or report.url, want_body="none")
                if fetched.error is not None or fetched.response_ms is None:
                    break
                measured.append(fetched.response_ms)
            if len(measured) < times:
                continue  # stopped or failed: keep what the crawl saw
            median = statistics.median(measured)
            if median <= limit:
                dropped.add(id(slow))
                url = report.url
                if url not in self.first_loads and report.response_ms is not None:
                    self.first_loads[url] = FirstLoad(median, first_ms=report.response_ms)
                continue
            figures = ", ".join(f"{ms:.0f}" for ms in measured)
            slow.message = (
                f"Time to first byte: median {median:.0f} ms over {times} requests made one "
                f"at a time ({figures} ms; {report.response_ms:.0f} ms during the crawl); "
                f"limit {limit} ms."
            )
        self._slow_held = [held for held in self._slow_held if id(held[1]) not in dropped]

    def _release_held(self) -> None:
        """Give the confirmed (or never re-measured) slow-response findings back to their
        pages; the store writes them with the site-wide findings."""
        held, self._slow_held = self._slow_held, []
        for report, slow in held:
            report.findings.append(slow)

    def _link_targets(self) -> dict[str, None]:
        """Every internal link target of the crawled pages, in the order first linked."""
        if self._targets_linked is None:
            self._targets_linked = dict.fromkeys(
                target for summary in self.summaries.values() for target in urls_of(summary.links)
            )
        return self._targets_linked

    # -- the result ----------------------------------------------------------------------

    def _not_audited(self) -> tuple[list[str], set[str]]:
        """Why the crawl is incomplete (empty when it is not), and the in-scope URLs
        discovered but never audited."""
        frontier = self.frontier
        reasons: list[str] = []
        missed: set[str] = set(frontier.waiting()) | self.abandoned
        if self.stop_reason is not None:
            reasons.append(str(self.stop_reason))
        reasons.extend(sorted(frontier.limits_hit))
        missed |= frontier.not_queued - frontier.seen
        if frontier.traps is not None and frontier.traps.traps:
            reasons.append(INCOMPLETE_TRAP)
            missed |= frontier.traps.refused()
        failed = {url for url, s in self.targets.items() if s.failed is not None}
        if failed:
            reasons.append(INCOMPLETE_FETCH_FAILURES)
            missed |= failed
        if self.stats.links.unchecked:
            reasons.append(INCOMPLETE_LINK_LIMIT)
            linked = self._link_targets()
            missed |= {url for url in linked if url not in self.targets} - frontier.robots_skipped
        return reasons, missed

    def _result(self, started: datetime, duration: float, robots: RobotsRules) -> AuditResult:
        self._release_held()
        reasons, missed = self._not_audited()
        crawl_complete = not reasons
        start_error = self._start_error()  # before site findings may add a stub start page
        # Before site findings add stubs for URLs never requested.
        attempted = len(self.reports)
        not_fetched = sum(1 for r in self.reports.values() if fetch_failure(r.error) is not None)
        self._add_site_findings(robots, crawl_complete)
        pages = list(self.reports.values())
        result = AuditResult(
            start_url=self.start_url,
            started_at=started.isoformat(timespec="seconds"),
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            settings=self.config.as_dict(),
            stats={},
            pages=pages,
            complete=crawl_complete,
            stop_reason=self.stop_reason,
            start_error=start_error,
            incomplete_reasons=reasons,
            urls_not_audited=len(missed),
            crawl_completeness=_completeness(self.stop_reason, not_fetched, reasons),
            pages_not_fetched=not_fetched,
        )
        result.stats = self._stats(result, duration, robots)
        result.stats["pages_attempted"] = attempted
        return result

    def _add_site_findings(self, robots: RobotsRules, crawl_complete: bool) -> None:
        site = SiteView(
            start_url=self.start_url,
            pages=self.summaries,
            targets=self.targets,
            sitemap_urls=set(self.sitemap_urls),
            robots=robots,
            crawl_complete=crawl_complete,
            traps=list(self.frontier.traps.traps.values()) if self.frontier.traps else [],
            images=self.images,
            first_loads=self.first_loads,
        )
        if self.sitemap_found is not None:
            site.sitemap_files = len(self.sitemap_found.files)
            site.sitemap_out_of_scope = self.sitemap_found.out_of_scope
            site.sitemap_out_of_scope_count = self.sitemap_found.out_of_scope_count
            site.sitemap = self.sitemap_found
        for url, finding in run_site_checks(site, self.config):
            report = self.reports.get(url)
            if report is None:
                # e.g. a sitemap URL robots.txt kept us from fetching
                report = PageReport(url=url, error=NOT_FETCHED)
                self.reports[url] = report
            report.findings.append(finding)
        for report in self.reports.values():
            report.findings.sort(key=lambda f: SEVERITY_RANK[f.severity])

    def _stats(self, result: AuditResult, duration: float, robots: RobotsRules) -> dict[str, Any]:
        counters = self.stats
        pages_fetched = counters.pages_fetched
        return {
            "pages_fetched": pages_fetched,
            "pages_kept": len(self._kept),
            "pages_reported": len(result.pages),
            "pages_known": len(self.frontier.seen),
            "pages_html": sum(1 for s in self.summaries.values() if s.ok_html),
            "requests": self.fetcher.requests_sent + counters.other_requests,
            "links_found": len(self._link_targets()),
            "links_checked": counters.links.checked,
            "links_unchecked": counters.links.unchecked,
            "images_checked": counters.images_checked,
            "images_unchecked": counters.images_unchecked,
            "dropped_by_limits": self.frontier.dropped_by_limits,
            "robots_disallowed": len(self.frontier.robots_skipped),
            "links_robots_disallowed": counters.links.robots_disallowed,
            "robots_txt_status": robots.status,
            "robots_txt_unavailable": self.policy.unavailable_robots(),
            "crawl_delay": counters.crawl_delay,
            "delay_s": self.fetcher.delay,
            "worker_processes": counters.workers_used,
            **counters.sitemaps,
            "crawl_complete": result.complete,
            "completeness": result.crawl_completeness,
            "pages_not_fetched": result.pages_not_fetched,
            "pages_retried": counters.pages_retried,
            "pages_recovered": counters.pages_recovered,
            "incomplete_reasons": result.incomplete_reasons,
            "urls_not_audited": result.urls_not_audited,
            "crawl_traps": len(self.frontier.traps.traps) if self.frontier.traps else 0,
            "concurrency_slowdowns": self.throttle.slowdowns if self.throttle else 0,
            "stopped_early": result.stop_reason is not None,
            "stop_reason": result.stop_reason,
            "start_error": result.start_error,
            "duration_s": round(duration, 3),
            "pages_per_second": round(pages_fetched / duration, 1) if duration else None,
            "findings_by_severity": result.counts_by_severity(),
            "findings_by_check": result.counts_by_check(),
        }


def _fetcher_like(
    template: Fetcher,
    config: EngineConfig,
    *,
    may_request: Callable[[str], str | None],
    guard: AddressGuard,
    stop: StopSignal,
) -> Fetcher:
    """A fetcher like the crawl's own (its rules, stop, throttle and delay) for ``config``:
    a later attempt's settings."""
    fetcher = Fetcher(
        config, may_request=may_request, guard=guard, stop=stop, throttle=template.throttle
    )
    if template.delay > 0:
        fetcher.slow_down(template.delay)
    return fetcher


class _Source:
    """Work for the crawl loop (Scrapy's scheduler): tasks out, results back."""

    checks = False  # status checks (their own window), not pages

    def __bool__(self) -> bool:
        raise NotImplementedError

    def take(self, room: int) -> list[PageTask | str]:
        raise NotImplementedError

    def put_back(self, tasks: Iterable[PageTask | str]) -> None:
        """Tasks handed out that never ran (a worker process died)."""

    def done(self, result: Result, task: PageTask | str, *, remote: bool) -> None:
        raise NotImplementedError

    def delivered(self) -> None:
        """Every result at hand has been given to ``done``."""

    def abandon(self, tasks: Iterable[PageTask | str]) -> None:
        """Tasks in flight when the run stopped."""


class _Pages(_Source):
    """The frontier's pages: each result recorded, its links offered back."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.frontier = crawler.frontier
        self._recorded = False

    def __bool__(self) -> bool:
        return bool(self.frontier)

    def take(self, room: int) -> list[PageTask | str]:
        return list(self.frontier.take(room))

    def put_back(self, tasks: Iterable[PageTask | str]) -> None:
        self.frontier.put_back(t for t in tasks if isinstance(t, PageTask))

    def done(self, result: Result, task: PageTask | str, *, remote: bool) -> None:
        if isinstance(result, JobResult) and isinstance(task, PageTask):
            self._recorded |= self.crawler._record_job(result, task, remote=remote)

    def delivered(self) -> None:
        if self._recorded:
            self._recorded = False
            self.crawler._report_progress()

    def abandon(self, tasks: Iterable[PageTask | str]) -> None:
        self.crawler.abandoned.update(t.url for t in tasks if isinstance(t, PageTask))


class _Checks(_Source):
    """Link targets or images whose status to check; ``found`` gets each answer."""

    checks = True

    def __init__(self, crawler: Crawler, urls: list[str]) -> None:
        self.crawler = crawler
        self.todo = deque(urls)
        self.found: dict[str, TargetStatus | None] = {}

    def __bool__(self) -> bool:
        return bool(self.todo)

    def take(self, room: int) -> list[PageTask | str]:
        return [self.todo.popleft() for _ in range(min(room, len(self.todo)))]

    def put_back(self, tasks: Iterable[PageTask | str]) -> None:
        self.todo.extendleft(reversed([t for t in tasks if isinstance(t, str)]))

    def done(self, result: Result, task: PageTask | str, *, remote: bool) -> None:
        if not isinstance(result, StatusResult):
            return
        crawler = self.crawler
        crawler.stats.check_done(result, remote=remote)
        status = result.status
        if remote and crawler.throttle is not None and status is not None:
            latency = None if result.response_ms is None else result.response_ms / 1000
            crawler.throttle.observe(latency, failed=status.failed is not None)
        self.found[result.url] = status


def _completeness(
    stop_reason: StopReason | None, pages_not_fetched: int, reasons: list[str]
) -> Completeness:
    if stop_reason is not None:
        return Completeness.STOPPED
    if pages_not_fetched:
        return Completeness.PAGES_NOT_FETCHED
    return Completeness.PARTIAL if reasons else Completeness.COMPLETE


def _key(task: PageTask | str) -> str:
    return task if isinstance(task, str) else task.url


def audit_site(
    start_url: str,
    config: EngineConfig | None = None,
    *,
    progress: ProgressFn | None = None,
    on_page: PageFn | None = None,
    should_cancel: CancelFn | None = None,
    resume_from: Iterable[KeptPage] = (),
    on_state: StateFn | None = None,
    browser_progress: ProgressFn | None = None,
) -> AuditResult:
    """Crawl a site from ``start_url`` and run every check.

    ``progress(pages_done, pages_known)`` is called as pages finish; ``on_page(report)`` gets
    each page's report as soon as it is fetched, with its page-level findings (site-wide
    findings such as duplicates and broken links, and a slow-response finding confirmed by
    re-measurement, are added to the same objects after the crawl); ``should_cancel()`` is
    polled throughout (every request in flight is cut short) and stops the crawl early,
    keeping what was gathered.

    ``on_state(url, state)`` gets, just before ``on_page``, what a resumed crawl needs of the
    page besides its report (resume.py; JSON). ``resume_from`` are the pages an interrupted
    earlier attempt kept (``KeptPage.from_state``): they are not fetched again, their links
    are followed, and the result covers them with the pages fetched now.

    ``browser_progress(pages_rendered, pages_to_render)`` is called, with the browser pass
    on, as the pass starts (0 of N) and as each page is rendered or given up on.
    """
    return Crawler(
        start_url,
        config,
        progress=progress,
        on_page=on_page,
        should_cancel=should_cancel,
        resume_from=resume_from,
        on_state=on_state,
        browser_progress=browser_progress,
    ).run()
