"""Cron arithmetic for audit schedules, in the site's TIME_ZONE (croniter)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings


def site_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def cron_error(expression: str) -> str | None:
    """Why ``expression`` is not a five-field cron line, or None when it is one."""
    expression = expression.strip()
    if not expression:
        return "Enter a cron expression, e.g. 0 3 * * 1 (Mondays at 03:00)."
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        return (
            f"{expression!r} is not a valid cron expression: use five fields "
            '"minute hour day month weekday", e.g. 0 3 * * 1.'
        )
    return None


def _iterate(expression: str, start: datetime, zone: ZoneInfo | None) -> croniter | None:
    if not expression or not croniter.is_valid(expression):
        return None
    return croniter(expression, start.astimezone(zone or site_timezone()))


def next_time(expression: str, after: datetime, zone: ZoneInfo | None = None) -> datetime | None:
    """The first time strictly after ``after`` (read in ``zone``, default the site's
    TIME_ZONE); None for an invalid cron line."""
    it = _iterate(expression, after, zone)
    return None if it is None else it.get_next(datetime)


def latest_time(expression: str, now: datetime, zone: ZoneInfo | None = None) -> datetime | None:
    """The latest time at or before ``now``; None for an invalid cron line."""
    # croniter's get_prev excludes its start; one second later includes a time equal to now.
    it = _iterate(expression, now + timedelta(seconds=1), zone)
    return None if it is None else it.get_prev(datetime)
