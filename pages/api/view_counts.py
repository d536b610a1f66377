"""View counts for the API, read for a whole response at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from wagtail.models import Page


def view_totals_for(pages: Sequence[Page]) -> dict[int, int]:
    """Total views per page id (0 for none), in one query for any number of pages."""
    # Imported here: pages.view_counts loads its model, and this module is imported while
    # the page models themselves are being defined.
    from pages.view_counts.service import view_totals

    return view_totals(page.pk for page in pages)


def view_totals_by_id(page_ids: Iterable[int]) -> dict[int, int]:
    """Total views per page id (0 for none), in one query; no query for no ids."""
    ids = list(page_ids)
    if not ids:
        return {}
    # Imported here for the reason given in view_totals_for.
    from pages.view_counts.service import view_totals

    return view_totals(ids)
