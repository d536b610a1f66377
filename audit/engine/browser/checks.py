"""The browser pass's checks: axe-core's rules under ``axe/``, and our rendering and lab
checks under ``browser/``, each an id, a severity, a title, a fix hint and one pure function
of a RenderedPage."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from ..checks.registry import FAMILY_SUFFIX, Check, register, register_family
from ..results import Finding
from .axe_rules import axe_rules
from .observations import RenderedPage

if TYPE_CHECKING:
    from ..config import EngineConfig

AXE_PREFIX = "axe/"
AXE_REVIEW_PREFIX = "axe-review/"  # axe's "needs review" (incomplete) results, kept apart
# axe's impact -> our severity
IMPACT_SEVERITY = {
    "critical": "error",
    "serious": "error",
    "moderate": "warning",
    "minor": "notice",
}
# Subresources whose failure changes what readers see; a missing favicon does not.
VISIBLE_RESOURCES = frozenset({"image", "script", "stylesheet", "font", "media"})
MAX_PER_CHECK = 20  # findings of one check on one page; the rest are summed up in one more

BrowserCheckFn = Callable[[RenderedPage, "EngineConfig"], list[Finding]]

# The browser pass's fixed checks (also in the engine's REGISTRY, scope "browser").
BROWSER_CHECKS: dict[str, Check] = {}


def browser_check(
    id: str, severity: str, title: str, fix: str
) -> Callable[[BrowserCheckFn], BrowserCheckFn]:
    """Register ``check(rendered_page, cfg) -> list[Finding]`` under ``browser/<id>``."""

    def decorate(func: BrowserCheckFn) -> BrowserCheckFn:
        _register_browser(Check(f"browser/{id}", severity, title, fix, "browser", func))
        return func

    return decorate


def _register_browser(check: Check) -> None:
    register(check)
    BROWSER_CHECKS[check.id] = check


def _no_function(*_args: object) -> list[Finding]:
    return []  # an entry for the reports, with no function of a rendered page to run


# Not a function of a rendered page: the page never rendered. Registered for the reports.
_register_browser(
    Check(
        "browser/failed",
        "warning",
        "The page could not be checked in the browser",
        "Open it in a browser: it crashed, hung or never finished loading within the page timeout",
        "browser",
        _no_function,
    )
)


def _axe_member(prefix: str, review: bool) -> Callable[[str], Check | None]:
    @cache
    def resolve(rule_id: str) -> Check | None:
        rule = axe_rules().get(rule_id)
        if rule is None:
            return None  # a rule of another axe version: the family's entry stands in
        if review:
            return Check(
                prefix + rule_id,
                "notice",
                f"Needs review: {rule.help}",
                f"Check by hand (axe could not decide): {rule.fix}",
                "browser",
                _no_function,
            )
        severity = IMPACT_SEVERITY.get(rule.impact or "", "warning")
        return Check(prefix + rule_id, severity, rule.help, rule.fix, "browser", _no_function)

    return resolve


# axe-core's rules: ids known when axe runs, titles and fixes from the vendored axe itself.
register_family(
    Check(
        AXE_PREFIX + FAMILY_SUFFIX,
        "warning",
        "An accessibility rule of axe-core fails in the browser",
        "See the finding's message for the rule; axe-core's rule pages explain each one",
        "browser",
        _no_function,
    ),
    _axe_member(AXE_PREFIX, review=False),
)
register_family(
    Check(
        AXE_REVIEW_PREFIX + FAMILY_SUFFIX,
        "notice",
        "An accessibility rule of axe-core needs review by hand",
        "axe could not decide (e.g. text over an image): check the element yourself",
        "browser",
        _no_function,
    ),
    _axe_member(AXE_REVIEW_PREFIX, review=True),
)


def browser_finding(check_id: str, message: str, selector: str = "", snippet: str = "") -> Finding:
    return Finding(check_id, BROWSER_CHECKS[check_id].severity, message, selector, snippet)


def _capped(check_id: str, findings: list[Finding], what: str) -> list[Finding]:
    if len(findings) <= MAX_PER_CHECK:
        return findings
    extra = len(findings) - MAX_PER_CHECK
    return [*findings[:MAX_PER_CHECK], browser_finding(check_id, f"{extra} more {what}")]


@browser_check(
    "script-only-content",
    "warning",
    "Headings or links appear only after scripts run",
    "Put them in the HTML the server sends: crawlers that do not run scripts, or run them "
    "late, miss them",
)
def script_only_content(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    findings = [
        browser_finding(
            "browser/script-only-content",
            f"{item['kind']} added by a script: {item['text']}",
            item["selector"],
            item["html"],
        )
        for item in page.script_only
    ]
    return _capped("browser/script-only-content", findings, "script-built headings or links")


@browser_check(
    "console-error",
    "warning",
    "The page logs errors to the browser console",
    "Fix the script error; a broken script can leave menus, forms or content not working",
)
def console_errors(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    findings = [
        browser_finding("browser/console-error", f"console error: {text[:300]}")
        for text in dict.fromkeys(page.console_errors)
    ]
    return _capped("browser/console-error", findings, "console errors")


@browser_check(
    "failed-request",
    "error",
    "An image, script, style or font failed to load",
    "Fix or remove the reference; readers see a broken image or an unstyled page",
)
def failed_requests(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    findings = [
        browser_finding(
            "browser/failed-request", f"{req.resource_type} failed ({req.reason}): {req.url}"
        )
        # once each: the light and the dark load may both meet the same failure
        for req in dict.fromkeys(page.failed_requests)
        if req.resource_type in VISIBLE_RESOURCES
    ]
    return _capped("browser/failed-request", findings, "failed requests")


@browser_check(
    "mixed-content",
    "error",
    "An https page loads resources over plain http",
    "Load them over https: browsers block or flag insecure content on secure pages",
)
def mixed_content(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    findings = [
        browser_finding("browser/mixed-content", f"insecure request from an https page: {url}")
        for url in dict.fromkeys(page.insecure_requests)
    ]
    return _capped("browser/mixed-content", findings, "insecure requests")


@browser_check(
    "lcp-slow",
    "warning",
    "Largest Contentful Paint is slower than 2.5 s",
    "Make the largest image or text block load sooner: smaller images, no render-blocking "
    "scripts, preload the hero image",
)
def lcp_slow(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    limit = cfg.browser_lcp_ms
    if page.lcp_ms is None or page.lcp_ms <= limit:
        return []
    return [
        browser_finding(
            "browser/lcp-slow",
            f"LCP {page.lcp_ms / 1000:.2f} s in the lab (good: ≤ {limit / 1000} s)",
        )
    ]


@browser_check(
    "cls-high",
    "warning",
    "The layout shifts as the page loads (CLS above 0.1)",
    "Give images and embeds their size, and do not insert content above what is shown",
)
def cls_high(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    if page.cls <= cfg.browser_cls:
        return []
    return [
        browser_finding(
            "browser/cls-high", f"CLS {page.cls:.3f} in the lab (good: ≤ {cfg.browser_cls})"
        )
    ]


@browser_check(
    "tbt-high",
    "warning",
    "Scripts block the main thread (Total Blocking Time above 200 ms)",
    "Split or defer long scripts so the page answers input quickly",
)
def tbt_high(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    if not page.own_scripts:
        return []  # no script of the page's own: a long task is the browser's, not the page's
    if page.tbt_ms <= cfg.browser_tbt_ms:
        return []
    return [
        browser_finding(
            "browser/tbt-high",
            f"TBT {page.tbt_ms:.0f} ms in the lab (good: ≤ {cfg.browser_tbt_ms} ms)",
        )
    ]


def _axe_nodes(results: dict[str, Any], kind: str) -> dict[tuple[str, str], tuple[dict, dict]]:
    """(rule id, selector) -> (rule, node) for one scheme's ``violations`` or ``incomplete``."""
    return {
        (rule["id"], " ".join(node["target"])): (rule, node)
        for rule in results.get(kind, [])
        for node in rule["nodes"]
    }


