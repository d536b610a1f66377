"""A short terminal summary: totals, top checks, worst pages."""

from __future__ import annotations

from ..checks import check_info
from ..results import AuditResult
from .order import pages_by_severity


def render_text(result: AuditResult, *, top: int = 10) -> str:
    stats = result.stats
    counts = result.counts_by_severity()
    lines = [
        f"SEO audit of {result.start_url}",
        f"  {stats.get('pages_reported', len(result.pages))} pages, "
        f"{stats.get('links_checked', 0)} extra link targets checked, "
        f"{stats.get('duration_s', 0)} s",
        "  findings: " + ", ".join(f"{n} {severity}s" for severity, n in counts.items()),
    ]
    lines.append(f"  {result.completeness()}")
    if result.start_error:
        lines.append(f"  start URL failed: {result.start_error}")
    by_check = result.counts_by_check()
    if by_check:
        lines.append("")
        lines.append("Checks with findings:")
        for check_id, count in list(by_check.items())[:top]:
            check = check_info(check_id)
            severity = check.severity if check else "?"
            title = check.title if check else check_id
            lines.append(f"  {count:>6}  {severity:<7}  {check_id:<28} {title}")
        if len(by_check) > top:
            lines.append(f"  … and {len(by_check) - top} more checks")
    worst = [page for page in pages_by_severity(result.pages) if page.findings][:top]
    if worst:
        lines.append("")
        lines.append("Pages to fix first:")
        for page in worst:
            # A count only where the page shows one: most sites show none.
            views = f"  ({page.views} views)" if page.views is not None else ""
            lines.append(f"  {len(page.findings):>4} findings  {page.url}{views}")
    return "\n".join(lines) + "\n"
