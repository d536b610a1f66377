"""A deploy's audit in the pages' history: a deploy of the front end whose audit found new
errors on pages it changed is logged on each such page (Wagtail's page history), with the
run and the checks, so an editor sees which deploy broke the page.

"New" is against the previous succeeded run of the same target (``compare_runs``); the
changed pages are the deploy's ``changed_urls``, or every page when it named none. Template
findings (``Finding.template``) are the front end's, not a page's, and are left out.
"""

from __future__ import annotations

from collections import defaultdict

from wagtail.log_actions import log
from wagtail.models import Page

from audit.models import AuditRun
from audit.services import compare_runs, previous_run

ACTION = "seo_audit.deploy_new_errors"


def mark_deploy(run: AuditRun) -> dict[int, list[str]]:
    """Log the deploy on each changed CMS page its audit found new errors on; returns
    {page id: the checks that are new errors there}. Only for finished deploy runs."""
    if run.trigger != AuditRun.Trigger.DEPLOY or run.status != AuditRun.Status.SUCCEEDED:
        return {}
    new = compare_runs(run, previous_run(run)).new.filter(
        severity="error", template=False, page_result__page__isnull=False
    )
    if run.changed_urls:
        new = new.filter(page_result__url__in=run.changed_urls)
    checks: dict[int, set[str]] = defaultdict(set)
    for page_id, check_id in new.values_list("page_result__page_id", "check_id"):
        checks[page_id].add(check_id)
    found = {page_id: sorted(ids) for page_id, ids in checks.items()}
    for page in Page.objects.filter(pk__in=found).specific():
        log(
            page,
            ACTION,
            data={"run": run.pk, "label": run.label, "checks": found[page.pk]},
        )
    return found
