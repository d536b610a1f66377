"""A task worker killed with SIGKILL mid-audit: a real `manage.py db_worker` (django-tasks-db)
audits a slow site on 127.0.0.1 and is killed. The pages it stored stay, the scheduler's
staleness check fails the run promptly with a true message, the target is free again and the
task row is not left RUNNING."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from audit.models import AuditRun
from audit.tasks import start_run

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Short enough for a test, with the same ratios as the defaults' intent: flush pages within a
# second, poll 5 times a second, call a run dead after 1.5 s without a finished page.
WORKER_AUDIT = {"POLL_INTERVAL": 0.2, "STORE_FLUSH_SECONDS": 0.5, "STALE_AFTER": 1.5}
CRAWL = {"parse_workers": 0, "timeout": 5.0, "retries": 0, "concurrency": 2, "max_pages": 500}


class WorkerDatabase:
    """The database the worker subprocesses use: on SQLite a file copied from the test
    database (its schema and the queued run); on PostgreSQL the test database itself."""

    def __init__(self, tmp_path: Path) -> None:
        if connection.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)
            self.url = f"sqlite:///{self.path}"
        else:
            db = connection.settings_dict
            self.path = None
            self.url = (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )

    def one(self, sql: str, *params):
        if self.path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        with sqlite3.connect(self.path, timeout=10) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchone()

    def rows(self, sql: str, *params) -> list[tuple]:
        if self.path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        with sqlite3.connect(self.path, timeout=10) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()

    def manage(self, *args: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.audit.worker_settings",
            "DATABASE_URL": self.url,
            "TEST_SEO_AUDIT": json.dumps(WORKER_AUDIT),
        }
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_worker_killed_mid_audit_keeps_its_pages_and_its_run_is_failed_promptly(
    transactional_db, endless_site, tmp_path
):
    endless_site.delay = 0.2  # 2 workers: about 10 pages a second
    with override_settings(TASKS=DB_TASKS):
        run = start_run(endless_site.url, options=CRAWL)
    run.refresh_from_db()
    assert run.status == AuditRun.Status.QUEUED and run.task_id

    db = WorkerDatabase(tmp_path)
    worker = db.manage("db_worker", "--interval", "0.1", "--no-startup-delay")
    try:
        wait_for(lambda: endless_site.hits >= 25, 60, "the crawl to fetch 25 pages")
        # Past the first flush, which a killed worker must not lose.
        time.sleep(WORKER_AUDIT["STORE_FLUSH_SECONDS"] + WORKER_AUDIT["POLL_INTERVAL"])
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)

    status, stored_at_kill = db.one(
        "SELECT r.status, (SELECT COUNT(*) FROM audit_pageresult p WHERE p.run_id = r.id) "
        "FROM audit_auditrun r WHERE r.id = %s",
        run.pk,
    )
    assert status == "running"  # nobody has noticed yet
    assert stored_at_kill > 0, "the killed worker lost every page it had crawled"

    # A run is stale STALE_AFTER seconds after its last heartbeat: a scheduler that started
    # sooner (a quick Django start-up) would rightly leave it running.
    time.sleep(WORKER_AUDIT["STALE_AFTER"])
    # What the scheduler runs every tick (and `audit_scheduler --once` from cron).
    scheduler = db.manage("audit_scheduler", "--once")
    output = scheduler.communicate(timeout=30)[0].decode()
    assert scheduler.returncode == 0, output

    status, error = db.one("SELECT status, error FROM audit_auditrun WHERE id = %s", run.pk)
    assert status == "failed"
    assert error == (
        "The worker stopped responding (killed or crashed); "
        f"the {stored_at_kill} pages stored so far are kept: resume the run to carry on "
        "from them."
    )
    active = db.one(
        "SELECT COUNT(*) FROM audit_auditrun WHERE target_url = %s AND status IN (%s, %s)",
        run.target_url,
        "queued",
        "running",
    )
    assert active == (0,)  # the target is free for a new run
    task_status, exception_path = db.one(
        "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult WHERE id = %s",
        run.task_id.replace("-", "") if db.path else run.task_id,
    )
    assert task_status == "FAILED" and exception_path == "audit.services.WorkerLost"
