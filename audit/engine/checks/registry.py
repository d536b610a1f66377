"""The check registry: every check is an id, a severity, a title, a fix hint and a function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..results import SEVERITIES, Finding

if TYPE_CHECKING:
    from ..config import AuditConfig
    from ..facts import PageFacts
    from .site import SiteView

Scope = Literal["page", "site"]
PageCheckFn = Callable[["PageFacts", "AuditConfig"], list[Finding]]
# A site check returns (url of the page the finding belongs to, finding) pairs.
SiteCheckFn = Callable[["SiteView", "AuditConfig"], Iterable[tuple[str, Finding]]]


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    title: str
    fix: str
    scope: Scope
    func: Callable = field(compare=False)
    content_only: bool = True  # page checks: run only on 2xx HTML pages


REGISTRY: dict[str, Check] = {}


def _register(check: Check) -> None:
    if check.severity not in SEVERITIES:
        raise ValueError(f"{check.id}: severity must be one of {SEVERITIES}")
    if check.id in REGISTRY:
        raise ValueError(f"check id {check.id!r} registered twice")
    REGISTRY[check.id] = check


def page_check(
    id: str, severity: str, title: str, fix: str, *, content_only: bool = True
) -> Callable[[PageCheckFn], PageCheckFn]:
    """Register ``check(page, cfg) -> list[Finding]`` under a stable id."""

    def decorate(func: PageCheckFn) -> PageCheckFn:
        _register(Check(id, severity, title, fix, "page", func, content_only))
        return func

    return decorate


def site_check(
    id: str, severity: str, title: str, fix: str
) -> Callable[[SiteCheckFn], SiteCheckFn]:
    """Register ``check(site, cfg) -> iterable of (page url, Finding)`` run after the crawl."""

    def decorate(func: SiteCheckFn) -> SiteCheckFn:
        _register(Check(id, severity, title, fix, "site", func, False))
        return func

    return decorate


def finding(check_id: str, message: str, selector: str = "", snippet: str = "") -> Finding:
    """A Finding for a registered check; severity comes from the registry."""
    return Finding(check_id, REGISTRY[check_id].severity, message, selector, snippet)
