"""Audits as django-tasks (immediate backend in tests) against real servers on 127.0.0.1:
a full run, cancelling mid-crawl, a crash, a killed worker, the after-publish audit."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditRun, PageResult
from audit.services import create_run, fail_stale_runs, latest_page_result
from audit.store import RunStore
from audit.tasks import audit_published_page, run_audit, start_run

Status = AuditRun.Status


def test_start_run_enqueues_a_task_that_audits_the_site(live_demo_site, fast_options):
    run = start_run(live_demo_site.url, options=fast_options)
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.error
    assert run.trigger == AuditRun.Trigger.MANUAL and run.task_id
    assert run.pages_done == run.pages.count() > 5
    assert run.pages_known >= run.pages_done
    assert run.score is not None and 0 <= run.score <= 100


def test_a_run_started_from_the_web_may_not_reach_a_private_address(
    transactional_db, endless_site, fast_options, settings
):
    """A queued run is checked again at connect time: its target may have been saved before
    targets were vetted, or resolve differently by now. The command line keeps its rules.

    Committed rows (transactional_db): the run's watcher polls on a connection of its own,
    which cannot see a test transaction's rows and would take the run as cancelled."""
    settings.SEO_AUDIT_ALLOWED_HOSTS = []
    run = create_run(endless_site.url, options=fast_options)
    run_audit.call(run.pk)
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert "private" in run.error and endless_site.hits == 0

    command_run = create_run(
        endless_site.url,
        trigger=AuditRun.Trigger.COMMAND,
        options={**fast_options, "max_pages": 2},
    )
    run_audit.call(command_run.pk)
    command_run.refresh_from_db()
    assert command_run.status == Status.SUCCEEDED, command_run.error
    assert endless_site.hits > 0


def test_run_audit_of_a_missing_run_does_nothing(db):
    assert run_audit.call(12345) == "missing"


def test_run_audit_leaves_a_cancelled_run_alone(db, endless_site):
    run = create_run(endless_site.url)
    AuditRun.objects.filter(pk=run.pk).update(status=Status.CANCELLED)
    assert run_audit.call(run.pk) == Status.CANCELLED
    assert endless_site.hits == 0


@override_settings(SEO_AUDIT={"POLL_INTERVAL": 0.05, "STORE_BATCH_PAGES": 5})
def test_cancelling_a_running_audit_stops_it_at_the_next_page(
    transactional_db, endless_site, fast_options
):
    run = create_run(endless_site.url, options={**fast_options, "max_pages": 500, "concurrency": 2})
    tenth_request = threading.Event()
    endless_site.on_hit = lambda hits: hits == 10 and tenth_request.set()

    def cancel_when_running():
        try:
            tenth_request.wait(30)
            from audit.services import cancel_run

            cancel_run(AuditRun.objects.get(pk=run.pk))
        finally:
            connection.close()

    canceller = threading.Thread(target=cancel_when_running)
    canceller.start()
    assert run_audit.call(run.pk) == Status.CANCELLED
    canceller.join()
    run.refresh_from_db()
    assert run.status == Status.CANCELLED and run.finished_at
    assert run.stats["stop_reason"] == "cancelled"
    stored = PageResult.objects.filter(run=run).count()
    assert 0 < stored < 500 and run.pages_done == stored
    assert endless_site.hits < 500


@override_settings(SEO_AUDIT={"STORE_BATCH_PAGES": 1})
def test_a_crashing_run_is_failed_with_its_error_and_keeps_what_it_stored(
    transactional_db, endless_site, fast_options, monkeypatch
):
    earlier = create_run(endless_site.url, options={**fast_options, "max_pages": 3})
    run_audit.call(earlier.pk)
    earlier.refresh_from_db()
    assert earlier.status == Status.SUCCEEDED
    earlier_pages = earlier.pages.count()

    # Inject the fault no server can produce: the worker dies on its third page.
    real_add_page = RunStore.add_page
    calls = []

    def crash_on_third_page(self, report):
        calls.append(report.url)
        if len(calls) == 3:
            raise RuntimeError("simulated worker crash")
        real_add_page(self, report)

    monkeypatch.setattr(RunStore, "add_page", crash_on_third_page)
    run = create_run(endless_site.url, options={**fast_options, "max_pages": 50})
    assert run_audit.call(run.pk) == Status.FAILED
    run.refresh_from_db()
    assert run.status == Status.FAILED and run.finished_at
    assert run.error == "RuntimeError: simulated worker crash"
    assert run.pages.count() == 2  # the two pages written before the crash stay readable
    earlier.refresh_from_db()
    assert earlier.status == Status.SUCCEEDED and earlier.pages.count() == earlier_pages


