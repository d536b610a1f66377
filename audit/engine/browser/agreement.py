"""One finding, not two, where a static check and an axe rule cover the same defect."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..results import Finding

# axe rule -> the static check that looks for the same thing in the server's HTML.
SAME_DEFECT = {
    "axe/image-alt": "img-alt-missing",
    "axe/empty-heading": "heading-empty",
    "axe/html-has-lang": "lang-missing",
    "axe/document-title": "title-missing",
    "axe/link-name": "link-empty",
}


def merge_with_static(
    static: list[Finding], browser: list[Finding], url: str
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """The browser findings to add to a page that already has ``static`` findings.

    For a defect both sides look for, the static finding stands and as many axe findings as
    there are static ones are dropped; the axe findings left over are the browser-only cases
    (e.g. an image a script added). Every page where the two counts differ is returned as a
    disagreement, for the run's stats.
    """
    static_counts = Counter(f.check for f in static)
    axe_counts = Counter(f.check for f in browser)
    disagreements = []
    for axe_id, static_id in SAME_DEFECT.items():
        if static_counts[static_id] != axe_counts[axe_id]:
            disagreements.append(
                {
                    "url": url,
                    "static": static_id,
                    "static_count": static_counts[static_id],
                    "axe": axe_id,
                    "axe_count": axe_counts[axe_id],
                }
            )
    to_drop = {axe_id: static_counts[static_id] for axe_id, static_id in SAME_DEFECT.items()}
    kept = []
    for found in browser:
        if to_drop.get(found.check, 0) > 0:
            to_drop[found.check] -= 1
            continue
        kept.append(found)
    return kept, disagreements
