"""What the admin, the tasks, the scheduler and the commands do with audits.

- ``create_run(target_url, trigger=..., user=..., options=..., single_page=...)`` creates a
  queued run (``audit.tasks.start_run`` also enqueues it). A second run for a target that
  already has one queued or running raises ``RunAlreadyActive`` (its ``str()`` is the message
  to show; ``.run`` is the active run); the database's partial unique constraint guarantees it
  even when two requests race. Bad URLs or options raise ``InvalidTarget``/``InvalidOptions``
  (``audit.options``).
- ``cancel_run(run)``: a queued run is cancelled at once; a running one is flagged and the
  worker stops it at the next page, keeping what it stored.
- ``execute_run(run)``: runs the engine in the current process (what the task calls). A run
  that already has stored pages (``reopen_run``) starts from them.
- ``reopen_run(run)``: queues a failed or cancelled site audit again, keeping its stored pages
  (``audit.tasks.resume_run`` also enqueues it); ``NotResumable`` says why it cannot be.
- ``save_result(result, trigger=...)``: stores an engine result computed elsewhere as a run.
- ``previous_run(run)``: the latest earlier succeeded run of the same target and mode.
- ``compare_runs(new, old)``: ``Comparison`` of finding querysets ``new``, ``fixed`` (in old,
  gone in new where new ran the check on that page), ``still_open`` (in new, also in old) and
  ``not_checked`` (in old, gone in new, but new did not run that check there), matched by
  fingerprint.
- ``latest_page_result(page)``: the page's result in its latest finished audit (any trigger),
  for the editor's side panel.
- ``prune_runs(keep=...)`` / ``delete_runs(queryset)``: retention, fast deletes.
- ``fail_stale_runs()``: fails runs whose worker stopped (no progress for STALE_AFTER
  seconds), releasing their target, and their django-tasks-db task rows.

A run that finishes here (``execute_run``, ``save_result``) is announced as
``audit.completed`` through ``pages.events``, the one source of change events.
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from wagtail.models import Site

from audit.conf import audit_setting
from audit.engine import (
    AuditError,
    AuditResult,
    StopReason,
    audit_site,
    check_info,
    validate_start_url,
)
from audit.messages import start_failure_message
from audit.models import AuditRun, Finding, PageResult
from audit.options import InvalidOptions, build_config
from audit.store import RunStore
from audit.targets import admin_engine_overrides, frontend_url
from cms.errors import ClinicError, Conflict, InvalidInput
from pages.events import AUDIT_COMPLETED, Change, record

logger = logging.getLogger(__name__)

Status = AuditRun.Status


class RunAlreadyActive(Conflict):
    """The target already has a queued or running audit."""

    def __init__(self, run: AuditRun | None, target_url: str) -> None:
        self.run = run
        if run is None:
            message = f"An audit of {target_url} is already queued or running."
        else:
            state = "queued" if run.status == Status.QUEUED else "running"
            message = (
                f"An audit of {target_url} is already {state} (run #{run.pk}, "
                f"{run.pages_done} of {run.pages_known} pages); wait for it or cancel it."
            )
        super().__init__(message)


class InvalidTarget(InvalidInput):
    """The URL cannot be audited (malformed, not http(s))."""


class NotResumable(Conflict):
    """The run cannot be resumed (still active, succeeded, a single page, nothing kept)."""


class WorkerLost(ClinicError):
    """The worker running an audit stopped (killed or crashed) without finishing it."""


def normalize_target(url: str) -> str:
    try:
        return validate_start_url(url)
    except AuditError as exc:
        raise InvalidTarget(str(exc)) from None


def default_target(*, frontend: bool = False) -> str:
    """The target of a run given none: the front end's root (``frontend``) or the site's."""
    if not frontend:
        return site_root_url()
    url = frontend_url()
    if not url:
        raise InvalidTarget('no front end is configured: set SEO_AUDIT["FRONTEND_URL"]')
    return url


def site_root_url() -> str:
    """The default Wagtail site's root URL, e.g. http://127.0.0.1:8000/."""
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        raise InvalidTarget("no Wagtail site is configured; give a URL to audit")
    return site.root_url.rstrip("/") + "/"


