"""When schedules are due, and the scheduler tick that enqueues them.

A schedule's times come from its cron line read in the site's TIME_ZONE (croniter). At each
tick a schedule is due when its latest time at or before now is not yet claimed and is not
older than the schedule itself. Only that latest time is considered, so after a scheduler
outage a schedule runs once, not once per missed time.

The claim is a ``ScheduledSlot`` row with a unique (schedule, slot) constraint: when two
schedulers tick at once, one insert wins and only the winner enqueues the run.

Each tick also fails runs whose worker died (``fail_stale_runs``) and publishes scheduled
pages (``pages.scheduling.publish_scheduled_pages``), so one process runs every timed job of
the site. Cron arithmetic is in ``audit.cron``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from audit.conf import audit_setting
from audit.cron import latest_time
from audit.models import AuditRun, AuditSchedule, ScheduledSlot
from audit.options import InvalidOptions
from audit.services import (
    InvalidTarget,
    NotResumable,
    RunAlreadyActive,
    create_run,
    default_target,
    fail_stale_runs,
    failed_as_stale,
    normalize_target,
    reopen_run,
)
from audit.targets import vet_admin_target
from audit.tasks import enqueue_run, start_waiting_deploys
from pages.scheduling import publish_scheduled_pages

logger = logging.getLogger(__name__)

# Sent after each tick, so apps above this one (webhooks: due retries, pruning) run their
# timed work in the same process without this module importing them.
ticked = Signal()


def latest_slot(schedule: AuditSchedule, now: datetime | None = None) -> datetime | None:
    """The schedule's latest time at or before ``now``."""
    return latest_time(schedule.cron_expression(), now or timezone.now(), schedule.zone())


def due_slot(schedule: AuditSchedule, now: datetime | None = None) -> datetime | None:
    """The time to run now, or None when nothing is due."""
    if not schedule.enabled:
        return None
    slot = latest_slot(schedule, now)
    if slot is None or slot < schedule.created_at:
        return None
    if schedule.slots.filter(slot__gte=slot).exists():
        return None
    return slot


def claim_slot(schedule: AuditSchedule, slot: datetime) -> ScheduledSlot | None:
    """Claim a due time; None when another scheduler already has."""
    try:
        with transaction.atomic():
            return ScheduledSlot.objects.create(schedule=schedule, slot=slot)
    except IntegrityError:
        return None


def resume_killed_run(schedule: AuditSchedule, target: str, now: datetime) -> AuditRun | None:
    """The schedule's latest run reopened to carry on from its stored pages, when it was
    failed as stale (its worker killed) with the target and options the schedule has now and
    stored a page within RESUME_KILLED_WITHIN; None when there is no such run (a new run
    starts from scratch)."""
    previous = schedule.runs.order_by("-created_at", "-id").first()
    if previous is None or not failed_as_stale(previous) or not previous.resumable:
        return None
    oldest = now - timedelta(seconds=audit_setting("RESUME_KILLED_WITHIN"))
    if previous.heartbeat_at is None or previous.heartbeat_at < oldest:
        return None
    if previous.target_url != normalize_target(target):
        return None
    if previous.options != schedule.run_options() or previous.frontend != schedule.frontend:
        return None
    try:
        return reopen_run(previous)
    except NotResumable:
        return None


def enqueue_due(now: datetime | None = None) -> list[AuditRun]:
    """Start a run for every due schedule; returns the runs this call started."""
    now = now or timezone.now()
    started: list[AuditRun] = []
    for schedule in AuditSchedule.objects.filter(enabled=True).select_related("recipient_group"):
        slot = due_slot(schedule, now)
        if slot is None:
            continue
        claim = claim_slot(schedule, slot)
        if claim is None:
            continue
        try:
            # A schedule saved before targets were vetted may still aim inside: check it again.
            target = schedule.target_url and vet_admin_target(schedule.target_url)
            target = target or default_target(frontend=schedule.frontend)
            run = resume_killed_run(schedule, target, now)
            if run is not None:
                claim.note = f"resumed {run.label}: its worker was killed"
            else:
                run = create_run(
                    target,
                    trigger=AuditRun.Trigger.SCHEDULE,
                    options=schedule.run_options(),
                    schedule=schedule,
                    frontend=schedule.frontend,
                )
        except (ValidationError, RunAlreadyActive, InvalidTarget, InvalidOptions) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            claim.note = f"skipped: {reason}"[:300]
            claim.save(update_fields=["note"])
            logger.warning("schedule %r: %s", schedule.name, claim.note)
            continue
        claim.run = run
        claim.save(update_fields=["run", "note"])
        schedule.last_enqueued_at = now
        schedule.save(update_fields=["last_enqueued_at", "next_due"])
        transaction.on_commit(lambda run=run: enqueue_run(run))
        started.append(run)
        logger.info("schedule %r: enqueued run #%s for %s", schedule.name, run.pk, slot)
    return started


def tick(now: datetime | None = None) -> list[AuditRun]:
    """One scheduler pass: mark dead runs failed, enqueue due audits, publish due pages."""
    fail_stale_runs()
    start_waiting_deploys()  # those that waited on a run failed as stale just now
    runs = enqueue_due(now)
    try:
        publish_scheduled_pages()
    except Exception:
        logger.exception("scheduled publishing failed; audits are unaffected")
    for receiver, result in ticked.send_robust(sender=tick, now=now):
        if isinstance(result, Exception):
            logger.error("scheduler job %r failed", receiver, exc_info=result)
    return runs
