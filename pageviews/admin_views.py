"""Wagtail admin views of view counting: the "Page views" report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from pageviews.report import DEFAULT_PERIOD, PERIODS, most_viewed

SPARK_BAR_WIDTH = 8
SPARK_HEIGHT = 48


@dataclass(frozen=True)
class SparkBar:
    x: int
    y: int
    height: int
    day: datetime.date
    count: int


def page_views_report(request: HttpRequest) -> HttpResponse:
    """Most viewed pages for the last 7/30/365 days or all time, with a per-day trend."""
    period = request.GET.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD  # a stale or mistyped link still shows a report
    report = most_viewed(period)
    rows = [
        {
            "row": row,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[row.page.pk]),
            "bars": spark_bars(row.trend, report.trend_start),
            # The chart's y axis runs from 0 to the busiest day; its caption gives the sum.
            "peak": max(row.trend, default=0),
            "trend_total": sum(row.trend),
        }
        for row in report.rows
    ]
    return render(
        request,
        "pageviews/admin/page_views_report.html",
        {
            "page_title": "Page views",
            "header_title": "Page views",
            "header_icon": "view",
            "report": report,
            "rows": rows,
            "periods": [(key, label) for key, (label, _) in PERIODS.items()],
            "spark_width": report.trend_days * SPARK_BAR_WIDTH,
            "spark_height": SPARK_HEIGHT,
        },
    )


def spark_bars(trend: list[int], start: datetime.date) -> list[SparkBar]:
    """Bars of an inline SVG sparkline, scaled to the row's busiest day (at least 1px if > 0)."""
    peak = max(trend, default=0) or 1
    bars = []
    for index, count in enumerate(trend):
        height = round(count / peak * SPARK_HEIGHT)
        if count and not height:
            height = 1
        bars.append(
            SparkBar(
                x=index * SPARK_BAR_WIDTH,
                y=SPARK_HEIGHT - height,
                height=height,
                day=start + datetime.timedelta(days=index),
                count=count,
            )
        )
    return bars
