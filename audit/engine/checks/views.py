"""View counts: on sites whose profile expects them, each content page shows its own; a
shown count and the JSON-LD count of the same page agree."""

from __future__ import annotations

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


@page_check(
    "view-count-missing",
    "warning",
    "Content page shows no view count of its own",
    "Show the page's own view count in its main content (e.g. an element with a data-views "
    "attribute or the text 'N views'), outside sidebars and lists of other pages.",
)
def view_count_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    profile = cfg.profile_for(page.final_url or page.url)
    if not profile.views_expected or page.page_type not in profile.content_types:
        return []
    if page.views_visible is not None:
        return []
    extra = (
        f" (its JSON-LD says {page.views_jsonld}, which readers do not see)"
        if page.views_jsonld is not None
        else ""
    )
    return [
        finding(
            "view-count-missing",
            f"This {page.page_type} page shows no view count of its own{extra}.",
        )
    ]


@page_check(
    "view-count-mismatch",
    "warning",
    "Shown view count disagrees with the JSON-LD count",
    "Render the shown count and JSON-LD interactionStatistic from the same value.",
)
def view_count_mismatch(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    shown, claimed = page.views_visible, page.views_jsonld
    if shown is None or claimed is None or shown == claimed:
        return []
    return [
        finding(
            "view-count-mismatch",
            f"The page shows {shown} views but its JSON-LD says {claimed}.",
        )
    ]
