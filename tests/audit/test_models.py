"""Runs, schedules and the services around them: one active run per target, cancelling,
comparing runs, retention, page mapping, validation."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.engine import AuditResult, PageReport
from audit.engine import Finding as EngineFinding
from audit.models import AuditRun, AuditSchedule, Finding, PageResult
from audit.options import InvalidOptions, build_config
from audit.pagemap import PageLocator
from audit.services import (
    InvalidTarget,
    RunAlreadyActive,
    cancel_run,
    compare_runs,
    create_run,
    delete_runs,
    latest_page_result,
    previous_run,
    prune_runs,
)
from audit.store import store_result

Status = AuditRun.Status


def _finish(run: AuditRun, findings: list[tuple[str, str, str]]) -> AuditRun:
    """Store findings (check, page url, selector) in ``run`` and mark it succeeded."""
    pages: dict[str, PageReport] = {}
    for check, url, selector in findings:
        page = pages.setdefault(url, PageReport(url=url, status=200))
        page.findings.append(EngineFinding(check, "warning", check, selector, ""))
    result = AuditResult(run.target_url, "", "", {}, {}, list(pages.values()))
    store_result(run, result)
    AuditRun.objects.filter(pk=run.pk).update(status=Status.SUCCEEDED, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def test_a_second_run_for_an_active_target_is_refused_with_a_clear_message(db):
    first = create_run("https://clinic.example/")
    with pytest.raises(RunAlreadyActive) as refused:
        create_run("https://CLINIC.example")  # the same target once normalised
    assert refused.value.run == first
    assert f"run #{first.pk}" in str(refused.value) and "already queued" in str(refused.value)
    # A single-page audit of the same URL is a different job and may run alongside.
    create_run("https://clinic.example/", single_page=True)
    # Once the first has finished, the target is free again.
    AuditRun.objects.filter(pk=first.pk).update(status=Status.SUCCEEDED)
    assert create_run("https://clinic.example/").pk != first.pk


def test_the_database_itself_refuses_two_active_runs_for_one_target(db):
    AuditRun.objects.create(target_url="https://clinic.example/", status=Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRun.objects.create(target_url="https://clinic.example/", status=Status.QUEUED)
    # Finished runs do not count.
    AuditRun.objects.create(target_url="https://clinic.example/", status=Status.FAILED)


@pytest.mark.parametrize(
    ("url", "message"),
    [("", "no start URL"), ("clinic.example", "no scheme"), ("ftp://clinic.example/", "http")],
)
def test_bad_target_urls_are_refused_with_a_reason(db, url, message):
    with pytest.raises(InvalidTarget, match=message):
        create_run(url)
    assert not AuditRun.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_pagez": 5}, "unknown crawl option 'max_pagez'"),
        ({"max_pages": 0}, "max_pages must be at least 1"),
        ({"exclude": ["("]}, "exclude pattern .* cannot be used"),
        ({"include": [r"(\w)\1"]}, "include pattern .* cannot be used .*RE2"),
        ({"strip_query_params": [""]}, "strip_query_params pattern must be"),
        ({"thresholds": {"title_maxx": 3}}, "unknown threshold 'title_maxx'"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_bad_crawl_options_are_refused_with_a_reason(options, message):
    with pytest.raises(InvalidOptions, match=message):
        build_config(options)


def test_options_overlay_site_defaults(db, settings):  # db: our sites' profile is added
    settings.SEO_AUDIT = {"CRAWL_OPTIONS": {"max_pages": 50}, "THRESHOLDS": {"title_max": 70}}
    config = build_config({"exclude": "/private/", "disabled_checks": ["title-too-long"]})
    assert config.max_pages == 50 and config.thresholds.title_max == 70
    assert config.exclude == ("/private/",)
    assert config.disabled_checks == frozenset({"title-too-long"})
    assert build_config({"max_pages": 5}, single_page=True).page_limit == 1


def test_cancelling_a_queued_run_cancels_it_at_once(db):
    run = cancel_run(create_run("https://clinic.example/"))
    assert run.status == Status.CANCELLED and run.finished_at is not None
    # and frees the target
    create_run("https://clinic.example/")


def test_cancelling_a_running_run_flags_it_for_the_worker(db):
    run = create_run("https://clinic.example/")
    AuditRun.objects.filter(pk=run.pk).update(status=Status.RUNNING)
    run = cancel_run(run)
    assert run.status == Status.RUNNING and run.cancel_requested


def test_compare_runs_splits_findings_into_new_fixed_and_still_open(db):
    site = "https://clinic.example/"
    old = _finish(
        create_run(site),
        [("alt-missing", site + "a/", "img.1"), ("title-missing", site + "b/", "")],
    )
    new = _finish(
        create_run(site),
        [("alt-missing", site + "a/", "img.1"), ("h1-missing", site + "b/", "")],
    )
    assert previous_run(new) == old
    assert previous_run(old) is None
    diff = compare_runs(new, old)
    assert [f.check_id for f in diff.new] == ["h1-missing"]
    assert [f.check_id for f in diff.fixed] == ["title-missing"]
    assert [f.check_id for f in diff.still_open] == ["alt-missing"]
    assert diff.still_open.get().run == new and diff.fixed.get().run == old
    assert diff.counts() == {"new": 1, "fixed": 1, "still_open": 1, "not_checked": 0}
    assert compare_runs(new, None).counts() == {
        "new": 2,
        "fixed": 0,
        "still_open": 0,
        "not_checked": 0,
    }


def test_previous_run_ignores_failed_runs_and_other_targets(db):
    first = _finish(create_run("https://clinic.example/"), [])
    failed = create_run("https://clinic.example/")
    AuditRun.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    _finish(create_run("https://other.example/"), [])
    _finish(create_run("https://clinic.example/", single_page=True), [])
    latest = _finish(create_run("https://clinic.example/"), [])
    assert previous_run(latest) == first


def test_prune_keeps_the_newest_runs_per_target_and_never_active_ones(db):
    site = "https://clinic.example/"
    runs = []
    for day in range(4):
        run = _finish(create_run(site), [("alt-missing", site, f"img.{day}")])
        AuditRun.objects.filter(pk=run.pk).update(
            created_at=timezone.now() - timedelta(days=10 - day)
        )
        runs.append(run)
    other = _finish(create_run("https://other.example/"), [])
    active = create_run(site)
    assert prune_runs(keep=2) == 2
    remaining = set(AuditRun.objects.values_list("pk", flat=True))
    assert remaining == {runs[2].pk, runs[3].pk, other.pk, active.pk}
    assert not Finding.objects.filter(run_id__in=[runs[0].pk, runs[1].pk]).exists()
    assert not PageResult.objects.filter(run_id__in=[runs[0].pk, runs[1].pk]).exists()
    assert Finding.objects.filter(run=runs[3]).count() == 1
    assert delete_runs(AuditRun.objects.filter(pk=active.pk)) == 0  # active: kept


def test_prune_command_uses_the_retention_setting(db, settings):
    settings.SEO_AUDIT = {"KEEP_RUNS": 1}
    for _ in range(3):
        _finish(create_run("https://clinic.example/"), [])
    call_command("prune_audit_runs")
    assert AuditRun.objects.count() == 1


def test_page_locator_maps_demo_urls_to_wagtail_pages(demo_site):
    from wagtail.models import Site

    from pages.models import ServicePage

    site = Site.objects.get(is_default_site=True)
    root = site.root_url
    service = ServicePage.objects.live().first()
    locator = PageLocator()
    assert locator.page_id_for(root + "/") == demo_site.pk
    assert locator.page_id_for(service.get_full_url()) == service.pk
    assert locator.page_id_for(service.get_full_url().rstrip("/")) == service.pk
    assert locator.page_id_for(root + "/no-such-page/") is None
    assert locator.page_id_for(root + "/robots.txt") is None
    # An unknown host falls back to the default site, as Wagtail's routing does.
    assert PageLocator().page_id_for("http://elsewhere.test/") == demo_site.pk


def test_latest_page_result_is_from_the_latest_succeeded_run(demo_site):
    url = demo_site.get_full_url()
    older = _finish(create_run(url), [("alt-missing", url, "img")])
    newer = _finish(create_run(url, single_page=True), [("h1-missing", url, "")])
    failed = create_run(url)
    AuditRun.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    result = latest_page_result(demo_site)
    assert result.run == newer and result.page_id == demo_site.pk
    assert [f.check_id for f in result.findings.all()] == ["h1-missing"]
    assert older.pages.get().page_id == demo_site.pk


def test_manage_permission_exists_for_the_admin_views(db):
    perm = Permission.objects.get(codename="manage_audits")
    assert perm.content_type.app_label == "audit"
    assert perm.name == "Can run audits, edit schedules and delete runs"


def _schedule(**fields) -> AuditSchedule:
    defaults = {"name": "Weekly", "preset": AuditSchedule.Preset.WEEKLY}
    return AuditSchedule(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"preset": "daily", "time_of_day": time(6, 30)}, "30 6 * * *"),
        ({"preset": "weekly", "weekday": 0, "time_of_day": time(3, 0)}, "0 3 * * 1"),
        ({"preset": "weekly", "weekday": 6, "time_of_day": time(3, 0)}, "0 3 * * 0"),
        ({"preset": "monthly", "day_of_month": 15, "time_of_day": time(4, 5)}, "5 4 15 * *"),
        ({"preset": "cron", "cron": " 0 7 * * 1-5 "}, "0 7 * * 1-5"),
    ],
)
def test_schedule_presets_become_cron_lines(fields, expected):
    assert _schedule(**fields).cron_expression() == expected


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"preset": "cron", "cron": "61 * * * *"}, "cron", "not a valid cron expression"),
        ({"preset": "cron", "cron": "every day"}, "cron", "not a valid cron expression"),
        ({"preset": "cron", "cron": ""}, "cron", "Enter a cron expression"),
        ({"recipients": "a@clinic.example, nope"}, "recipients", "'nope' is not an e-mail"),
        ({"crawl_options": {"max_pages": -1}}, "crawl_options", "max_pages"),
        ({"preset": "monthly", "day_of_month": 31}, "day_of_month", "1 to 28"),
    ],
)
def test_schedule_validation_says_what_is_wrong(db, fields, field, message):
    with pytest.raises(ValidationError) as error:
        _schedule(**fields).full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_schedule_recipients_combine_addresses_and_group_members(db, django_user_model):
    group = Group.objects.create(name="Marketing")
    for name, active in (("ann", True), ("bob", False), ("cat", True)):
        user = django_user_model.objects.create_user(
            username=name, email=f"{name}@clinic.example", password="x", is_active=active
        )
        user.groups.add(group)
    schedule = _schedule(
        recipients="boss@clinic.example\nann@clinic.example, ,", recipient_group=group
    )
    schedule.full_clean()
    schedule.save()
    assert schedule.recipient_emails() == [
        "boss@clinic.example",
        "ann@clinic.example",
        "cat@clinic.example",
    ]
    assert schedule.next_due is not None and schedule.next_due > timezone.now()
