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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from audit.engine import SEVERITIES, EngineConfig, Thresholds
from cms.settings_reader import cached_setting

SETTING_NAME = "SEO_AUDIT"

# EngineConfig fields a run's options may set (single_page is the run's mode, thresholds below).
CRAWL_OPTION_NAMES = frozenset(f.name for f in dataclasses.fields(EngineConfig)) - {
    "thresholds",
    "single_page",
}
THRESHOLD_NAMES = frozenset(f.name for f in dataclasses.fields(Thresholds))


@dataclass(frozen=True)
class AuditSettings:
    # Audit a page in the background each time it is published (editor, approval, schedule).
    AUDIT_AFTER_PUBLISH: bool = True
    # Retention: finished runs kept per target (and mode); `manage.py prune_audit_runs`.
    KEEP_RUNS: int = 20
    # Crawl options applied to every run before its own options (EngineConfig field names).
    CRAWL_OPTIONS: dict[str, Any] = field(default_factory=dict)
    # Threshold overrides for the checks (Thresholds field names).
    THRESHOLDS: dict[str, int] = field(default_factory=dict)
    # A crawl writes its buffered pages once this many are waiting...
    STORE_BATCH_PAGES: int = 100
    # ...or once the oldest waiting page is this many seconds old, whichever comes first: a
    # killed worker loses at most about this much work.
    STORE_FLUSH_SECONDS: float = 1.0
    # Rows per INSERT statement for findings.
    STORE_BATCH_FINDINGS: int = 2000
    # How often (seconds) a running audit writes progress and reads its cancel flag.
    POLL_INTERVAL: float = 0.5
    # A running run whose crawl has finished no page for this long (seconds) is failed: its
    # worker is dead or stuck. The heartbeat advances only when a page finishes, so this must
    # exceed the longest a healthy page can take (engine defaults: 10 s timeout x 3 attempts
    # plus back-off, about 32 s), and be at least 3 x POLL_INTERVAL.
    STALE_AFTER: float = 60.0
    # Impact = severity weight x (page views + 1); also the per-page score penalty.
    SEVERITY_WEIGHTS: dict[str, int] = field(
        default_factory=lambda: {"error": 10, "warning": 3, "notice": 1}
    )
    # Seconds between scheduler ticks in loop mode.
    SCHEDULER_INTERVAL: float = 30.0
    # Findings listed in the report e-mail.
    EMAIL_TOP_FINDINGS: int = 10
    # Admin URL prefix of a run, joined to WAGTAILADMIN_BASE_URL in e-mails.
    ADMIN_RUNS_PATH: str = "/admin/seo-audits/"
    # The static front end built from this CMS's API (frontend/), e.g. "https://www.example.org/";
    # "" for none. An audit of it ("front end" runs and schedules, the deploy endpoint) maps
    # each page back to its CMS page by the meta tag below, which the front end writes.
    FRONTEND_URL: str = ""
    FRONTEND_PAGE_META: str = "cms-page-id"


KNOWN_KEYS = frozenset(f.name for f in dataclasses.fields(AuditSettings))
_BOOL_KEYS = {"AUDIT_AFTER_PUBLISH"}
_COUNT_KEYS = {"KEEP_RUNS", "EMAIL_TOP_FINDINGS"}  # whole numbers >= 0
_BATCH_KEYS = {"STORE_BATCH_PAGES", "STORE_BATCH_FINDINGS"}  # whole numbers >= 1
_SECONDS_KEYS = {"STORE_FLUSH_SECONDS", "POLL_INTERVAL", "STALE_AFTER", "SCHEDULER_INTERVAL"}


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
    overrides = raw or {}
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured(
            f"{SETTING_NAME} must be a dict, not {type(overrides).__name__}."
        )
    unknown = sorted(set(overrides) - KNOWN_KEYS)
    if unknown:
        raise ImproperlyConfigured(
            f"{SETTING_NAME} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"known keys: {', '.join(sorted(KNOWN_KEYS))}."
        )
    values = {key: _checked(key, value) for key, value in overrides.items()}
    parsed = AuditSettings(**values)
    if parsed.STALE_AFTER < 3 * parsed.POLL_INTERVAL:
        raise ImproperlyConfigured(
            f"{SETTING_NAME}['STALE_AFTER'] ({parsed.STALE_AFTER:g} s) must be at least 3 x "
            f"POLL_INTERVAL ({parsed.POLL_INTERVAL:g} s), or live runs would be failed."
        )
    return parsed


def _checked(key: str, value: Any) -> Any:
    where = f"{SETTING_NAME}[{key!r}]"
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if key in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise ImproperlyConfigured(f"{where} must be True or False, not {value!r}.")
    elif key in _COUNT_KEYS:
        if not is_int or value < 0:
            raise ImproperlyConfigured(f"{where} must be a whole number >= 0, not {value!r}.")
    elif key in _BATCH_KEYS:
        if not is_int or value < 1:
            raise ImproperlyConfigured(f"{where} must be a whole number >= 1, not {value!r}.")
    elif key in _SECONDS_KEYS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ImproperlyConfigured(f"{where} must be a number of seconds > 0, not {value!r}.")
        return float(value)
    elif key == "ADMIN_RUNS_PATH":
        if not isinstance(value, str) or not value.strip("/"):
            raise ImproperlyConfigured(f"{where} must be a URL path such as '/admin/seo-audits/'.")
    elif key == "FRONTEND_URL":
        if value != "" and not _is_web_url(value):
            raise ImproperlyConfigured(
                f"{where} must be the front end's http(s) URL such as "
                f"'https://www.example.org/', or '' for none; not {value!r}."
            )
    elif key == "FRONTEND_PAGE_META":
        if not isinstance(value, str) or not value.strip():
            raise ImproperlyConfigured(f"{where} must be a meta tag name such as 'cms-page-id'.")
    elif key == "CRAWL_OPTIONS":
        return _checked_names(where, value, CRAWL_OPTION_NAMES, "crawl option")
    elif key == "THRESHOLDS":
        thresholds = _checked_names(where, value, THRESHOLD_NAMES, "threshold")
        _check_whole_numbers(where, thresholds)
        return thresholds
    elif key == "SEVERITY_WEIGHTS":
        weights = _checked_names(where, value, frozenset(SEVERITIES), "severity")
        _check_whole_numbers(where, weights)
        return {**AuditSettings().SEVERITY_WEIGHTS, **weights}
    return value


def _is_web_url(value: Any) -> bool:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _checked_names(where: str, value: Any, known: frozenset[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{where} must be a dict, not {type(value).__name__}.")
    unknown = sorted(set(value) - known)
    if unknown:
        raise ImproperlyConfigured(
            f"{where} has unknown {what}(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(known))}."
        )
    return dict(value)


def _check_whole_numbers(where: str, values: dict[str, Any]) -> None:
    for name, number in values.items():
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise ImproperlyConfigured(
                f"{where}[{name!r}] must be a whole number >= 0, not {number!r}."
            )


# The effective settings: the defaults above, overridden key by key by SEO_AUDIT.
audit_settings = cached_setting(SETTING_NAME, parse_settings)
