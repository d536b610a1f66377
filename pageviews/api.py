"""The interface other apps use: record a view, read totals, seed demo counts.

    from pageviews.api import views_for, views_for_many
    total = views_for(page)                       # one page
    totals = views_for_many(pages)                # {page id: total}, one query

Everything else in `pageviews` (rules, cache keys, the model) is internal to the app.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from wagtail.models import Page

from pageviews.demo import seed_demo_views
from pageviews.importer import TOTAL_DATE
from pageviews.service import Channel, add_views, view_totals
from pageviews.service import record_view as _record_view

__all__ = ["add_old_views", "record_view", "seed_demo_views", "views_for", "views_for_many"]


def record_view(
    request: HttpRequest, page: Page, response: HttpResponse | None = None
) -> int | None:
    """Count a served page's GET if every counting rule passes (once ``response`` has
    rendered, when it is a template response not yet rendered); the new total, or None."""
    return _record_view(request, page, channel=Channel.PAGE, response=response).total


def views_for(page: Page) -> int:
    """The page's total views (0 for an unsaved page)."""
    return view_totals([page.pk])[page.pk] if page.pk else 0


def views_for_many(pages: Iterable[Page]) -> dict[int, int]:
    """Total views per page id (0 for pages with none), in one query for any number of pages."""
    return view_totals(page.pk for page in pages)


def add_old_views(page: Page, views: int) -> None:
    """Add an old site's count to the page's all-time total (not to any recent period)."""
    add_views(page.pk, views, TOTAL_DATE)
