"""The scheduler with a frozen clock: due, not due, missed slots, the site's time zone, and
two schedulers racing (PostgreSQL). Tasks go to the dummy backend: enqueued, not run."""

from __future__ import annotations

import threading
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django_tasks import default_task_backend
from freezegun import freeze_time

from audit.models import AuditRun, AuditSchedule, ScheduledSlot
from audit.scheduling import due_slot, enqueue_due, tick
from audit.tasks import run_audit

LONDON = ZoneInfo("Europe/London")
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    settings.TASKS = DUMMY_TASKS
    settings.TIME_ZONE = "Europe/London"
    # The schedules here aim at made-up hosts that do not resolve; the target rules that a
    # due schedule re-checks are tested in test_targets.py and test_scheduler's own test.
    settings.SEO_AUDIT_ALLOWED_HOSTS = ["clinic.example", *(f"clinic{n}.example" for n in range(5))]
    default_task_backend.clear()
    yield
    default_task_backend.clear()


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _daily(created: datetime, **fields) -> AuditSchedule:
    """A daily 03:00 schedule of a fixed URL, created at ``created``."""
    with freeze_time(created):
        return AuditSchedule.objects.create(
            name="Nightly",
            target_url="https://clinic.example/",
            preset="daily",
            time_of_day=time(3, 0),
            **fields,
        )


def test_not_due_before_its_time_and_due_once_it_passes(db, django_capture_on_commit_callbacks):
    schedule = _daily(at(2025, 1, 6, 12, 0))
    assert schedule.next_due == at(2025, 1, 7, 3, 0)
    with freeze_time(at(2025, 1, 7, 2, 59)):
        assert tick() == []
    with freeze_time(at(2025, 1, 7, 3, 0)), django_capture_on_commit_callbacks(execute=True):
        runs = tick()
    assert len(runs) == 1
    run = runs[0]
    assert run.trigger == AuditRun.Trigger.SCHEDULE and run.schedule == schedule
    enqueued = [r for r in default_task_backend.results if r.task.func is run_audit.func]
    assert [r.args for r in enqueued] == [[run.pk]]
    schedule.refresh_from_db()
    assert schedule.next_due == at(2025, 1, 8, 3, 0)
    assert schedule.last_enqueued_at == at(2025, 1, 7, 3, 0)
    # The same slot is never enqueued again, even once the run has finished.
    AuditRun.objects.update(status=AuditRun.Status.SUCCEEDED)
    with freeze_time(at(2025, 1, 7, 9, 0)):
        assert tick() == []
    with freeze_time(at(2025, 1, 8, 3, 0, 30)):
        assert len(tick()) == 1


def test_a_schedule_created_after_todays_time_waits_for_tomorrow(db):
    schedule = _daily(at(2025, 1, 6, 3, 30))
    with freeze_time(at(2025, 1, 6, 4, 0)):
        assert due_slot(schedule) is None
        assert tick() == []


def test_missed_slots_run_once_when_the_scheduler_comes_back(db):
    schedule = _daily(at(2025, 1, 1, 12, 0))
    # The scheduler was down for five nights.
    with freeze_time(at(2025, 1, 6, 10, 0)):
        assert len(tick()) == 1
        AuditRun.objects.update(status=AuditRun.Status.SUCCEEDED)
        assert tick() == []
    assert list(schedule.slots.values_list("slot", flat=True)) == [at(2025, 1, 6, 3, 0)]


def test_disabled_schedules_are_never_due(db):
    _daily(at(2025, 1, 1, 12, 0), enabled=False)
    with freeze_time(at(2025, 1, 2, 4, 0)):
        assert tick() == []


def test_times_are_read_in_the_sites_time_zone(db):
    # 03:00 in London is 02:00 UTC in summer (BST) and 03:00 UTC in winter.
    schedule = _daily(at(2025, 7, 1, 12, 0))
    with freeze_time("2025-07-02 01:59:00", tz_offset=0):
        assert tick() == []
    with freeze_time("2025-07-02 02:00:00", tz_offset=0):
        assert len(tick()) == 1
    schedule.refresh_from_db()
    assert schedule.next_due == at(2025, 7, 3, 3, 0)


