"""The check registry: every check is an id, a severity, a title, a fix hint and a function.

Families of checks whose ids are only known when they run (axe-core's rules, ``axe/<rule>``)
have one entry ``<prefix>/*`` and a resolver that names each member: ``check_info`` finds
either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..results import SEVERITIES, Finding

if TYPE_CHECKING:
    from ..config import EngineConfig
    from ..facts import PageFacts
    from .site import SiteView

# "browser": run by the browser pass (audit/engine/browser/) on rendered pages, not here.
Scope = Literal["page", "site", "browser"]
PageCheckFn = Callable[["PageFacts", "EngineConfig"], list[Finding]]
# A site check returns (url of the page the finding belongs to, finding) pairs.
SiteCheckFn = Callable[["SiteView", "EngineConfig"], Iterable[tuple[str, Finding]]]


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    title: str
    fix: str
    scope: Scope
    func: Callable = field(compare=False)
    content_only: bool = True  # page checks: run only on 2xx HTML pages
    # Page checks about how a page shows in search results and shares: not run on a page
    # that asks not to be indexed (a login form, a thank-you page), where they are noise.
    indexable_only: bool = False
    # The axe-core rule that finds the same defect in the rendered page (a static check
    # and its rule give one finding per defect: audit/engine/browser/agreement.py).
    axe_rule: str | None = None


REGISTRY: dict[str, Check] = {}
# "<prefix>/" -> the Check of one member of the family ("axe/" + "image-alt"), or None.
FAMILIES: dict[str, Callable[[str], Check | None]] = {}
FAMILY_SUFFIX = "*"


def register(check: Check) -> None:
    """Add a check; its id must be new and its severity one of ours."""
    if check.severity not in SEVERITIES:
        raise ValueError(f"{check.id}: severity must be one of {SEVERITIES}")
    if check.id in REGISTRY:
        raise ValueError(f"check id {check.id!r} registered twice")
    REGISTRY[check.id] = check


def page_check(
    id: str,
    severity: str,
    title: str,
    fix: str,
    *,
    content_only: bool = True,
    indexable_only: bool = False,
    axe_rule: str | None = None,
) -> Callable[[PageCheckFn], PageCheckFn]:
    """Register ``check(page, cfg) -> list[Finding]`` under a stable id; ``axe_rule``
    names the axe-core rule that finds the same defect in the browser."""

    def decorate(func: PageCheckFn) -> PageCheckFn:
        register(
            Check(id, severity, title, fix, "page", func, content_only, indexable_only, axe_rule)
        )
        return func

    return decorate


def site_check(
    id: str, severity: str, title: str, fix: str
) -> Callable[[SiteCheckFn], SiteCheckFn]:
    """Register ``check(site, cfg) -> iterable of (page url, Finding)`` run after the crawl."""

    def decorate(func: SiteCheckFn) -> SiteCheckFn:
        register(Check(id, severity, title, fix, "site", func, False))
        return func

    return decorate


def register_family(family: Check, resolve: Callable[[str], Check | None]) -> None:
    """Register ``family`` (id ``<prefix>/*``) and ``resolve(name)``, the check of
    ``<prefix>/<name>`` for the names known only when the checks run."""
    if not family.id.endswith("/" + FAMILY_SUFFIX):
        raise ValueError(f"{family.id}: a family's id ends in /{FAMILY_SUFFIX}")
    register(family)
    FAMILIES[family.id[: -len(FAMILY_SUFFIX)]] = resolve


def check_info(check_id: str) -> Check | None:
    """The registry entry for a finding's check: its own, its family's member, or None
    (a check that no longer exists)."""
    check = REGISTRY.get(check_id)
    if check is not None:
        return check
    prefix, slash, name = check_id.partition("/")
    resolve = FAMILIES.get(prefix + slash)
    if resolve is None or not name:
        return None
    return resolve(name) or REGISTRY.get(prefix + slash + FAMILY_SUFFIX)


def finding(check_id: str, message: str, selector: str = "", snippet: str = "") -> Finding:
    """A Finding for a registered check; severity comes from the registry."""
    return Finding(check_id, REGISTRY[check_id].severity, message, selector, snippet)
