"""The django-tasks-rq backend against the local Redis: an audit task enqueued through RQ and
run by an RQ worker in burst mode (see README, "Task workers on several machines")."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings

from audit.models import AuditRun
from audit.services import create_run
from audit.tasks import run_audit

REDIS = {"HOST": "127.0.0.1", "PORT": 6379, "DB": 15}


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis(host=REDIS["HOST"], port=REDIS["PORT"], db=REDIS["DB"])
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not running on 127.0.0.1:6379 ({exc})")
    return client


def test_an_audit_runs_through_rq_and_a_burst_worker(transactional_db, endless_site, fast_options):
    # Committed rows: the run's watcher polls on a connection of its own (see test_tasks.py).
    import django_rq
    from django_tasks import TaskResultStatus
    from django_tasks_rq import Job
    from rq import SimpleWorker

    _redis_or_skip()
    queue_name = f"clinic-audit-test-{uuid.uuid4().hex[:8]}"
    tasks = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]},
    }
    with override_settings(TASKS=tasks, RQ_QUEUES={"default": REDIS, queue_name: REDIS}):
        try:
            run = create_run(endless_site.url, options={**fast_options, "max_pages": 3})
            result = run_audit.using(backend="rq", queue_name=queue_name).enqueue(run.pk)
            assert result.status == TaskResultStatus.READY
            run.refresh_from_db()
            assert run.status == AuditRun.Status.QUEUED  # nothing runs until a worker does

            queue = django_rq.get_queue(queue_name, job_class=Job)
            worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
            assert worker.work(burst=True)

            result.refresh()
            assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
            assert result.return_value == AuditRun.Status.SUCCEEDED
            run.refresh_from_db()
            assert run.status == AuditRun.Status.SUCCEEDED and run.pages.count() == 3
        finally:
            queue = django_rq.get_queue(queue_name)
            queue.empty()
            queue.delete(delete_jobs=True)