# -- starting and stopping -----------------------------------------------------------------


def create_run(
    target_url: str,
    *,
    trigger: str = AuditRun.Trigger.MANUAL,
    user=None,
    options: dict[str, Any] | None = None,
    single_page: bool = False,
    schedule=None,
    frontend: bool = False,
    changed_urls: list[str] | None = None,
) -> AuditRun:
    """A queued run, or RunAlreadyActive. Does not enqueue it (see audit.tasks.start_run).

    ``frontend``: the target is the static front end built from this CMS (its pages are
    mapped back by their meta tag, its template findings grouped); ``changed_urls``: what
    a deploy changed, kept for its report."""
    target = normalize_target(target_url)
    # Refuse bad options before queueing.
    build_config(options, single_page=single_page, frontend=frontend)
    fail_stale_runs()
    try:
        with transaction.atomic():
            return AuditRun.objects.create(
                target_url=target,
                single_page=single_page,
                trigger=trigger,
                started_by=user if getattr(user, "is_authenticated", False) else None,
                options=options or {},
                schedule=schedule,
                frontend=frontend,
                changed_urls=list(changed_urls or []),
            )
    except IntegrityError:
        raise RunAlreadyActive(active_run_for(target, single_page=single_page), target) from None


def active_run_for(target_url: str, *, single_page: bool = False) -> AuditRun | None:
    """The queued or running run of this target and mode, if any."""
    return (
        AuditRun.objects.filter(
            target_url=normalize_target(target_url),
            single_page=single_page,
            status__in=AuditRun.ACTIVE_STATUSES,
        )
        .order_by("-created_at")
        .first()
    )


def cancel_run(run: AuditRun) -> AuditRun:
    """Cancel now if queued; ask the worker to stop at the next page if running."""
    now = timezone.now()
    queued = AuditRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, cancel_requested=True, finished_at=now
    )
    if not queued:
        AuditRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run


# How fail_stale_runs' error begins: the scheduler resumes such a run (its worker was killed)
# rather than start the schedule's next one from scratch.
STALE_ERROR = "The worker stopped responding"


def failed_as_stale(run: AuditRun) -> bool:
    """Failed by ``fail_stale_runs`` (worker killed or stuck), not by an error of its own."""
    return run.status == Status.FAILED and run.error.startswith(STALE_ERROR)


def fail_stale_runs() -> int:
    """Fail running runs whose crawl has finished no page for STALE_AFTER seconds (their
    worker was killed, crashed or is stuck), which frees their target for a new run, and fail
    their django-tasks-db task row too. Returns the number of runs failed."""
    now = timezone.now()
    limit = now - timedelta(seconds=audit_setting("STALE_AFTER"))
    stale = AuditRun.objects.filter(status=Status.RUNNING, heartbeat_at__lt=limit)
    failed = 0
    for run_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            # Locked, and only if still stale: a stuck worker that wakes up may be storing a
            # page (RunStore.flush takes the same lock), so the count below stays true.
            run = stale.select_for_update().filter(pk=run_id).only("pk", "task_id").first()
            if run is None:
                continue
            stored = PageResult.objects.filter(run_id=run_id).count()
            error = (
                f"{STALE_ERROR} (killed or crashed); "
                f"the {stored} page{'' if stored == 1 else 's'} stored so far are kept"
                + (": resume the run to carry on from them." if stored else ".")
            )
            AuditRun.objects.filter(pk=run_id).update(
                status=Status.FAILED, finished_at=now, error=error
            )
            _fail_task_row(run.task_id, error, now)
        failed += 1
        logger.warning("audit run %s: %s", run_id, error)
    return failed


