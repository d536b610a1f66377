"""Background tasks (django-tasks): a stored audit run, and the audit after publishing.

The default backend is django-tasks-db (``manage.py db_worker``, started by ``make run``);
tests use the immediate backend; see README for django-tasks-rq. Arguments are ids, so any
backend can serialise them. ``start_run``/``enqueue_run`` are the way to queue a stored run;
``resume_run`` queues a failed one again to carry on from the pages it kept.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task
from wagtail.models import Page

from audit.deploy_history import mark_deploy
from audit.deploy_queue import (
    deploy_options,
    finished_with_waiting_deploys,
    take_waiting,
    wait_on,
)
from audit.emails import send_run_report
from audit.engine import AuditError
from audit.models import AuditRun
from audit.options import InvalidOptions
from audit.services import InvalidTarget, RunAlreadyActive, create_run, execute_run, reopen_run

logger = logging.getLogger(__name__)


@task()
def run_audit(run_id: int) -> str:
    """Run a queued audit; e-mail the schedule's recipients when it was scheduled."""
    run = AuditRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("audit run %s no longer exists; nothing to do", run_id)
        return "missing"
    run = execute_run(run)
    if run.trigger == AuditRun.Trigger.DEPLOY:
        try:
            mark_deploy(run)
        except Exception:  # the audit is stored; the history note must not fail it
            logger.exception("audit run %s: marking the deploy in page history failed", run.pk)
    if run.schedule_id and run.status in (AuditRun.Status.SUCCEEDED, AuditRun.Status.FAILED):
        try:
            send_run_report(run)
        except Exception:  # the audit is stored; a mail outage must not fail it
            logger.exception("audit run %s: sending the report failed", run.pk)
    start_waiting_deploys()  # deploys that waited on this run (or on one failed as stale)
    return run.status


@task()
def audit_published_page(page_id: int) -> str:
    """Audit one just-published page so its latest findings reflect what is live."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None or not page.live:
        return "skipped: page missing or not live"
    url = page.get_full_url()
    if not url:
        return "skipped: page has no URL (not under a site)"
    try:
        run = create_run(url, trigger=AuditRun.Trigger.PUBLISH, single_page=True)
    except RunAlreadyActive as exc:
        # A queued audit of this page will see the new version anyway.
        logger.info("after-publish audit of %s skipped: %s", url, exc)
        return "skipped: already active"
    return execute_run(run).status


def start_run(target_url: str, **kwargs: Any) -> AuditRun:
    """Create a queued run and enqueue its task; see ``audit.services.create_run`` for the
    arguments and errors.

    The task is enqueued once the surrounding transaction (if any) commits, so a worker on
    another machine never looks for a run it cannot see yet.
    """
    run = create_run(target_url, **kwargs)
    transaction.on_commit(lambda: enqueue_run(run))
    return run


def start_deploy_audit(front: str, changed: list[str]) -> tuple[AuditRun, bool]:
    """Start the audit of a finished deploy of the front end ``front`` (``changed``: its
    changed URLs, [] for the whole site). Returns the run and False; or, while an audit of
    the front end is queued or running, that run and True: the deploy waits on it and is
    audited when it finishes. RunAlreadyActive only if runs keep finishing under our feet."""
    for _ in range(3):
        try:
            run = start_run(
                front,
                trigger=AuditRun.Trigger.DEPLOY,
                options=deploy_options(changed),
                frontend=True,
                changed_urls=changed,
            )
            return run, False
        except RunAlreadyActive as exc:
            active = exc
            waited_on = wait_on(exc.run.pk, changed) if exc.run is not None else None
            if waited_on is not None:
                return waited_on, True
    raise active


def start_waiting_deploys() -> list[AuditRun]:
    """Start the audit of the deploys that waited on runs now finished (called when a run
    finishes and by the scheduler, which also sees runs failed as stale). Returns the runs
    started or waited on."""
    started: list[AuditRun] = []
    for run_id in finished_with_waiting_deploys():
        with transaction.atomic():
            waiting = take_waiting(run_id)
            if waiting is None:
                continue
            front, changed = waiting
            try:
                started.append(start_deploy_audit(front, changed)[0])
            except (RunAlreadyActive, InvalidTarget, InvalidOptions, AuditError) as exc:
                logger.warning("deploys waiting on run %s not audited: %s", run_id, exc)
    return started


def resume_run(run: AuditRun) -> AuditRun:
    """Queue a failed or cancelled site audit again: the worker starts from its stored
    pages (not fetched again) and finishes the report. ``audit.services.NotResumable`` or
    ``RunAlreadyActive`` when it cannot (the message says why)."""
    run = reopen_run(run)
    transaction.on_commit(lambda: enqueue_run(run))
    return run


def enqueue_run(run: AuditRun) -> None:
    result = run_audit.enqueue(run.pk)
    # The immediate backend has already run it; only record the id of a queued task.
    AuditRun.objects.filter(pk=run.pk, task_id="").update(task_id=str(result.id)[:100])
