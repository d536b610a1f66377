"""The crawl: frontier, limits, robots, sitemaps, link-status checks and site checks.

Pages are fetched and analysed by worker processes (workers.py), each with a few fetch
threads, so a crawl uses every core; small crawls, crawls with a delay and
``parse_workers=0`` use threads in this process instead. Only per-page facts are kept,
never HTML, and the frontier never grows past max_pages.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from sys import intern
from urllib.parse import urljoin

from .checks import PageSummary, SiteView, TargetStatus, run_site_checks
from .config import AuditConfig
from .errors import AuditError, UnsafeTarget
from .fetch import Fetcher
from .pagejob import JobResult, Outcome, PageJob
from .policy import CrawlPolicy
from .results import SEVERITY_RANK, AuditResult, PageReport
from .robots import RobotsRules
from .sitemaps import collect
from .urls import AddressGuard, Scope, host_of, normalize_url, validate_start_url
from .version import UA_TOKEN
from .workers import WorkerPool, WorkerSetup, WorkersFailed

ProgressFn = Callable[[int, int], None]
PageFn = Callable[[PageReport], None]
CancelFn = Callable[[], bool]

log = logging.getLogger(__name__)

# Below this many pages a worker process costs more to start than it saves.
POOL_MIN_PAGES = 20


class RobotsDisallowed(AuditError):
    """robots.txt disallows the start URL for our user agent (or is unavailable)."""


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
        self.config = config or AuditConfig()
        self.start_url = validate_start_url(start_url)
        self.progress = progress
        self.on_page = on_page
        self.should_cancel = should_cancel or (lambda: False)
        self.guard = AddressGuard(host_of(self.start_url))
        cfg = self.config
        for host in cfg.extra_hosts:
            if not self.guard.allowed(host):
                raise UnsafeTarget(
                    f"extra host {host!r} resolves to a private address; a public site's "
                    "crawl may not reach the local network"
                )
        self.scope = Scope(self.start_url, cfg.extra_hosts, cfg.include, cfg.exclude)
        self.policy = CrawlPolicy(self.scope, self.guard, ignore_robots=cfg.ignore_robots)
        self.fetcher = Fetcher(cfg, may_request=self.policy.refusal, guard=self.guard)
        self.policy.fetcher = self.fetcher
        self.job = PageJob(self.fetcher, cfg, self.scope)
        self.seen: set[str] = set()
        self.reports: dict[str, PageReport] = {}
        self.summaries: dict[str, PageSummary] = {}
        self.targets: dict[str, TargetStatus] = {}
        self.frontier: deque[tuple[str, int]] = deque()
        self.pages_fetched = 0
        self.worker_requests = 0  # requests made by worker processes
        self.workers_used = 0
        self.dropped_by_limits = 0
        self.robots_skipped: set[str] = set()
        self.links_robots_disallowed = 0
        self.crawl_delay: float | None = None
        self.stop_reason: str | None = None
        self.deadline = time.monotonic() + cfg.time_budget if cfg.time_budget is not None else None
        self._workers: WorkerPool | None = None
        self.sitemap_urls: list[str] = []
        self._targets_linked: dict[str, None] | None = None  # filled once the crawl is over

    # -- rules ---------------------------------------------------------------------------

    def robots_for(self, url: str) -> RobotsRules:
        return self.policy.robots_for(url)

    def robots_allows(self, url: str) -> bool:
        return self.policy.robots_allows(url)

    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def _should_stop(self) -> bool:
        if self.stop_reason is None:
            if self.should_cancel():
                self.stop_reason = "cancelled"
            elif self._out_of_time():
                self.stop_reason = "time-budget"
        return self.stop_reason is not None

    # -- one page ------------------------------------------------------------------------

    def _record_job(self, result: JobResult) -> None:
        for outcome in result.outcomes:
            if outcome.redirect_target:
                if outcome.url in self.seen:
                    continue  # known already: fetched (or queued) under its own URL
                self.seen.add(outcome.url)
            self._record(outcome)

    def _record(self, outcome: Outcome) -> None:
        # Strings unpickled from a worker are fresh copies: intern them again here, or every
        # page would keep its own copy of the nav and footer links.
        # sys.intern directly: a wrapper's call per string was ~10% of this process's CPU.
        outcome.summary.links = [
            (intern(u), intern(sel), intern(snip)) for u, sel, snip in outcome.summary.links
        ]
        self.reports[outcome.url] = outcome.report
        self.summaries[outcome.url] = outcome.summary
        self.targets[outcome.url] = outcome.target
        if self.on_page is not None:
            self.on_page(outcome.report)
        if self.config.single_page:
            return
        max_depth = self.config.max_depth
        for link_url, _selector, _snippet in outcome.summary.links:
            self._enqueue(link_url, outcome.depth + 1, max_depth)

    def _enqueue(self, url: str, depth: int, max_depth: int | None) -> None:
        if url in self.seen or url in self.robots_skipped or not self.scope.wanted(url):
            return
        if not self.robots_allows(url):
            self.robots_skipped.add(url)
            return
        if (max_depth is not None and depth > max_depth) or len(
            self.seen
        ) >= self.config.page_limit:
            self.dropped_by_limits += 1
            return
        self.seen.add(url)
        self.frontier.append((url, depth))

    # -- the run -------------------------------------------------------------------------

    def run(self) -> AuditResult:
        started = datetime.now(UTC)
        clock = time.monotonic()
        cfg = self.config
        try:
            start_robots = self.robots_for(self.start_url)
            if not cfg.ignore_robots and start_robots.disallow_all:
                raise RobotsDisallowed(
                    f"robots.txt of {self.start_url} answered HTTP {start_robots.status}, "
                    "which means the site may not be crawled now (as search engines read it); "
                    "fix robots.txt or use --ignore-robots to audit it anyway"
                )
            if not cfg.ignore_robots and not start_robots.allowed(self.start_url):
                raise RobotsDisallowed(
                    f"robots.txt disallows {self.start_url} for {UA_TOKEN}; "
                    "use --ignore-robots to audit it anyway"
                )
            self._apply_crawl_delay(start_robots)
            self._start()
            sitemap_stats: dict[str, object] = {}
            links_checked = links_unchecked = 0
            if _start_error(self.reports.get(self.start_url)) is None:
                sitemap_stats = self._sitemaps(start_robots)
                self._crawl()
                links_checked, links_unchecked = self._check_links()
        finally:
            self.fetcher.close()
            if self._workers is not None:
                self._workers.close()
        crawl_complete = (
            self.stop_reason is None and not self.frontier and self.dropped_by_limits == 0
        )
        site = SiteView(
            start_url=self.start_url,
            pages=self.summaries,
            targets=self.targets,
            sitemap_urls=set(self.sitemap_urls),
            robots=start_robots,
            crawl_complete=crawl_complete,
        )
        for url, finding in run_site_checks(site, cfg):
            report = self.reports.get(url)
            if report is None:
                # e.g. a sitemap URL robots.txt kept us from fetching
                report = PageReport(url=url, error="not fetched")
                self.reports[url] = report
            report.findings.append(finding)
        for report in self.reports.values():
            report.findings.sort(key=lambda f: SEVERITY_RANK[f.severity])
        duration = time.monotonic() - clock
        pages = list(self.reports.values())
        result = AuditResult(
            start_url=self.start_url,
            started_at=started.isoformat(timespec="seconds"),
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            settings=cfg.as_dict(),
            stats={},
            pages=pages,
        )
        start_report = self.reports.get(self.start_url)
        result.stats = {
            "pages_fetched": self.pages_fetched,
            "pages_reported": len(pages),
            "pages_known": len(self.seen),
            "pages_html": sum(1 for s in self.summaries.values() if s.ok_html),
            "requests": self.fetcher.requests_sent + self.worker_requests,
            "links_found": len(self._link_targets()),
            "links_checked": links_checked,
            "links_unchecked": links_unchecked,
            "dropped_by_limits": self.dropped_by_limits,
            "robots_disallowed": len(self.robots_skipped),
            "links_robots_disallowed": self.links_robots_disallowed,
            "robots_txt_status": start_robots.status,
            "robots_txt_unavailable": self.policy.unavailable_robots(),
            "crawl_delay": self.crawl_delay,
            "delay_s": self.fetcher.delay,
            "worker_processes": self.workers_used,
            **sitemap_stats,
            "crawl_complete": crawl_complete,
            "stopped_early": self.stop_reason is not None,
            "stop_reason": self.stop_reason,
            "start_error": _start_error(start_report),
            "duration_s": round(duration, 3),
            "pages_per_second": round(self.pages_fetched / duration, 1) if duration else None,
            "findings_by_severity": result.counts_by_severity(),
            "findings_by_check": result.counts_by_check(),
        }
        return result

    def _start(self) -> None:
        """Fetch the start URL; if it redirects to another host or scheme, adopt that site."""
        self.seen.add(self.start_url)
        fetched = self.fetcher.fetch(self.start_url)
        self.pages_fetched += 1
        for _ in range(3):
            if fetched.error != "redirect-not-followed: out-of-scope" or not fetched.final_url:
                break
            target = fetched.final_url
            if not self.guard.allowed(host_of(target)):
                break
            # example.org -> https://www.example.org/: the user means the latter site.
            self.scope.adopt(target)
            fetched = self.fetcher.fetch(self.start_url)
            self.pages_fetched += 1
        self._record_job(self.job.handle(fetched, self.start_url, 0))
        self._report_progress()

    def _apply_crawl_delay(self, robots: RobotsRules) -> None:
        """robots.txt Crawl-delay for our user agent is a minimum delay, capped."""
        if self.config.ignore_robots or robots.crawl_delay is None:
            return
        self.crawl_delay = robots.crawl_delay
        self.fetcher.slow_down(min(robots.crawl_delay, self.config.max_crawl_delay))

    def _sitemaps(self, robots: RobotsRules) -> dict[str, object]:
        if not self.config.use_sitemaps or self.config.single_page:
            return {"sitemap_files": 0, "sitemap_urls": 0, "sitemap_errors": []}
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
        )
        self.sitemap_urls = found.urls
        for url in found.urls:
            self._enqueue(url, 1, self.config.max_depth)
        return {
            "sitemap_files": len(found.files),
            "sitemap_urls": len(found.urls),
            "sitemap_errors": found.errors,
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
        setup = WorkerSetup(config=self.config, policy=self.policy, threads=threads)
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
        self.workers_used = workers
        # Enough pages in flight to keep every fetch thread busy, and a few queued.
        window = pool.threads * workers + workers
        pending: dict[str, int] = {}
        try:
            while self.frontier or pending:
                while self.frontier and len(pending) < window and not self._should_stop():
                    url, depth = self.frontier.popleft()
                    self.pages_fetched += 1
                    pending[url] = depth
                    pool.submit(url, depth)
                if not pending:
                    break
                result = pool.next_result(timeout=0.25)
                if result is None:
                    continue
                pending.pop(result.url, None)
                self.worker_requests += result.requests
                self._record_job(result)
                self._report_progress()
                # Once stopping, pages in flight finish (bounded by the timeout); none start.
        except WorkersFailed:
            # Put back what the workers did not finish; the threads take it from here.
            for url, depth in reversed(pending.items()):
                self.frontier.appendleft((url, depth))
                self.pages_fetched -= 1
            raise
        finally:
            self._workers = None
            pool.close()

    def _crawl_in_threads(self) -> None:
        cfg = self.config
        in_flight: dict[Future[JobResult], str] = {}
        with ThreadPoolExecutor(cfg.concurrency, thread_name_prefix="audit-fetch") as pool:
            while self.frontier or in_flight:
                while (
                    self.frontier and len(in_flight) < cfg.concurrency and not self._should_stop()
                ):
                    url, depth = self.frontier.popleft()
                    self.pages_fetched += 1
                    in_flight[pool.submit(self.job.run, url, depth)] = url
                if not in_flight:
                    break
                done, _ = wait(in_flight, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in done:
                    in_flight.pop(future)
                    self._record_job(future.result())
                if done:
                    self._report_progress()
                # Once stopping, running fetches finish (bounded by the timeout); none start.

    def _report_progress(self) -> None:
        if self.progress is not None:
            self.progress(len(self.reports), len(self.seen))

    def _check_links(self) -> tuple[int, int]:
        """Status of every internal link target (and canonical) that was not crawled."""
        if not self.config.check_links:
            return 0, 0
        targets = self.targets
        # In link order, for a stable cut at link_check_limit; usually all were crawled.
        wanted = dict.fromkeys(t for t in self._link_targets() if t not in targets)
        for summary in self.summaries.values():
            for href in summary.canonicals:
                url = normalize_url(urljoin(summary.final_url or summary.url, href))
                if url and url not in self.targets and self.scope.is_internal(url):
                    wanted[url] = None
        todo = [url for url in wanted if url not in self.robots_skipped and self.robots_allows(url)]
        # Not requested, but counted: the report says how many links robots.txt hid.
        self.links_robots_disallowed = len(wanted) - len(todo)
        limit = self.config.link_check_limit
        unchecked = max(0, len(todo) - limit)
        todo = todo[:limit]
        checked = 0
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="audit-link") as pool:
            futures = {}
            for url in todo:
                futures[pool.submit(self._status, url)] = url
            for future in futures:
                status = future.result()
                if status is None:
                    unchecked += 1
                    continue
                checked += 1
                self.targets[futures[future]] = status
        return checked, unchecked

    def _link_targets(self) -> dict[str, None]:
        """Every internal link target of the crawled pages, in the order first linked."""
        if self._targets_linked is None:
            self._targets_linked = dict.fromkeys(
                target for summary in self.summaries.values() for target, _, _ in summary.links
            )
        return self._targets_linked

    def _status(self, url: str) -> TargetStatus | None:
        if self._should_stop():
            return None
        fetched = self.fetcher.status_of(url)
        return TargetStatus(
            url, fetched.status, list(fetched.hops), fetched.final_url, fetched.error
        )


def _start_error(report: PageReport | None) -> str | None:
    if report is None:
        return "start URL was not fetched"
    if report.error and not report.redirects:
        return report.error
    return None


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
    polled between pages and stops the crawl early, keeping what was gathered.
    """
    return Crawler(
        start_url, config, progress=progress, on_page=on_page, should_cancel=should_cancel
    ).run()
