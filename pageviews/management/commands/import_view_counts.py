import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from wagtail.models import Site

from pageviews.importer import (
    TOTAL_DATE,
    DatabaseFailed,
    ImportFailed,
    UnreadableFile,
    import_view_counts,
)

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import page view counts from an old site: a CSV of page (id, path or URL), date "
        "(YYYY-MM-DD or 'total') and count. Every row is checked first; if any is bad, the "
        "bad rows are listed with their line numbers and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file: page,date,count")
        parser.add_argument(
            "--site",
            help="Hostname of the site that paths and URLs are looked up in (default: the "
            "default site).",
        )
        parser.add_argument(
            "--total-date",
            type=datetime.date.fromisoformat,
            default=TOTAL_DATE,
            help=f"Day that 'total' rows are stored on (default {TOTAL_DATE}: counted in all "
            "time, not in recent periods).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file: Path, site: str | None, total_date, dry_run: bool, **options):
        site_obj = None
        if site:
            try:
                site_obj = Site.objects.filter(hostname=site).select_related("root_page").first()
            except DatabaseError as exc:
                raise CommandError(f"Cannot read the sites from the database: {exc}") from None
            if site_obj is None:
                raise CommandError(f"No site with hostname {site!r}.")
        try:
            result = import_view_counts(file, site=site_obj, total_date=total_date, dry_run=dry_run)
        except (UnreadableFile, DatabaseFailed) as failure:
            raise CommandError(str(failure)) from None
        except ImportFailed as failure:
            shown = failure.errors[:MAX_ERRORS_SHOWN]
            for error in shown:
                self.stderr.write(error)
            more = len(failure.errors) - len(shown)
            if more:
                self.stderr.write(f"… and {more} more.")
            raise CommandError(
                f"{file}: {len(failure.errors)} bad row(s); nothing was imported."
            ) from None
        verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {result.rows} row(s): {result.views} view(s) for "
            f"{len(result.page_ids)} page(s)."
        )
