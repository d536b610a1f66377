"""The standalone HTML report in fix order (issue 25): checks by severity, then by count,
each naming the pages it affects with links; the browser pass's notes up front."""

from __future__ import annotations

import re

from audit.engine import AuditResult, Finding, PageReport
from audit.engine.report import render_html

SITE = "https://clinic.example"


def result() -> AuditResult:
    """42 short-title notices (one per page) and 2 errors: the errors must come first."""
    pages = [
        PageReport(
            url=f"{SITE}/p{n}/",
            status=200,
            findings=[Finding("title-too-short", "notice", "short title")],
        )
        for n in range(42)
    ]
    pages[5].findings.append(Finding("img-alt-missing", "error", "no alt", "img", "<img>"))
    pages[9].findings.append(Finding("img-alt-missing", "error", "no alt", "img", "<img>"))
    pages[9].findings.append(Finding("h1-missing", "warning", "no h1"))
    stats = {"browser": {"notes": ["Dark colour scheme not checked on 40 of 42 pages: ..."]}}
    return AuditResult(
        SITE + "/", "2026-12-01T09:00:00+00:00", "2026-12-01T09:01:00+00:00", {}, stats, pages
    )


def by_check(html: str) -> str:
    return html[html.index("<h2>By check</h2>") : html.index("<h2>Pages</h2>")]


def test_checks_come_by_severity_then_count() -> None:
    section = by_check(render_html(result()))
    order = re.findall(r"<code>([a-z0-9/-]+)</code><br>", section)
    assert order == ["img-alt-missing", "h1-missing", "title-too-short"]


def test_each_check_names_the_pages_it_affects_with_links() -> None:
    section = by_check(render_html(result()))
    rows = section.split("<tr>")
    (alt_row,) = [row for row in rows if "<code>img-alt-missing</code>" in row]
    assert f'<a href="{SITE}/p5/">' in alt_row and f'<a href="{SITE}/p9/">' in alt_row
    assert "On 2 pages" in alt_row
    (canonical_row,) = [row for row in rows if "<code>title-too-short</code>" in row]
    assert canonical_row.count("<a href=") == 10 and "and 32 more" in canonical_row


def test_the_browser_pass_notes_are_among_the_run_notes() -> None:
    html = render_html(result())
    assert html.index("Dark colour scheme not checked") < html.index("<h2>Summary</h2>")
