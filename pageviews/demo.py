"""Demo view counts, so a fresh demo site's report and pages show plausible numbers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from pageviews.models import PageViewCount

SPREAD_DAYS = 14


def seed_demo_views(page, total: int) -> bool:
    """Give `page` `total` views spread over the last two weeks, only if it has none yet.

    Returns True when it wrote counts. Deterministic: the same total gives the same days.
    """
    if total <= 0 or PageViewCount.objects.filter(page_id=page.pk).exists():
        return False
    today = timezone.localdate()
    days = min(SPREAD_DAYS, total)
    per_day, remainder = divmod(total, days)
    PageViewCount.objects.bulk_create(
        PageViewCount(
            page_id=page.pk,
            date=today - datetime.timedelta(days=offset),
            count=per_day + (1 if offset < remainder else 0),
        )
        for offset in range(days)
    )
    return True
