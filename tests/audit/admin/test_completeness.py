"""The admin run page and the report e-mail say whether the crawl was complete, and if not
why and how many URLs were not audited."""

from __future__ import annotations

from django.core import mail

from audit.emails import build_messages
from audit.models import AuditRun
from tests.audit.admin.conftest import client_for

PARTIAL = {
    "crawl_complete": False,
    "incomplete_reasons": ["page-limit", "crawl-trap"],
    "urls_not_audited": 42,
    "stop_reason": None,
}


def _set_stats(run: AuditRun, stats: dict) -> AuditRun:
    AuditRun.objects.filter(pk=run.pk).update(stats={**run.stats, **stats})
    run.refresh_from_db()
    return run


def test_run_page_says_why_the_crawl_is_partial(people, two_runs):
    run = _set_stats(two_runs.new, PARTIAL)
    html = client_for(people["viewer"]).get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert 'data-completeness="incomplete"' in html
    assert "Crawl incomplete (page-limit, crawl-trap): 42 URLs found in scope" in html


def test_run_page_says_when_the_crawl_is_complete(people, two_runs):
    run = _set_stats(two_runs.new, {"crawl_complete": True, "incomplete_reasons": []})
    html = client_for(people["viewer"]).get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert "Crawl complete: every URL found in scope was audited." in html


def test_report_email_says_why_the_crawl_is_partial(people, two_runs):
    run = _set_stats(two_runs.new, {**PARTIAL, "stop_reason": "time-budget"})
    AuditRun.objects.filter(pk=run.pk).update(status=AuditRun.Status.SUCCEEDED)
    run.refresh_from_db()
    (message,) = build_messages(run, ["ann@clinic.example"])
    line = (
        "Crawl incomplete (stopped early: time-budget, page-limit, crawl-trap): "
        "42 URLs found in scope were not audited"
    )
    assert line in message.body
    assert line in message.alternatives[0][0]
    assert not mail.outbox  # built, not sent
