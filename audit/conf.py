"""Settings of the Django side of the audit, with defaults in code: the one place to read them.

Override any key in Django settings with a dict, e.g.::

    SEO_AUDIT = {"KEEP_RUNS": 50, "CRAWL_OPTIONS": {"max_pages": 2000}}

Values are read on every call (not cached at import) so `override_settings` works in tests.
Engine thresholds (title lengths, thin content, slow response...) live in
`audit.engine.config.Thresholds`; override them here with ``THRESHOLDS``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Audit a page in the background each time it is published (editor, approval, schedule).
    "AUDIT_AFTER_PUBLISH": True,
    # Retention: finished runs kept per target (and mode); `manage.py prune_audit_runs`.
    "KEEP_RUNS": 20,
    # Crawl options applied to every run before its own options (AuditConfig field names).
    "CRAWL_OPTIONS": {},
    # Threshold overrides for the checks (audit.engine.config.Thresholds field names).
    "THRESHOLDS": {},
    # Pages buffered before a batch is written while crawling.
    "STORE_BATCH_PAGES": 500,
    # Rows per INSERT statement for findings.
    "STORE_BATCH_FINDINGS": 2000,
    # How often (seconds) a running audit writes progress and reads its cancel flag.
    "POLL_INTERVAL": 0.5,
    # A running run whose heartbeat is older than this (seconds) is marked failed: its
    # worker was killed. Must be well above POLL_INTERVAL.
    "STALE_AFTER": 15 * 60,
    # Impact = severity weight x (page views + 1); also the per-page score penalty.
    "SEVERITY_WEIGHTS": {"error": 10, "warning": 3, "notice": 1},
    # Seconds between scheduler ticks in loop mode.
    "SCHEDULER_INTERVAL": 30,
    # Findings listed in the report e-mail.
    "EMAIL_TOP_FINDINGS": 10,
    # Admin URL prefix of a run, joined to WAGTAILADMIN_BASE_URL in e-mails.
    "ADMIN_RUNS_PATH": "/admin/seo-audits/",
}


def audit_setting(name: str) -> Any:
    """The value of one audit setting: SEO_AUDIT[name] if set, else the default."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown audit setting {name!r}; known: {', '.join(DEFAULTS)}")
    overrides = getattr(settings, "SEO_AUDIT", None) or {}
    return overrides.get(name, DEFAULTS[name])


def severity_weight(severity: str) -> int:
    return int(audit_setting("SEVERITY_WEIGHTS").get(severity, 1))
