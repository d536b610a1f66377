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

from audit.conf import audit_setting
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
            self._pass()
            return
        stopping = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.set())
        self.stdout.write(f"Audit scheduler: checking every {interval:g}s; Ctrl-C stops.")
        while not stopping.is_set():
            try:
                self._pass()
            except Exception:  # a database blip must not end the loop
                logger.exception("scheduler pass failed; retrying next interval")
            close_old_connections()
            stopping.wait(interval)

    def _pass(self) -> None:
        for run in tick():
            self.stdout.write(f"Enqueued audit run #{run.pk} of {run.target_url}.")
