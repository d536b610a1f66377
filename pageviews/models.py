"""Daily page view counts: one row per page per day, so reports can show totals and trends."""

from __future__ import annotations

from django.db import models


class PageViewCount(models.Model):
    """How many counted views a page had on one (local) day.

    Rows are only ever written by `pageviews.service` (an atomic upsert) and by
    `manage.py import_view_counts`; a page's total is the sum of its rows.
    """

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="view_counts"
    )
    date = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "page view count"
        # The table and constraint names it had inside the pages app are kept as they were.
        constraints = [
            # The upsert's ON CONFLICT target; also the index for per-page totals.
            models.UniqueConstraint(fields=["page", "date"], name="pages_view_count_page_date")
        ]
        # Reports rank pages within a date range.
        indexes = [models.Index(fields=["date"], name="pages_view_count_date")]

    def __str__(self) -> str:
        return f"page {self.page_id} on {self.date}: {self.count}"
