"""``manage.py resume_audit RUN``: carry on with a failed or cancelled site audit from the
pages it stored (the admin's "Resume audit" button does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.models import AuditRun
from audit.services import NotResumable, RunAlreadyActive
from audit.tasks import resume_run


class Command(BaseCommand):
    help = (
        "Queue a failed or cancelled site audit again; the worker starts from the pages it "
        "stored (they are not fetched again) and finishes the report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int, help="the run's id (its admin URL has it)")

    def handle(self, *args: Any, **options: Any) -> None:
        run = AuditRun.objects.filter(pk=options["run"]).first()
        if run is None:
            raise CommandError(f"no audit run #{options['run']}")
        try:
            run = resume_run(run)
        except (NotResumable, RunAlreadyActive) as exc:
            raise CommandError(f"not resumed: {exc}") from None
        kept = run.pages.count()
        self.stdout.write(
            f"{run.label} of {run.target_url} queued again, "
            f"{kept} page{'' if kept == 1 else 's'} kept"
        )
