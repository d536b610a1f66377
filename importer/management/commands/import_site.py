"""manage.py import_site URL: move an old site's pages in as drafts (see importer/service.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.engine import InvalidConfig
from audit.options import InvalidOptions, build_config
from importer.service import INTO_CHOICES, ImportOptions, import_site


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise CommandError(f"--limit must be a whole number of at least 1, got {text!r}")
    return value


class Command(BaseCommand):
    help = (
        "Crawl an old site (robots.txt, scope and address rules of the SEO audit apply) and "
        "import its content pages as drafts, with images, redirects and view counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="the old site's start URL, e.g. https://old.example/")
        parser.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
        parser.add_argument(
            "--into",
            choices=INTO_CHOICES,
            default="auto",
            help="where pages go: articles, services, or auto (from URL and markup)",
        )
        parser.add_argument("--limit", type=str, default=None, help="import at most N pages")
        parser.add_argument(
            "--only",
            nargs="+",
            metavar="URL",
            default=[],
            help="import only these pages (no crawl)",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the imported pages (those with alt text for every image)",
        )
        parser.add_argument(
            "--ignore-robots",
            action="store_true",
            help="for your own old site only: do not obey its robots.txt",
        )

    def handle(self, *args, **opts):
        limit = _positive(opts["limit"]) if opts["limit"] is not None else None
        extra = getattr(settings, "SEO_AUDIT_ALLOWED_HOSTS", None) or []
        try:
            # The site's crawl settings (SEO_AUDIT["CRAWL_OPTIONS"]), fetched in this process.
            # The command line may import from a private address it is pointed at (as
            # `seo_audit` may audit one); links and redirects cannot lead there otherwise.
            crawl = build_config(
                {"parse_workers": 0, "ignore_robots": opts["ignore_robots"]}
            ).replace(trusted_hosts=tuple(extra))
        except (InvalidOptions, InvalidConfig) as exc:
            raise CommandError(str(exc)) from None
        options = ImportOptions(
            into=opts["into"],
            limit=limit,
            only=opts["only"],
            publish=opts["publish"],
            dry_run=opts["dry_run"],
            crawl=crawl,
        )
        report = import_site(opts["url"], options)
        self.stdout.write(report.text())
        if report.errors:
            raise CommandError(report.errors[0])
