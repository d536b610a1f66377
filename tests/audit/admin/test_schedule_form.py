"""Schedules set up by anyone: the clinic's time zone, words instead of cron, Run now."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django_tasks import default_task_backend
from freezegun import freeze_time

from audit.models import AuditRun, AuditSchedule
from tests.audit.admin.conftest import client_for, schedule_data

SCHEDULES = "/admin/seo-audits/schedules/"
VANCOUVER = ZoneInfo("America/Vancouver")


def _weekly(**fields) -> AuditSchedule:
    return AuditSchedule.objects.create(
        name="Weekly audit",
        preset="weekly",
        weekday=0,
        time_of_day=time(7, 0),
        time_zone="America/Vancouver",
        **fields,
    )


def test_the_sites_clock_is_vancouver_and_new_schedules_start_there(people, demo_site):
    assert settings.TIME_ZONE == "America/Vancouver"
    html = client_for(people["manager"]).get(f"{SCHEDULES}new/").content.decode()
    assert '<option value="America/Vancouver" selected>' in html
    assert "audit/schedule-form.js" in html and "data-describe-url=" in html


def test_weekly_times_are_read_in_the_schedules_zone(db):
    with freeze_time(datetime(2026, 11, 28, 12, 0, tzinfo=VANCOUVER)):  # a Saturday
        schedule = _weekly()
    assert schedule.next_due == datetime(2026, 11, 30, 7, 0, tzinfo=VANCOUVER)
    assert schedule.describe() == "Mondays at 07:00 (America/Vancouver)"


def test_list_describes_schedules_in_words_with_next_run_and_run_now(people, demo_site):
    _weekly()
    AuditSchedule.objects.create(
        name="Weekdays", preset="cron", cron="30 6 * * 1-5", time_zone="America/Vancouver"
    )
    html = client_for(people["manager"]).get(SCHEDULES).content.decode()
    assert "Mondays at 07:00 (America/Vancouver)" in html
    assert "At 06:30, Monday through Friday (America/Vancouver)" in html
    assert "Enabled" in html and "True" not in html and "0 7 * * 1" not in html
    assert html.count("data-run-now=") == 2
    assert "07:00 (America/Vancouver)</td>" in html.replace("\n", "").replace(" </td>", "</td>")


def test_run_now_starts_the_schedules_audit(people, demo_site, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    schedule = _weekly(crawl_options={"max_pages": 5})
    client = client_for(people["manager"])
    response = client.post(f"/admin/seo-audits/schedules/{schedule.pk}/run-now/")
    run = AuditRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.pk}/")
    assert run.schedule == schedule and run.trigger == AuditRun.Trigger.SCHEDULE
    assert run.options == {"max_pages": 5}
    viewer = client_for(people["viewer"])
    assert viewer.post(f"/admin/seo-audits/schedules/{schedule.pk}/run-now/").status_code == 403


def test_custom_cron_is_spelled_out_as_typed(people, demo_site):
    client = client_for(people["manager"])
    words = client.get("/admin/seo-audits/schedules/describe-cron/", {"cron": "0 7 * * 1"})
    assert words.json() == {"words": "At 07:00, only on Monday"}
    bad = client.get("/admin/seo-audits/schedules/describe-cron/", {"cron": "every monday"})
    assert "is not a valid cron expression" in bad.json()["words"]


def test_scheduler_once_says_what_it_did(db, capsys, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("audit_scheduler", "--once")
    assert capsys.readouterr().out.strip() == "No schedule due; no schedule is enabled."
    with freeze_time(datetime(2026, 11, 28, 12, 0, tzinfo=VANCOUVER)):
        _weekly()
        call_command("audit_scheduler", "--once")
    assert capsys.readouterr().out.strip() == (
        "No schedule due; next: Monday 30 Nov 2026, 07:00 PST (America/Vancouver), “Weekly audit”."
    )


def test_a_form_posted_without_a_time_zone_gets_the_clinics(people, demo_site):
    response = client_for(people["manager"]).post(
        f"{SCHEDULES}new/", schedule_data(preset="weekly", weekday="0", time_of_day="07:00")
    )
    assert response.status_code == 302
    schedule = AuditSchedule.objects.get()
    assert schedule.time_zone == "America/Vancouver"
    assert schedule.describe() == "Mondays at 07:00 (America/Vancouver)"
