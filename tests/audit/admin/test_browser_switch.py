"""The browser pass switched on from the admin: per manual run (a checkbox beside "Run audit
now") and per schedule (a field of its own), down to a stored run that rendered every page."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django_tasks import default_task_backend
from freezegun import freeze_time

from audit.models import AuditRun, AuditSchedule
from audit.scheduling import enqueue_due
from tests.audit.admin.conftest import client_for, make_user, schedule_data
from tests.audit.admin.test_actions import MANAGER_PERMS
from tests.audit.conftest import FAST_OPTIONS
from tests.chromium import needs_chromium

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
VANCOUVER = ZoneInfo("America/Vancouver")


@pytest.fixture
def queued_only(settings):
    """Runs are created and queued, not executed."""
    settings.TASKS = DUMMY_TASKS
    default_task_backend.clear()


@needs_chromium
def test_run_audit_now_offers_the_browser_pass_and_passes_it_on(people, queued_only):
    client = client_for(people["manager"])
    index = client.get("/admin/seo-audits/").content.decode()
    assert 'name="browser"' in index and "Also check in a browser" in index

    client.post("/admin/seo-audits/start/", {"target_url": "", "browser": "1"})
    run = AuditRun.objects.get()
    assert run.options == {"browser": True}
    run.delete()
    client.post("/admin/seo-audits/start/", {"target_url": ""})
    assert AuditRun.objects.get().options == {}


@override_settings(SEO_AUDIT={"CRAWL_OPTIONS": {"chromium_path": "/nonexistent/chromium"}})
def test_no_browser_checkbox_where_chromium_is_missing(people):
    index = client_for(people["manager"]).get("/admin/seo-audits/").content.decode()
    assert "Run audit now" in index and 'name="browser"' not in index


def test_a_schedule_with_the_browser_pass_gives_its_runs_the_option(people, queued_only):
    # The whole scenario runs on one frozen clock: the schedule is created, then found due, on
    # the same Monday, whatever today's date is.
    with freeze_time(datetime(2026, 11, 30, 6, 0, tzinfo=VANCOUVER)) as clock:  # a Monday
        client = client_for(people["manager"])
        form = client.get("/admin/seo-audits/schedules/new/").content.decode()
        assert 'name="browser_pass"' in form
        response = client.post("/admin/seo-audits/schedules/new/", schedule_data(browser_pass="on"))
        assert response.status_code == 302
        schedule = AuditSchedule.objects.get()
        assert schedule.browser_pass and schedule.crawl_options == {"max_pages": 200}

        client.post(f"/admin/seo-audits/schedules/{schedule.pk}/run-now/")
        assert AuditRun.objects.get().options == {"max_pages": 200, "browser": True}

        # And when the scheduler finds it due.
        AuditRun.objects.all().delete()
        schedule.preset, schedule.time_of_day = "daily", time(6, 30)
        schedule.time_zone = "America/Vancouver"
        schedule.save()
        clock.move_to(datetime(2026, 11, 30, 6, 31, tzinfo=VANCOUVER))
        (run,) = enqueue_due()
    assert run.options == {"max_pages": 200, "browser": True}


def test_a_schedule_without_it_keeps_its_options_as_they_are(db):
    schedule = AuditSchedule(name="Plain", crawl_options={"max_pages": 5})
    assert schedule.run_options() == {"max_pages": 5}
    schedule.browser_pass = True
    assert schedule.run_options() == {"max_pages": 5, "browser": True}
    assert schedule.crawl_options == {"max_pages": 5}  # not changed in place


@pytest.mark.browser
@needs_chromium
@override_settings(SEO_AUDIT={"CRAWL_OPTIONS": FAST_OPTIONS, "AUDIT_AFTER_PUBLISH": False})
def test_a_scheduled_run_with_the_browser_pass_renders_the_demo_site(live_demo_site):
    manager = make_user("max", *MANAGER_PERMS)
    schedule = AuditSchedule.objects.create(
        name="Weekly with browser",
        preset="weekly",
        weekday=0,
        time_of_day=time(7, 0),
        time_zone="America/Vancouver",
        browser_pass=True,
        crawl_options={
            "disabled_checks": ["slow-response", "browser/lcp-slow", "browser/tbt-high"]
        },
    )
    # The test settings run tasks at once: the audit has finished when the POST returns.
    client_for(manager).post(f"/admin/seo-audits/schedules/{schedule.pk}/run-now/")
    run = AuditRun.objects.get()
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    assert run.schedule == schedule
    browser = run.stats["browser"]
    # The nine demo pages and the listings of its seven article tags.
    assert (browser["pages_rendered"], browser["pages_failed"]) == (16, 0), browser
    assert browser["axe_core_version"] == "4.14.1" and browser["chromium_version"]
    # The demo site has nothing to fix, in the static checks or in the browser.
    assert (run.error_count, run.warning_count, run.notice_count) == (0, 0, 0)
