"""Deploys that arrive while the front end's audit is queued or running wait on that run and
are audited together, by one run, when it finishes: a CI that deploys twice in a row loses
neither deploy's pages (issue 28, item 4).

The waiting deploy is stored on the active run (``AuditRun.deploy_waiting``) under a row lock,
and only while the run is still active; ``audit.tasks.start_waiting_deploys`` takes it once
the run has finished, in the transaction that starts its audit.
"""

from __future__ import annotations

import re

from django.db import transaction

from audit.models import AuditRun


def deploy_options(changed: list[str]) -> dict:
    """Crawl options that audit only the changed pages (and the start page, always)."""
    if not changed:
        return {}
    return {"include": [f"^{re.escape(url)}$" for url in changed]}


def merge_changed(waiting: list[str] | None, changed: list[str]) -> list[str]:
    """The URLs of two deploys audited as one; [] (the whole site) takes in everything."""
    if waiting is None:
        return list(changed)
    if not waiting or not changed:
        return []
    return list(dict.fromkeys([*waiting, *changed]))


def wait_on(run_id: int, changed: list[str]) -> AuditRun | None:
    """Add a deploy's changed URLs to what waits on the run; the run, or None when it is no
    longer queued or running (the caller can start the deploy's audit itself)."""
    with transaction.atomic():
        run = (
            AuditRun.objects.select_for_update()
            .filter(pk=run_id, status__in=AuditRun.ACTIVE_STATUSES)
            .first()
        )
        if run is None:
            return None
        run.deploy_waiting = merge_changed(run.deploy_waiting, changed)
        run.save(update_fields=["deploy_waiting"])
    return run


def finished_with_waiting_deploys() -> list[int]:
    """Ids of finished runs a deploy still waits on."""
    return list(
        AuditRun.objects.filter(deploy_waiting__isnull=False)
        .exclude(status__in=AuditRun.ACTIVE_STATUSES)
        .values_list("pk", flat=True)
    )


def take_waiting(run_id: int) -> tuple[str, list[str]] | None:
    """The front end and changed URLs waiting on a finished run, cleared; None when another
    worker took them first. Call inside the transaction that starts their audit."""
    run = (
        AuditRun.objects.select_for_update()
        .filter(pk=run_id, deploy_waiting__isnull=False)
        .exclude(status__in=AuditRun.ACTIVE_STATUSES)
        .only("pk", "target_url", "deploy_waiting")
        .first()
    )
    if run is None:
        return None
    AuditRun.objects.filter(pk=run.pk).update(deploy_waiting=None)
    return run.target_url, list(run.deploy_waiting)
