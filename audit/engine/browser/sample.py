"""Which pages the browser pass loads: every HTML page, or a sample covering each kind."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from ..results import PageReport


def renderable(report: PageReport) -> bool:
    """An HTML page the crawl fetched with a 2xx answer."""
    return (
        report.error is None
        and report.status is not None
        and 200 <= report.status < 300
        and (report.content_type or "").split(";")[0].strip().lower()
        in ("text/html", "application/xhtml+xml")
    )


def template_key(report: PageReport) -> tuple[str, str, int]:
    """Pages likely to share a template: same page type, first path segment and depth."""
    segments = [s for s in urlsplit(report.final_url or report.url).path.split("/") if s]
    return (report.page_type or "", segments[0] if segments else "", len(segments))


def choose_pages(pages: list[PageReport], sample: int | None) -> list[PageReport]:
    """All renderable pages, or ``sample`` of them taken in turn from each template group
    (groups in crawl order, so the start page comes first) until the sample is full."""
    candidates = [page for page in pages if renderable(page)]
    if sample is None or sample >= len(candidates):
        return candidates
    groups: dict[tuple[str, str, int], list[PageReport]] = defaultdict(list)
    for page in candidates:
        groups[template_key(page)].append(page)
    chosen: list[PageReport] = []
    queues = [list(reversed(group)) for group in groups.values()]
    while len(chosen) < sample:
        for queue in queues:
            if queue and len(chosen) < sample:
                chosen.append(queue.pop())
        queues = [queue for queue in queues if queue]
    return chosen