def _fail_task_row(task_id: str, error: str, now: datetime) -> None:
    """Mark the dead worker's django-tasks-db row failed, so it does not stay RUNNING."""
    if not task_id or not apps.is_installed("django_tasks_db"):
        return  # another backend (immediate, RQ) keeps no such row
    try:
        task_uuid = uuid.UUID(task_id)
    except ValueError:
        return
    # The model by name: importing django_tasks_db.models fails where the app is not installed.
    task_rows = apps.get_model("django_tasks_database", "DBTaskResult").objects
    task_rows.filter(pk=task_uuid, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: {error}",
    )


def reopen_run(run: AuditRun) -> AuditRun:
    """Queue a failed or cancelled site audit again with the pages it stored, so the engine
    carries on from them rather than fetching them again.

    What only the end of a run writes (site-wide and browser findings, stub rows of URLs
    never fetched) is removed first: a run killed while finishing must not get it twice.
    NotResumable (its message says why) or RunAlreadyActive (another run of the target).
    """
    if not run.resumable:
        if run.is_active:
            raise NotResumable(f"{run.label} is still {run.status}.")
        if run.status == Status.SUCCEEDED:
            raise NotResumable(f"{run.label} finished; start a new audit instead.")
        raise NotResumable(f"{run.label} kept no pages to resume from; start a new audit instead.")
    try:
        with transaction.atomic():
            reopened = AuditRun.objects.filter(
                pk=run.pk, status__in=(Status.FAILED, Status.CANCELLED)
            ).update(
                status=Status.QUEUED,
                error="",
                finished_at=None,
                heartbeat_at=None,
                cancel_requested=False,
                score=None,
                task_id="",
                browser_pages_done=0,
                browser_pages_to_render=None,
            )
            if not reopened:
                raise NotResumable(f"{run.label} is no longer failed or cancelled.")
            PageResult.objects.filter(run=run, crawl_state__isnull=True).delete()
            found = Finding.objects.filter(run=run)
            added_at_the_end = [
                check_id
                for check_id in found.values_list("check_id", flat=True).distinct()
                if getattr(check_info(check_id), "scope", None) != "page"
            ]
            found.filter(check_id__in=added_at_the_end).delete()
    except IntegrityError:
        raise RunAlreadyActive(
            active_run_for(run.target_url, single_page=run.single_page), run.target_url
        ) from None
    run.refresh_from_db()
    logger.info("audit run %s reopened to resume from its stored pages", run.pk)
    return run


# -- running -------------------------------------------------------------------------------


class _Watcher:
    """Writes progress and the heartbeat, stores pages waiting too long, and reads the cancel
    flag, from its own thread every POLL_INTERVAL seconds on one connection.

    The engine calls ``progress`` and ``should_cancel`` from its threads; they only touch
    memory. The heartbeat written is the time of the engine's last progress report, not the
    time of the poll: a crawl that is stuck stops beating even though this thread lives on.
    """

    def __init__(self, run_id: int, store: RunStore, started_at: datetime) -> None:
        self.run_id = run_id
        self.store = store
        self.done = 0
        self.known = 0
        self.browser: tuple[int, int | None] = (0, None)  # pages rendered, pages to render
        self.progressed_at = started_at
        self.cancelled = threading.Event()
        self._written: tuple | None = None
        self._stop = threading.Event()
        self._interval = audit_setting("POLL_INTERVAL")
        self._thread = threading.Thread(target=self._loop, name=f"audit-watch-{run_id}")

    def progress(self, done: int, known: int) -> None:
        self.done, self.known, self.progressed_at = done, known, timezone.now()

    def browser_progress(self, rendered: int, to_render: int) -> None:
        """The browser pass's progress; a rendered page is progress for the heartbeat too,
        or a long pass (no crawled page finishing) would be failed as stale."""
        self.browser, self.progressed_at = (rendered, to_render), timezone.now()

    def should_cancel(self) -> bool:
        return self.cancelled.is_set()

    def start(self) -> _Watcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                self._poll()
        finally:
            connection.close()

    def _poll(self) -> None:
        try:
            self.store.flush_if_due()
            rows = AuditRun.objects.filter(pk=self.run_id, status=Status.RUNNING)
            state = (self.done, self.known, self.progressed_at, *self.browser)
            if state != self._written:
                rows.update(
                    pages_done=state[0],
                    pages_known=state[1],
                    heartbeat_at=state[2],
                    browser_pages_done=state[3],
                    browser_pages_to_render=state[4],
                )
                self._written = state
            # Stop on a cancel, and when the run was failed as stale: it is no longer ours.
            if not rows.filter(cancel_requested=False).exists():
                self.cancelled.set()
        except Exception:  # a missed poll is retried; it must never break the crawl
            logger.warning("audit run %s: progress update failed", self.run_id, exc_info=True)