def test_an_unreachable_site_fails_the_run_with_a_reason(transactional_db, fast_options):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused.
    run = create_run("http://127.0.0.1:9/", options=fast_options)
    assert run_audit.call(run.pk) == Status.FAILED
    run.refresh_from_db()
    assert run.error == (
        "Nothing answered at http://127.0.0.1:9/ (connection refused). Is the site served at "
        "that address? Check the target or WAGTAILADMIN_BASE_URL."
    )


def test_a_killed_worker_leaves_a_run_that_is_failed_once_its_heartbeat_is_stale(db):
    run = create_run("https://clinic.example/")
    AuditRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=2)
    )
    fresh = AuditRun.objects.create(
        target_url="https://other.example/", status=Status.RUNNING, heartbeat_at=timezone.now()
    )
    # Starting a new run of the same target first retires the dead one.
    replacement = create_run("https://clinic.example/")
    run.refresh_from_db()
    assert run.status == Status.FAILED and "stopped responding" in run.error
    assert replacement.status == Status.QUEUED
    assert fail_stale_runs() == 0
    fresh.refresh_from_db()
    assert fresh.status == Status.RUNNING


def test_publishing_a_page_audits_that_page_in_the_background(live_demo_site, fast_options):
    from pages.models import ServicePage

    page = ServicePage.objects.live().first()
    audit_on = {"CRAWL_OPTIONS": fast_options, "AUDIT_AFTER_PUBLISH": True}
    with override_settings(SEO_AUDIT=audit_on):
        page.save_revision().publish()  # the page_published signal, as any publish sends
    run = AuditRun.objects.get(trigger=AuditRun.Trigger.PUBLISH)
    assert run.status == Status.SUCCEEDED, run.error
    assert run.single_page and run.target_url == page.get_full_url()
    assert run.pages.filter(page=page).count() == 1
    assert latest_page_result(page).run == run


def test_after_publish_audits_can_be_turned_off_and_are_off_for_demo_loading(
    live_demo_site, fast_options
):
    from pages.demo.loader import load_demo_content
    from pages.models import ArticlePage

    page = ArticlePage.objects.live().first()
    with override_settings(SEO_AUDIT={"CRAWL_OPTIONS": fast_options, "AUDIT_AFTER_PUBLISH": False}):
        page.save_revision().publish()
    with override_settings(SEO_AUDIT={"CRAWL_OPTIONS": fast_options, "AUDIT_AFTER_PUBLISH": True}):
        ArticlePage.objects.filter(pk=page.pk).delete()
        load_demo_content()  # republishes the missing article inside suspend_after_publish_audits
    assert ArticlePage.objects.filter(slug=page.slug).exists()
    assert not AuditRun.objects.exists()


def test_the_after_publish_task_skips_pages_that_are_not_live(demo_site):
    from pages.models import ArticlePage

    page = ArticlePage.objects.live().first()
    page.unpublish()
    assert audit_published_page.call(page.pk).startswith("skipped")
    assert audit_published_page.call(999_999).startswith("skipped")
    assert not AuditRun.objects.exists()


@pytest.mark.parametrize("status", [Status.SUCCEEDED, Status.FAILED])
def test_scheduled_runs_send_their_report_when_finished(
    transactional_db, endless_site, fast_options, mailoutbox, status
):
    from audit.models import AuditSchedule

    schedule = AuditSchedule.objects.create(name="Nightly", recipients="team@clinic.example")
    url = endless_site.url if status == Status.SUCCEEDED else "http://127.0.0.1:9/"
    run = create_run(url, options={**fast_options, "max_pages": 3}, schedule=schedule)
    assert run_audit.call(run.pk) == status
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["team@clinic.example"]


@override_settings(
    SEO_AUDIT={"POLL_INTERVAL": 0.05, "STALE_AFTER": 0.5, "STORE_FLUSH_SECONDS": 0.1}
)
def test_a_stuck_crawl_stops_beating_is_failed_and_stores_nothing_more_when_it_wakes(
    transactional_db, endless_site, fast_options
):
    release = threading.Event()
    # From the 10th request on, the site stops answering until released: the crawl is stuck
    # while the worker process (and its watcher thread) lives on.
    endless_site.on_hit = lambda hits: hits >= 10 and release.wait(20)
    run = create_run(endless_site.url, options={**fast_options, "concurrency": 2})
    worker = threading.Thread(target=run_audit.call, args=(run.pk,))
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while endless_site.hits < 11 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # the watcher writes what progress there was
        beat = AuditRun.objects.get(pk=run.pk).heartbeat_at
        time.sleep(0.6)
        assert AuditRun.objects.get(pk=run.pk).heartbeat_at == beat  # no progress, no beat
        assert fail_stale_runs() == 1
    finally:
        release.set()
        worker.join(30)
    run.refresh_from_db()
    stored = PageResult.objects.filter(run=run).count()
    assert run.status == Status.FAILED  # the worker woke up, but the verdict stands
    assert run.error.endswith(
        f"the {stored} pages stored so far are kept: resume the run to carry on from them."
    )
    assert stored > 0
