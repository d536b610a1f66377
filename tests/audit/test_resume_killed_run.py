"""Issue 24 case 1, resume: a real task worker auditing a finite slow site is SIGKILLed
mid-crawl, the run is failed as stale (what the scheduler does), and is then resumed. A
second real worker carries on from the stored pages: it fetches only the pages the first one
did not keep, none of the kept pages again, and the run ends with a complete report."""

from __future__ import annotations

import json
import signal
import time

import pytest
from django.test import override_settings

from audit.tasks import start_run
from tests.audit.test_killed_worker import DB_TASKS, WORKER_AUDIT, WorkerDatabase, wait_for

LAST_PAGE = 40  # the site is / and /p/1 ... /p/40
ALL_PAGES = {"/"} | {f"/p/{n}" for n in range(1, LAST_PAGE + 1)}
# No slow-response re-measurement: it would fetch a page again on purpose.
CRAWL = {
    "parse_workers": 0,
    "timeout": 5.0,
    "retries": 0,
    "concurrency": 2,
    "max_pages": 500,
    "slow_remeasure": 0,
}


def _stored_paths(db: WorkerDatabase, run_id: int) -> set[str]:
    return {row[0] for row in db.rows("SELECT url FROM audit_pageresult WHERE run_id = %s", run_id)}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_killed_run_resumes_from_its_stored_pages_without_fetching_them_again(
    transactional_db, endless_site, tmp_path
):
    endless_site.delay = 0.2
    endless_site.last = LAST_PAGE
    with override_settings(TASKS=DB_TASKS):
        run = start_run(endless_site.url, options=CRAWL)
    db = WorkerDatabase(tmp_path)
    worker = db.manage("db_worker", "--interval", "0.1", "--no-startup-delay")
    try:
        wait_for(lambda: endless_site.served >= 12, 60, "the site to answer 12 pages")
        time.sleep(WORKER_AUDIT["STORE_FLUSH_SECONDS"] + 3 * WORKER_AUDIT["POLL_INTERVAL"])
        assert worker.poll() is None, "the worker ended before it was killed"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)

    prefix = endless_site.url.rstrip("/")
    kept = {url.removeprefix(prefix) for url in _stored_paths(db, run.pk)}
    assert 12 <= len(kept) < len(ALL_PAGES), kept
    # The scheduler's staleness check fails the run, as in production.
    time.sleep(WORKER_AUDIT["STALE_AFTER"])
    scheduler = db.manage("audit_scheduler", "--once")
    output = scheduler.communicate(timeout=60)[0].decode()
    assert scheduler.returncode == 0, output
    (status,) = db.one("SELECT status FROM audit_auditrun WHERE id = %s", run.pk)
    assert status == "failed"

    # Resume, the admin's button and `manage.py resume_audit` do this.
    resumer = db.manage("resume_audit", str(run.pk))
    output = resumer.communicate(timeout=60)[0].decode()
    assert resumer.returncode == 0, output
    assert f"#{run.pk}" in output and f"{len(kept)} pages kept" in output

    first_attempt = dict(endless_site.paths)
    endless_site.paths.clear()
    worker = db.manage("db_worker", "--interval", "0.1", "--no-startup-delay")
    try:
        wait_for(
            lambda: (
                db.one("SELECT status FROM audit_auditrun WHERE id = %s", run.pk)[0]
                not in ("queued", "running")
            ),
            120,
            "the resumed run to finish",
        )
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)

    resumed = {path: n for path, n in endless_site.paths.items() if path in ALL_PAGES}
    assert not kept & set(resumed), f"kept pages fetched again: {sorted(kept & set(resumed))}"
    assert all(n == 1 for n in resumed.values()), resumed
    assert kept | set(resumed) == ALL_PAGES
    assert first_attempt  # (the first worker did fetch them)

    status, error, pages_done = db.one(
        "SELECT status, error, pages_done FROM audit_auditrun WHERE id = %s", run.pk
    )
    assert (status, error, pages_done) == ("succeeded", "", len(ALL_PAGES))
    stored = _stored_paths(db, run.pk)
    assert {url.removeprefix(prefix) for url in stored} == ALL_PAGES  # one row per page
    (rows,) = db.one("SELECT COUNT(*) FROM audit_pageresult WHERE run_id = %s", run.pk)
    assert rows == len(ALL_PAGES)
    # The report is complete: site-wide checks saw every page (/p/40 links nowhere, so
    # nothing is orphaned or broken), and the crawl state is dropped once it is done.
    (stats,) = db.one("SELECT stats FROM audit_auditrun WHERE id = %s", run.pk)
    stats = stats if isinstance(stats, dict) else json.loads(stats)
    assert stats["crawl_complete"] is True and stats["completeness"] == "complete"
    assert stats["pages_kept"] == len(kept)
    assert stats["pages_fetched"] == len(resumed)
    (with_state,) = db.one(
        "SELECT COUNT(*) FROM audit_pageresult WHERE run_id = %s AND crawl_state IS NOT NULL",
        run.pk,
    )
    assert with_state == 0
