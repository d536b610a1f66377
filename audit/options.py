"""Crawl options -> engine config: a run's options over SEO_AUDIT's over the engine's defaults.

``build_config(options, single_page=...)`` is the one way the Django side makes an
``AuditConfig``; fields not given keep ``AuditConfig()``'s defaults, the same ones
``python -m audit`` uses. Bad options raise ``InvalidOptions`` with a one-line message.
"""

from __future__ import annotations

from typing import Any

from audit.conf import CRAWL_OPTION_NAMES, THRESHOLD_NAMES, audit_setting
from audit.engine import AuditConfig, AuditError, Thresholds

_TUPLE_FIELDS = {"include", "exclude", "extra_hosts", "strip_query_params"}


class InvalidOptions(ValueError):
    """Crawl options that the engine does not accept."""


def build_config(options: dict[str, Any] | None, *, single_page: bool = False) -> AuditConfig:
    """An AuditConfig from the site defaults (SEO_AUDIT) overlaid with ``options``.

    ``options`` uses AuditConfig field names; ``thresholds`` may be a dict of Thresholds
    fields. Raises InvalidOptions with a one-line message naming the bad key or value.
    """
    if options is not None and not isinstance(options, dict):
        raise InvalidOptions('crawl options must be a JSON object, e.g. {"max_pages": 500}')
    merged = {**audit_setting("CRAWL_OPTIONS"), **(options or {})}
    thresholds = {**audit_setting("THRESHOLDS"), **(merged.pop("thresholds", None) or {})}
    unknown = sorted(set(merged) - CRAWL_OPTION_NAMES)
    if unknown:
        raise InvalidOptions(
            f"unknown crawl option {unknown[0]!r}; known: {', '.join(sorted(CRAWL_OPTION_NAMES))}"
        )
    bad = sorted(set(thresholds) - THRESHOLD_NAMES)
    if bad:
        raise InvalidOptions(
            f"unknown threshold {bad[0]!r}; known: {', '.join(sorted(THRESHOLD_NAMES))}"
        )
    values: dict[str, Any] = {}
    for key, value in merged.items():
        if key in _TUPLE_FIELDS:
            value = (value,) if isinstance(value, str) else tuple(value or ())
        elif key == "disabled_checks":
            value = frozenset([value] if isinstance(value, str) else value or ())
        values[key] = value
    try:
        return AuditConfig(**values, single_page=single_page, thresholds=Thresholds(**thresholds))
    except AuditError as exc:
        raise InvalidOptions(str(exc)) from None
    except TypeError as exc:
        raise InvalidOptions(f"bad crawl option value: {exc}") from None
