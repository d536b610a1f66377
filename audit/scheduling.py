"""When schedules are due, and the scheduler tick that enqueues them.

A schedule's times come from its cron line read in the site's TIME_ZONE (croniter). At each
tick a schedule is due when its latest time at or before now is not yet claimed and is not
older than the schedule itself. Only that latest time is considered, so after a scheduler
outage a schedule runs once, not once per missed time.

The claim is a ``ScheduledSlot`` row with a unique (schedule, slot) constraint: when two
schedulers tick at once, one insert wins and only the winner enqueues the run.

Each tick also publishes scheduled pages (``pages.scheduling.publish_scheduled_pages``) when
that module exists, so one process runs every timed job of the site.
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditRun, AuditSchedule, ScheduledSlot

logger = logging.getLogger(__name__)


def site_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _cron(schedule: AuditSchedule, start: datetime) -> croniter | None:
    expression = schedule.cron_expression()
    if not expression or not croniter.is_valid(expression):
        return None
    return croniter(expression, start.astimezone(site_timezone()))


def compute_next_due(schedule: AuditSchedule, after: datetime | None = None) -> datetime | None:
    """The first time strictly after ``after`` (default now); None for an invalid cron line."""
    it = _cron(schedule, after or timezone.now())
    return None if it is None else it.get_next(datetime)


def latest_slot(schedule: AuditSchedule, now: datetime | None = None) -> datetime | None:
    """The schedule's latest time at or before ``now``."""
    # croniter's get_prev excludes its start; one second later includes a time equal to now.
    it = _cron(schedule, (now or timezone.now()) + timedelta(seconds=1))
    return None if it is None else it.get_prev(datetime)


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


def enqueue_due(now: datetime | None = None) -> list[AuditRun]:
    """Start a run for every due schedule; returns the runs this call started."""
    from audit.services import (
        InvalidOptions,
        InvalidTarget,
        RunAlreadyActive,
        create_run,
        enqueue_run,
        site_root_url,
    )

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
            run = create_run(
                schedule.target_url or site_root_url(),
                trigger=AuditRun.Trigger.SCHEDULE,
                options=schedule.crawl_options,
                schedule=schedule,
            )
        except (RunAlreadyActive, InvalidTarget, InvalidOptions) as exc:
            claim.note = f"skipped: {exc}"[:300]
            claim.save(update_fields=["note"])
            logger.warning("schedule %r: %s", schedule.name, claim.note)
            continue
        claim.run = run
        claim.save(update_fields=["run"])
        schedule.last_enqueued_at = now
        schedule.save(update_fields=["last_enqueued_at", "next_due"])
        transaction.on_commit(lambda run=run: enqueue_run(run))
        started.append(run)
        logger.info("schedule %r: enqueued run #%s for %s", schedule.name, run.pk, slot)
    return started


_missing_logged = False


def publish_scheduled_pages() -> None:
    """Run the pages app's scheduled publishing if that module exists (issue #7)."""
    global _missing_logged
    try:
        module = importlib.import_module("pages.scheduling")
    except ImportError:
        if not _missing_logged:
            logger.info("pages.scheduling is not installed; skipping scheduled publishing")
            _missing_logged = True
        return
    publish = getattr(module, "publish_scheduled_pages", None)
    if publish is None:
        logger.info("pages.scheduling has no publish_scheduled_pages; skipping")
        return
    try:
        publish()
    except Exception:
        logger.exception("scheduled publishing failed; audits are unaffected")


def tick(now: datetime | None = None) -> list[AuditRun]:
    """One scheduler pass: mark dead runs failed, enqueue due audits, publish due pages."""
    from audit.services import fail_stale_runs

    fail_stale_runs()
    runs = enqueue_due(now)
    publish_scheduled_pages()
    return runs
