"""The crawl: start, robots.txt, sitemaps, pages, link checks, site checks, the result.

Pages are fetched and analysed by worker processes (workers.py), each with a few fetch
threads, so a crawl uses every core; small crawls, crawls with a delay and
``parse_workers=0`` use threads in this process instead. Only per-page facts are kept,
never HTML, and the frontier never grows past max_pages. The queue and limits live in
frontier.py, link checks in linkcheck.py; this module runs them in order.

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
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from .checks import PageSummary, SiteView, TargetStatus, Triples, run_site_checks, urls_of
from .config import AuditConfig
from .deadline import StopSignal
from .errors import AuditError, FetchError, UnsafeTarget, fetch_failure
from .fetch import HTML_TYPES, Fetcher
from .frontier import Frontier, is_file_url
from .linkcheck import LinkCheckCounts, LinkChecker, StatusResult, link_check_todo
from .pagejob import JobResult, Outcome, PageJob
from .policy import CrawlPolicy
from .results import SEVERITY_RANK, AuditResult, PageReport, StopReason
from .robots import RobotsRules
from .sitemaps import SitemapResult, collect
from .throttle import ConcurrencyController
from .urls import AddressGuard, Scope, host_of, normalize_url, validate_start_url
from .version import UA_TOKEN
from .workers import WorkerPool, WorkerSetup, WorkersFailed

ProgressFn = Callable[[int, int], None]
PageFn = Callable[[PageReport], None]
CancelFn = Callable[[], bool]

log = logging.getLogger(__name__)

# Below this many pages a worker process costs more to start than it saves.
POOL_MIN_PAGES = 20
# Status checks out at once, as a multiple of the page window (see _check_window).
CHECK_QUEUE_FACTOR = 3
# How long the crawl loops wait for a page before looking at the stop signal again.
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
class CrawlCounters:
    """What the run counts as it goes; the report's stats are built from these."""

    pages_fetched: int = 0
    worker_requests: int = 0  # requests made by worker processes
    workers_used: int = 0
    crawl_delay: float | None = None
    sitemaps: dict[str, object] = field(default_factory=dict)
    links: LinkCheckCounts = field(default_factory=LinkCheckCounts)
    images_checked: int = 0
    images_unchecked: int = 0  # beyond link_check_limit, or left when the run stopped


