"""Report e-mails for finished scheduled runs: HTML + plain text, one message per recipient.

A succeeded run gets, in this order: what is new and fixed since the previous run, "Fix these
first" (``audit.fix_first``: plain words, where in the editor, an Edit link), the totals in
words with correct plurals, the score and a link to the run in the admin
(WAGTAILADMIN_BASE_URL + SEO_AUDIT["ADMIN_RUNS_PATH"] + id). Times are in the clinic's time
zone. The HTML is one narrow column so it reads on a phone. A failed run gets a short
failure notice with its error. Templates: ``audit/email/report.*`` and ``failed.*``. Sent
with Django's configured e-mail backend (console in dev, SMTP in production).

The admin shows a schedule's next e-mail as rendered from its latest run
(``latest_reported_run`` + ``render_report``) and sends any finished run's report to
addresses typed on the run page (``send_report_to``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string

from audit.clinic_time import clinic_zone_name, when_in_words
from audit.conf import audit_setting
from audit.engine import completeness_from_stats
from audit.fix_first import fix_first
from audit.models import AuditRun, AuditSchedule
from audit.services import compare_runs, previous_run

EXAMPLES_PER_CHANGE = 5


def run_admin_url(run: AuditRun) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    path = str(audit_setting("ADMIN_RUNS_PATH")).strip("/")
    return f"{base}/{path}/{run.pk}/"


def admin_base_url() -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def counted(count: int, noun: str) -> str:
    """E.g. "1 notice", "3 warnings"."""
    return f"{count} {noun}{pluralize(count)}"


def totals_in_words(run: AuditRun) -> str:
    """E.g. "1 error, 3 warnings, 1 notice"."""
    totals = run.counts_by_severity()
    return ", ".join(counted(totals[s], s) for s in ("error", "warning", "notice"))


def report_context(run: AuditRun) -> dict[str, Any]:
    """What the report templates show; also usable for a preview in the admin."""
    zone_name = clinic_zone_name()
    context: dict[str, Any] = {
        "run": run,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        "admin_url": run_admin_url(run),
        "admin_base": admin_base_url(),
        "totals": run.counts_by_severity(),
        "totals_words": totals_in_words(run),
        "finished_words": when_in_words(run.finished_at or run.created_at),
        "zone_name": zone_name,
        "pages_words": counted(run.pages_done, "page"),
        "completeness": completeness_from_stats(run.stats or {}),
    }
    if run.status != AuditRun.Status.SUCCEEDED:
        return context
    previous = previous_run(run)
    diff = compare_runs(run, previous)
    context.update(
        previous=previous,
        new_count=diff.new.count() if previous else None,
        fixed_count=diff.fixed.count() if previous else None,
        not_checked_count=diff.not_checked.count() if previous else 0,
        new_examples=list(diff.new.order_by("-impact", "id")[:EXAMPLES_PER_CHANGE])
        if previous
        else [],
        fixed_examples=list(diff.fixed.order_by("-impact", "id")[:EXAMPLES_PER_CHANGE])
        if previous
        else [],
        fixes=fix_first(run, limit=int(audit_setting("EMAIL_TOP_FINDINGS"))),
        previous_words=when_in_words(previous.finished_at or previous.created_at)
        if previous
        else "",
    )
    return context


@dataclass(frozen=True)
class RenderedReport:
    """One run's report e-mail, the same for every recipient."""

    subject: str
    text: str
    html: str


def render_report(run: AuditRun) -> RenderedReport:
    """The e-mail of a finished run: the report when it succeeded, else the failure notice.
    The schedule's preview in the admin shows exactly this."""
    context = report_context(run)
    name = "report" if run.status == AuditRun.Status.SUCCEEDED else "failed"
    text = render_to_string(f"audit/email/{name}.txt", context)
    html = render_to_string(f"audit/email/{name}.html", context)
    if name == "report":
        score = "" if run.score is None else f", score {run.score}"
        subject = f"SEO audit of {run.target_url} ({run.label}): {context['totals_words']}{score}"
    else:
        subject = f"SEO audit of {run.target_url} failed ({run.label})"
    return RenderedReport(subject, text, html)


def build_messages(run: AuditRun, recipients: list[str]) -> list[EmailMultiAlternatives]:
    report = render_report(run)
    messages = []
    for address in recipients:
        message = EmailMultiAlternatives(report.subject, report.text, to=[address])
        message.attach_alternative(report.html, "text/html")
        messages.append(message)
    return messages


def send_report_to(run: AuditRun, recipients: list[str]) -> int:
    """E-mail the run's report to ``recipients``, one message each; the number sent."""
    if not recipients:
        return 0
    messages = build_messages(run, recipients)
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def send_run_report(run: AuditRun) -> int:
    """E-mail the run's schedule recipients; returns the number of messages sent."""
    if run.schedule is None:
        return 0
    return send_report_to(run, run.schedule.recipient_emails())


def latest_reported_run(schedule: AuditSchedule) -> AuditRun | None:
    """The schedule's latest run that sent (or would have sent) an e-mail: one that
    succeeded or failed (a cancelled run sends none)."""
    return (
        schedule.runs.filter(status__in=(AuditRun.Status.SUCCEEDED, AuditRun.Status.FAILED))
        .order_by("-created_at", "-id")
        .first()
    )
