"""Where the crawl's work is done: threads of this process, or the worker processes.

Scrapy's split is the model: the crawl loop (crawl.py) takes tasks from a source (the
frontier for pages, a list for link and image checks), hands them to a downloader and gives
each result back to its source; the downloader only runs tasks. Both downloaders take the
same two kinds of task and give back the same results:

- a page, ``PageTask(url, depth, attempt)`` -> ``JobResult`` (fetched and analysed);
- a status check, a URL -> ``StatusResult`` (HEAD or GET, following redirects).

``ProcessDownloader`` raises WorkersFailed when a worker process dies; the loop then puts
back what was in flight and carries on with a ``ThreadDownloader``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Protocol

from .fetch import Fetcher
from .frontier import PageTask
from .linkcheck import StatusResult, check_target
from .pagejob import JobResult, PageJob
from .workers import WorkerPool

Result = JobResult | StatusResult
Task = PageTask | str  # a page to fetch and analyse, or a URL whose status to check
# Status checks out at once, as a multiple of the page window (see ProcessDownloader.window).
CHECK_QUEUE_FACTOR = 3


class Downloader(Protocol):
    # True when the work happens in other processes: their requests and latencies reach
    # this process only through the results.
    remote: bool

    def window(self, *, checks: bool) -> int:
        """How many tasks to have in flight now."""

    def submit(self, tasks: list[Task]) -> None: ...

    def results(self, timeout: float) -> list[Result]:
        """Every finished task at hand, waiting up to ``timeout`` seconds for one."""

    def drain(self) -> list[Result]:
        """The run is stopping: whatever finishes now (tasks are cut short by the stop)."""

    def close(self) -> None: ...


class ThreadDownloader:
    remote = False

    def __init__(self, job: PageJob, fetcher: Fetcher, in_flight_limit: Callable[[], int]) -> None:
        self._job = job
        self._fetcher = fetcher
        self._limit = in_flight_limit
        self._pool = ThreadPoolExecutor(
            fetcher.config.concurrency, thread_name_prefix="audit-fetch"
        )
        self._futures: set[Future[Result]] = set()

    def window(self, *, checks: bool) -> int:
        return self._limit()

    def submit(self, tasks: list[Task]) -> None:
        for task in tasks:
            if isinstance(task, str):
                future = self._pool.submit(check_target, self._fetcher, task)
            else:
                future = self._pool.submit(self._job.run, task.url, task.depth, task.attempt)
            self._futures.add(future)

    def results(self, timeout: float) -> list[Result]:
        if not self._futures:
            return []
        done, self._futures = wait(self._futures, timeout=timeout, return_when=FIRST_COMPLETED)
        return [future.result() for future in done]

    def drain(self) -> list[Result]:
        done, _ = wait(self._futures)
        self._futures = set()
        return [future.result() for future in done]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class ProcessDownloader:
    remote = True

    def __init__(
        self, pool: WorkerPool, in_flight_limit: Callable[[], int], concurrency: int
    ) -> None:
        self.pool = pool
        self._limit = in_flight_limit
        self._concurrency = concurrency

    def window(self, *, checks: bool) -> int:
        """Pages: the requests allowed now plus one queued per worker (a page waiting to be
        parsed), at most one more than every fetch thread can take. Checks: while the
        throttle holds nothing back, a few for each fetch thread, so a worker never sits idle
        between sending its answers and getting the next batch."""
        workers = len(self.pool.processes)
        limit = self._limit()
        window = min(self.pool.threads * workers + workers, limit + workers)
        if not checks or limit < self._concurrency:
            return window  # the server struggles: as many checks out as requests allowed
        return window * CHECK_QUEUE_FACTOR

    def submit(self, tasks: list[Task]) -> None:
        pages = [task for task in tasks if not isinstance(task, str)]
        checks = [task for task in tasks if isinstance(task, str)]
        if pages:
            self.pool.submit([tuple(page) for page in pages])
        if checks:
            self.pool.submit_checks(checks)

    def results(self, timeout: float) -> list[Result]:
        return self.pool.next_results(timeout)

    def drain(self) -> list[Result]:
        return []  # closing the pool tells the workers to cut their requests short

    def close(self) -> None:
        self.pool.close()
