"""Stored runs back into the engine's report data, so exports use the engine's own writers.

``run_to_result(run)`` rebuilds an ``AuditResult`` (pages in crawl order, each with its
findings) from the database rows; ``render_run(run, fmt)`` passes it to the engine's JSON, CSV
or standalone HTML writer. The JSON therefore follows the engine's versioned report schema.
Stats the store did not keep (e.g. a run that failed before the engine reported them) are
filled from the rows, so the report always has the fields the schema requires.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from audit.clinic_time import clinic_zone
from audit.engine import SEVERITIES, AuditResult, PageReport, render, render_html
from audit.engine import Finding as EngineFinding
from audit.fix_first import fix_first
from audit.models import AuditRun, Finding, PageResult
from audit.score import run_score
from audit.store import page_report_from_row

EXPORT_FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv", "csv"),
    "html": ("text/html", "html"),
}


def _stats(run: AuditRun, pages: list[PageReport]) -> dict:
    findings = [f for page in pages for f in page.findings]
    by_severity = Counter(f.severity for f in findings)
    by_check = Counter(f.check for f in findings)
    stats = dict(run.stats or {})
    stats.setdefault("pages_fetched", sum(1 for p in pages if p.status is not None))
    stats.setdefault("pages_reported", len(pages))
    stats.setdefault("crawl_complete", run.status == AuditRun.Status.SUCCEEDED)
    stats.setdefault("stopped_early", run.status != AuditRun.Status.SUCCEEDED)
    stats.setdefault("stop_reason", None if run.status == AuditRun.Status.SUCCEEDED else run.status)
    # Always from the rows: they are what this report lists.
    stats["findings_by_severity"] = {s: by_severity.get(s, 0) for s in SEVERITIES}
    stats["findings_by_check"] = dict(sorted(by_check.items(), key=lambda i: (-i[1], i[0])))
    return stats


def run_to_result(run: AuditRun) -> AuditResult:
    """The stored run as the engine's AuditResult (pages in the order they were stored,
    which is the crawl order batch by batch; writers that care sort them themselves)."""
    pages: dict[int, PageReport] = {}
    for row in PageResult.objects.filter(run=run).order_by("id").iterator(chunk_size=2000):
        pages[row.pk] = page_report_from_row(row)
    findings = (
        Finding.objects.filter(run=run)
        .order_by("id")
        .values_list(
            "page_result_id", "check_id", "severity", "message", "selector", "snippet", "template"
        )
    )
    for page_id, check, severity, message, selector, snippet, template in findings.iterator(2000):
        pages[page_id].findings.append(
            EngineFinding(check, severity, message, selector, snippet, template=template)
        )
    reports = list(pages.values())
    started = run.started_at or run.created_at
    finished = run.finished_at or started
    return AuditResult(
        start_url=run.target_url,
        started_at=started.isoformat(),
        finished_at=finished.isoformat(),
        settings=dict(run.settings or {}),
        stats=_stats(run, reports),
        pages=reports,
    )


def render_run(run: AuditRun, fmt: str) -> str:
    """The run as a report in ``fmt`` (json, csv or html); ValueError for other formats."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "html":
        # For people: dates in the clinic's zone; the score and "Fix these first" up front.
        breakdown = run_score(run)
        lead = render_to_string(
            "audit/export/fix_first.html",
            {
                "score": breakdown.score,
                "improvements": breakdown.improvements(),
                "fixes": fix_first(run, breakdown=breakdown),
                "admin_base": getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/"),
                "run_label": run.label,
                "run_url": run_admin_url(run),
            },
        )
        return render_html(run_to_result(run), zone=clinic_zone(), lead_html=lead)
    return render(run_to_result(run), fmt)


def run_admin_url(run: AuditRun) -> str:
    """The run's page in the admin, absolute when WAGTAILADMIN_BASE_URL is set."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + reverse("seo_audits:run", args=[run.pk])


def export_filename(run: AuditRun, fmt: str) -> str:
    """E.g. "seo-audit-7-2026-12-07.csv": the number is the run's, as in its label and URL."""
    day = (run.started_at or run.created_at).strftime("%Y-%m-%d")
    return f"seo-audit-{run.pk}-{day}.{EXPORT_FORMATS[fmt][1]}"
