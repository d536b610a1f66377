"""The report e-mail in words: plurals, severities, "Fix these first" with edit links, dates
in the clinic's time zone, new and fixed first, one narrow column for phones."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from audit.emails import build_messages
from audit.models import AuditRun

UTC = ZoneInfo("UTC")


def test_report_email_reads_in_words(two_runs, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.clinic.example"
    run = two_runs.new
    # 14:38 UTC is 06:38 in Vancouver, the demo clinic's zone.
    finished = datetime(2026, 11, 28, 14, 38, tzinfo=UTC)
    AuditRun.objects.filter(pk=run.pk).update(finished_at=finished)
    run.refresh_from_db()
    [message] = build_messages(run, ["ann@clinic.example"])
    text = message.body
    html = message.alternatives[0][0]

    # One notice twice over (the title and the h1), one warning: correct plurals.
    assert "0 errors, 1 warning, 2 notices" in message.subject
    assert "Finished 28 Nov 2026, 06:38 PST (America/Vancouver)" in text
    # New and fixed come before the fix list, severities in words.
    assert text.index("Since the previous audit") < text.index("Fix these first:")
    assert "- Warning: meta-description-missing on" in text
    assert "[warning]" not in text and "[notice]" not in html
    # The fix list says where in the editor and links straight to the field.
    first = text.split("Fix these first:")[1].split("\n2. ")[0]
    assert "Warning:" in first and "Where: Promote tab → Meta description" in first
    assert "Edit: https://cms.clinic.example/admin/pages/" in first
    assert first.rstrip().splitlines()[-1].strip().startswith(two_runs.service_url)
    assert "/edit/#id_search_description" in html
    assert 'name="viewport"' in html and "max-width: 600px" in html


def test_singular_counts_in_the_subject(two_runs):
    run = two_runs.new
    AuditRun.objects.filter(pk=run.pk).update(error_count=1, warning_count=0, notice_count=1)
    run.refresh_from_db()
    [message] = build_messages(run, ["ann@clinic.example"])
    assert ": 1 error, 0 warnings, 1 notice" in message.subject
