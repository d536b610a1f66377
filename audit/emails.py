"""Report e-mails for finished scheduled runs: HTML + plain text, one message per recipient.

A succeeded run gets totals by severity, what is new and fixed since the previous run, the
most important findings (impact = severity weight × views) and a link to the run in the
admin (WAGTAILADMIN_BASE_URL + SEO_AUDIT["ADMIN_RUNS_PATH"] + id). A failed run gets a short
failure notice with its error. Templates: ``audit/email/report.*`` and ``failed.*``. Sent
with Django's configured e-mail backend (console in dev, SMTP in production).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from audit.conf import audit_setting
from audit.engine.results import completeness_from_stats
from audit.models import AuditRun
from audit.services import compare_runs, previous_run

EXAMPLES_PER_CHANGE = 5


def run_admin_url(run: AuditRun) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    path = str(audit_setting("ADMIN_RUNS_PATH")).strip("/")
    return f"{base}/{path}/{run.pk}/"


def report_context(run: AuditRun) -> dict[str, Any]:
    """What the report templates show; also usable for a preview in the admin."""
    context: dict[str, Any] = {
        "run": run,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        "admin_url": run_admin_url(run),
        "totals": run.counts_by_severity(),
        "completeness": completeness_from_stats(run.stats or {}),
    }
    if run.status != AuditRun.Status.SUCCEEDED:
        return context
    previous = previous_run(run)
    diff = compare_runs(run, previous)
    top = run.findings.select_related("page_result").order_by("-impact", "id")
    context.update(
        previous=previous,
        new_count=diff.new.count() if previous else None,
        fixed_count=diff.fixed.count() if previous else None,
        new_examples=list(diff.new.order_by("-impact", "id")[:EXAMPLES_PER_CHANGE])
        if previous
        else [],
        fixed_examples=list(diff.fixed.order_by("-impact", "id")[:EXAMPLES_PER_CHANGE])
        if previous
        else [],
        top_findings=list(top[: int(audit_setting("EMAIL_TOP_FINDINGS"))]),
    )
    return context


def build_messages(run: AuditRun, recipients: list[str]) -> list[EmailMultiAlternatives]:
    context = report_context(run)
    name = "report" if run.status == AuditRun.Status.SUCCEEDED else "failed"
    text = render_to_string(f"audit/email/{name}.txt", context)
    html = render_to_string(f"audit/email/{name}.html", context)
    if name == "report":
        totals = context["totals"]
        subject = (
            f"SEO audit of {run.target_url}: {totals['error']} errors, "
            f"{totals['warning']} warnings, {totals['notice']} notices"
        )
    else:
        subject = f"SEO audit of {run.target_url} failed"
    messages = []
    for address in recipients:
        message = EmailMultiAlternatives(subject, text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def send_run_report(run: AuditRun) -> int:
    """E-mail the run's schedule recipients; returns the number of messages sent."""
    if run.schedule is None:
        return 0
    recipients = run.schedule.recipient_emails()
    if not recipients:
        return 0
    messages = build_messages(run, recipients)
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
