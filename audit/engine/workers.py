"""Worker processes that fetch and analyse pages, so a crawl uses every core.

Each worker runs a few fetch threads with its own connection pool and parses in the same
process, so page bodies never cross a process boundary: the main process sends
``(url, depth)`` pairs (all the window has room for, in one message) and gets back small
outcomes (report, summary, link-target status).
After the pages, the same workers check the status of link targets and images
(``(urls, None)`` -> StatusResults), so those requests use every core too.
The main process only runs the frontier, de-duplication, limits and callbacks.

Each worker has its own socket pair to the main process rather than a shared
``multiprocessing.Queue``: a Queue wakes a feeder thread for every message and makes
the fetch threads contend for one cross-process lock (both stood out in py-spy profiles
of a crawl). Here a send is one pickle and one write, a dead worker shows up as
end-of-file on its socket, and the main process hands each task to the worker with the
fewest tasks in flight.

Status checks are cheap (a HEAD each, ~0.1 ms of CPU), and one message per check cost as
much again in the two processes, so they travel in batches: a task names every URL the
window has room for, and a worker sends its finished checks together, as plain tuples
(``linkcheck.to_wire``), see ``_Outbox``. Every message from a worker is a list of
results.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from .config import EngineConfig
from .deadline import StopSignal
from .fetch import Fetcher
from .linkcheck import StatusResult, StatusWire, check_target, from_wire, to_wire
from .pagejob import JobResult, PageJob
from .policy import CrawlPolicy

log = logging.getLogger(__name__)


# [(url, depth, attempt), ...]: pages to fetch and analyse; (urls, None): link targets or
# images to check. Either way a message carries several tasks: each message costs a write
# that wakes the worker.
Task = list[tuple[str, int, int]] | tuple[tuple[str, ...], None]
# A worker sends its finished status checks once it has this many, has no more, or the
# first has waited this long.
RESULT_BATCH = 16
FLUSH_SECONDS = 0.002


@dataclass
class WorkerSetup:
    """Sent once to each worker process."""

    config: EngineConfig
    policy: CrawlPolicy  # with the robots.txt files of the site's origins already read
    threads: int
    deadline: float | None = None  # the run's time budget, as a time.monotonic() value


def _worker_main(setup: WorkerSetup, channel: Connection) -> None:
    # Ctrl-C goes to the whole process group; the main process decides when to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    policy = setup.policy
    # Set when the main process closes the channel: the run is over (or stopping), so
    # requests in flight are cut short and the rest fail at once.
    stop = StopSignal(deadline=setup.deadline)

    def make_fetcher(config: EngineConfig) -> Fetcher:
        return Fetcher(config, may_request=policy.refusal, guard=policy.guard, stop=stop)

    fetcher = make_fetcher(setup.config)
    policy.fetcher = fetcher
    job = PageJob(fetcher, setup.config, policy.scope, make_fetcher)
    tasks: queue.SimpleQueue[tuple[str, int | None, int] | None] = queue.SimpleQueue()
    outbox = _Outbox(channel)

    def serve() -> None:
        while (task := tasks.get()) is not None:
            url, depth, attempt = task
            try:
                if depth is None:
                    outbox.put(to_wire(check_target(fetcher, url)), check=True)
                else:
                    outbox.put(job.run(url, depth, attempt), check=False)
            except OSError:
                return  # the main process has gone; nobody is waiting for results

    threads = [
        threading.Thread(target=serve, name=f"audit-fetch-{n}", daemon=True)
        for n in range(setup.threads)
    ]
    for thread in threads:
        thread.start()
    # This thread only reads tasks, so the main process's sends never wait for a page.
    try:
        while (task := channel.recv()) is not None:
            if isinstance(task, list):
                for page in task:
                    tasks.put(page)
            else:
                urls = task[0]
                outbox.expect(len(urls))
                for url in urls:
                    tasks.put((url, None, 0))
    except (EOFError, OSError):
        pass  # the main process closed the channel or died: stop
    stop.stop()
    for _ in threads:
        tasks.put(None)
    for thread in threads:
        thread.join()
    outbox.close()
    job.close()
    fetcher.close()


class _Outbox:
    """A worker's finished tasks on their way to the main process: a page's at once, status
    checks together once the worker has none left, ``RESULT_BATCH`` are waiting or the
    first has waited ``FLUSH_SECONDS`` (a slow target never holds the others back long)."""

    def __init__(self, channel: Connection) -> None:
        self._channel = channel
        self._changed = threading.Condition()
        self._results: list[JobResult | StatusWire] = []
        self._since = 0.0  # when the first result now waiting came
        self._checking = 0  # status checks received and not finished
        self._closed = False
        threading.Thread(target=self._flush_late, name="audit-outbox", daemon=True).start()

    def expect(self, checks: int) -> None:
        with self._changed:
            self._checking += checks

    def put(self, result: JobResult | StatusWire, *, check: bool) -> None:
        """Raises OSError when the main process has gone."""
        with self._changed:
            self._results.append(result)
            if check:
                self._checking -= 1
                if self._checking > 0 and len(self._results) < RESULT_BATCH:
                    if len(self._results) == 1:
                        self._since = time.monotonic()
                        self._changed.notify()  # starts the flusher's clock
                    return
            self._send()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify()

    def _send(self) -> None:
        batch, self._results = self._results, []
        self._channel.send(batch)

    def _flush_late(self) -> None:
        with self._changed:
            while not self._closed:
                if not self._results:
                    self._changed.wait()
                    continue
                left = self._since + FLUSH_SECONDS - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                try:
                    self._send()
                except OSError:
                    return


class WorkersFailed(RuntimeError):
    """A worker process died; the crawl carries on without worker processes."""


class WorkerPool:
    def __init__(self, setup: WorkerSetup, processes: int) -> None:
        methods = multiprocessing.get_all_start_methods()
        # Not fork: the calling process may have threads (a web server, a task worker).
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self.threads = setup.threads
        self.processes: list[Any] = []
        self.channels: list[Connection] = []
        self.in_flight: list[int] = []
        self._ready: deque[JobResult | StatusResult] = deque()
        try:
            for n in range(processes):
                ours, theirs = context.Pipe(duplex=True)
                process = context.Process(
                    target=_worker_main,
                    args=(setup, theirs),
                    name=f"audit-worker-{n}",
                    daemon=True,
                )
                process.start()
                theirs.close()  # the worker holds its end; EOF on ours then means it died
                self.processes.append(process)
                self.channels.append(ours)
                self.in_flight.append(0)
        except BaseException:
            self.close()
            raise

    def submit(self, pages: list[tuple[str, int, int]]) -> None:
        """Queue pages (url, depth, attempt) to fetch and analyse, each to the worker with the
        fewest tasks in flight: one message for each worker that gets any."""
        shares: dict[int, list[tuple[str, int, int]]] = {}
        in_flight = list(self.in_flight)
        for page in pages:
            worker = in_flight.index(min(in_flight))
            in_flight[worker] += 1
            shares.setdefault(worker, []).append(page)
        for worker, share in shares.items():
            self._send(worker, share, len(share))

    def submit_checks(self, urls: list[str]) -> None:
        """Queue status checks, spread over the workers with the fewest tasks in flight."""
        share = -(-len(urls) // len(self.channels))
        for start in range(0, len(urls), share):
            chunk = tuple(urls[start : start + share])
            self._send(self.in_flight.index(min(self.in_flight)), (chunk, None), len(chunk))

    def _send(self, worker: int, task: Task, tasks: int) -> None:
        try:
            self.channels[worker].send(task)
        except OSError as exc:
            raise WorkersFailed(f"an audit worker process exited unexpectedly ({exc})") from None
        self.in_flight[worker] += tasks

    def next_result(self, timeout: float) -> JobResult | StatusResult | None:
        """The next finished task, or None after ``timeout`` seconds without one."""
        if not self._ready:
            # One result from every worker that has one, so no worker's results wait long.
            for channel in wait(self.channels, timeout):
                worker = self.channels.index(channel)  # type: ignore[arg-type]
                try:
                    batch = channel.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):
                    raise WorkersFailed("an audit worker process exited unexpectedly") from None
                self.in_flight[worker] -= len(batch)
                self._ready.extend(r if isinstance(r, JobResult) else from_wire(r) for r in batch)
        return self._ready.popleft() if self._ready else None

    def next_results(self, timeout: float) -> list[JobResult | StatusResult]:
        """Every finished task at hand (waiting up to ``timeout`` seconds for one)."""
        first = self.next_result(timeout)
        if first is None:
            return []
        ready = [first, *self._ready]
        self._ready.clear()
        return ready

    def close(self) -> None:
        for channel in self.channels:
            with contextlib.suppress(OSError):
                channel.send(None)
        # Keep reading: a worker cannot exit while it is blocked writing a result.
        deadline = time.monotonic() + 10
        while any(p.is_alive() for p in self.processes) and time.monotonic() < deadline:
            open_channels = [c for c in self.channels if not c.closed]
            if not open_channels:
                break
            for channel in wait(open_channels, 0.05):
                try:
                    channel.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):
                    channel.close()  # type: ignore[union-attr]
        for process in self.processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        for channel in self.channels:
            channel.close()
