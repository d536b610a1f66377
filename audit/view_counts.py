"""Do our own pages show the view count the database holds?

The engine reads the count each page shows (``PageReport.views``); only the CMS knows the
recorded one (``pageviews.api``). Readers keep viewing pages while a crawl runs, so a page
fetched mid-crawl may rightly show any total between the one recorded when the run started
and the one recorded when it was stored. The tolerance is exactly that window: totals are
read once when the run's store is made (before the crawl) and once after its pages are
stored. A shown count outside it (a stale cached render, a template showing another
page's count, an import that lost views) is a finding on that page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from wagtail.models import Page

from audit.models import AuditRun, Finding, PageResult
from pageviews.api import views_for_many

CHECK_ID = "view-count-stale"
SEVERITY = "warning"
TITLE = "Shown view count differs from the recorded count"
FIX = (
    "Check that the page renders its own current count (not a cached render or another "
    "page's count) and that imported counts were saved."
)


def recorded_totals(page_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Total views per live page (or per the given ids), in one query."""
    pages = Page.objects.live() if page_ids is None else Page.objects.filter(pk__in=page_ids)
    return views_for_many(pages.only("pk"))


def stale_counts(
    rows: Iterable[tuple[int, int, int]], before: dict[int, int], after: dict[int, int]
) -> list[tuple[int, str]]:
    """(page result id, message) for each (result id, page id, shown count) whose count lies
    outside [total before the crawl, total after it]."""
    out = []
    for result_id, page_id, shown in rows:
        low, high = before.get(page_id, 0), after.get(page_id, 0)
        if low <= shown <= high:
            continue
        window = f"{low}" if low == high else f"between {low} and {high}"
        out.append(
            (
                result_id,
                f"The page shows {shown} views but {window} were recorded while it was audited.",
            )
        )
    return out


def add_stale_count_findings(run: AuditRun, before: dict[int, int], weight: int) -> int:
    """Store a finding on each page of ``run`` whose shown count is outside its window;
    returns how many. Page totals (warning count, impact) include them."""
    rows = list(
        PageResult.objects.filter(run=run, page_id__isnull=False, views__isnull=False).values_list(
            "id", "page_id", "views", "url"
        )
    )
    if not rows:
        return 0
    after = recorded_totals(page_id for _id, page_id, _views, _url in rows)
    urls = {result_id: (url, views) for result_id, _page_id, views, url in rows}
    stale = stale_counts(((r, p, v) for r, p, v, _u in rows), before, after)
    for result_id, message in stale:
        url, views = urls[result_id]
        impact = weight * (views + 1)
        Finding.objects.create(
            run=run,
            page_result_id=result_id,
            check_id=CHECK_ID,
            severity=SEVERITY,
            message=message,
            fingerprint=Finding.make_fingerprint(CHECK_ID, url, ""),
            impact=impact,
        )
        PageResult.objects.filter(pk=result_id).update(
            warning_count=F("warning_count") + 1, impact=F("impact") + impact
        )
    return len(stale)