class Crawler:
    def __init__(
        self,
        start_url: str,
        config: AuditConfig | None = None,
        *,
        progress: ProgressFn | None = None,
        on_page: PageFn | None = None,
        should_cancel: CancelFn | None = None,
    ) -> None:
        self.config = cfg = config or AuditConfig()
        self.start_url = validate_start_url(start_url)
        self.progress = progress
        self.on_page = on_page
        deadline = time.monotonic() + cfg.time_budget if cfg.time_budget is not None else None
        self.stop = StopSignal(should_cancel, deadline)
        self.guard = AddressGuard(
            host_of(self.start_url),
            allow_private=cfg.allow_private,
            trusted_hosts=cfg.trusted_hosts,
        )
        for host in cfg.extra_hosts:
            if not self.guard.allowed(host):
                raise UnsafeTarget(
                    f"extra host {host!r} resolves to a private address; a public site's "
                    "crawl may not reach the local network"
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
        self.job = PageJob(self.fetcher, cfg, self.scope)
        self.frontier = Frontier(
            self.scope, self.policy.robots_allows, cfg.page_limit, cfg.max_depth, cfg.trap_budget
        )
        self.abandoned: set[str] = set()  # taken from the queue, cut short by the stop
        # Pages with a slow-response finding, given to on_page once re-measured.
        self._slow_held: list[PageReport] = []
        self.images: dict[str, TargetStatus] = {}  # image URL -> its answer
        self.counters = CrawlCounters()
        self.reports: dict[str, PageReport] = {}
        self.summaries: dict[str, PageSummary] = {}
        self.targets: dict[str, TargetStatus] = {}
        self._workers: WorkerPool | None = None  # while pages are crawled
        # The same processes kept for the link and image checks after the pages.
        self._status_pool: WorkerPool | None = None
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

    def _record_job(self, result: JobResult) -> bool:
        """Keep a finished page's outcomes; False for a page the stopping run cut short."""
        if any(o.target.error == FetchError.CANCELLED for o in result.outcomes):
            self.counters.pages_fetched -= 1
            self.abandoned.add(result.url)
            return False
        for outcome in result.outcomes:
            # Requests of this process's fetcher are observed as they happen; a worker
            # process's are seen here, one per page.
            if self.throttle is not None and self._workers is not None:
                report = outcome.report
                latency = None if report.response_ms is None else report.response_ms / 1000
                self.throttle.observe(latency, failed=fetch_failure(report.error) is not None)
            if outcome.redirect_target and not self.frontier.mark_seen(outcome.url):
                continue  # known already: fetched (or queued) under its own URL
            self._record(outcome)
        return True

    def _record(self, outcome: Outcome) -> None:
        outcome.summary.links = Triples.interned(outcome.summary.links)
        outcome.summary.images = Triples.interned(outcome.summary.images)
        self.targets[outcome.url] = outcome.target
        if self._is_file(outcome):
            return  # a target, not a page: reported on the pages that link to it
        self.reports[outcome.url] = outcome.report
        self.summaries[outcome.url] = outcome.summary
        if any(f.check == SLOW_CHECK for f in outcome.report.findings):
            self._slow_held.append(outcome.report)
        elif self.on_page is not None:
            self.on_page(outcome.report)
        if self.config.single_page:
            return
        offer = self.frontier.offer
        depth = outcome.depth + 1
        source = outcome.url
        for link_url in urls_of(outcome.summary.links):
            offer(link_url, depth, source)

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
            if self._start_error() is None:
                self.counters.sitemaps = self._sitemaps(start_robots)
                self._crawl()
                self._check_links()
                self._check_images()
                self._close_status_pool()
                self._remeasure_slow()
        finally:
            self.fetcher.close()
            if self._workers is not None:
                self._workers.close()
            self._close_status_pool()
        result = self._result(started, time.monotonic() - clock, start_robots)
        if self.config.browser:
            # Imported here: Playwright costs each process (worker processes included)
            # ~10 MB and a crawl without the browser pass never uses it.
            from .browser import run_browser_pass  # noqa: PLC0415

            run_browser_pass(result, self.config, self.stop)
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
        fetched = self.fetcher.fetch(self.start_url)
        self.counters.pages_fetched += 1
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
            self.counters.pages_fetched += 1
        self._record_job(self.job.handle(fetched, self.start_url, 0))
        self._report_progress()

    def _start_error(self) -> FetchError | str | None:
        report = self.reports.get(self.start_url)
        if report is None:
            # Not recorded: either the run stopped before it answered, or a bug.
            return None if self.stop_reason is not None else "start URL was not fetched"
        if report.error and not report.redirects:
            return report.error
        return None

    def _apply_crawl_delay(self, robots: RobotsRules) -> None:
        """robots.txt Crawl-delay for our user agent is a minimum delay, capped."""
        if self.config.ignore_robots or robots.crawl_delay is None:
            return
        self.counters.crawl_delay = robots.crawl_delay
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
            try:
                self._crawl_in_processes(workers)
            except WorkersFailed as exc:
                log.warning("%s; carrying on in this process", exc)
        self._crawl_in_threads()

    def _start_workers(self, workers: int) -> WorkerPool | None:
        # Workers get the robots.txt rules of every origin in scope, read once here.
        for origin in self.policy.scope_origins():
            self.robots_for(origin + "/")
        threads = max(1, -(-self.config.concurrency // workers))
        setup = WorkerSetup(
            config=self.config, policy=self.policy, threads=threads, deadline=self.stop.deadline
        )
        try:
            return WorkerPool(setup, workers)
        except (OSError, AssertionError, RuntimeError) as exc:
            # e.g. called from a daemonic process, which may not have children
            log.warning("cannot start audit worker processes (%s); using threads", exc)
            return None

    def _crawl_in_processes(self, workers: int) -> None:
        pool = self._workers = self._start_workers(workers)
        if pool is None:
            return
        self.counters.workers_used = workers
        pending: dict[str, int] = {}
        keep = False
        try:
            while (self.frontier or pending) and not self._should_stop():
                allowed = self._window(pool)
                batch = []
                while self.frontier and len(pending) < allowed:
                    url, depth = self.frontier.pop()
                    self.counters.pages_fetched += 1
                    pending[url] = depth
                    batch.append((url, depth))
                if batch:
                    pool.submit(batch)
                # Every result at hand before the next submit: the pages that replace them
                # go in one message to each worker.
                for result in pool.next_results(timeout=WAIT_SECONDS):
                    if not isinstance(result, JobResult):
                        continue
                    pending.pop(result.url, None)
                    self.counters.worker_requests += result.requests
                    if self._record_job(result):
                        self._report_progress()
            # Stopping: the pages in flight are abandoned; closing the pool tells the
            # workers to cut their requests short.
            self.counters.pages_fetched -= len(pending)
            self.abandoned.update(pending)
            keep = not pending and self.config.check_links
        except WorkersFailed:
            # Put back what the workers did not finish; the threads take it from here.
            self.frontier.put_back(pending.items())
            self.counters.pages_fetched -= len(pending)
            raise
        finally:
            self._workers = None
            if keep:
                self._status_pool = pool
            else:
                pool.close()

    def _window(self, pool: WorkerPool) -> int:
        """Tasks to have out: the requests allowed now plus one queued per worker (a page
        waiting to be parsed), at most one more than every fetch thread can take."""
        workers = len(pool.processes)
        return min(pool.threads * workers + workers, self._in_flight_limit() + workers)

    def _check_window(self, pool: WorkerPool) -> int:
        """Status checks to have out: while the throttle holds nothing back, a few for each
        fetch thread. A worker makes at most one request per thread whatever it holds, and
        with checks waiting it never sits idle between sending its answers and getting the
        next batch (the image checks of the 10,000-page benchmark: 0.71-0.76 -> 0.5-0.58 s).
        """
        window = self._window(pool)
        if self._in_flight_limit() < self.config.concurrency:
            return window  # the server struggles: as many checks out as requests allowed
        return window * CHECK_QUEUE_FACTOR

    def _close_status_pool(self) -> None:
        pool, self._status_pool = self._status_pool, None
        if pool is not None:
            pool.close()

    def _statuses_in_workers(self, urls: list[str]) -> dict[str, TargetStatus | None]:
        """Status of each URL, checked by the worker processes; in threads of this process
        for whatever is left if a worker dies."""
        pool = self._status_pool
        found: dict[str, TargetStatus | None] = {}
        if pool is None:
            return self._link_checker().in_threads(urls)
        todo = deque(urls)
        pending = 0
        try:
            while (todo or pending) and not self._should_stop():
                room = min(self._check_window(pool) - pending, len(todo))
                if room > 0:
                    pool.submit_checks([todo.popleft() for _ in range(room)])
                    pending += room
                # All the results at hand before the next submit: one message for them all.
                for result in pool.next_results(timeout=WAIT_SECONDS):
                    if not isinstance(result, StatusResult):
                        continue
                    pending -= 1
                    self.counters.worker_requests += result.requests
                    status = result.status
                    if self.throttle is not None and status is not None:
                        latency = None if result.response_ms is None else result.response_ms / 1000
                        self.throttle.observe(latency, failed=status.failed is not None)
                    found[result.url] = status
        except WorkersFailed as exc:
            log.warning("%s; checking the rest in this process", exc)
            self._close_status_pool()
            found.update(self._link_checker().in_threads([u for u in urls if u not in found]))
        return found

    def _link_checker(self) -> LinkChecker:
        """Checks link targets and images: in the worker processes while they run."""
        return LinkChecker(
            self.fetcher,
            self.robots_allows,
            self.config.link_check_limit,
            self.config.concurrency,
            run_statuses=self._statuses_in_workers if self._status_pool is not None else None,
        )

    def _crawl_in_threads(self) -> None:
        cfg = self.config
        in_flight: dict[Future[JobResult], str] = {}
        with ThreadPoolExecutor(cfg.concurrency, thread_name_prefix="audit-fetch") as pool:
            while self.frontier or in_flight:
                while (
                    self.frontier
                    and len(in_flight) < self._in_flight_limit()
                    and not self._should_stop()
                ):
                    url, depth = self.frontier.pop()
                    self.counters.pages_fetched += 1
                    in_flight[pool.submit(self.job.run, url, depth)] = url
                if not in_flight:
                    break
                done, _ = wait(in_flight, timeout=WAIT_SECONDS, return_when=FIRST_COMPLETED)
                recorded = False
                for future in done:
                    in_flight.pop(future)
                    recorded |= self._record_job(future.result())
                if recorded:
                    self._report_progress()
                # Once stopping, none start; the fetches running are cut short.

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
        found, self.counters.links = self._link_checker().run(wanted, self.frontier.robots_skipped)
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
        self.counters.images_checked = counts.checked
        self.counters.images_unchecked = counts.unchecked

    def _remeasure_slow(self) -> None:
        """Measure each page that looked slow again, alone and a few times in a row: keep
        its finding (with the figures) only when the median is over the threshold."""
        times = self.config.slow_remeasure
        if times == 0:
            return
        limit = self.config.thresholds.slow_response_ms
        slowest = sorted(self._slow_held, key=lambda r: -(r.response_ms or 0))
        for report in slowest[:SLOW_REMEASURE_MAX_PAGES]:
            measured = []
            for _ in range(times):
                fetched = self.fetcher.fetch(report.final_url or report.url, want_body="none")
                if fetched.error is not None or fetched.response_ms is None:
                    break
                measured.append(fetched.response_ms)
            if len(measured) < times:
                continue  # stopped or failed: keep what the crawl saw
            median = statistics.median(measured)
            slow = next(f for f in report.findings if f.check == SLOW_CHECK)
            if median <= limit:
                report.findings.remove(slow)
                continue
            figures = ", ".join(f"{ms:.0f}" for ms in measured)
            slow.message = (
                f"Time to first byte: median {median:.0f} ms over {times} requests made one "
                f"at a time ({figures} ms; {report.response_ms:.0f} ms during the crawl); "
                f"limit {limit} ms."
            )

    def _release_held(self) -> None:
        """Give on_page the pages held back for re-measurement."""
        held, self._slow_held = self._slow_held, []
        if self.on_page is not None:
            for report in held:
                self.on_page(report)

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
        if self.counters.links.unchecked:
            reasons.append(INCOMPLETE_LINK_LIMIT)
            linked = self._link_targets()
            missed |= {url for url in linked if url not in self.targets} - frontier.robots_skipped
        return reasons, missed

    def _result(self, started: datetime, duration: float, robots: RobotsRules) -> AuditResult:
        self._release_held()
        reasons, missed = self._not_audited()
        crawl_complete = not reasons
        start_error = self._start_error()  # before site findings may add a stub start page
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
        )
        result.stats = self._stats(result, duration, robots)
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
        )
        if self.sitemap_found is not None:
            site.sitemap_files = len(self.sitemap_found.files)
            site.sitemap_out_of_scope = self.sitemap_found.out_of_scope
            site.sitemap_out_of_scope_count = self.sitemap_found.out_of_scope_count
        for url, finding in run_site_checks(site, self.config):
            report = self.reports.get(url)
            if report is None:
                # e.g. a sitemap URL robots.txt kept us from fetching
                report = PageReport(url=url, error="not fetched")
                self.reports[url] = report
            report.findings.append(finding)
        for report in self.reports.values():
            report.findings.sort(key=lambda f: SEVERITY_RANK[f.severity])

    def _stats(self, result: AuditResult, duration: float, robots: RobotsRules) -> dict[str, Any]:
        counters = self.counters
        pages_fetched = counters.pages_fetched
        return {
            "pages_fetched": pages_fetched,
            "pages_reported": len(result.pages),
            "pages_known": len(self.frontier.seen),
            "pages_html": sum(1 for s in self.summaries.values() if s.ok_html),
            "requests": self.fetcher.requests_sent + counters.worker_requests,
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


def audit_site(
    start_url: str,
    config: AuditConfig | None = None,
    *,
    progress: ProgressFn | None = None,
    on_page: PageFn | None = None,
    should_cancel: CancelFn | None = None,
) -> AuditResult:
    """Crawl a site from ``start_url`` and run every check.

    ``progress(pages_done, pages_known)`` is called as pages finish; ``on_page(report)`` gets
    each page's report with its page-level findings (site-wide findings such as duplicates
    and broken links are added to the same objects after the crawl); ``should_cancel()`` is
    polled throughout (every request in flight is cut short) and stops the crawl early,
    keeping what was gathered.
    """
    return Crawler(
        start_url, config, progress=progress, on_page=on_page, should_cancel=should_cancel
    ).run()
