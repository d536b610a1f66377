"""CSV: one row per finding, for spreadsheets."""

from __future__ import annotations

import csv
import io

from ..checks import check_info
from ..results import AuditResult

COLUMNS = (
    "url",
    "status",
    "views",
    "check",
    "severity",
    "message",
    "selector",
    "snippet",
    "fix",
    "template",
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas; a quote makes them text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(result: AuditResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for page, finding in result.findings():
        check = check_info(finding.check)
        row = (
            page.url,
            page.status,
            page.views,
            finding.check,
            finding.severity,
            finding.message,
            finding.selector,
            finding.snippet,
            check.fix if check else "",
            "yes" if finding.template else "",
        )
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
