"""Issue 24 case 1: a real task worker auditing a site that answers in a second per page is
killed with SIGKILL mid-crawl. Every page is slow enough for a slow-response finding, which
is re-measured only at the end of the crawl; the pages themselves must be stored as they
finish, not held back with that finding (which lost every page before the fix)."""

from __future__ import annotations

import signal
import time

import pytest
from django.test import override_settings

from audit.models import AuditRun
from audit.tasks import start_run
from tests.audit.test_killed_worker import DB_TASKS, WORKER_AUDIT, WorkerDatabase, wait_for

SLOW_CRAWL = {"parse_workers": 0, "timeout": 5.0, "retries": 0, "concurrency": 4, "max_pages": 200}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_worker_killed_while_crawling_a_slow_site_keeps_the_pages_it_finished(
    transactional_db, endless_site, tmp_path
):
    endless_site.delay = 1.0  # over the slow-response threshold: every page is "slow"
    with override_settings(TASKS=DB_TASKS):
        run = start_run(endless_site.url, options=SLOW_CRAWL)
    db = WorkerDatabase(tmp_path)
    worker = db.manage("db_worker", "--interval", "0.1", "--no-startup-delay")
    try:
        wait_for(lambda: endless_site.served >= 8, 60, "the site to answer 8 pages")
        finished = endless_site.served
        # Time for the store's flush (due after STORE_FLUSH_SECONDS, looked at every
        # POLL_INTERVAL): what a kill may lose is what came after this.
        time.sleep(WORKER_AUDIT["STORE_FLUSH_SECONDS"] + 3 * WORKER_AUDIT["POLL_INTERVAL"])
        assert worker.poll() is None, "the worker ended before it was killed"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)

    status, stored = db.one(
        "SELECT r.status, (SELECT COUNT(*) FROM audit_pageresult p WHERE p.run_id = r.id) "
        "FROM audit_auditrun r WHERE r.id = %s",
        run.pk,
    )
    assert status == AuditRun.Status.RUNNING  # killed: nobody has finished the run
    assert stored >= finished, f"{finished} pages were answered before the kill, {stored} stored"
    # The slow-response findings wait for the end-of-crawl re-measurement, which never came:
    # no finding was stored with a figure that was never confirmed.
    (slow_findings,) = db.one(
        "SELECT COUNT(*) FROM audit_finding WHERE run_id = %s AND check_id = %s",
        run.pk,
        "slow-response",
    )
    assert slow_findings == 0
