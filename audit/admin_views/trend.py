"""The trend chart: errors, warnings and notices per finished run over time, as inline SVG.

Rendered on the server (no script, no CDN): one line per severity, a dot per run with a
``<title>`` tooltip, a y axis from 0 to the largest count and the dates of the first and last
run. Every text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from audit.models import AuditRun

SERIES = (
    ("error", "Errors", "#cd3238"),
    ("warning", "Warnings", "#b26b00"),
    ("notice", "Notices", "#1d6fb8"),
)

LABEL = 'font-size="11" fill="#555"'


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    when: datetime
    error: int
    warning: int
    notice: int


def trend_points(
    target_url: str, *, single_page: bool = False, limit: int = 30
) -> list[TrendPoint]:
    """The last ``limit`` succeeded runs of a target, oldest first."""
    rows = (
        AuditRun.objects.filter(
            target_url=target_url, single_page=single_page, status=AuditRun.Status.SUCCEEDED
        )
        .order_by("-created_at", "-id")
        .values_list(
            "id", "created_at", "finished_at", "error_count", "warning_count", "notice_count"
        )[:limit]
    )
    return [
        TrendPoint(run_id, finished or created, e, w, n)
        for run_id, created, finished, e, w, n in reversed(list(rows))
    ]


def _nice_max(value: int) -> int:
    """The y axis top: the largest count rounded up to 1, 2 or 5 x 10^n (at least 5)."""
    top = max(value, 5)
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if top <= step * magnitude:
                return step * magnitude
        magnitude *= 10


def render_trend_svg(
    points: list[TrendPoint], *, width: int = 720, height: int = 220
) -> SafeString:
    """The chart as an ``<svg>`` element; an empty string when there is no run to show."""
    if not points:
        return mark_safe("")
    left, right, top, bottom = 44, 16, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max = _nice_max(max(max(p.error, p.warning, p.notice) for p in points))

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(points) == 1 else plot_w * i / (len(points) - 1))

    def y(value: int) -> float:
        return top + plot_h - plot_h * value / y_max

    def day(when: datetime) -> str:
        return timezone.localtime(when).strftime("%d %b %Y")

    parts = [
        f'<svg class="audit-trend" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="audit-trend-title audit-trend-desc">',
        '<title id="audit-trend-title">Findings per audit over time</title>',
        f'<desc id="audit-trend-desc">Errors, warnings and notices in the last {len(points)} '
        f"succeeded audits, from {escape(day(points[0].when))} to {escape(day(points[-1].when))}."
        "</desc>",
    ]
    for tick in (0, y_max // 2, y_max):
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
            f"{tick}</text>"
        )
    for key, label, colour in SERIES:
        coords = " ".join(f"{x(i):.1f},{y(getattr(p, key)):.1f}" for i, p in enumerate(points))
        parts.append(
            f'<polyline class="audit-trend-{key}" fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{coords}"><title>{label}</title></polyline>'
        )
        for i, p in enumerate(points):
            value = getattr(p, key)
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                f"<title>Run #{p.run_id}, {escape(day(p.when))}: {value} {label.lower()}</title>"
                "</circle>"
            )
    baseline = height - bottom + 16
    parts.append(f'<text x="{left}" y="{baseline}" {LABEL}>{escape(day(points[0].when))}</text>')
    if len(points) > 1:
        parts.append(
            f'<text x="{width - right}" y="{baseline}" text-anchor="end" {LABEL}>'
            f"{escape(day(points[-1].when))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built above from numbers and escaped text
