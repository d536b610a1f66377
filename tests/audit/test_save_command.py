"""`manage.py seo_audit URL --save` stores its run like any other (trigger: command)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditRun, Finding


def test_save_stores_the_run_with_the_same_pages_and_findings_as_the_report(
    live_demo_site, tmp_path, capsys
):
    report_file = tmp_path / "report.json"
    call_command(
        "seo_audit",
        live_demo_site.url,
        "--save",
        "--quiet",
        "--workers=0",
        "--fail-on=never",
        f"--output={report_file}",
    )
    report = json.loads(report_file.read_text())
    run = AuditRun.objects.get()
    assert run.trigger == AuditRun.Trigger.COMMAND and run.status == AuditRun.Status.SUCCEEDED
    assert f"saved as audit run #{run.pk}" in capsys.readouterr().err
    assert run.target_url == report["start_url"]
    assert run.stats == report["stats"] and run.settings == report["settings"]
    assert sorted(run.pages.values_list("url", flat=True)) == sorted(
        page["url"] for page in report["pages"]
    )
    assert Finding.objects.filter(run=run).count() == sum(
        len(page["findings"]) for page in report["pages"]
    )
    assert run.pages.filter(page__isnull=False).exists()  # linked to Wagtail pages
    assert run.started_at and run.finished_at and run.score is not None


def test_save_is_refused_before_crawling_while_the_target_has_an_active_run(
    live_demo_site, tmp_path
):
    active = AuditRun.objects.create(target_url=live_demo_site.url + "/")
    with pytest.raises(CommandError, match=f"not started: .*run #{active.pk}"):
        call_command("seo_audit", live_demo_site.url, "--save", "--quiet")
    assert AuditRun.objects.count() == 1


def test_without_save_nothing_is_stored(live_demo_site, tmp_path):
    call_command(
        "seo_audit",
        live_demo_site.url,
        "--quiet",
        "--workers=0",
        "--fail-on=never",
        f"--output={tmp_path / 'r.json'}",
    )
    assert not AuditRun.objects.exists()
