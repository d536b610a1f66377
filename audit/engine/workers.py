"""Worker processes that fetch and analyse pages, so a crawl uses every core.

Each worker runs a few fetch threads with its own connection pool and parses in the same
process, so page bodies never cross a process boundary: the main process sends
``(url, depth)`` and gets back small outcomes (report, summary, link-target status).
The main process only runs the frontier, de-duplication, limits and callbacks.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from .config import AuditConfig
from .fetch import Fetcher
from .pagejob import JobResult, PageJob
from .policy import CrawlPolicy

log = logging.getLogger(__name__)


@dataclass
class WorkerSetup:
    """Sent once to each worker process."""

    config: AuditConfig
    policy: CrawlPolicy  # with the robots.txt files of the site's origins already read
    threads: int


def _worker_main(setup: WorkerSetup, tasks: Any, results: Any) -> None:
    # Ctrl-C goes to the whole process group; the main process decides when to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    policy = setup.policy
    fetcher = Fetcher(setup.config, may_request=policy.refusal, guard=policy.guard)
    policy.fetcher = fetcher
    job = PageJob(fetcher, setup.config, policy.scope)

    def serve() -> None:
        while True:
            task = tasks.get()
            if task is None:
                return
            url, depth = task
            results.put(job.run(url, depth))

    threads = [
        threading.Thread(target=serve, name=f"audit-fetch-{n}", daemon=True)
        for n in range(setup.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fetcher.close()


class WorkersFailed(RuntimeError):
    """A worker process died; the crawl carries on without worker processes."""


class WorkerPool:
    def __init__(self, setup: WorkerSetup, processes: int) -> None:
        methods = multiprocessing.get_all_start_methods()
        # Not fork: the calling process may have threads (a web server, a task worker).
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self.tasks = context.Queue()
        self.results = context.Queue()
        self.threads = setup.threads
        self.processes = [
            context.Process(
                target=_worker_main,
                args=(setup, self.tasks, self.results),
                name=f"audit-worker-{n}",
                daemon=True,
            )
            for n in range(processes)
        ]
        started = []
        try:
            for process in self.processes:
                process.start()
                started.append(process)
        except BaseException:
            self.processes = started
            self.close()
            raise

    def submit(self, url: str, depth: int) -> None:
        self.tasks.put((url, depth))

    def next_result(self, timeout: float) -> JobResult | None:
        """The next finished page, or None after ``timeout`` seconds without one."""
        try:
            return self.results.get(timeout=timeout)
        except queue.Empty:
            if not all(process.is_alive() for process in self.processes):
                raise WorkersFailed("an audit worker process exited unexpectedly") from None
            return None

    def close(self) -> None:
        for _ in range(len(self.processes) * self.threads):
            self.tasks.put(None)
        # A worker killed while reading the task queue may leave its lock held, so the
        # others could wait for ever: after a failure, stop them at once.
        failed = not all(process.is_alive() for process in self.processes)
        # Keep reading: a worker cannot exit while its unread results fill the pipe.
        deadline = time.monotonic() + (0 if failed else 10)
        while any(p.is_alive() for p in self.processes) and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                self.results.get(timeout=0.05)
        for process in self.processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        for channel in (self.tasks, self.results):
            channel.cancel_join_thread()
            channel.close()
