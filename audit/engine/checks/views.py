"""View counts, which the CMS shows on article and service pages."""

from __future__ import annotations

from ..config import AuditConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


@page_check(
    "view-count-missing",
    "warning",
    "Article or service page shows no view count",
    "Render the view count (data-views attribute or JSON-LD interactionStatistic) in the template.",
)
def view_count_missing(page: PageFacts, cfg: AuditConfig) -> list[Finding]:
    if page.page_type in ("article", "service") and page.views is None:
        return [
            finding(
                "view-count-missing",
                f"This {page.page_type} page has no view count (data-views, JSON-LD or 'N views').",
            )
        ]
    return []
