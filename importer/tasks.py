"""The import as a background task (django-tasks), for runs started in the admin."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from audit.options import build_config
from audit.targets import admin_engine_overrides
from importer.models import ImportRun
from importer.service import ImportOptions, import_site

logger = logging.getLogger(__name__)


def options_for(run: ImportRun) -> ImportOptions:
    """The run's stored options; admin runs reach only the addresses admin audits may."""
    stored = run.options
    return ImportOptions(
        into=stored.get("into", "auto"),
        limit=stored.get("limit"),
        only=list(stored.get("only", [])),
        publish=bool(stored.get("publish")),
        dry_run=bool(stored.get("dry_run")),
        # The site's crawl settings (SEO_AUDIT["CRAWL_OPTIONS"]: delay, timeouts, time budget…)
        # as for admin audits, fetched in this process, reaching only what admin audits may.
        crawl=build_config({"parse_workers": 0}).replace(**admin_engine_overrides()),
    )


@task()
def run_import(run_id: int) -> str:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("import run %s no longer exists; nothing to do", run_id)
        return "missing"
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, heartbeat=timezone.now()
    )

    def progress(done: int, known: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(
            pages_done=done, pages_known=known, heartbeat=timezone.now()
        )

    try:
        report = import_site(run.source_url, options_for(run), progress=progress)
    except Exception as exc:  # the run must end failed, with the reason, whatever happened
        logger.exception("import run %s failed", run.pk)
        run.status, run.error = ImportRun.Status.FAILED, f"the import stopped: {exc}"
    else:
        run.report = report.as_dict()
        run.error = report.errors[0] if report.errors else ""
        run.status = ImportRun.Status.FAILED if report.errors else ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "error", "status", "finished_at"])
    return run.status


def start_import(run: ImportRun) -> None:
    """Queue the run's task once the run is committed, so a worker can see it."""
    transaction.on_commit(lambda: run_import.enqueue(run.pk))
