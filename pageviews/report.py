"""What the admin "Page views" report and the editor's status panel show, in few queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone
from wagtail.models import Page

from pageviews.models import PageViewCount
from pageviews.service import view_totals

# Query-string value → (label, days; None = all time)
PERIODS: dict[str, tuple[str, int | None]] = {
    "7": ("Last 7 days", 7),
    "30": ("Last 30 days", 30),
    "365": ("Last 365 days", 365),
    "all": ("All time", None),
}
DEFAULT_PERIOD = "30"
TREND_DAYS_MAX = 30  # the per-day trend covers the period, at most the last 30 days


@dataclass
class PageViewsRow:
    page: Page
    views: int  # in the period
    total: int  # all time
    trend: list[int] = field(default_factory=list)  # per day, oldest first, ending today


@dataclass
class PageViewsReport:
    period: str
    label: str
    trend_start: datetime.date
    trend_days: int
    rows: list[PageViewsRow]


def period_start(days: int | None, today: datetime.date) -> datetime.date | None:
    """First day inside a period of `days` days ending today (None: no lower bound)."""
    return None if days is None else today - datetime.timedelta(days=days - 1)


def most_viewed(period: str = DEFAULT_PERIOD, limit: int = 50) -> PageViewsReport:
    """The most viewed pages in `period` (a PERIODS key), with all-time totals and a trend."""
    label, days = PERIODS[period]
    today = timezone.localdate()
    counts = PageViewCount.objects.all()
    start = period_start(days, today)
    if start is not None:
        counts = counts.filter(date__gte=start)
    ranked = list(
        counts.values_list("page_id")
        .annotate(views=Sum("count"))
        .filter(views__gt=0)
        .order_by("-views", "page_id")[:limit]
    )
    ids = [page_id for page_id, _ in ranked]
    pages = Page.objects.filter(pk__in=ids).select_related("content_type").in_bulk()
    totals = view_totals(ids)
    trend_days = min(days or TREND_DAYS_MAX, TREND_DAYS_MAX)
    trend_start = period_start(trend_days, today)
    trends = daily_series(ids, trend_start, today)
    rows = [
        PageViewsRow(pages[page_id], views, totals[page_id], trends[page_id])
        for page_id, views in ranked
        if page_id in pages
    ]
    return PageViewsReport(period, label, trend_start, trend_days, rows)


def daily_series(
    page_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[int, list[int]]:
    """Views per day from start to end inclusive for each page, zeros for days without views."""
    length = (end - start).days + 1
    series = {page_id: [0] * length for page_id in page_ids}
    rows = PageViewCount.objects.filter(
        page_id__in=page_ids, date__gte=start, date__lte=end
    ).values_list("page_id", "date", "count")
    for page_id, day, count in rows:
        series[page_id][(day - start).days] = count
    return series


def page_summary(page_id: int) -> dict[str, int]:
    """One page's views for the editor, keyed like PERIODS ("7", "30", "365", "all"), in one
    query."""
    today = timezone.localdate()
    sums = {}
    for key, (_, days) in PERIODS.items():
        start = period_start(days, today)
        sums[f"period_{key}"] = Sum("count", filter=None if start is None else Q(date__gte=start))
    result = PageViewCount.objects.filter(page_id=page_id).aggregate(**sums)
    return {key: result[f"period_{key}"] or 0 for key in PERIODS}
