"""The browser pass's checks in the registry: one positive and one negative case per fixed
check (on hand-built RenderedPages, no browser), and axe-core's rules named by their family.

tests/audit/engine/test_browser_pass.py runs the same checks on real Chromium.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from html import escape

import pytest

from audit.engine import (
    REGISTRY,
    AuditResult,
    EngineConfig,
    Finding,
    PageReport,
    check_html,
    check_info,
)
from audit.engine.browser.axe_rules import EDITOR_FIX, axe_rules
from audit.engine.browser.checks import BROWSER_CHECKS, IMPACT_SEVERITY, rendered_findings
from audit.engine.browser.observations import FailedRequest, RenderedPage
from audit.engine.browser.pool import AXE_VERSION
from audit.engine.report import render

URL = "https://clinic.example/services/knee/"


def rendered(**changes: object) -> RenderedPage:
    """A page the browser saw with nothing wrong, unless a keyword changes one thing."""
    return dataclasses.replace(
        RenderedPage(URL, URL, lcp_ms=900.0, cls=0.01, tbt_ms=20.0), **changes
    )


HEADING = {"kind": "heading", "text": "Evening hours", "selector": "h2", "html": "<h2>…</h2>"}

# check id -> (a page with the defect, a page without it: the nearest thing that is fine)
BROWSER_CASES: dict[str, tuple[RenderedPage, RenderedPage]] = {
    "browser/script-only-content": (rendered(script_only=[HEADING]), rendered()),
    "browser/console-error": (
        rendered(console_errors=["ReferenceError: priceTable is not defined"]),
        rendered(console_errors=[]),
    ),
    "browser/failed-request": (
        rendered(failed_requests=[FailedRequest(URL + "a.png", "image", "HTTP 404")]),
        # a missing favicon changes nothing readers see
        rendered(failed_requests=[FailedRequest(URL + "favicon.ico", "other", "HTTP 404")]),
    ),
    "browser/mixed-content": (
        rendered(insecure_requests=["http://cdn.example/logo.png"]),
        rendered(insecure_requests=[]),  # the pool lists only http: loads of https pages
    ),
    "browser/lcp-slow": (rendered(lcp_ms=2600.0), rendered(lcp_ms=2500.0)),
    "browser/cls-high": (rendered(cls=0.25), rendered(cls=0.1)),
    "browser/tbt-high": (
        rendered(tbt_ms=450.0, own_scripts=1),
        rendered(tbt_ms=200.0, own_scripts=1),
    ),
}


def ids(page: RenderedPage) -> list[str]:
    return [f.check for f in rendered_findings(page, EngineConfig())]


def test_a_page_with_nothing_wrong_has_no_browser_findings() -> None:
    assert ids(rendered()) == []


@pytest.mark.parametrize("check_id", sorted(BROWSER_CASES))
def test_browser_check_positive_and_negative(check_id: str) -> None:
    positive, negative = BROWSER_CASES[check_id]
    assert check_id in ids(positive)
    assert check_id not in ids(negative)


def test_every_browser_check_is_registered_and_tested() -> None:
    """A fixed browser check is in the engine's registry (title and fix hint for every
    report) and has its case above; browser/failed is tested on a hung or crashed page."""
    registered = {check.id for check in REGISTRY.values() if check.scope == "browser"}
    assert set(BROWSER_CHECKS) <= registered
    assert registered - set(BROWSER_CASES) == {"browser/failed", "axe/*", "axe-review/*"}
    for check_id in registered:
        check = REGISTRY[check_id]
        assert check.title and check.fix and check.severity in IMPACT_SEVERITY.values()


def test_findings_carry_the_registrys_severity() -> None:
    for check_id, (positive, _negative) in BROWSER_CASES.items():
        found = [f for f in rendered_findings(positive, EngineConfig()) if f.check == check_id]
        assert {f.severity for f in found} == {REGISTRY[check_id].severity}, check_id


def test_browser_checks_do_not_run_with_the_static_checks() -> None:
    html = "<html lang=en><head><title>Knee care</title></head><body><h1>Knee</h1></body></html>"
    assert not [f for f in check_html(html, URL).findings if f.check.startswith("browser/")]


# -- axe-core's rules: a family ----------------------------------------------------------


def test_axe_rules_are_read_from_the_vendored_axe() -> None:
    rules = axe_rules()
    assert AXE_VERSION == "4.14.1" and len(rules) >= 90
    assert rules["image-alt"].help == "Images must have alternative text"
    assert rules["color-contrast"].impact == "serious"
    # quoted either way in axe's source
    assert rules["input-image-alt"].description.startswith('Ensure <input type="image">')
    assert set(EDITOR_FIX) <= set(rules)  # no hint for a rule this axe does not have


def test_an_axe_finding_gets_axes_help_as_title_and_an_editors_fix() -> None:
    contrast = check_info("axe/color-contrast")
    assert contrast is not None
    assert contrast.title == "Elements must meet minimum color contrast ratio thresholds"
    assert contrast.fix == EDITOR_FIX["color-contrast"]
    assert contrast.severity == "error"  # axe's impact "serious"
    # not about content: axe's own description is the hint
    landmark = check_info("axe/landmark-one-main")
    assert landmark is not None and landmark.fix == axe_rules()["landmark-one-main"].description
    review = check_info("axe-review/color-contrast")
    assert review is not None and review.severity == "notice"
    assert review.title.startswith("Needs review: ")


def test_an_unknown_axe_rule_falls_back_to_the_family_and_others_to_nothing() -> None:
    assert check_info("axe/rule-of-a-later-axe") is REGISTRY["axe/*"]
    assert check_info("axe-review/rule-of-a-later-axe") is REGISTRY["axe-review/*"]
    assert check_info("axe/") is None
    assert check_info("no-such-check") is None
    assert check_info("img-alt-missing") is REGISTRY["img-alt-missing"]


# -- every report format names them ------------------------------------------------------


def browser_result() -> AuditResult:
    report = PageReport(url=URL, final_url=URL, status=200, content_type="text/html")
    report.findings = [
        Finding("axe/color-contrast", "error", "contrast 2.1:1 (dark scheme)", ".faint", "<p>"),
        Finding("browser/failed-request", "error", "image failed (HTTP 404): " + URL + "a.png"),
    ]
    return AuditResult(URL, "", "", {}, {"pages_crawled": 1}, [report])


CONTRAST_TITLE = "Elements must meet minimum color contrast ratio thresholds"
FAILED_TITLE = REGISTRY["browser/failed-request"].title


def test_reports_give_browser_findings_a_title_and_a_fix() -> None:
    result = browser_result()
    contrast_fix = EDITOR_FIX["color-contrast"]
    failed_fix = REGISTRY["browser/failed-request"].fix
    text = render(result, "text")
    assert CONTRAST_TITLE in text and FAILED_TITLE in text
    html_report = render(result, "html")
    for words in (CONTRAST_TITLE, contrast_fix, FAILED_TITLE, failed_fix):
        assert escape(words) in html_report, words
    checks = json.loads(render(result, "json"))["checks"]
    assert checks["axe/color-contrast"] == {
        "severity": "error",
        "title": CONTRAST_TITLE,
        "fix": contrast_fix,
    }
    assert checks["browser/failed-request"]["fix"] == failed_fix
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    assert [row["fix"] for row in rows] == [contrast_fix, failed_fix]