def execute_run(run: AuditRun) -> AuditRun:
    """Run a queued audit here and now; returns it finished (succeeded/failed/cancelled).

    Returns the run unchanged if it is no longer queued (cancelled, or taken by another
    worker). A crash marks it failed with the error; the pages stored so far stay.
    """
    now = timezone.now()
    taken = AuditRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now
    )
    run.refresh_from_db()
    if not taken:
        return run
    store = RunStore(run)
    watcher = _Watcher(run.pk, store, now)
    try:
        config = build_config(run.options, single_page=run.single_page, frontend=run.frontend)
        if run.trigger != AuditRun.Trigger.COMMAND:
            # Started from the web (admin, schedule, publish): public sites and this CMS's
            # own sites only, checked again at every connection. The command line is an
            # operator's and keeps the engine's own rules.
            config = config.replace(**admin_engine_overrides())
        AuditRun.objects.filter(pk=run.pk).update(settings=config.as_dict())
        kept = store.kept_pages()  # a resumed run's stored pages; none for a new run
        watcher.start()
        result = audit_site(
            run.target_url,
            config,
            progress=watcher.progress,
            on_page=store.add_page,
            should_cancel=watcher.should_cancel,
            resume_from=kept,
            on_state=store.add_state,
            browser_progress=watcher.browser_progress,
        )
        watcher.stop()
        store.finish(result)
    except BaseException as exc:
        watcher.stop()
        _fail(run, store, exc)
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: the worker is stopping
        _announce_finished(run)
        return run
    status, error = _outcome(result)
    # Not a run failed meanwhile as stale (its worker was stuck): that verdict stands.
    # One transaction with the crawl state's removal: a kill between the two would leave
    # a finished run that still looks resumable.
    with transaction.atomic():
        _record_outcome(run, result, status, error)
    run.refresh_from_db()
    _announce_finished(run)
    return run


def _record_outcome(run: AuditRun, result: AuditResult, status: str, error: str) -> None:
    stats = result.stats
    finished = AuditRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=status,
        error=error,
        **_no_score_if_failed(status),
        stats=stats,
        settings=result.settings,
        pages_done=len(result.pages),
        pages_known=max(stats.get("pages_known") or 0, len(result.pages)),
        **_browser_counts(stats),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if finished and status == Status.SUCCEEDED:
        # Complete: nothing to resume, so the pages' crawl state is no longer needed.
        PageResult.objects.filter(run=run).update(crawl_state=None)


def _browser_counts(stats: dict) -> dict[str, int | None]:
    """The browser pass's final pages done and to render, from the engine's stats."""
    browser = stats.get("browser")
    if not isinstance(browser, dict):
        return {}
    return {
        "browser_pages_done": browser.get("pages_rendered", 0) + browser.get("pages_failed", 0),
        "browser_pages_to_render": browser.get("pages_planned", 0),
    }


def _announce_finished(run: AuditRun) -> None:
    if run.status in AuditRun.FINISHED_STATUSES:
        record(Change(AUDIT_COMPLETED, object_id=run.pk))