def test_weekly_and_custom_cron_schedules(db):
    weekly = _daily(at(2025, 1, 1, 12, 0))  # a Wednesday
    weekly.preset, weekly.weekday = "weekly", 4  # Fridays 03:00
    weekly.save()
    with freeze_time(at(2025, 1, 2, 23, 0)):
        assert due_slot(weekly) is None
    with freeze_time(at(2025, 1, 3, 3, 1)):
        assert due_slot(weekly) == at(2025, 1, 3, 3, 0)
    weekly.preset, weekly.cron = "cron", "*/15 9-17 * * 1-5"
    weekly.save()
    with freeze_time(at(2025, 1, 3, 9, 40)):
        assert due_slot(weekly) == at(2025, 1, 3, 9, 30)


def test_a_slot_whose_target_is_busy_is_claimed_and_skipped_with_a_note(db):
    schedule = _daily(at(2025, 1, 1, 12, 0))
    busy = AuditRun.objects.create(target_url="https://clinic.example/")
    with freeze_time(at(2025, 1, 2, 3, 0)):
        assert tick() == []
    claim = schedule.slots.get()
    assert claim.run is None and f"run #{busy.pk}" in claim.note
    assert AuditRun.objects.count() == 1


def test_a_schedule_aimed_inside_is_skipped_with_a_note(db):
    """Saved before targets were vetted (or edited in the database): re-checked when due."""
    schedule = _daily(at(2025, 1, 1, 12, 0))
    AuditSchedule.objects.filter(pk=schedule.pk).update(target_url="http://127.0.0.1:6379/")
    with freeze_time(at(2025, 1, 2, 3, 0)):
        assert tick() == []
    claim = schedule.slots.get()
    assert claim.run is None and "private or reserved address" in claim.note
    assert AuditRun.objects.count() == 0


def test_an_empty_target_means_the_site_root(demo_site):
    with freeze_time(at(2025, 1, 1, 12, 0)):
        AuditSchedule.objects.create(name="Root", preset="daily")
    with freeze_time(at(2025, 1, 2, 3, 0)):
        (run,) = tick()
    assert run.target_url == demo_site.get_site().root_url + "/"


def test_the_database_refuses_a_second_claim_of_a_slot(db):
    schedule = _daily(at(2025, 1, 1, 12, 0))
    ScheduledSlot.objects.create(schedule=schedule, slot=at(2025, 1, 2, 3, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledSlot.objects.create(schedule=schedule, slot=at(2025, 1, 2, 3, 0))


def test_once_command_enqueues_due_schedules(db, capsys):
    _daily(at(2025, 1, 1, 12, 0))
    with freeze_time(at(2025, 1, 2, 3, 0)):
        call_command("audit_scheduler", "--once")
    run = AuditRun.objects.get()
    assert f"Enqueued Audit #{run.pk} for “Nightly”" in capsys.readouterr().out


def test_each_tick_also_publishes_scheduled_pages(db, monkeypatch):
    import audit.scheduling as scheduling

    calls = []
    monkeypatch.setattr(scheduling, "publish_scheduled_pages", lambda: calls.append("published"))
    tick()
    assert calls == ["published"]

    def broken():
        raise RuntimeError("publishing failed")

    monkeypatch.setattr(scheduling, "publish_scheduled_pages", broken)
    _daily(at(2025, 1, 1, 12, 0))
    with freeze_time(at(2025, 1, 2, 3, 0)):
        assert len(tick()) == 1  # logged; the audits of that tick are unaffected


@pytest.mark.postgres
def test_two_schedulers_racing_enqueue_each_due_run_exactly_once(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (SQLite serialises all writers)")
    schedules = [_daily(at(2025, 1, 1, 12, 0)) for _ in range(5)]
    for n, schedule in enumerate(schedules):
        schedule.target_url = f"https://clinic{n}.example/"
        schedule.save()
    schedulers = 6
    barrier = threading.Barrier(schedulers)
    started: list[int] = []
    errors: list[BaseException] = []

    def scheduler():
        try:
            # The clock is passed in: freezegun is not thread-safe.
            barrier.wait()
            started.extend(run.pk for run in enqueue_due(at(2025, 1, 2, 3, 0, 5)))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(started) == sorted(AuditRun.objects.values_list("pk", flat=True))
    assert AuditRun.objects.count() == len(schedules)
    assert ScheduledSlot.objects.count() == len(schedules)
    # Each run's task was enqueued once (backends are per thread, so count in the database).
    assert AuditRun.objects.exclude(task_id="").count() == len(schedules)
