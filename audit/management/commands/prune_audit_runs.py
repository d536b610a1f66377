"""``manage.py prune_audit_runs``: keep the newest N finished runs per target, delete the rest."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit.conf import audit_setting
from audit.services import prune_runs


class Command(BaseCommand):
    help = "Delete finished audit runs beyond the newest N per target (SEO_AUDIT['KEEP_RUNS'])."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help=f"runs to keep per target (default: {audit_setting('KEEP_RUNS')})",
        )

    def handle(self, *args, **options):
        keep = options["keep"]
        if keep is not None and keep < 0:
            raise CommandError("--keep must be 0 or more")
        deleted = prune_runs(keep)
        kept = audit_setting("KEEP_RUNS") if keep is None else keep
        self.stdout.write(f"Deleted {deleted} audit run(s); kept the newest {kept} per target.")
