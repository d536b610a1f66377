"""Audit one already-rendered HTML document, with no network (e.g. a CMS draft)."""

from __future__ import annotations

from .analyse import report_from_facts
from .checks import SiteView, run_site_checks, summarize
from .config import EngineConfig
from .facts import PageFacts
from .parse import parse_html
from .results import SEVERITY_RANK, PageReport
from .urls import validate_start_url


def check_html(html: str, url: str, *, config: EngineConfig | None = None) -> PageReport:
    """Run every check that can run on one document: all page checks, plus the site
    checks that need no crawl (e.g. canonical-invalid). Link-status checks are skipped.
    """
    report, _facts = check_html_facts(html, url, config=config)
    return report


def check_html_facts(
    html: str, url: str, *, config: EngineConfig | None = None
) -> tuple[PageReport, PageFacts]:
    """Like check_html, also returning the extracted PageFacts."""
    cfg = config or EngineConfig()
    page_url = validate_start_url(url)
    facts = parse_html(
        html, page_url, strip_params=cfg.strip_query_params, max_links=cfg.max_links_per_page
    )
    report = report_from_facts(facts, cfg)
    site = SiteView(start_url=page_url, pages={page_url: summarize(facts)}, crawl_complete=False)
    for finding_url, finding in run_site_checks(site, cfg):
        if finding_url == page_url:
            report.findings.append(finding)
    report.findings.sort(key=lambda f: SEVERITY_RANK[f.severity])
    return report, facts
