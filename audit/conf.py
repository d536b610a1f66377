"""Settings of the Django side of the audit, with defaults in code: the one place to read them.

Override any key in Django settings with a dict, e.g.::

    SEO_AUDIT = {"KEEP_RUNS": 50, "CRAWL_OPTIONS": {"max_pages": 2000}}

An unknown key or a value of the wrong kind stops with a one-line ``ImproperlyConfigured``
naming the key and what it accepts. Values are re-read whenever the SEO_AUDIT object changes
(``override_settings`` in tests). Crawl options default to the engine's own
(``audit.engine.EngineConfig``, shared with ``python -m audit``); ``CRAWL_OPTIONS`` overrides
them by EngineConfig field name and ``THRESHOLDS`` the check thresholds
(``audit.engine.Thresholds``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from audit.engine import SEVERITIES, EngineConfig, Thresholds
from cms.settings_reader import (
    Refused,
    boolean,
    cached_setting,
    known_keys,
    names,
    option,
    parse_overrides,
    seconds,
    text,
    web_url,
    whole,
)

SETTING_NAME = "SEO_AUDIT"

# EngineConfig fields a run's options may set (single_page is the run's mode, thresholds below).
CRAWL_OPTION_NAMES = frozenset(f.name for f in dataclasses.fields(EngineConfig)) - {
    "thresholds",
    "single_page",
}
THRESHOLD_NAMES = frozenset(f.name for f in dataclasses.fields(Thresholds))
_DEFAULT_WEIGHTS = {"error": 10, "warning": 3, "notice": 1}


def _weights(value: Any) -> dict[str, int]:
    # Key by key: a site that raises one weight keeps the others.
    return {**_DEFAULT_WEIGHTS, **names(SEVERITIES, "severity", whole(0))(value)}


@dataclass(frozen=True)
class AuditSettings:
    # Audit a page in the background each time it is published (editor, approval, schedule).
    AUDIT_AFTER_PUBLISH: bool = option(True, boolean)
    # Retention: finished runs kept per target (and mode); `manage.py prune_audit_runs`.
    KEEP_RUNS: int = option(20, whole(0))
    # Crawl options applied to every run before its own options (EngineConfig field names).
    CRAWL_OPTIONS: dict[str, Any] = option({}, names(CRAWL_OPTION_NAMES, "crawl option"))
    # Threshold overrides for the checks (Thresholds field names).
    THRESHOLDS: dict[str, int] = option({}, names(THRESHOLD_NAMES, "threshold", whole(0)))
    # A crawl writes its buffered pages once this many are waiting...
    STORE_BATCH_PAGES: int = option(100, whole(1))
    # ...or once the oldest waiting page is this many seconds old, whichever comes first: a
    # killed worker loses at most about this much work.
    STORE_FLUSH_SECONDS: float = option(1.0, seconds)
    # Rows per INSERT statement for findings.
    STORE_BATCH_FINDINGS: int = option(2000, whole(1))
    # How often (seconds) a running audit writes progress and reads its cancel flag.
    POLL_INTERVAL: float = option(0.5, seconds)
    # A running run whose crawl has finished no page for this long (seconds) is failed: its
    # worker is dead or stuck. The heartbeat advances only when a page finishes, so this must
    # exceed the longest a healthy page can take (engine defaults: 10 s timeout x 3 attempts
    # plus back-off), and be at least 3 x POLL_INTERVAL.
    STALE_AFTER: float = option(60.0, seconds)
    # A schedule resumes its killed run only if the run stored a page this recently (seconds);
    # older pages describe the site as it was, so the schedule crawls afresh (0: never resume).
    RESUME_KILLED_WITHIN: float = option(2 * 86400.0, seconds)
    # Impact = severity weight x (page views + 1); also the per-page score penalty.
    SEVERITY_WEIGHTS: dict[str, int] = option(_DEFAULT_WEIGHTS, _weights)
    # Seconds between scheduler ticks in loop mode.
    SCHEDULER_INTERVAL: float = option(30.0, seconds)
    # Findings listed in the report e-mail.
    EMAIL_TOP_FINDINGS: int = option(10, whole(0))
    # Admin URL prefix of a run, joined to WAGTAILADMIN_BASE_URL in e-mails.
    ADMIN_RUNS_PATH: str = option(
        "/admin/seo-audits/", text("a URL path such as '/admin/seo-audits/'", blank=False)
    )
    # The static front end built from this CMS's API (frontend/), e.g. "https://www.example.org/";
    # "" for none. An audit of it ("front end" runs and schedules, the deploy endpoint) maps
    # each page back to its CMS page by the meta tag below, which the front end writes.
    FRONTEND_URL: str = option("", web_url("https://www.example.org/"))
    FRONTEND_PAGE_META: str = option(
        "cms-page-id", text("a meta tag name such as 'cms-page-id'", blank=False)
    )

    def __post_init__(self) -> None:
        if self.STALE_AFTER < 3 * self.POLL_INTERVAL:
            raise Refused(
                f"['STALE_AFTER'] ({self.STALE_AFTER:g} s) must be at least 3 x "
                f"POLL_INTERVAL ({self.POLL_INTERVAL:g} s), or live runs would be failed"
            )


KNOWN_KEYS = known_keys(AuditSettings)


def audit_setting(name: str) -> Any:
    """The value of one audit setting: SEO_AUDIT[name] if set, else the default."""
    if name not in KNOWN_KEYS:
        raise KeyError(f"unknown audit setting {name!r}; known: {', '.join(sorted(KNOWN_KEYS))}")
    return getattr(audit_settings(), name)


def severity_weight(severity: str) -> int:
    return audit_settings().SEVERITY_WEIGHTS.get(severity, 1)


def check_settings(app_configs=None, **kwargs) -> list[checks.Error]:
    """System check (``manage.py check``, runserver, migrate): SEO_AUDIT is valid."""
    try:
        audit_settings()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="audit.E001")]
    return []


def parse_settings(raw: object) -> AuditSettings:
    """AuditSettings from a SEO_AUDIT value, or ImproperlyConfigured naming what is wrong."""
    return parse_overrides(AuditSettings, raw, name=SETTING_NAME)


# The effective settings: the defaults above, overridden key by key by SEO_AUDIT.
audit_settings = cached_setting(SETTING_NAME, parse_settings)