def axe_findings(page: RenderedPage) -> list[Finding]:
    """axe's violations and needs-review results, light and dark merged, one per element."""
    findings: list[Finding] = []
    for kind, prefix in (("violations", AXE_PREFIX), ("incomplete", AXE_REVIEW_PREFIX)):
        light = _axe_nodes(page.axe_light, kind)
        dark = _axe_nodes(page.axe_dark, kind)
        for key in dict.fromkeys([*light, *dark]):
            seen = {
                name: found[key]
                for name, found in (("light", light), ("dark", dark))
                if key in found
            }
            rule, node = next(iter(seen.values()))
            impact = node.get("impact") or rule.get("impact") or "moderate"
            severity = "notice" if prefix == AXE_REVIEW_PREFIX else IMPACT_SEVERITY[impact]
            summaries = {
                name: " ".join(found_node.get("summary", "").split())
                for name, (_rule, found_node) in seen.items()
            }
            message = f"{rule['help']} ({' and '.join(seen)} scheme)"
            if len(set(summaries.values())) > 1:
                # e.g. a contrast ratio that differs per scheme: each scheme's own words
                message += ": " + "; ".join(f"{name}: {text}" for name, text in summaries.items())
            elif summary := next(iter(summaries.values())):
                message += f": {summary}"
            if prefix == AXE_REVIEW_PREFIX:
                message = "needs review: " + message
            findings.append(
                Finding(
                    prefix + rule["id"],
                    severity,
                    message,
                    key[1],
                    node["html"],
                    schemes=tuple(seen),
                )
            )
    return findings


def rendered_findings(page: RenderedPage, cfg: EngineConfig) -> list[Finding]:
    """Every finding of the browser pass for one rendered page."""
    findings = axe_findings(page)
    for check in BROWSER_CHECKS.values():
        if check.id not in cfg.disabled_checks:
            findings.extend(check.func(page, cfg))
    return [f for f in findings if f.check not in cfg.disabled_checks]
