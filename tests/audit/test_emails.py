"""Report e-mails (locmem backend): totals, new and fixed, the most important findings,
the admin link, HTML and plain text, failure notices."""

from __future__ import annotations

import re

from django.contrib.auth.models import Group
from django.utils import timezone

from audit.emails import send_run_report
from audit.engine import AuditResult, PageReport
from audit.engine import Finding as EngineFinding
from audit.models import AuditRun, AuditSchedule
from audit.services import create_run
from audit.store import store_result

SITE = "https://clinic.example/"


def _run(schedule, pages: dict[str, tuple[int | None, list[tuple[str, str, str]]]]) -> AuditRun:
    """A succeeded scheduled run; pages: url -> (views, [(check, severity, message)])."""
    run = create_run(SITE, trigger=AuditRun.Trigger.SCHEDULE, schedule=schedule)
    reports = []
    for url, (views, findings) in pages.items():
        report = PageReport(url=url, status=200, views=views)
        report.findings = [EngineFinding(c, s, m, f"#{c}", "") for c, s, m in findings]
        reports.append(report)
    store_result(run, AuditResult(SITE, "", "", {}, {}, reports))
    AuditRun.objects.filter(pk=run.pk).update(
        status=AuditRun.Status.SUCCEEDED, finished_at=timezone.now(), pages_done=len(reports)
    )
    run.refresh_from_db()
    return run


def test_report_has_totals_changes_top_findings_and_the_admin_link(db, mailoutbox, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.clinic.example"
    schedule = AuditSchedule.objects.create(
        name="Weekly", recipients="ann@clinic.example, bob@clinic.example"
    )
    _run(
        schedule,
        {
            SITE + "old/": (5, [("title-missing", "error", "Old page has no title")]),
            SITE + "busy/": (900, [("img-alt-missing", "warning", "Busy image has no alt")]),
        },
    )
    pages = {
        SITE + "old/": (5, []),  # audited again, title fixed: only then is it "fixed"
        SITE + "busy/": (900, [("img-alt-missing", "warning", "Busy image has no alt")]),
        SITE + "quiet/": (0, [("h1-missing", "error", "Quiet page has no h1 <b>")]),
    }
    for n in range(12):
        pages[SITE + f"n{n}/"] = (n, [("meta-description-missing", "notice", f"Notice {n}")])
    run = _run(schedule, pages)

    assert send_run_report(run) == 2
    assert [m.to for m in mailoutbox] == [["ann@clinic.example"], ["bob@clinic.example"]]
    message = mailoutbox[0]
    assert message.subject == (
        f"SEO audit of {SITE} ({run.label}): 1 error, 1 warning, 12 notices, score {run.score}"
    )
    text = message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = f"https://cms.clinic.example/admin/seo-audits/{run.pk}/"
    assert link in text and f'href="{link}"' in html
    assert "1 error, 1 warning, 12 notices" in text
    # 13 new (the h1 and the notices), 1 fixed (the old title), the busy alt still open.
    assert "13 new, 1 fixed" in text and "<strong>13</strong> new" in html
    assert "Old page has no title" in text.split("Fixed:")[1]
    # Impact = severity weight x (views + 1) decides the order.
    top = text.split("Fix these first:")[1]
    listed = [line for line in top.splitlines() if re.match(r"\d+\. ", line)]
    assert len(listed) == 10
    assert "busy/" in listed[0]  # 3 x 901
    # Notices on visited pages (1 x 12, 1 x 11) beat an error on a page nobody visits (10 x 1).
    assert "n11/" in listed[1] and "n10/" in listed[2]
    assert "quiet/" in listed[3]
    assert "(900 views)" in top
    # HTML is escaped, plain text is not.
    assert "Quiet page has no h1 &lt;b&gt;" in html and "Quiet page has no h1 <b>" in text


def test_first_run_says_everything_is_new(db, mailoutbox):
    schedule = AuditSchedule.objects.create(name="Weekly", recipients="ann@clinic.example")
    run = _run(schedule, {SITE: (None, [])})
    send_run_report(run)
    assert "first audit of this site" in mailoutbox[0].body
    assert "Nothing to fix: this audit found no problems." in mailoutbox[0].body


def test_failed_run_sends_a_short_notice_to_group_members(db, mailoutbox, django_user_model):
    group = Group.objects.create(name="Marketing")
    user = django_user_model.objects.create_user("cat", "cat@clinic.example", "x")
    user.groups.add(group)
    schedule = AuditSchedule.objects.create(name="Nightly", recipient_group=group)
    run = create_run(SITE, trigger=AuditRun.Trigger.SCHEDULE, schedule=schedule)
    AuditRun.objects.filter(pk=run.pk).update(
        status=AuditRun.Status.FAILED, error="connection-error: connection refused"
    )
    run.refresh_from_db()
    assert send_run_report(run) == 1
    message = mailoutbox[0]
    assert message.to == ["cat@clinic.example"]
    assert message.subject == f"SEO audit of {SITE} failed (Audit #{run.pk})"
    assert "Reason: connection-error: connection refused" in message.body
    assert "connection refused" in message.alternatives[0][0]


def test_no_schedule_or_no_recipients_sends_nothing(db, mailoutbox):
    assert send_run_report(create_run(SITE + "unscheduled/")) == 0
    schedule = AuditSchedule.objects.create(name="Silent")
    assert send_run_report(_run(schedule, {SITE: (None, [])})) == 0
    assert mailoutbox == []
