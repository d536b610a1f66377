"""``manage.py audit_scheduler``: enqueue due audit schedules (and publish scheduled pages).

Runs as a loop (``make run``, process managers) or once per call with ``--once`` (cron).
Several schedulers may run at once: the database lets only one enqueue each due run.
"""

from __future__ import annotations

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from audit.clinic_time import when_in_words
from audit.conf import audit_setting
from audit.models import AuditSchedule, ScheduledSlot
from audit.scheduling import tick

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue due SEO audit schedules; loops unless --once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit (cron)")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help=f"seconds between passes (default: {audit_setting('SCHEDULER_INTERVAL')})",
        )

    def handle(self, *args, **options):
        interval = options["interval"]
        if interval is None:
            interval = float(audit_setting("SCHEDULER_INTERVAL"))
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds")
        if options["once"]:
            self._pass(report_idle=True)
            return
        stopping = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.set())
        self.stdout.write(f"Audit scheduler: checking every {interval:g}s; Ctrl-C stops.")
        while not stopping.is_set():
            try:
                # A loop ticks every few seconds: idle passes are told only when asked for.
                self._pass(report_idle=options["verbosity"] >= 2)
            except Exception:  # a database blip must not end the loop
                logger.exception("scheduler pass failed; retrying next interval")
            close_old_connections()
            stopping.wait(interval)

    def _pass(self, *, report_idle: bool) -> None:
        runs = tick()
        for run in runs:
            resumed = ScheduledSlot.objects.filter(run=run, note__startswith="resumed").exists()
            verb = "Resumed" if resumed else "Enqueued"
            self.stdout.write(f"{verb} {run.label} for “{run.schedule}”: {run.target_url}.")
        if not runs and report_idle:
            self.stdout.write(f"No schedule due; {next_schedule_words()}.")


def next_schedule_words() -> str:
    """E.g. "next: Mon 1 Dec 2026, 07:00 (America/Vancouver), “Weekly audit”"."""
    now = timezone.now()
    upcoming = [
        (due, schedule)
        for schedule in AuditSchedule.objects.filter(enabled=True)
        if (due := schedule.next_due_after(now)) is not None
    ]
    if not upcoming:
        return "no schedule is enabled"
    due, schedule = min(upcoming, key=lambda pair: pair[0])
    zone = schedule.zone()
    return (
        f"next: {due.astimezone(zone):%A} {when_in_words(due, zone)} ({schedule.time_zone}), "
        f"“{schedule.name}”"
    )
