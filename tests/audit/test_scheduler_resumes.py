"""Issue 24: a schedule whose previous run was killed (failed as stale, crawl state kept)
resumes that run at its next time instead of crawling from scratch."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core.management import call_command
from freezegun import freeze_time

from audit.engine import audit_site
from audit.models import AuditRun, AuditSchedule, ScheduledSlot
from audit.options import build_config
from audit.store import RunStore
from tests.audit.conftest import FAST_OPTIONS

LONDON = ZoneInfo("Europe/London")
OPTIONS = {**FAST_OPTIONS, "slow_remeasure": 0, "check_links": False}


def _killed_run(site, schedule: AuditSchedule, pages: int, started: datetime) -> AuditRun:
    """A scheduled run whose worker stored ``pages`` pages and was then killed: still
    'running', its heartbeat old."""
    run = AuditRun.objects.create(
        target_url=site.url,
        status="running",
        options=schedule.run_options(),
        schedule=schedule,
        trigger=AuditRun.Trigger.SCHEDULE,
        started_at=started,
        heartbeat_at=started,
    )
    store = RunStore(run)
    config = build_config({**OPTIONS, "max_pages": pages})
    audit_site(site.url, config, on_page=store.add_page, on_state=store.add_state)
    store.flush()
    AuditRun.objects.filter(pk=run.pk).update(heartbeat_at=started)
    return run


def test_the_next_time_resumes_the_killed_run(
    db, endless_site, settings, capsys, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "Europe/London"
    settings.SEO_AUDIT_ALLOWED_HOSTS = [urlsplit(endless_site.url).netloc]
    endless_site.delay = 0
    endless_site.last = 9  # / and /p/1 ... /p/9
    with freeze_time(datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)):
        schedule = AuditSchedule.objects.create(
            name="Nightly",
            preset="daily",
            time_of_day=time(3, 0),
            time_zone="Europe/London",
            target_url=endless_site.url,
            crawl_options=OPTIONS,
        )
    killed = _killed_run(endless_site, schedule, 4, datetime(2026, 12, 2, 3, 0, tzinfo=LONDON))
    kept = set(killed.pages.values_list("url", flat=True))
    assert len(kept) == 4
    endless_site.paths.clear()

    with (
        freeze_time(datetime(2026, 12, 3, 3, 0, tzinfo=LONDON) + timedelta(seconds=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("audit_scheduler", "--once")
    assert f"Resumed Audit #{killed.pk} for “Nightly”" in capsys.readouterr().out
    assert AuditRun.objects.count() == 1  # no second run from scratch
    killed.refresh_from_db()
    assert killed.status == AuditRun.Status.SUCCEEDED, killed.error
    assert killed.stats["pages_kept"] == 4 and killed.stats["crawl_complete"] is True
    prefix = endless_site.url.rstrip("/")
    fetched = {prefix + p for p in endless_site.paths if not p.endswith((".txt", ".xml"))}
    assert not fetched & kept and len(kept | fetched) == 10
    claim = ScheduledSlot.objects.get(schedule=schedule)
    assert (
        claim.run == killed and claim.note == f"resumed Audit #{killed.pk}: its worker was killed"
    )


def test_a_run_that_failed_on_its_own_or_was_cancelled_is_not_resumed(db, endless_site, settings):
    settings.TIME_ZONE = "Europe/London"
    settings.SEO_AUDIT_ALLOWED_HOSTS = [urlsplit(endless_site.url).netloc]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    endless_site.delay = 0
    endless_site.last = 3
    with freeze_time(datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)):
        schedule = AuditSchedule.objects.create(
            name="Nightly",
            preset="daily",
            time_of_day=time(3, 0),
            time_zone="Europe/London",
            target_url=endless_site.url,
            crawl_options=OPTIONS,
        )
    start = datetime(2026, 12, 2, 3, 0, tzinfo=LONDON)
    for day, (status, error) in enumerate(
        [("cancelled", ""), ("failed", "connection-error: refused")], start=3
    ):
        old = _killed_run(endless_site, schedule, 2, start)
        AuditRun.objects.filter(pk=old.pk).update(status=status, error=error)
        with freeze_time(datetime(2026, 12, day, 3, 0, tzinfo=LONDON) + timedelta(seconds=5)):
            call_command("audit_scheduler", "--once")
        new = AuditRun.objects.exclude(pk=old.pk).get()
        assert new.status == AuditRun.Status.QUEUED and new.schedule == schedule
        old.refresh_from_db()
        assert old.status == status
        AuditRun.objects.all().delete()


def test_a_run_killed_longer_ago_than_resume_killed_within_starts_afresh(
    db, endless_site, settings
):
    # The scheduler was down for three days: the killed run's pages describe the site as it
    # was, so the schedule's next time crawls from scratch and leaves the killed run alone.
    settings.TIME_ZONE = "Europe/London"
    settings.SEO_AUDIT_ALLOWED_HOSTS = [urlsplit(endless_site.url).netloc]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    endless_site.delay = 0
    endless_site.last = 3
    with freeze_time(datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)):
        schedule = AuditSchedule.objects.create(
            name="Nightly",
            preset="daily",
            time_of_day=time(3, 0),
            time_zone="Europe/London",
            target_url=endless_site.url,
            crawl_options=OPTIONS,
        )
    killed = _killed_run(endless_site, schedule, 2, datetime(2026, 12, 2, 3, 0, tzinfo=LONDON))
    with freeze_time(datetime(2026, 12, 5, 3, 0, tzinfo=LONDON) + timedelta(seconds=5)):
        call_command("audit_scheduler", "--once")
    new = AuditRun.objects.exclude(pk=killed.pk).get()
    assert new.status == AuditRun.Status.QUEUED and not new.pages.exists()
    killed.refresh_from_db()
    assert killed.status == AuditRun.Status.FAILED and killed.pages.count() == 2
    assert ScheduledSlot.objects.get(schedule=schedule).run == new
