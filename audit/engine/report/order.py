"""The order pages are shown in: worst severity first, then most viewed."""

from __future__ import annotations

from collections.abc import Iterable

from ..results import SEVERITY_RANK, PageReport


def pages_by_severity(pages: Iterable[PageReport]) -> list[PageReport]:
    def key(page: PageReport) -> tuple[int, int, int, str]:
        worst_count = sum(1 for f in page.findings if SEVERITY_RANK[f.severity] == page.worst_rank)
        return (page.worst_rank, -(page.views or 0), -worst_count, page.url)

    return sorted(pages, key=key)
