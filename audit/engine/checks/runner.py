"""Runs the registered checks; one failing check never hides the others' findings."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import REGISTRY
from .site import SiteView

log = logging.getLogger(__name__)


def _enabled(scope: str, cfg: EngineConfig, only: Iterable[str] | None) -> list:
    wanted = set(only) if only is not None else None
    return [
        check
        for check in REGISTRY.values()
        if check.scope == scope
        and check.id not in cfg.disabled_checks
        and (wanted is None or check.id in wanted)
    ]


def run_page_checks(
    page: PageFacts, cfg: EngineConfig, only: Iterable[str] | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    noindex = page.noindex
    for check in _enabled("page", cfg, only):
        if check.content_only and not page.is_ok_html:
            continue
        if check.indexable_only and noindex:
            continue
        try:
            findings.extend(check.func(page, cfg))
        except Exception:  # a bug in one check must not lose the page's other findings
            log.exception("check %s failed on %s", check.id, page.url)
    return findings


def run_site_checks(
    site: SiteView, cfg: EngineConfig, only: Iterable[str] | None = None
) -> list[tuple[str, Finding]]:
    out: list[tuple[str, Finding]] = []
    for check in _enabled("site", cfg, only):
        try:
            out.extend(check.func(site, cfg))
        except Exception:
            log.exception("site check %s failed", check.id)
    return out
