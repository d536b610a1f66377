"""View counts for the API, read for a whole response at once."""

from __future__ import annotations

from collections.abc import Sequence

from wagtail.models import Page


def view_totals_for(pages: Sequence[Page]) -> dict[int, int]:
    """Total views per page id (0 for none), in one query for any number of pages."""
    # Imported here: pages.view_counts loads its model, and this module is imported while
    # the page models themselves are being defined.
    from pages.view_counts.service import view_totals

    return view_totals(page.pk for page in pages)
