"""``manage.py seo_audit URL``: the engine's command line inside the Django project."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.engine import EXIT_OK, AuditResult, add_cli_arguments, run_cli
from audit.options import frontend_profile
from audit.services import InvalidTarget, RunAlreadyActive, active_run_for, save_result


class Command(BaseCommand):
    help = (
        "Crawl a site and report SEO and accessibility problems (same options as python -m audit)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_cli_arguments(parser)
        parser.add_argument(
            "--save",
            action="store_true",
            help="store the run in the database (trigger: command), like admin-started runs",
        )
        parser.add_argument(
            "--frontend",
            action="store_true",
            help="the URL is the static front end built from this CMS: map its pages back to "
            "their CMS pages (the cms-page-id meta tag) and group its template findings",
        )

    def on_result(self, result: AuditResult, args: argparse.Namespace) -> None:
        """Called with the finished audit before the report is written (hook for --save)."""
        if getattr(args, "save", False):
            try:
                run = save_result(
                    result, single_page=args.single_page, frontend=getattr(args, "frontend", False)
                )
            except RunAlreadyActive as exc:
                raise CommandError(f"not saved: {exc}") from None
            self.stderr.write(f"saved as audit run #{run.pk} ({run.status})")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("frontend") and options.get("profile") is None:
            options["profile"] = frontend_profile()
        namespace = argparse.Namespace(**options)
        if options.get("save"):
            try:
                active = active_run_for(options["url"], single_page=options["single_page"])
            except InvalidTarget as exc:
                raise CommandError(str(exc)) from None
            if active is not None:
                raise CommandError(f"not started: {RunAlreadyActive(active, active.target_url)}")
        code = run_cli(namespace, stdout=self.stdout, stderr=self.stderr, on_result=self.on_result)
        if code != EXIT_OK:
            raise CommandError(f"seo_audit finished with exit code {code}", returncode=code)