def _fail(run: AuditRun, store: RunStore, exc: BaseException) -> None:
    if isinstance(exc, AuditError | InvalidOptions):
        error = str(exc)
    else:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        logger.exception("audit run %s crashed", run.pk)
    try:
        store.flush()
        store.update_totals()
    except Exception:
        logger.warning("audit run %s: could not store its last pages", run.pk, exc_info=True)
    AuditRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=Status.FAILED, error=error[:10_000], finished_at=timezone.now()
    )
    run.refresh_from_db()


def save_result(
    result: AuditResult,
    *,
    trigger: str = AuditRun.Trigger.COMMAND,
    user=None,
    single_page: bool = False,
    frontend: bool = False,
) -> AuditRun:
    """Store an audit that already ran elsewhere (``seo_audit --save``) as a finished run.

    Refused with RunAlreadyActive while another run of the same target is queued or running.
    """
    run = create_run(
        result.start_url,
        trigger=trigger,
        user=user,
        single_page=single_page,
        frontend=frontend,
    )
    AuditRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, started_at=_parse_time(result.started_at) or timezone.now()
    )
    try:
        RunStore(run).finish(result)
    except BaseException as exc:
        _fail(run, RunStore(run), exc)
        raise
    status, error = _outcome(result)
    AuditRun.objects.filter(pk=run.pk).update(
        status=status,
        error=error,
        **_no_score_if_failed(status),
        stats=result.stats,
        settings=result.settings,
        pages_done=len(result.pages),
        pages_known=max(result.stats.get("pages_known") or 0, len(result.pages)),
        **_browser_counts(result.stats),
        finished_at=_parse_time(result.finished_at) or timezone.now(),
    )
    run.refresh_from_db()
    _announce_finished(run)
    return run


def _parse_time(value: str | None):
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _no_score_if_failed(status: str) -> dict[str, None]:
    # A run that could not start audited nothing (e.g. its start URL redirected to file://):
    # the score of its one stub page would look like a result.
    return {"score": None} if status == Status.FAILED else {}


def _outcome(result: AuditResult) -> tuple[str, str]:
    if result.stop_reason is StopReason.CANCELLED:
        return Status.CANCELLED, ""
    if result.start_error:
        message = start_failure_message(
            result.start_url, result.start_error, result.start_redirect()
        )
        return Status.FAILED, message
    return Status.SUCCEEDED, ""


# -- reading -------------------------------------------------------------------------------


