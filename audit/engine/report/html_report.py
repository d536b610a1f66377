"""A standalone HTML report: one file, inline CSS, no scripts, everything escaped.

Dates read "28 Nov 2026, 06:38", in ``zone`` when the caller passes one (the site's time
zone), else in the offset the timestamps carry. A caller may put its own section (already
escaped markup: the CMS puts the score and "Fix these first") right after the summary line
with ``lead_html``. Checks follow in fix order (severity, then count), each naming the pages
it affects with links.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape

from ..checks import check_info
from ..results import SEVERITIES, SEVERITY_RANK, AuditResult, PageReport
from .order import pages_by_severity

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
code{font-size:.85em;word-break:break-all;background:#f4f4f4;padding:0 .2em}
.sev{display:inline-block;border-radius:.3em;padding:0 .45em;font-size:.8em;font-weight:600}
.error{background:#fde2e1;color:#8a1c14}.warning{background:#fff1cc;color:#6b4a00}
.notice{background:#e3eefc;color:#123e7a}details{border:1px solid #ddd;border-radius:.4em;
margin:.5rem 0;padding:.4rem .8rem}summary{cursor:pointer}.muted{color:#666}.fix{color:#245c2a}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _badge(severity: str) -> str:
    return f'<span class="sev {_e(severity)}">{_e(severity)}</span>'


def _link(url: str | None) -> str:
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return f'<a href="{_e(url)}">{_e(url)}</a>'
    return _e(url)


def when_in_words(iso: str, zone: tzinfo | None = None) -> str:
    """ "2026-11-28T14:38:05+00:00" → "28 Nov 2026, 14:38 UTC" (in ``zone`` if given)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return f"{moment.day} {moment:%b %Y, %H:%M %Z}".rstrip()


def _page(page: PageReport) -> str:
    counts = {s: sum(1 for f in page.findings if f.severity == s) for s in SEVERITIES}
    badges = " ".join(f"{_badge(s)} {n}" for s, n in counts.items() if n)
    rows = []
    for finding in page.findings:
        check = check_info(finding.check)
        fix = check.fix if check else ""
        where = ""
        if finding.selector:
            where += f"<div><code>{_e(finding.selector)}</code></div>"
        if finding.snippet:
            where += f"<div><code>{_e(finding.snippet)}</code></div>"
        rows.append(
            f"<tr><td>{_badge(finding.severity)}</td><td><code>{_e(finding.check)}</code></td>"
            f"<td>{_e(finding.message)}{where}<div class=fix>Fix: {_e(fix)}</div></td></tr>"
        )
    redirects = " → ".join(f"{_e(h.url)} ({h.status})" for h in page.redirects)
    meta = [f"status {_e(page.status if page.status is not None else '—')}"]
    # A count only where the page shows one: most sites show none, and a missing count on a
    # site that should show them is a finding (view-count-missing) of its own.
    if page.views is not None:
        meta.append(f"{page.views} views")
    meta.append(f"{page.word_count} words")
    if page.error:
        meta.append(f"error: {_e(page.error)}")
    body = (
        f"<p class=muted>{' · '.join(meta)}</p>"
        + (f"<p class=muted>Title: {_e(page.title)}</p>" if page.title else "")
        + (f"<p class=muted>Redirects: {redirects}</p>" if redirects else "")
        + (
            "<table><tr><th>Severity</th><th>Check</th><th>Finding</th></tr>"
            + "".join(rows)
            + "</table>"
            if rows
            else "<p>No findings.</p>"
        )
    )
    is_open = " open" if counts["error"] else ""
    return f"<details{is_open}><summary>{_link(page.url)} {badges}</summary>{body}</details>"


PAGES_NAMED = 10  # pages linked under each check; the rest are counted


def checks_in_fix_order(result: AuditResult) -> list[tuple[str, int]]:
    """(check id, findings) most severe first, then most found: the order to fix them in
    (a count alone put 42 notices before 2 errors)."""

    def key(item: tuple[str, int]) -> tuple[int, int, str]:
        check = check_info(item[0])
        return (SEVERITY_RANK[check.severity] if check else len(SEVERITIES), -item[1], item[0])

    return sorted(result.counts_by_check().items(), key=key)


def pages_by_check(result: AuditResult) -> dict[str, list[str]]:
    """Check id -> the URLs of the pages it has findings on, in report order, once each."""
    found: dict[str, dict[str, None]] = {}
    for page in pages_by_severity(result.pages):
        for finding in page.findings:
            found.setdefault(finding.check, {})[page.url] = None
    return {check_id: list(urls) for check_id, urls in found.items()}


def _affected(urls: list[str]) -> str:
    links = ", ".join(_link(url) for url in urls[:PAGES_NAMED])
    more = f" and {len(urls) - PAGES_NAMED} more" if len(urls) > PAGES_NAMED else ""
    pages = "page" if len(urls) == 1 else f"{len(urls)} pages"
    return f"<div class=muted>On {pages}: {links}{more}</div>"


def render_html(result: AuditResult, *, zone: tzinfo | None = None, lead_html: str = "") -> str:
    stats = result.stats
    counts = result.counts_by_severity()
    summary = "".join(f"<tr><td>{_badge(s)}</td><td>{n}</td></tr>" for s, n in counts.items())
    check_rows = []
    pages_of = pages_by_check(result)
    for check_id, count in checks_in_fix_order(result):
        check = check_info(check_id)
        check_rows.append(
            f"<tr><td>{_badge(check.severity if check else 'notice')}</td>"
            f"<td><code>{_e(check_id)}</code><br>{_e(check.title if check else '')}</td>"
            f"<td>{count}</td><td class=fix>{_e(check.fix if check else '')}"
            f"{_affected(pages_of[check_id])}</td></tr>"
        )
    notes = [_e(result.completeness())]
    if result.start_error:
        notes.append(f"The start URL failed: {_e(result.start_error)}.")
    notes += [_e(note) for note in (stats.get("browser") or {}).get("notes", [])]
    pages = "".join(_page(page) for page in pages_by_severity(result.pages))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>SEO audit – {_e(result.start_url)}</title><style>{_CSS}</style></head>
<body><h1>SEO audit of {_link(result.start_url)}</h1>
<p class=muted>Started {_e(when_in_words(result.started_at, zone))}, finished
{_e(when_in_words(result.finished_at, zone))}{_e(f" ({zone})" if zone else "")} ·
{_e(stats.get("pages_reported", len(result.pages)))} pages ·
{_e(stats.get("duration_s", ""))} s</p>
{"".join(f"<p><strong>{note}</strong></p>" for note in notes)}
{lead_html}
<h2>Summary</h2><table><tr><th>Severity</th><th>Findings</th></tr>{summary}</table>
<h2>By check</h2><p class=muted>Most severe first, then most found.</p>
<table><tr><th>Severity</th><th>Check</th><th>Findings</th><th>How to fix</th></tr>
{"".join(check_rows) or "<tr><td colspan=4>No findings.</td></tr>"}</table>
<h2>Pages</h2><p class=muted>Worst first, then most viewed.</p>
{pages}
</body></html>
"""
