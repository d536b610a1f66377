"""All checks. Every module in this package is imported, so adding a check is one new file."""

from __future__ import annotations

import importlib
import pkgutil

from .registry import (
    REGISTRY,
    Check,
    check_info,
    finding,
    page_check,
    register,
    register_family,
    site_check,
)
from .runner import run_page_checks, run_site_checks
from .site import FirstLoad, PageSummary, SiteView, TargetStatus, Triples, summarize, urls_of

_INFRA = {"registry", "runner", "site"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _INFRA:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "REGISTRY",
    "Check",
    "FirstLoad",
    "PageSummary",
    "SiteView",
    "TargetStatus",
    "Triples",
    "check_info",
    "finding",
    "page_check",
    "register",
    "register_family",
    "run_page_checks",
    "run_site_checks",
    "site_check",
    "summarize",
    "urls_of",
]