def previous_run(run: AuditRun) -> AuditRun | None:
    """The latest succeeded run of the same target and mode created before ``run``."""
    return (
        AuditRun.objects.filter(
            target_url=run.target_url,
            single_page=run.single_page,
            status=Status.SUCCEEDED,
            created_at__lte=run.created_at,
        )
        .exclude(pk=run.pk)
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class Comparison:
    new: QuerySet[Finding]  # in the newer run only
    fixed: QuerySet[Finding]  # in the older run only, and checked again (rows of the older run)
    still_open: QuerySet[Finding]  # in both (rows of the newer run)
    # In the older run only, but the newer run did not perform the check there (browser pass
    # off or not rendering that page, check disabled, page not fetched): neither fixed nor
    # still open as far as anyone can tell (rows of the older run).
    not_checked: QuerySet[Finding]

    def counts(self) -> dict[str, int]:
        return {
            "new": self.new.count(),
            "fixed": self.fixed.count(),
            "still_open": self.still_open.count(),
            "not_checked": self.not_checked.count(),
        }


def not_rechecked(new: AuditRun, gone: QuerySet[Finding]) -> Q:
    """Which of ``gone`` (findings of an older run missing from ``new``) ``new`` could not
    have found again: a check it had disabled, a browser check on a page its browser pass
    did not render (the pass off, sampled, or failed there), or any check on a page it did
    not fetch. A finding is only "fixed" when the check ran on the page and kept quiet."""
    disabled = set((new.settings or {}).get("disabled_checks") or [])
    fetched = PageResult.objects.filter(run=new, http_status__isnull=False).values("url")
    unknown = Q(check_id__in=disabled) | ~Q(page_result__url__in=fetched)
    gone_ids = set(gone.order_by().values_list("check_id", flat=True).distinct())
    browser_ids = {i for i in gone_ids if (c := check_info(i)) is not None and c.scope == "browser"}
    if browser_ids:
        rendered = set(((new.stats or {}).get("browser") or {}).get("lab") or {})
        unknown |= Q(check_id__in=browser_ids) & ~(
            Q(page_result__url__in=rendered) | Q(page_result__final_url__in=rendered)
        )
    return unknown


def compare_runs(new: AuditRun, old: AuditRun | None) -> Comparison:
    """Findings new, fixed, still open and not checked between two runs, matched by
    fingerprint.

    With no older run everything is new. Querysets, so callers filter and paginate further.
    """
    findings = Finding.objects.select_related("page_result")
    if old is None:
        return Comparison(
            new=findings.filter(run=new),
            fixed=findings.none(),
            still_open=findings.none(),
            not_checked=findings.none(),
        )
    old_prints = Finding.objects.filter(run=old).values("fingerprint")
    new_prints = Finding.objects.filter(run=new).values("fingerprint")
    gone = findings.filter(run=old).exclude(fingerprint__in=new_prints)
    unknown = not_rechecked(new, gone)
    return Comparison(
        new=findings.filter(run=new).exclude(fingerprint__in=old_prints),
        fixed=gone.exclude(unknown),
        still_open=findings.filter(run=new, fingerprint__in=old_prints),
        not_checked=gone.filter(unknown),
    )


def latest_page_result(page) -> PageResult | None:
    """The page's result in its most recent succeeded audit (site crawl or after-publish)."""
    return (
        PageResult.objects.filter(page_id=getattr(page, "pk", page), run__status=Status.SUCCEEDED)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id", "-http_status")
        .first()
    )


# -- retention -----------------------------------------------------------------------------


def delete_runs(runs: QuerySet[AuditRun]) -> int:
    """Delete runs with their pages and findings; set-based, no objects loaded.

    Active runs are never deleted. Returns the number of runs deleted.
    """
    ids = list(runs.exclude(status__in=AuditRun.ACTIVE_STATUSES).values_list("pk", flat=True))
    deleted = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        with transaction.atomic():
            # Children first, so neither delete has cascades to collect in memory.
            Finding.objects.filter(run_id__in=chunk).delete()
            PageResult.objects.filter(run_id__in=chunk).delete()
            deleted += AuditRun.objects.filter(pk__in=chunk).delete()[1].get("audit.AuditRun", 0)
    return deleted


def prune_runs(keep: int | None = None) -> int:
    """Keep the newest ``keep`` finished runs per target and mode; delete the older ones."""
    keep = int(audit_setting("KEEP_RUNS") if keep is None else keep)
    if keep < 0:
        raise ValueError("keep must be 0 or more")
    finished = AuditRun.objects.filter(status__in=AuditRun.FINISHED_STATUSES)
    doomed: list[int] = []
    targets = finished.values("target_url", "single_page").annotate(last=Max("created_at"))
    for target in targets.iterator():
        runs = finished.filter(
            target_url=target["target_url"], single_page=target["single_page"]
        ).order_by("-created_at", "-id")
        doomed += list(runs.values_list("pk", flat=True)[keep:])
    return delete_runs(AuditRun.objects.filter(pk__in=doomed)) if doomed else 0


__all__ = [
    "Comparison",
    "active_run_for",
    "InvalidTarget",
    "RunAlreadyActive",
    "WorkerLost",
    "cancel_run",
    "compare_runs",
    "create_run",
    "delete_runs",
    "execute_run",
    "fail_stale_runs",
    "latest_page_result",
    "previous_run",
    "prune_runs",
    "save_result",
    "site_root_url",
]
